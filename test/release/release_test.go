// Package release checks a release built by `make release` (hack/release.sh):
// `make release-check` builds one and runs these tests on it with
// OZG_RELEASE_DIR set. Without it they skip, so `go test ./...` stays fast.
package release

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"debug/buildinfo"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// The tree the release was built from, relative to this package.
const repoRoot = "../.."

// release is the release directory and its version (the directory's name
// unless OZG_RELEASE_VERSION says otherwise).
func release(t *testing.T) (dir, version string) {
	t.Helper()
	dir = os.Getenv("OZG_RELEASE_DIR")
	if dir == "" {
		t.Skip("OZG_RELEASE_DIR is not set: `make release-check` builds a release and checks it")
	}
	version = os.Getenv("OZG_RELEASE_VERSION")
	if version == "" {
		version = filepath.Base(filepath.Clean(dir))
	}
	return dir, version
}

// archiveName is an ozgctl archive: ozgctl_<version>_<os>_<arch>.tar.gz|.zip.
var archiveName = regexp.MustCompile(`^ozgctl_(.+)_([a-z0-9]+)_([a-z0-9]+)\.(tar\.gz|zip)$`)

var wantPlatforms = []string{"darwin/amd64", "darwin/arm64", "linux/amd64", "linux/arm64", "windows/amd64", "windows/arm64"}

// archives are the release's ozgctl archives by "os/arch".
func archives(t *testing.T, dir, version string) map[string]string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "ozgctl_*"))
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]string{}
	for _, n := range names {
		m := archiveName.FindStringSubmatch(filepath.Base(n))
		if m == nil || m[1] != version {
			t.Errorf("%s: not an archive ozgctl_%s_<os>_<arch>.tar.gz|.zip", filepath.Base(n), version)
			continue
		}
		if (m[2] == "windows") != (m[4] == "zip") {
			t.Errorf("%s: windows gets a .zip, the others a .tar.gz", filepath.Base(n))
		}
		found[m[2]+"/"+m[3]] = n
	}
	var got []string
	for p := range found {
		got = append(got, p)
	}
	slices.Sort(got)
	if !slices.Equal(got, wantPlatforms) {
		t.Fatalf("ozgctl archives for %v, want %v", got, wantPlatforms)
	}
	return found
}

func sha256File(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func TestChecksums(t *testing.T) {
	dir, _ := release(t)
	data, err := os.ReadFile(filepath.Join(dir, "checksums.txt"))
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]string{}
	for i, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		sum, name, ok := strings.Cut(line, "  ")
		if !ok || len(sum) != 64 || name == "" {
			t.Fatalf("checksums.txt:%d: %q is not sha256sum's \"<sha256>  <file>\"", i+1, line)
		}
		if _, dup := listed[name]; dup {
			t.Errorf("checksums.txt lists %s twice", name)
		}
		listed[name] = sum
	}
	var files []string
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if rel != "checksums.txt" {
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		want, ok := listed[f]
		if !ok {
			t.Errorf("%s is not in checksums.txt", f)
			continue
		}
		delete(listed, f)
		if got := sha256File(t, filepath.Join(dir, f)); got != want {
			t.Errorf("%s: sha256 %s, checksums.txt says %s", f, got, want)
		}
	}
	for f := range listed {
		t.Errorf("checksums.txt lists %s, which is not in the release", f)
	}
	if len(files) < 20 {
		t.Errorf("only %d files in the release", len(files))
	}
}

// krewPlugin is the part of krew's Plugin (v1alpha2) checked here.
type krewPlugin struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Version          string `json:"version"`
		ShortDescription string `json:"shortDescription"`
		Platforms        []struct {
			Selector struct {
				MatchLabels map[string]string `json:"matchLabels"`
			} `json:"selector"`
			URI    string `json:"uri"`
			SHA256 string `json:"sha256"`
			Bin    string `json:"bin"`
			Files  []struct {
				From string `json:"from"`
				To   string `json:"to"`
			} `json:"files"`
		} `json:"platforms"`
	} `json:"spec"`
}

