package controllers

import (
	"context"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// listingReader serves a catalogue of entries and counts its listings.
type listingReader struct {
	client.Reader
	entries []ozgv1.OZGService
	lists   int
}

func (r *listingReader) List(_ context.Context, list client.ObjectList, _ ...client.ListOption) error {
	r.lists++
	list.(*ozgv1.OZGServiceList).Items = append([]ozgv1.OZGService(nil), r.entries...)
	return nil
}

func catalogEntry(id string) ozgv1.OZGService {
	return ozgv1.OZGService{ObjectMeta: metav1.ObjectMeta{Name: "ozg-" + id, Generation: 1}, Spec: ozgv1.OZGServiceSpec{OZGID: id}}
}

// The catalogue is listed again exactly when a change was noted: a
// reconcile after a change must not render the catalogue before it, and
// the others need not list 557 entries again.
func TestCatalogCacheListsAgainOnlyAfterAChange(t *testing.T) {
	ctx := context.Background()
	r := &listingReader{entries: []ozgv1.OZGService{catalogEntry("10110")}}
	c := &catalogCache{}
	first, fp, err := c.get(ctx, r)
	if err != nil || first.Len() != 1 || r.lists != 1 {
		t.Fatalf("first get: %d entries, %d lists, %v", first.Len(), r.lists, err)
	}
	if again, fpAgain, _ := c.get(ctx, r); again != first || fpAgain != fp || r.lists != 1 {
		t.Fatalf("a get without a change listed again (%d lists) or changed the catalogue", r.lists)
	}

	r.entries = append(r.entries, catalogEntry("10111"))
	mapped := false
	requests := c.invalidating(func(context.Context, client.Object) []reconcile.Request {
		mapped = true
		return []reconcile.Request{{}}
	})(ctx, &ozgv1.OZGService{})
	if !mapped || len(requests) != 1 {
		t.Fatal("invalidating does not hand the event on to the map function")
	}
	after, fpAfter, _ := c.get(ctx, r)
	if after.Len() != 2 || fpAfter == fp || r.lists != 2 {
		t.Fatalf("after a change: %d entries, %d lists, fingerprint moved %v", after.Len(), r.lists, fpAfter != fp)
	}
	if want := catalogFingerprint(after); fpAfter != want {
		t.Fatal("the fingerprint is not the catalogue's")
	}

	// A get that counted fewer changes than the listing it finds (it
	// waited for the lock while that listing was made) takes it.
	c.changes.Store(c.listed - 1)
	if _, _, err := c.get(ctx, r); err != nil || r.lists != 2 {
		t.Fatalf("a listing newer than the changes counted was made again: %d lists, %v", r.lists, err)
	}

	var none *catalogCache
	none.invalidating(func(context.Context, client.Object) []reconcile.Request { return nil })(ctx, &ozgv1.OZGService{})
	for range 2 {
		if _, _, err := none.get(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if r.lists != 4 {
		t.Fatalf("without a cache every get lists: %d lists, want 4", r.lists)
	}
}
