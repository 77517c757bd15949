package ozgctl_test

import (
	"context"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/importer/importertest"
	"github.com/ozg-operator/ozg-operator/internal/ozgctl/apply"
	"github.com/ozg-operator/ozg-operator/internal/ozgctl/manifest"
)

// TestApplyIsIdempotent imports the real catalogue and administrations
// twice: the second run must find everything unchanged and write nothing.
func TestApplyIsIdempotent(t *testing.T) {
	requireCluster(t)
	ctx := t.Context()
	catalog := []string{"import", "catalog", "--dir", importertest.CatalogDir(t), "--apply", "--kubeconfig", kubeconfig}
	administrations := []string{"import", "administrations", "--file", importertest.AdministrationsFile(t), "--apply", "--kubeconfig", kubeconfig}

	// The 26 LeiKa rows without OZG service are rejected by the importer;
	// the API server rejects nothing.
	expectSummary(t, catalog, "created 557, updated 0, unchanged 0, rejected 26")
	services := resourceVersions(t, &v1alpha1.OZGServiceList{})
	expectSummary(t, catalog, "created 0, updated 0, unchanged 557, rejected 26")
	expectSameResourceVersions(t, services, resourceVersions(t, &v1alpha1.OZGServiceList{}))

	expectSummary(t, administrations, "created 427, updated 0, unchanged 0, rejected 0")
	adms := resourceVersions(t, &v1alpha1.AdministrationList{})
	expectSummary(t, administrations, "created 0, updated 0, unchanged 427, rejected 0")
	expectSameResourceVersions(t, adms, resourceVersions(t, &v1alpha1.AdministrationList{}))

	// Fields other managers own survive a re-import: the content decisions
	// of an administration are not the importer's.
	herford := &v1alpha1.Administration{}
	if err := k8sClient.Get(ctx, client.ObjectKey{Name: "herford"}, herford); err != nil {
		t.Fatal(err)
	}
	patch := client.MergeFrom(herford.DeepCopy())
	herford.Spec.Services = []v1alpha1.ServiceImplementation{{Service: "ozg-10110", State: v1alpha1.StateLive, Maturity: ptr.To[int32](3)}}
	if err := k8sClient.Patch(ctx, herford, patch, client.FieldOwner("portal-team")); err != nil {
		t.Fatal(err)
	}
	adms = resourceVersions(t, &v1alpha1.AdministrationList{})

	krz := append(administrations, "--it-provider", "krz", "--kreis", "05766,05758,05770")
	expectSummary(t, krz, "created 0, updated 36, unchanged 0, rejected 0")
	if err := k8sClient.Get(ctx, client.ObjectKey{Name: "herford"}, herford); err != nil {
		t.Fatal(err)
	}
	if len(herford.Spec.Services) != 1 || herford.Spec.ITProvider != "krz" || herford.Labels[v1alpha1.LabelITProvider] != "krz" {
		t.Errorf("herford after the krz import: labels %v, itProvider %q, services %v", herford.Labels, herford.Spec.ITProvider, herford.Spec.Services)
	}
	changed := 0
	for name, rv := range resourceVersions(t, &v1alpha1.AdministrationList{}) {
		if adms[name] != rv {
			changed++
		}
	}
	if changed != 36 {
		t.Errorf("the krz import changed %d administrations, want 36", changed)
	}
	expectSummary(t, krz, "created 0, updated 0, unchanged 36, rejected 0")

	// --strict fails on the rejected rows, after applying the rest.
	stdout, _, err := ozgctlRun(ctx, append(catalog, "--strict")...)
	if err == nil || !strings.Contains(stdout, "unchanged 557, rejected 26") {
		t.Errorf("--strict: got %q and error %v, want the summary and an error", stdout, err)
	}
}

// TestApplyCountsAPIRejections applies an object the CRD's CEL rules refuse
// next to a valid one: the invalid one is reported with the server's
// message, the valid one is still created.
func TestApplyCountsAPIRejections(t *testing.T) {
	requireCluster(t)
	ctx := t.Context()
	valid := ozgService("ozg-90001", "90001")
	invalid := ozgService("ozg-90002", "90003") // the name must be ozg-<ozgId>
	t.Cleanup(func() {
		_ = k8sClient.Delete(context.Background(), valid)
	})
	manifests, err := manifest.Unstructured([]client.Object{valid, invalid})
	if err != nil {
		t.Fatal(err)
	}

	result, err := apply.Apply(ctx, k8sClient, manifests, apply.Options{FieldManager: "ozgctl-test"})
	if err != nil {
		t.Fatal(err)
	}
	if result.Created != 1 || len(result.Rejected) != 1 {
		t.Fatalf("got %+v, want 1 created and 1 rejected", result)
	}
	r := result.Rejected[0]
	if r.Kind != "OZGService" || r.Name != "ozg-90002" || !strings.Contains(r.Message, "metadata.name must be 'ozg-' followed by spec.ozgId") {
		t.Errorf("got rejection %v", r)
	}
	if !strings.HasPrefix(r.String(), "OZGService/ozg-90002: rejected: ") {
		t.Errorf("rejection prints as %q", r)
	}

	// Apply does not modify the caller's manifests.
	for _, u := range manifests {
		if u.GetResourceVersion() != "" || u.GetUID() != "" {
			t.Errorf("manifest %s was modified: %v", u.GetName(), u.Object["metadata"])
		}
	}
}

// TestApplyStopsOnMissingCRD: an unknown kind fails the whole apply with a
// hint instead of rejecting every object.
func TestApplyStopsOnMissingCRD(t *testing.T) {
	requireCluster(t)
	u := &unstructured.Unstructured{}
	u.SetAPIVersion("ozg.dev/v1alpha1")
	u.SetKind("NoSuchKind")
	u.SetName("x")
	_, err := apply.Apply(t.Context(), k8sClient, []*unstructured.Unstructured{u}, apply.Options{FieldManager: "ozgctl-test"})
	if err == nil || !strings.Contains(err.Error(), "are the CRDs installed?") {
		t.Errorf("got error %v, want a hint at the CRDs", err)
	}
}

func ozgService(name, id string) *v1alpha1.OZGService {
	return &v1alpha1.OZGService{
		TypeMeta:   metav1.TypeMeta{APIVersion: v1alpha1.GroupVersion.String(), Kind: "OZGService"},
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       v1alpha1.OZGServiceSpec{OZGID: id, Name: "Test", Themenfeld: "Test"},
	}
}

func expectSummary(t *testing.T, args []string, want string) {
	t.Helper()
	stdout, stderr, err := ozgctlRun(t.Context(), args...)
	if err != nil {
		t.Fatalf("ozgctl %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	if got := strings.TrimSpace(stdout); got != want {
		t.Errorf("ozgctl %s: got %q, want %q\n%s", strings.Join(args[:2], " "), got, want, stderr)
	}
}

// resourceVersions lists the objects of a list type by name.
func resourceVersions(t *testing.T, list client.ObjectList) map[string]string {
	t.Helper()
	if err := k8sClient.List(t.Context(), list); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	err := meta.EachListItem(list, func(obj runtime.Object) error {
		o, err := meta.Accessor(obj)
		if err != nil {
			return err
		}
		out[o.GetName()] = o.GetResourceVersion()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func expectSameResourceVersions(t *testing.T, before, after map[string]string) {
	t.Helper()
	if len(before) != len(after) {
		t.Errorf("%d objects before, %d after", len(before), len(after))
	}
	for name, rv := range before {
		if after[name] != rv {
			t.Errorf("%s: resourceVersion %s became %s", name, rv, after[name])
		}
	}
}