func TestKrewManifest(t *testing.T) {
	dir, version := release(t)
	byPlatform := archives(t, dir, version)
	data, err := os.ReadFile(filepath.Join(dir, "ozg.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var p krewPlugin
	if err := yaml.Unmarshal(data, &p); err != nil {
		t.Fatalf("ozg.yaml: %v", err)
	}
	if p.APIVersion != "krew.googlecontainertools.github.com/v1alpha2" || p.Kind != "Plugin" || p.Metadata.Name != "ozg" {
		t.Errorf("ozg.yaml is %s %s %q, want krew.googlecontainertools.github.com/v1alpha2 Plugin \"ozg\"", p.APIVersion, p.Kind, p.Metadata.Name)
	}
	if p.Spec.Version != "v"+version {
		t.Errorf("spec.version %q, want v%s", p.Spec.Version, version)
	}
	if p.Spec.ShortDescription == "" {
		t.Error("no spec.shortDescription, which krew requires")
	}
	seen := map[string]bool{}
	for _, pl := range p.Spec.Platforms {
		platform := pl.Selector.MatchLabels["os"] + "/" + pl.Selector.MatchLabels["arch"]
		seen[platform] = true
		archive, ok := byPlatform[platform]
		if !ok {
			t.Errorf("platform %s: no archive for it", platform)
			continue
		}
		base := filepath.Base(archive)
		if !strings.HasPrefix(pl.URI, "https://") || !strings.HasSuffix(pl.URI, "/"+base) {
			t.Errorf("%s: uri %s, want https://.../%s", platform, pl.URI, base)
		}
		if _, err := os.Stat(filepath.Join(dir, filepath.Base(pl.URI))); err != nil {
			t.Errorf("%s: the uri's file is not in the release: %v", platform, err)
		}
		if got := sha256File(t, archive); pl.SHA256 != got {
			t.Errorf("%s: sha256 %s in ozg.yaml, the archive's is %s", platform, pl.SHA256, got)
		}
		wantBin := "kubectl-ozg"
		if strings.HasPrefix(platform, "windows/") {
			wantBin += ".exe"
		}
		if pl.Bin != wantBin {
			t.Errorf("%s: bin %q, want %q", platform, pl.Bin, wantBin)
		}
		entries := readArchive(t, archive)
		var froms []string
		for _, f := range pl.Files {
			froms = append(froms, f.From)
			if _, ok := entries[f.From]; !ok {
				t.Errorf("%s: files selects %s, which the archive does not hold", platform, f.From)
			}
		}
		if !slices.Contains(froms, wantBin) {
			t.Errorf("%s: files %v do not install the bin %s", platform, froms, wantBin)
		}
	}
	for _, want := range wantPlatforms {
		if !seen[want] {
			t.Errorf("ozg.yaml has no platform %s", want)
		}
	}
	if len(p.Spec.Platforms) != len(wantPlatforms) {
		t.Errorf("ozg.yaml has %d platforms, want %d", len(p.Spec.Platforms), len(wantPlatforms))
	}
}

// TestKrewInstall installs the plugin from ozg.yaml with krew itself, for
// every platform (KREW_OS, KREW_ARCH) from its archive (--archive: no
// download), as `kubectl krew install` would: krew checks the manifest,
// the archive's sha256 and the files it installs. The host's plugin runs.
func TestKrewInstall(t *testing.T) {
	dir, version := release(t)
	krew := os.Getenv("KREW")
	if krew == "" {
		t.Skip("KREW is not set: `make release-check` sets it to bin/krew")
	}
	for platform, archive := range archives(t, dir, version) {
		goos, goarch, _ := strings.Cut(platform, "/")
		root := t.TempDir()
		cmd := exec.Command(krew, "install", "--manifest="+filepath.Join(dir, "ozg.yaml"), "--archive="+archive)
		cmd.Env = append(os.Environ(), "KREW_ROOT="+root, "KREW_OS="+goos, "KREW_ARCH="+goarch,
			"KREW_NO_UPGRADE_CHECK=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s: krew install: %v\n%s", platform, err, out)
			continue
		}
		exe := ""
		if goos == "windows" {
			exe = ".exe"
		}
		plugin := filepath.Join(root, "bin", "kubectl-ozg"+exe)
		if _, err := os.Stat(plugin); err != nil {
			t.Errorf("%s: krew installed no kubectl-ozg%s: %v", platform, exe, err)
			continue
		}
		if platform != runtime.GOOS+"/"+runtime.GOARCH {
			continue
		}
		out, err := exec.Command(plugin, "version", "--client", "-o", "json").Output()
		if err != nil || !strings.Contains(string(out), `"version": "`+version+`"`) {
			t.Errorf("%s: the installed kubectl-ozg version --client -o json: %v\n%s", platform, err, out)
		}
	}
}

// entry is a file of an archive.
type entry struct {
	data         []byte
	mode         int64
	uid, gid     int
	mtime, owner string
}

// readArchive reads a .tar.gz or .zip archive into memory.
func readArchive(t *testing.T, name string) map[string]entry {
	t.Helper()
	out := map[string]entry{}
	if strings.HasSuffix(name, ".zip") {
		zr, err := zip.OpenReader(name)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		for _, f := range zr.File {
			r, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			data, err := io.ReadAll(r)
			if err != nil {
				t.Fatalf("%s: %s: %v", name, f.Name, err)
			}
			out[f.Name] = entry{data: data, mode: int64(f.Mode().Perm()), mtime: f.Modified.UTC().String()}
		}
		return out
	}
	walkTarGz(t, name, func(hdr *tar.Header, data []byte) bool {
		out[hdr.Name] = entry{data: data, mode: hdr.Mode, uid: hdr.Uid, gid: hdr.Gid, mtime: hdr.ModTime.UTC().String(), owner: hdr.Uname + hdr.Gname}
		return true
	})
	return out
}

// walkTarGz is walkTar over the gzip-compressed tar file name.
func walkTarGz(t *testing.T, name string, fn func(hdr *tar.Header, data []byte) bool) {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	walkTar(t, name, gz, fn)
}

// walkTar hands each entry of the tar stream r (called name in failures)
// with its content to fn, until fn returns false or the stream ends.
func walkTar(t *testing.T, name string, r io.Reader, fn func(hdr *tar.Header, data []byte) bool) {
	t.Helper()
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatalf("%s: %s: %v", name, hdr.Name, err)
		}
		if !fn(hdr, data) {
			return
		}
	}
}

