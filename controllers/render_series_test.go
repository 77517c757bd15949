package controllers

import (
	"context"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// portalReader is a cache that holds the portals named in it.
type portalReader struct {
	client.Reader
	portals map[client.ObjectKey]bool
}

func (r *portalReader) Get(_ context.Context, key client.ObjectKey, _ client.Object, _ ...client.GetOption) error {
	if !r.portals[key] {
		return apierrors.NewNotFound(schema.GroupResource{Group: "ozg.dev", Resource: "serviceportals"}, key.Name)
	}
	return nil
}

func (r *portalReader) List(_ context.Context, list client.ObjectList, opts ...client.ListOption) error {
	var o client.ListOptions
	o.ApplyOptions(opts)
	l := list.(*ozgv1.ServicePortalList)
	l.Items = nil
	for key := range r.portals {
		if key.Namespace == o.Namespace {
			l.Items = append(l.Items, ozgv1.ServicePortal{ObjectMeta: metav1.ObjectMeta{Namespace: key.Namespace, Name: key.Name}})
		}
	}
	return nil
}

// A render counted by a reconcile that read its portal before the portal's
// deletion must not bring back the series that the namespace's last portal
// took along: nothing would take it away again.
func TestRenderSeriesGoesWithTheLastPortalForGood(t *testing.T) {
	ctx := context.Background()
	ns := "render-series-test"
	portal := &ozgv1.ServicePortal{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "detmold"}}
	cache := &portalReader{portals: map[client.ObjectKey]bool{client.ObjectKeyFromObject(portal): true}}

	countRender(ctx, cache, portal)
	if !PortalRenderSeries(ns) {
		t.Fatal("a render of a portal in the cache is not counted")
	}
	if left, err := portalsLeft(ctx, cache, ns); err != nil || !left || !PortalRenderSeries(ns) {
		t.Fatalf("with a portal left: left %v, err %v, series %v", left, err, PortalRenderSeries(ns))
	}

	delete(cache.portals, client.ObjectKeyFromObject(portal))
	if left, err := portalsLeft(ctx, cache, ns); err != nil || left || PortalRenderSeries(ns) {
		t.Fatalf("after the last portal: left %v, err %v, series %v", left, err, PortalRenderSeries(ns))
	}
	// The reconcile that read the portal before its deletion renders now.
	countRender(ctx, cache, portal)
	if PortalRenderSeries(ns) {
		t.Fatal("a render of a deleted portal brought its namespace's series back")
	}
}
