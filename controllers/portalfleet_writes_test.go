package controllers

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// TestFleetsWaitOnlyForTheirOwnPortalWrites: two fleets share a
// namespace; one waits until the cache shows the portal it created and the
// one it deleted, the other is never held up by them.
func TestFleetsWaitOnlyForTheirOwnPortalWrites(t *testing.T) {
	var w fleetPortalWrites
	a, b := w.of(types.NamespacedName{Namespace: "krz", Name: "a"}), w.of(types.NamespacedName{Namespace: "krz", Name: "b"})
	if w.of(types.NamespacedName{Namespace: "krz", Name: "a"}) != a {
		t.Fatal("a fleet got a second set of expectations")
	}
	cached := func(rvs map[string]string) map[string]*ozgv1.ServicePortal {
		m := map[string]*ozgv1.ServicePortal{}
		for name, rv := range rvs {
			m[name] = &ozgv1.ServicePortal{ObjectMeta: metav1.ObjectMeta{Namespace: "krz", Name: name, ResourceVersion: rv}}
		}
		return m
	}
	a.expect(types.NamespacedName{Namespace: "krz", Name: "detmold"}, "") // created
	a.expect(types.NamespacedName{Namespace: "krz", Name: "lemgo"}, "7")  // deleted at version 7

	for _, step := range []struct {
		cache map[string]string
		a, b  bool
	}{
		{map[string]string{"lemgo": "7"}, false, true},                 // neither shows
		{map[string]string{"detmold": "1", "lemgo": "7"}, false, true}, // the create shows
		{map[string]string{"detmold": "1", "lemgo": "8"}, true, true},  // lemgo terminating
		{map[string]string{"horn": "3"}, true, true},                   // satisfied once, forgotten
	} {
		if got := cacheShowsWrites(a, "krz", cached(step.cache)); got != step.a {
			t.Errorf("cache %v: fleet a caught up %v, want %v", step.cache, got, step.a)
		}
		if got := cacheShowsWrites(b, "krz", cached(step.cache)); got != step.b {
			t.Errorf("cache %v: fleet b caught up %v, want %v", step.cache, got, step.b)
		}
	}
	if len(a.pending("krz")) != 0 {
		t.Errorf("pending after catching up: %v", a.pending("krz"))
	}
	w.forget(types.NamespacedName{Namespace: "krz", Name: "a"})
	if w.of(types.NamespacedName{Namespace: "krz", Name: "a"}) == a {
		t.Error("a deleted fleet's expectations stayed")
	}
}
