//go:build gitops

package gitops

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// The provider's repository, as docs/gitops.md lays it out: Flux applies
// everything under krz/ (no kustomization.yaml: Flux generates one that
// takes every file, so removing a file removes the object).
const (
	dirKrz             = "krz"
	fileNamespace      = "krz/namespace.yaml"
	fileCatalogue      = "krz/catalog/ozg-services.yaml"
	fileProfile        = "krz/responsibility/nrw.yaml"
	dirAdministrations = "krz/administrations"
	fileFleet          = "krz/fleet.yaml"
)

// krzKreise are the krz's Kreise: Lippe, Herford, Minden-Lübbecke.
var krzKreise = []string{"05766", "05758", "05770"}

// namedOnline are the municipalities the krz named as online in January
// 2023: Espelkamp, Stemwede, Petershagen and Löhne.
var namedOnline = []string{"05770008", "05770044", "05770028", "05758024"}

// repository is the check's clone of the provider's repository.
type repository struct{ dir string }

// git runs git in the clone and returns its output.
func (r repository) git(args ...string) string {
	cmd := exec.Command("git", append([]string{"-C", r.dir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	ExpectWithOffset(1, err).NotTo(HaveOccurred(), "git %s: %s", strings.Join(args, " "), stderr.String())
	return strings.TrimSpace(string(out))
}

func (r repository) write(path string, data []byte) {
	full := filepath.Join(r.dir, path)
	ExpectWithOffset(1, os.MkdirAll(filepath.Dir(full), 0o755)).To(Succeed())
	ExpectWithOffset(1, os.WriteFile(full, data, 0o644)).To(Succeed())
}

func (r repository) remove(path string) {
	ExpectWithOffset(1, os.Remove(filepath.Join(r.dir, path))).To(Succeed())
}

// commit commits everything and pushes it; it returns the revision as
// Flux names it.
func (r repository) commit(message string) string {
	r.git("add", "-A")
	r.git("commit", "-q", "-m", message)
	r.git("push", "-q", "origin", "HEAD:main")
	return "main@sha1:" + r.git("rev-parse", "HEAD")
}

// run runs a command and returns its standard output.
func run(name string, args ...string) []byte {
	cmd := exec.Command(name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	ExpectWithOffset(1, err).NotTo(HaveOccurred(), "%s %s: %s", name, strings.Join(args, " "), stderr.String())
	return out
}

// importedAdministrations are the krz's 36 municipalities as
// `ozgctl import administrations -o yaml` writes them, one document each
// keyed by name, and the administrations they decode to, sorted by name.
func importedAdministrations() (map[string][]byte, []ozgv1.Administration) {
	stream := run(ozgctl, "import", "administrations", "--file", filepath.Join(dataDir, "kommunen-nrw.csv"),
		"--kreis", strings.Join(krzKreise, ","), "--it-provider", "krz", "-o", "yaml")
	docs := map[string][]byte{}
	var adms []ozgv1.Administration
	for _, doc := range bytes.Split(stream, []byte("\n---\n")) {
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		var a ozgv1.Administration
		Expect(yaml.UnmarshalStrict(doc, &a)).To(Succeed())
		docs[a.Name] = append(bytes.TrimPrefix(doc, []byte("---\n")), '\n')
		adms = append(adms, a)
	}
	slices.SortFunc(adms, func(a, b ozgv1.Administration) int { return strings.Compare(a.Name, b.Name) })
	return docs, adms
}

// publishedOf chooses the 16 online portals: the named four and the first
// twelve others by name.
func publishedOf(adms []ozgv1.Administration) []string {
	var online []string
	for _, a := range adms {
		if slices.Contains(namedOnline, a.Spec.Key) {
			online = append(online, a.Name)
		}
	}
	Expect(online).To(HaveLen(len(namedOnline)), "the named municipalities are not all in the import")
	for _, a := range adms {
		if len(online) == 16 {
			break
		}
		if !slices.Contains(online, a.Name) {
			online = append(online, a.Name)
		}
	}
	slices.Sort(online)
	return online
}

// fleetSpec is what the commits change of the fleet.
type fleetSpec struct {
	version   string
	published []string
	// cpu, if set, is what each portal asks for: more than a node has
	// makes a version whose portals never become Ready.
	cpu string
}

// fleetYAML is the krz fleet: a portal for every krz administration,
// rolled out Kreis by Kreis.
func fleetYAML(s fleetSpec) []byte {
	wave := func(name, kreis string) ozgv1.RolloutWave {
		return ozgv1.RolloutWave{
			Name:           name,
			Selector:       metav1.LabelSelector{MatchLabels: map[string]string{ozgv1.LabelKreis: kreis}},
			MaxUnavailable: ptr.To(intstr.FromString("25%")),
		}
	}
	fleet := ozgv1.PortalFleet{
		TypeMeta:   metav1.TypeMeta{APIVersion: ozgv1.GroupVersion.String(), Kind: "PortalFleet"},
		ObjectMeta: metav1.ObjectMeta{Name: "krz", Namespace: "krz"},
		Spec: ozgv1.PortalFleetSpec{
			AdministrationSelector: metav1.LabelSelector{MatchLabels: map[string]string{ozgv1.LabelITProvider: "krz"}},
			Template: ozgv1.PortalTemplate{
				HostnamePattern: "$(name).serviceportal.krz.example.de",
				PortalSettings:  ozgv1.PortalSettings{Version: s.version},
			},
			Publish: ozgv1.FleetPublish{Administrations: s.published},
			Rollout: ozgv1.FleetRollout{
				Waves: []ozgv1.RolloutWave{
					wave("lippe", "05766"), wave("herford", "05758"), wave("minden-luebbecke", "05770"),
				},
				// Short, so that a stalled rollout is reported well within
				// the Kustomization's timeout.
				ProgressDeadlineSeconds: ptr.To(int32(30)),
			},
		},
	}
	if s.cpu != "" {
		fleet.Spec.Template.Resources = &corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(s.cpu)},
		}
	}
	return marshal(&fleet)
}

// marshal writes obj as a YAML document without the empty fields the API
// types would add (creationTimestamp, status).
func marshal(obj any) []byte {
	data, err := yaml.Marshal(obj)
	Expect(err).NotTo(HaveOccurred())
	var m map[string]any
	Expect(yaml.Unmarshal(data, &m)).To(Succeed())
	delete(m, "status")
	if md, ok := m["metadata"].(map[string]any); ok {
		delete(md, "creationTimestamp")
	}
	data, err = yaml.Marshal(m)
	Expect(err).NotTo(HaveOccurred())
	return data
}

// namespaceYAML is the fleet's namespace.
func namespaceYAML() []byte {
	return marshal(&corev1.Namespace{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
		ObjectMeta: metav1.ObjectMeta{Name: "krz"},
	})
}

// administrationFile is where an administration's document lives.
func administrationFile(name string) string {
	return fmt.Sprintf("%s/%s.yaml", dirAdministrations, name)
}
