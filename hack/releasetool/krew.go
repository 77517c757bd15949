package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"text/template"
)

// archiveName is an ozgctl archive: ozgctl_<version>_<os>_<arch>.tar.gz|.zip.
var archiveName = regexp.MustCompile(`^ozgctl_(.+)_([a-z0-9]+)_([a-z0-9]+)\.(tar\.gz|zip)$`)

// krewPlatform is one platform of the krew manifest.
type krewPlatform struct {
	OS, Arch, URI, SHA256, Bin string
}

// krewManifest is krew's plugin manifest (krew.googlecontainertools.github.com/v1alpha2),
// written by a template to keep krew's customary field order.
var krewManifest = template.Must(template.New("ozg.yaml").Parse(`# Written by make release (hack/release.sh); install with
#   kubectl krew install --manifest=ozg.yaml
apiVersion: krew.googlecontainertools.github.com/v1alpha2
kind: Plugin
metadata:
  name: ozg
spec:
  version: {{ .Version }}
  homepage: https://github.com/ozg-operator/ozg-operator
  shortDescription: Manage OZG service portals run by ozg-operator
  description: |
    The command line of ozg-operator (ozgctl) as a kubectl plugin: import
    the OZG catalogue, administrations and responsibility profiles, follow
    a portal fleet's rollout, report where OZG services are online, export
    the Portalverbund feed and back up every ozg.dev object.
  caveats: |
    The ozg-operator CRDs and manager must be installed in the cluster
    (helm install ozg-operator ...); see the project's README.
  platforms:
{{- range .Platforms }}
  - selector:
      matchLabels:
        os: {{ .OS }}
        arch: {{ .Arch }}
    uri: {{ .URI }}
    sha256: {{ .SHA256 }}
    bin: {{ .Bin }}
    files:
    - from: {{ .Bin }}
      to: .
    - from: LICENSE
      to: .
{{- end }}
`))

// runKrew writes the krew manifest for the archives: one platform each,
// downloaded from url/<archive name>, with the archive's SHA-256.
func runKrew(out, version, url string, archives []string) error {
	if out == "" || version == "" || url == "" || len(archives) == 0 {
		return fmt.Errorf("krew needs -o, -version, -url and the archives")
	}
	data := struct {
		Version   string
		Platforms []krewPlatform
	}{Version: "v" + version}
	for _, a := range archives {
		m := archiveName.FindStringSubmatch(filepath.Base(a))
		if m == nil || m[1] != version {
			return fmt.Errorf("%s is not an archive ozgctl_%s_<os>_<arch>.tar.gz or .zip", a, version)
		}
		sum, err := fileSHA256(a)
		if err != nil {
			return err
		}
		bin := "kubectl-ozg"
		if m[2] == "windows" {
			bin += ".exe"
		}
		data.Platforms = append(data.Platforms, krewPlatform{
			OS: m[2], Arch: m[3], SHA256: sum, Bin: bin,
			URI: strings.TrimSuffix(url, "/") + "/" + filepath.Base(a),
		})
	}
	var b bytes.Buffer
	if err := krewManifest.Execute(&b, data); err != nil {
		return err
	}
	return writeFile(out, b.Bytes())
}

func fileSHA256(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
