package controllers

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/rollup"
	"github.com/ozg-operator/ozg-operator/internal/testsupport/testenv"
)

// ozg_rollup_pending and its age say that some roll-up status is behind.
// A roll-up whose status write fails has taken its burst in, and its status
// is still stale: it must stay pending until a write succeeds.
func TestRollupPendingUntilStatusWritten(t *testing.T) {
	cluster := testenv.ForTest(t, testenv.Options{})
	ctx := context.Background()
	var refuse atomic.Bool
	refuse.Store(true)
	c := interceptor.NewClient(cluster.Client, interceptor.Funcs{
		SubResourceUpdate: func(ctx context.Context, c client.Client, sub string, obj client.Object, opts ...client.SubResourceUpdateOption) error {
			if refuse.Swap(false) {
				return errors.New("the API server is unavailable")
			}
			return c.SubResource(sub).Update(ctx, obj, opts...)
		},
	})
	adm := &ozgv1.Administration{
		ObjectMeta: metav1.ObjectMeta{Name: "lemgo"},
		Spec:       ozgv1.AdministrationSpec{Key: "05766044", DisplayName: "Lemgo", Type: ozgv1.TypeKreisangehoerigeStadt},
	}
	if err := cluster.Client.Create(ctx, adm); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2023, 1, 16, 9, 0, 0, 0, time.UTC)
	view, _ := runningView(t, rollup.Administrations, &now)
	view.UpsertAdministration(adm)
	p := &ozgv1.ServicePortal{ObjectMeta: metav1.ObjectMeta{Namespace: "krz", Name: "lemgo", Generation: 1}}
	p.Spec.AdministrationRef.Name = "lemgo"
	view.UpsertPortal(p) // opens lemgo's burst
	now = now.Add(rollup.MaxDelay)
	r := &AdministrationReconciler{Client: c, view: view}
	req := ctrl.Request{NamespacedName: client.ObjectKey{Name: "lemgo"}}

	if _, err := r.Reconcile(ctx, req); err == nil {
		t.Fatal("the refused status write returned no error")
	}
	if n, age := view.Pending(rollup.Administrations), view.OldestPending(rollup.Administrations); n != 1 || age != rollup.MaxDelay {
		t.Fatalf("after a refused status write: %d pending for %v, want 1 for %v (the status is stale)", n, age, rollup.MaxDelay)
	}

	if _, err := r.Reconcile(ctx, req); err != nil {
		t.Fatal(err)
	}
	if err := cluster.Client.Get(ctx, req.NamespacedName, adm); err != nil {
		t.Fatal(err)
	}
	if c := condition(&adm.Status, ozgv1.ReadyCondition); c.Status != metav1.ConditionTrue {
		t.Fatalf("after the retry: Ready %+v, want True", c)
	}
	if n := view.Pending(rollup.Administrations); n != 0 {
		t.Fatalf("after the status was written: %d pending, want none", n)
	}
}

// The reconcile of a catalogue entry can read its new spec from the cache
// before the view took it in (two listeners of one informer): it writes
// nothing then, as the Administration's does, and the view asks for it
// once it has, which writes the new spec's counts.
func TestServiceRollupWaitsForTheViewToTakeItsSpecIn(t *testing.T) {
	cluster := testenv.ForTest(t, testenv.Options{})
	ctx := context.Background()
	svc := &ozgv1.OZGService{
		ObjectMeta: metav1.ObjectMeta{Name: "ozg-10110"},
		Spec: ozgv1.OZGServiceSpec{OZGID: "10110", Name: "Abfallentsorgung", Themenfeld: "Umwelt",
			Leistungen: []ozgv1.LeiKaLeistung{{Key: "99000000000110", Name: "Abfallentsorgung", Typisierung: []string{"5"}}}},
	}
	if err := cluster.Client.Create(ctx, svc); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2023, 1, 16, 9, 0, 0, 0, time.UTC)
	view, q := runningView(t, rollup.Services, &now)
	view.ReplayService(svc.DeepCopy())

	// The spec changes; the reconcile reads it before the view's event.
	svc.Spec.EfA = &ozgv1.EfAService{Provider: "Land NRW", URL: "https://efa.example.de"}
	if err := cluster.Client.Update(ctx, svc); err != nil {
		t.Fatal(err)
	}
	r := &OZGServiceReconciler{Client: cluster.Client, view: view}
	req := ctrl.Request{NamespacedName: client.ObjectKey{Name: svc.Name}}
	if _, err := r.Reconcile(ctx, req); err != nil {
		t.Fatal(err)
	}
	got := &ozgv1.OZGService{}
	if err := cluster.Client.Get(ctx, req.NamespacedName, got); err != nil {
		t.Fatal(err)
	}
	if got.Status.ObservedGeneration != 0 {
		t.Fatalf("written before the view took generation %d in: %+v", svc.Generation, got.Status)
	}

	view.UpsertService(svc.DeepCopy())
	if q.Len() == 0 {
		t.Fatal("the view did not ask for the roll-up of the spec it took in")
	}
	if _, err := r.Reconcile(ctx, req); err != nil {
		t.Fatal(err)
	}
	if err := cluster.Client.Get(ctx, req.NamespacedName, got); err != nil {
		t.Fatal(err)
	}
	if got.Status.ObservedGeneration != svc.Generation {
		t.Errorf("observedGeneration %d once the view took the spec in, want %d", got.Status.ObservedGeneration, svc.Generation)
	}
}

// runningView is a view on the clock *now whose roll-ups of kind run on
// the returned queue: a standby replica's view, with no controller
// running, reports nothing pending.
func runningView(t *testing.T, kind rollup.Kind, now *time.Time) (*rollup.View, workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	t.Helper()
	view := rollup.New(func() time.Time { return *now })
	q := workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[reconcile.Request]())
	t.Cleanup(q.ShutDown)
	if err := view.Source(kind).Start(t.Context(), q); err != nil {
		t.Fatal(err)
	}
	return view, q
}
