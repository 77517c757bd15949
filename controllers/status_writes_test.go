package controllers

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// TestOwnWrites pins when a reconcile counts its cached object as older
// than its own last status write.
func TestOwnWrites(t *testing.T) {
	var w ownWrites
	portal := func(rv string) *ozgv1.ServicePortal {
		return &ozgv1.ServicePortal{ObjectMeta: metav1.ObjectMeta{Namespace: "krz", Name: "detmold", ResourceVersion: rv}}
	}
	expect := func(rv string, want bool) {
		t.Helper()
		if got := w.cacheBehind(portal(rv)); got != want {
			t.Fatalf("cacheBehind(resourceVersion %s) = %v, want %v", rv, got, want)
		}
	}

	expect("7", false) // nothing written yet

	w.wrote(portal("8"), "7") // the write turned version 7 into 8
	expect("7", true)         // the cache still has 7
	expect("7", true)         // ... and again, until it catches up
	expect("8", false)        // caught up
	expect("7", false)        // the record is gone once the cache moved on

	w.wrote(portal("9"), "8")
	expect("10", false) // another writer came after ours: the cache moved on too
	expect("8", false)

	w.wrote(portal("11"), "10")
	w.forget(client.ObjectKeyFromObject(portal("")))
	expect("10", false) // a deleted object's record is dropped
}
