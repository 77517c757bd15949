package manifest_test

import (
	"bytes"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/ozgctl/manifest"
)

func administration(name string) *v1alpha1.Administration {
	return &v1alpha1.Administration{
		TypeMeta:   metav1.TypeMeta{APIVersion: "ozg.dev/v1alpha1", Kind: "Administration"},
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       v1alpha1.AdministrationSpec{Key: "05766000", DisplayName: name, Type: v1alpha1.TypeKreis},
	}
}

func TestWriteYAML(t *testing.T) {
	objs, err := manifest.Unstructured([]client.Object{administration("lippe"), administration("herford")})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := manifest.WriteYAML(&out, objs); err != nil {
		t.Fatal(err)
	}
	want := `apiVersion: ozg.dev/v1alpha1
kind: Administration
metadata:
  name: herford
spec:
  displayName: herford
  key: "05766000"
  type: Kreis
---
apiVersion: ozg.dev/v1alpha1
kind: Administration
metadata:
  name: lippe
spec:
  displayName: lippe
  key: "05766000"
  type: Kreis
`
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}

func TestUnstructuredNeedsKind(t *testing.T) {
	a := administration("x")
	a.Kind = ""
	if _, err := manifest.Unstructured([]client.Object{a}); err == nil {
		t.Error("no error for an object without kind")
	}
}
