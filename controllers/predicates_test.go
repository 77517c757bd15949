package controllers

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/event"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

func TestSpecChanged(t *testing.T) {
	adm := func(uid string, generation int64, label string) *ozgv1.Administration {
		return &ozgv1.Administration{ObjectMeta: metav1.ObjectMeta{Name: "lemgo", UID: types.UID(uid), Generation: generation,
			Labels: map[string]string{"x": label}}}
	}
	for _, tc := range []struct {
		name     string
		old, new *ozgv1.Administration
		want     bool
	}{
		{"status or labels only", adm("a", 3, "1"), adm("a", 3, "2"), false},
		{"new generation", adm("a", 3, "1"), adm("a", 4, "1"), true},
		// Deleted and created again while the watch was down: the relist
		// delivers the new object as an update of the old one.
		{"recreated at the same generation", adm("a", 1, "1"), adm("b", 1, "1"), true},
	} {
		if got := specChanged.Update(event.UpdateEvent{ObjectOld: tc.old, ObjectNew: tc.new}); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	if !specChanged.Create(event.CreateEvent{Object: adm("a", 1, "1")}) || !specChanged.Delete(event.DeleteEvent{Object: adm("a", 1, "1")}) {
		t.Error("creates and deletes must pass")
	}
}
