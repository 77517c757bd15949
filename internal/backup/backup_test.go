package backup_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/backup"
	"github.com/ozg-operator/ozg-operator/internal/testsupport/testenv"
)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestExportRestores: everything a provider wrote, exported from one
// cluster and applied to a new one, comes back with the same labels and
// specs; what the API server and the operator fill in stays behind, and so
// do the portals a fleet makes.
func TestExportRestores(t *testing.T) {
	ctx := context.Background()
	old := testenv.ForTest(t, testenv.Options{})
	objects := []client.Object{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "krz", Labels: map[string]string{ozgv1.LabelITProvider: "krz"}}},
		&ozgv1.OZGService{ObjectMeta: metav1.ObjectMeta{Name: "ozg-10110", Labels: map[string]string{ozgv1.LabelOZGID: "10110"}},
			Spec: ozgv1.OZGServiceSpec{OZGID: "10110", Name: "Abfallentsorgung", Themenfeld: "Umwelt",
				Leistungen: []ozgv1.LeiKaLeistung{{Key: "99001001000000", Name: "Abfall", Typisierung: []string{"5"}}}}},
		&ozgv1.ResponsibilityProfile{ObjectMeta: metav1.ObjectMeta{Name: "nrw"}, Spec: ozgv1.ResponsibilityProfileSpec{Land: "Nordrhein-Westfalen",
			Services: []ozgv1.ServiceResponsibility{{Service: "ozg-10110", Placement: ozgv1.Placement{Level: ozgv1.LevelGemeinde, LegalBasis: "§ 5 LKrWG NRW"}}}}},
		&ozgv1.Administration{ObjectMeta: metav1.ObjectMeta{Name: "detmold", Labels: map[string]string{ozgv1.LabelITProvider: "krz"},
			Annotations: map[string]string{"ozg.dev/official-name": "Detmold, Stadt"}},
			Spec: ozgv1.AdministrationSpec{Key: "05766020", DisplayName: "Detmold", Type: ozgv1.TypeKreisangehoerigeStadt, Population: ptr.To[int64](74388),
				Responsibility: &ozgv1.AdministrationResponsibility{Profile: "nrw", Authorities: []ozgv1.Authority{ozgv1.AuthorityJugendamt}},
				Services:       []ozgv1.ServiceImplementation{{Service: "ozg-10110", State: ozgv1.StateLive, URL: "https://abfall.detmold.example.de", Tool: "Civento"}}}},
		&ozgv1.PortalFleet{ObjectMeta: metav1.ObjectMeta{Name: "krz", Namespace: "krz"}, Spec: ozgv1.PortalFleetSpec{
			AdministrationSelector: metav1.LabelSelector{MatchLabels: map[string]string{ozgv1.LabelITProvider: "krz"}},
			Template:               ozgv1.PortalTemplate{HostnamePattern: "$(name).krz.example.de"}}},
		&ozgv1.ServicePortal{ObjectMeta: metav1.ObjectMeta{Name: "detmold-test", Namespace: "krz"},
			Spec: ozgv1.ServicePortalSpec{AdministrationRef: ozgv1.LocalObjectReference{Name: "detmold"}}},
	}
	for _, o := range objects {
		must(t, old.Client.Create(ctx, o))
	}
	// A portal the fleet made.
	fleet := objects[4].(*ozgv1.PortalFleet)
	made := &ozgv1.ServicePortal{ObjectMeta: metav1.ObjectMeta{Name: "detmold", Namespace: "krz",
		OwnerReferences: []metav1.OwnerReference{{APIVersion: ozgv1.GroupVersion.String(), Kind: "PortalFleet", Name: fleet.Name, UID: fleet.UID, Controller: ptr.To(true)}}},
		Spec: ozgv1.ServicePortalSpec{AdministrationRef: ozgv1.LocalObjectReference{Name: "detmold"}}}
	must(t, old.Client.Create(ctx, made))

	e, err := backup.Read(ctx, old.Client)
	must(t, err)
	var out bytes.Buffer
	must(t, e.Write(&out, old.Scheme))
	for _, leftOut := range []string{"status:", "uid:", "resourceVersion:", "managedFields:", "creationTimestamp:", "ownerReferences:"} {
		if strings.Contains(out.String(), leftOut) {
			t.Errorf("the export holds %s:\n%s", leftOut, out.String())
		}
	}

	fresh := testenv.ForTest(t, testenv.Options{})
	for _, doc := range strings.Split(out.String(), "---\n")[1:] {
		u := &unstructured.Unstructured{}
		must(t, yaml.Unmarshal([]byte(doc), &u.Object))
		must(t, fresh.Client.Apply(ctx, client.ApplyConfigurationFromUnstructured(u), client.FieldOwner("restore")))
	}
	for _, o := range objects {
		got := o.DeepCopyObject().(client.Object)
		must(t, fresh.Client.Get(ctx, client.ObjectKeyFromObject(o), got))
		if !equality.Semantic.DeepEqual(got.GetLabels(), o.GetLabels()) {
			t.Errorf("%T %s: labels %v, want %v", o, o.GetName(), got.GetLabels(), o.GetLabels())
		}
		want, _ := yaml.Marshal(specOf(t, o))
		have, _ := yaml.Marshal(specOf(t, got))
		if !bytes.Equal(want, have) {
			t.Errorf("%T %s restored as\n%s\nwant\n%s", o, o.GetName(), have, want)
		}
	}
	if err := fresh.Client.Get(ctx, client.ObjectKeyFromObject(made), &ozgv1.ServicePortal{}); err == nil {
		t.Error("the fleet's portal was restored: the fleet makes it again")
	}
}

func specOf(t *testing.T, o client.Object) any {
	data, err := yaml.Marshal(o)
	must(t, err)
	var m map[string]any
	must(t, yaml.Unmarshal(data, &m))
	return m["spec"]
}