// TestArchives checks each archive's files and the build of its binary:
// the version stamped, the platform, -trimpath, no cgo.
func TestArchives(t *testing.T) {
	dir, version := release(t)
	for platform, archive := range archives(t, dir, version) {
		exe := ""
		if strings.HasPrefix(platform, "windows/") {
			exe = ".exe"
		}
		entries := readArchive(t, archive)
		var names []string
		mtimes := map[string]bool{}
		for n, e := range entries {
			names = append(names, n)
			mtimes[e.mtime] = true
			if e.uid != 0 || e.gid != 0 || e.owner != "" {
				t.Errorf("%s: %s is owned by %d:%d %q, want 0:0", filepath.Base(archive), n, e.uid, e.gid, e.owner)
			}
		}
		slices.Sort(names)
		want := []string{"LICENSE", "README.md", "kubectl-ozg" + exe, "ozgctl" + exe}
		if !slices.Equal(names, want) {
			t.Errorf("%s holds %v, want %v", filepath.Base(archive), names, want)
			continue
		}
		if len(mtimes) != 1 {
			t.Errorf("%s: entries have the times %v, want one (SOURCE_DATE_EPOCH)", filepath.Base(archive), mtimes)
		}
		bin, plugin := entries["ozgctl"+exe], entries["kubectl-ozg"+exe]
		if !bytes.Equal(bin.data, plugin.data) {
			t.Errorf("%s: kubectl-ozg differs from ozgctl", filepath.Base(archive))
		}
		if bin.mode != 0o755 || entries["LICENSE"].mode != 0o644 {
			t.Errorf("%s: modes %o (ozgctl), %o (LICENSE), want 755 and 644", filepath.Base(archive), bin.mode, entries["LICENSE"].mode)
		}
		checkBuild(t, filepath.Base(archive)+": ozgctl", bin.data, platform, version)
	}
}

