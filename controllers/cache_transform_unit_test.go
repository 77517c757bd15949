package controllers

import (
	"errors"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
)

// A child whose owned fields the transform cannot digest must not lose
// what the comparison needs: without the digest, applyIfChanged compares
// the managed fields itself, and a cached copy stripped of them (and of
// the data) would differ from the desired state on every reconcile, so
// the child would be applied each time. The failure is logged and counted.
func TestChildTransformKeepsWhatItCannotDigest(t *testing.T) {
	cm := func() *corev1.ConfigMap {
		return &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Namespace: "krz", Name: "lemgo", ManagedFields: []metav1.ManagedFieldsEntry{{
				Manager: FieldOwner, Operation: metav1.ManagedFieldsOperationApply, APIVersion: "v1",
				FieldsType: "FieldsV1", FieldsV1: &metav1.FieldsV1{Raw: []byte(`{"f:data":{"f:portal.json":{}}}`)},
			}}},
			Data: map[string]string{"portal.json": "{}"},
		}
	}
	trim := func(c *corev1.ConfigMap) { c.Data = nil }

	before := transformErrors(t)
	failing := func(*corev1.ConfigMap, string) (*corev1ac.ConfigMapApplyConfiguration, error) {
		return nil, errors.New("the field owner's fields do not fit the schema")
	}
	out, err := childTransform(failing, trim)(cm())
	if err != nil {
		t.Fatal(err)
	}
	kept := out.(*corev1.ConfigMap)
	if len(kept.ManagedFields) == 0 || kept.Data == nil {
		t.Errorf("kept managedFields %v and data %v, want both: applyIfChanged compares them without a digest", kept.ManagedFields, kept.Data)
	}
	if _, ok := kept.Annotations[ownedDigestAnnotation]; ok {
		t.Error("a digest annotation without a digest")
	}
	if got := transformErrors(t) - before; got != 1 {
		t.Errorf("counted %v transform errors, want 1", got)
	}

	// A child the transform can digest loses both, and keeps the digest.
	out, err = childTransform(corev1ac.ExtractConfigMap, trim)(cm())
	if err != nil {
		t.Fatal(err)
	}
	digested := out.(*corev1.ConfigMap)
	if digested.ManagedFields != nil || digested.Data != nil || len(digested.Annotations[ownedDigestAnnotation]) != 64 {
		t.Errorf("digested child: managedFields %v, data %v, annotations %v; want none, none and a digest", digested.ManagedFields, digested.Data, digested.Annotations)
	}
}

// transformErrors reads the ConfigMap series of cacheTransformErrors.
func transformErrors(t *testing.T) float64 {
	t.Helper()
	v, err := counterValue(cacheTransformErrors, "ConfigMap")
	if err != nil {
		t.Fatal(err)
	}
	return v
}
