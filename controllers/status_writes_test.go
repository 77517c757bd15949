package controllers

import (
	"testing"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// TestCacheExpectations pins when a controller counts its cache as older
// than its own last write.
func TestCacheExpectations(t *testing.T) {
	var e cacheExpectations
	key := client.ObjectKey{Namespace: "krz", Name: "detmold"}
	cached := func(rv string) client.Object {
		obj := &ozgv1.ServicePortal{}
		obj.SetResourceVersion(rv)
		return obj
	}
	expect := func(obj client.Object, want bool) {
		t.Helper()
		if got := e.satisfied(key, obj); got != want {
			t.Fatalf("satisfied(%v) = %v, want %v", obj, got, want)
		}
	}

	expect(cached("7"), true) // nothing written yet

	e.expect(key, "7")         // a write replaced version 7
	expect(cached("7"), false) // the cache still has 7
	expect(cached("7"), false) // ... and again, until it catches up
	expect(cached("8"), true)  // caught up
	expect(cached("7"), true)  // the expectation is gone once the cache moved on

	e.expect(key, "8")
	expect(cached("10"), true) // another writer came after ours: the cache moved on too

	e.expect(key, "")  // a create
	expect(nil, false) // not in the cache yet
	expect(cached("1"), true)

	e.expect(key, "11") // an update or a delete
	expect(nil, true)   // the object is gone: nothing to wait for

	e.expect(key, "12")
	if got := e.pending("krz"); len(got) != 1 || got[0] != key {
		t.Fatalf("pending(krz) = %v, want [%v]", got, key)
	}
	if got := e.pending("other"); len(got) != 0 {
		t.Fatalf("pending(other) = %v, want none", got)
	}
	e.forget(key)
	expect(cached("12"), true) // a deleted object's expectation is dropped

	// A create whose object was deleted before the cache showed it is
	// never seen: its expectation expires.
	now := time.Date(2023, 1, 16, 9, 0, 0, 0, time.UTC)
	e.now = func() time.Time { return now }
	e.expect(key, "")
	now = now.Add(expectationTTL - time.Second)
	expect(nil, false)
	now = now.Add(time.Second)
	expect(nil, true)
	if got := e.pending("krz"); len(got) != 0 {
		t.Fatalf("pending(krz) = %v after the expectation expired, want none", got)
	}
}