// checkBuild checks a Go binary's build information, platform, -trimpath
// and CGO_ENABLED=0, and its version stamp.
func checkBuild(t *testing.T, what string, binary []byte, platform, version string) {
	t.Helper()
	// -trimpath keeps -ldflags out of the build information: look for the
	// stamped strings themselves (the commit is 40 hex digits no binary
	// holds by chance).
	commit := releaseCommit(t)
	if !bytes.Contains(binary, []byte(version)) || !bytes.Contains(binary, []byte(commit)) {
		t.Errorf("%s: version %s and commit %s are not stamped into it", what, version, commit)
	}
	bi, err := buildinfo.Read(bytes.NewReader(binary))
	if err != nil {
		t.Errorf("%s: no Go build information: %v", what, err)
		return
	}
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	goos, goarch, _ := strings.Cut(platform, "/")
	if settings["GOOS"] != goos || settings["GOARCH"] != goarch {
		t.Errorf("%s: built for %s/%s, want %s", what, settings["GOOS"], settings["GOARCH"], platform)
	}
	if settings["-trimpath"] != "true" || settings["CGO_ENABLED"] != "0" {
		t.Errorf("%s: -trimpath=%q CGO_ENABLED=%q, want true and 0", what, settings["-trimpath"], settings["CGO_ENABLED"])
	}
}

// releaseCommit is the commit the release was built from:
// OZG_RELEASE_COMMIT, else the tree's HEAD.
func releaseCommit(t *testing.T) string {
	t.Helper()
	if c := os.Getenv("OZG_RELEASE_COMMIT"); c != "" {
		return c
	}
	out, err := exec.Command("git", "-C", repoRoot, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatalf("git rev-parse HEAD: %v (set OZG_RELEASE_COMMIT)", err)
	}
	return strings.TrimSpace(string(out))
}

// TestOzgctlVersion runs the host's ozgctl from its archive.
func TestOzgctlVersion(t *testing.T) {
	dir, version := release(t)
	platform := runtime.GOOS + "/" + runtime.GOARCH
	archive, ok := archives(t, dir, version)[platform]
	if !ok {
		t.Skipf("no archive for the host's platform %s", platform)
	}
	exe := ""
	if runtime.GOOS == "windows" {
		exe = ".exe"
	}
	tmp := t.TempDir()
	for _, name := range []string{"ozgctl" + exe, "kubectl-ozg" + exe} {
		path := filepath.Join(tmp, name)
		if err := os.WriteFile(path, readArchive(t, archive)[name].data, 0o755); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(path, "version", "--client", "-o", "json")
		// No cluster is asked; an empty kubeconfig makes sure of it.
		cmd.Env = append(os.Environ(), "KUBECONFIG="+filepath.Join(tmp, "none"))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s version --client -o json: %v\n%s", name, err, stderr.String())
		}
		var got struct {
			ClientVersion struct {
				Version, Commit, Platform string
			} `json:"clientVersion"`
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("%s version -o json: %v\n%s", name, err, out)
		}
		if got.ClientVersion.Version != version || got.ClientVersion.Commit != releaseCommit(t) || got.ClientVersion.Platform != platform {
			t.Errorf("%s version -o json: %s; want version %s, commit %s, platform %s", name, out, version, releaseCommit(t), platform)
		}
	}
}

