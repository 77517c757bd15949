package controllers

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/testsupport/testenv"
)

// A portal deleted without a finalizer comes back to its reconciler only
// as NotFound; what the reconciler keeps per UID (whether it announced the
// portal online, the event limiters) must go with it, or both grow with
// every portal ever deleted. So must what it kept of a portal recreated
// under the same name.
func TestServicePortalReconcilerForgetsDeletedPortals(t *testing.T) {
	cluster := testenv.ForTest(t, testenv.Options{})
	ctx := context.Background()
	c := cluster.Client
	r := &ServicePortalReconciler{Client: c, Defaults: PortalDefaults{}.withDefaults(), events: newEventRecorder(events.NewFakeRecorder(100))}

	if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "krz"}}); err != nil {
		t.Fatal(err)
	}
	newPortal := func() *ozgv1.ServicePortal {
		// No Administration: the reconcile stops at a status (Stalled),
		// which is enough to be remembered.
		p := &ozgv1.ServicePortal{ObjectMeta: metav1.ObjectMeta{Namespace: "krz", Name: "detmold"}}
		p.Spec.AdministrationRef.Name = "detmold"
		if err := c.Create(ctx, p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	req := ctrl.Request{NamespacedName: client.ObjectKey{Namespace: "krz", Name: "detmold"}}
	reconcileAndNote := func(p *ozgv1.ServicePortal) {
		t.Helper()
		if _, err := r.Reconcile(ctx, req); err != nil {
			t.Fatal(err)
		}
		if _, ok := r.online.Load(p.UID); !ok {
			t.Fatalf("the reconcile kept nothing for portal %s", p.UID)
		}
		// An event, as a published portal would record: its limiter is kept per UID.
		r.events.normal(p, ozgv1.EventPublished, "Publish", "online")
	}
	kept := func() (online, limiters int) {
		r.online.Range(func(any, any) bool { online++; return true })
		r.events.mu.Lock()
		defer r.events.mu.Unlock()
		return online, len(r.events.limiters)
	}

	first := newPortal()
	reconcileAndNote(first)
	if err := c.Delete(ctx, first); err != nil {
		t.Fatal(err)
	}
	second := newPortal()
	reconcileAndNote(second)
	if online, limiters := kept(); online != 1 || limiters != 1 {
		t.Errorf("after a portal was recreated under its name: %d online entries and %d event limiters, want 1 and 1 (the new portal's)", online, limiters)
	}

	if err := c.Delete(ctx, second); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Reconcile(ctx, req); err != nil {
		t.Fatal(err)
	}
	if online, limiters := kept(); online != 0 || limiters != 0 {
		t.Errorf("after the portal was deleted: %d online entries and %d event limiters, want none", online, limiters)
	}
}