func TestChart(t *testing.T) {
	dir, version := release(t)
	files := map[string][]byte{}
	walkTarGz(t, filepath.Join(dir, "ozg-operator-"+version+".tgz"), func(hdr *tar.Header, data []byte) bool {
		files[hdr.Name] = data
		return true
	})
	var chart struct {
		Name       string `json:"name"`
		Version    string `json:"version"`
		AppVersion string `json:"appVersion"`
	}
	if err := yaml.Unmarshal(files["ozg-operator/Chart.yaml"], &chart); err != nil {
		t.Fatalf("Chart.yaml: %v", err)
	}
	if chart.Name != "ozg-operator" || chart.Version != version || chart.AppVersion != version {
		t.Errorf("Chart.yaml: name %q version %q appVersion %q, want ozg-operator, %s, %s", chart.Name, chart.Version, chart.AppVersion, version, version)
	}
	// Every template of the tree's chart is in the package, and the CRDs
	// (files/crds, which templates/crds.yaml installs) are config/crd/bases'.
	templates, err := os.ReadDir(filepath.Join(repoRoot, "charts", "ozg-operator", "templates"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range templates {
		if !e.IsDir() {
			if _, ok := files["ozg-operator/templates/"+e.Name()]; !ok {
				t.Errorf("the chart package lacks templates/%s", e.Name())
			}
		}
	}
	if _, ok := files["ozg-operator/templates/crds.yaml"]; !ok {
		t.Error("the chart package lacks templates/crds.yaml, which installs the CRDs")
	}
	for _, name := range crdFiles(t) {
		want, err := os.ReadFile(filepath.Join(repoRoot, "config", "crd", "bases", name))
		if err != nil {
			t.Fatal(err)
		}
		got, ok := files["ozg-operator/files/crds/"+name]
		if !ok {
			t.Errorf("the chart package lacks the CRD files/crds/%s", name)
		} else if !bytes.Equal(got, want) {
			t.Errorf("the chart package's files/crds/%s differs from config/crd/bases/%s", name, name)
		}
	}
	for _, name := range []string{"values.yaml", "values.schema.json"} {
		if _, ok := files["ozg-operator/"+name]; !ok {
			t.Errorf("the chart package lacks %s", name)
		}
	}
}

// crdFiles are the CRD files of config/crd/bases.
func crdFiles(t *testing.T) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(repoRoot, "config", "crd", "bases", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range names {
		names[i] = filepath.Base(n)
	}
	return names
}

// crdNames reads every CRD of a multi-document YAML stream.
func crdNames(t *testing.T, name string) []string {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var names []string
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(bytes.TrimSpace(doc)) == 0 || string(bytes.TrimSpace(doc)) == "---" {
			continue
		}
		var crd apiextensionsv1.CustomResourceDefinition
		if err := yaml.UnmarshalStrict(doc, &crd); err != nil {
			t.Fatalf("%s: a document is no CRD: %v", name, err)
		}
		if crd.Kind != "CustomResourceDefinition" || crd.Name == "" || len(crd.Spec.Versions) == 0 {
			t.Errorf("%s: %s %q is no CRD with versions", name, crd.Kind, crd.Name)
		}
		names = append(names, crd.Name)
	}
	slices.Sort(names)
	return names
}

func TestCRDs(t *testing.T) {
	dir, _ := release(t)
	var want []string
	for _, f := range crdFiles(t) {
		want = append(want, crdNames(t, filepath.Join(repoRoot, "config", "crd", "bases", f))...)
	}
	slices.Sort(want)
	if len(want) != 6 {
		t.Errorf("config/crd/bases holds %d CRDs, this test knows of six: %v", len(want), want)
	}
	got := crdNames(t, filepath.Join(dir, "ozg-operator-crds.yaml"))
	if !slices.Equal(got, want) {
		t.Errorf("ozg-operator-crds.yaml holds %v, want those of config/crd/bases: %v", got, want)
	}
}

func TestImages(t *testing.T) {
	dir, version := release(t)
	list, err := os.ReadFile(filepath.Join(dir, "images.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"manager", "portal"} {
		root, err := layout.ImageIndexFromPath(filepath.Join(dir, "images", name))
		if err != nil {
			t.Fatalf("images/%s: %v", name, err)
		}
		top, err := root.IndexManifest()
		if err != nil {
			t.Fatal(err)
		}
		if len(top.Manifests) != 1 || !top.Manifests[0].MediaType.IsIndex() {
			t.Fatalf("images/%s: index.json has %d entries, want one image index", name, len(top.Manifests))
		}
		desc := top.Manifests[0]
		if got := desc.Annotations["org.opencontainers.image.ref.name"]; got != version {
			t.Errorf("images/%s: ref.name %q, want %s", name, got, version)
		}
		if !strings.Contains(string(list), ":"+version+"@"+desc.Digest.String()) {
			t.Errorf("images.txt does not list %s's index %s", name, desc.Digest)
		}
		idx, err := root.ImageIndex(desc.Digest)
		if err != nil {
			t.Fatal(err)
		}
		m, err := idx.IndexManifest()
		if err != nil {
			t.Fatal(err)
		}
		var platforms []string
		for _, d := range m.Manifests {
			if d.Platform == nil {
				continue
			}
			platform := d.Platform.OS + "/" + d.Platform.Architecture
			platforms = append(platforms, platform)
			if !strings.Contains(string(list), "@"+d.Digest.String()) {
				t.Errorf("images.txt does not list %s %s %s", name, platform, d.Digest)
			}
			img, err := idx.Image(d.Digest)
			if err != nil {
				t.Fatal(err)
			}
			checkBuild(t, fmt.Sprintf("image %s %s: /ko-app/%s", name, platform, name), imageFile(t, img, "ko-app/"+name), platform, version)
			checkSBOM(t, filepath.Join(dir, "sbom", name+"-"+d.Platform.OS+"-"+d.Platform.Architecture+".spdx.json"))
		}
		slices.Sort(platforms)
		if !slices.Equal(platforms, []string{"linux/amd64", "linux/arm64"}) {
			t.Errorf("images/%s: platforms %v, want linux/amd64 and linux/arm64", name, platforms)
		}
		checkSBOM(t, filepath.Join(dir, "sbom", name+"-index.spdx.json"))
	}
}

// imageFile reads a file from an image's layers, the topmost first.
func imageFile(t *testing.T, img v1.Image, name string) []byte {
	t.Helper()
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	for i := len(layers) - 1; i >= 0; i-- {
		rc, err := layers[i].Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		var found []byte
		walkTar(t, fmt.Sprintf("layer %d", i), rc, func(hdr *tar.Header, data []byte) bool {
			if strings.TrimPrefix(hdr.Name, "/") == name && hdr.Typeflag == tar.TypeReg {
				found = data
				return false
			}
			return true
		})
		rc.Close()
		if found != nil {
			return found
		}
	}
	t.Fatalf("no %s in the image", name)
	return nil
}

// checkSBOM checks that an SPDX or CycloneDX SBOM exists and says so.
func checkSBOM(t *testing.T, name string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Errorf("no SBOM: %v", err)
		return nil
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Errorf("%s: %v", name, err)
		return nil
	}
	if doc["spdxVersion"] == nil && doc["bomFormat"] != "CycloneDX" {
		t.Errorf("%s is neither SPDX nor CycloneDX", name)
	}
	return doc
}

func TestArchiveSBOMs(t *testing.T) {
	dir, version := release(t)
	for _, archive := range archives(t, dir, version) {
		base := filepath.Base(archive)
		base = strings.TrimSuffix(strings.TrimSuffix(base, ".zip"), ".tar.gz")
		doc := checkSBOM(t, filepath.Join(dir, "sbom", base+".cdx.json"))
		if doc == nil {
			continue
		}
		var bom struct {
			BOMFormat string `json:"bomFormat"`
			Metadata  struct {
				Component struct {
					Name, Version string
				} `json:"component"`
			} `json:"metadata"`
			Components []struct {
				Name string `json:"name"`
			} `json:"components"`
		}
		data, _ := json.Marshal(doc)
		_ = json.Unmarshal(data, &bom)
		if bom.BOMFormat != "CycloneDX" || bom.Metadata.Component.Version != "v"+version ||
			!strings.HasSuffix(bom.Metadata.Component.Name, "ozg-operator") {
			t.Errorf("%s.cdx.json: %s, main component %s %s; want CycloneDX, ozg-operator v%s",
				base, bom.BOMFormat, bom.Metadata.Component.Name, bom.Metadata.Component.Version, version)
		}
		if len(bom.Components) < 20 {
			t.Errorf("%s.cdx.json lists %d components: too few for ozgctl's modules", base, len(bom.Components))
		}
	}
}

func TestReleaseNotes(t *testing.T) {
	dir, version := release(t)
	notes, err := os.ReadFile(filepath.Join(dir, "RELEASE_NOTES.md"))
	if err != nil {
		t.Fatal(err)
	}
	changelog, err := os.ReadFile(filepath.Join(repoRoot, "CHANGELOG.md"))
	if err != nil {
		t.Fatal(err)
	}
	heading, body, _ := strings.Cut(string(notes), "\n")
	if !strings.HasPrefix(heading, "## ["+version+"]") {
		t.Errorf("RELEASE_NOTES.md starts with %q, want the heading ## [%s]", heading, version)
	}
	body = strings.TrimSpace(body)
	if body == "" {
		t.Fatal("RELEASE_NOTES.md has no more than its heading")
	}
	if strings.Contains(string(changelog), "\n"+heading+"\n") {
		// The version's own section.
		return
	}
	if !strings.Contains(version, "-") {
		t.Errorf("RELEASE_NOTES.md's heading %q is not in CHANGELOG.md", heading)
	}
	if body != "No changes listed since the last release." && !strings.Contains(string(changelog), body) {
		t.Errorf("RELEASE_NOTES.md is not drawn from CHANGELOG.md:\n%s", body)
	}
}
