package controllers

import (
	"context"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/event"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

func TestPortalSettled(t *testing.T) {
	condition := func(typ string, s metav1.ConditionStatus) metav1.Condition {
		return metav1.Condition{Type: typ, Status: s, Reason: ozgv1.ReasonSucceeded}
	}
	deleted := metav1.Now()
	for _, tc := range []struct {
		name       string
		generation int64
		status     ozgv1.ServicePortalStatus
		deleting   *metav1.Time
		want       bool
	}{
		{name: "not reconciled yet", generation: 1},
		{name: "rolling out", generation: 1, status: ozgv1.ServicePortalStatus{ObservedGeneration: 1, Conditions: []metav1.Condition{
			condition(ozgv1.ReadyCondition, metav1.ConditionFalse), condition(ozgv1.ReconcilingCondition, metav1.ConditionTrue)}}},
		{name: "Ready", generation: 1, want: true, status: ozgv1.ServicePortalStatus{ObservedGeneration: 1, Conditions: []metav1.Condition{
			condition(ozgv1.ReadyCondition, metav1.ConditionTrue)}}},
		{name: "Ready for an older spec", generation: 2, status: ozgv1.ServicePortalStatus{ObservedGeneration: 1, Conditions: []metav1.Condition{
			condition(ozgv1.ReadyCondition, metav1.ConditionTrue)}}},
		{name: "Stalled", generation: 1, want: true, status: ozgv1.ServicePortalStatus{ObservedGeneration: 1, Conditions: []metav1.Condition{
			condition(ozgv1.ReadyCondition, metav1.ConditionFalse), condition(ozgv1.StalledCondition, metav1.ConditionTrue)}}},
		{name: "being deleted", generation: 1, deleting: &deleted, want: true},
	} {
		p := &ozgv1.ServicePortal{ObjectMeta: metav1.ObjectMeta{Name: "p", Generation: tc.generation, DeletionTimestamp: tc.deleting}, Status: tc.status}
		if got := portalSettled(p); got != tc.want {
			t.Errorf("%s: portalSettled = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestRollupSettling follows a portal through its rollout: the catalogue's
// inputs settle only when the portal is Ready and its administration has
// taken the portal's events in, and then the catalogue's open bursts are
// flushed.
func TestRollupSettling(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2023, 1, 16, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	administrations, catalogue := newRollupDebouncer(clock), newRollupDebouncer(clock)
	s := newRollupSettling(administrations, catalogue)
	h := portalSummaryHandler{debounce: administrations, settling: s}
	admQueue, catQueue := &recordingQueue{}, &recordingQueue{}
	// takeIn plays the administration's reconcile: once its burst is due,
	// it takes the burst in.
	takeIn := func(settled bool) {
		t.Helper()
		now = now.Add(rollupMaxDelay)
		if wait := administrations.wait("detmold", false, settled); wait != 0 || !administrations.idle() {
			t.Fatalf("the administration's burst is still open (wait %v) once it was due", wait)
		}
	}
	expectSettled := func(step string, want bool) {
		t.Helper()
		if got := s.settled(); got != want {
			t.Fatalf("%s: settled = %v, want %v", step, got, want)
		}
	}

	expectSettled("nothing known", true)
	catalogue.enqueue(catQueue, "ozg-10001", false)
	catQueue.added, catQueue.names = nil, nil

	created := &ozgv1.ServicePortal{
		ObjectMeta: metav1.ObjectMeta{Namespace: "krz", Name: "detmold", Generation: 1},
		Spec:       ozgv1.ServicePortalSpec{AdministrationRef: ozgv1.LocalObjectReference{Name: "detmold"}},
	}
	h.Create(ctx, event.CreateEvent{Object: created}, admQueue)
	expectSettled("portal created", false)

	rollingOut := created.DeepCopy()
	rollingOut.Status = ozgv1.ServicePortalStatus{ObservedGeneration: 1, Conditions: []metav1.Condition{
		{Type: ozgv1.ReadyCondition, Status: metav1.ConditionFalse, Reason: ozgv1.ReasonDeploymentNotAvailable},
		{Type: ozgv1.ReconcilingCondition, Status: metav1.ConditionTrue, Reason: ozgv1.ReasonDeploymentNotAvailable},
	}}
	h.Update(ctx, event.UpdateEvent{ObjectOld: created, ObjectNew: rollingOut}, admQueue)
	// The administration takes the events so far in; the portal still rolls out.
	takeIn(false)
	s.check()
	expectSettled("portal rolling out", false)

	ready := rollingOut.DeepCopy()
	ready.Status.Conditions = []metav1.Condition{{Type: ozgv1.ReadyCondition, Status: metav1.ConditionTrue, Reason: ozgv1.ReasonSucceeded}}
	admQueue.added = nil
	h.Update(ctx, event.UpdateEvent{ObjectOld: rollingOut, ObjectNew: ready}, admQueue)
	if len(admQueue.added) != 1 || admQueue.added[0] != rollupSettledQuiet {
		t.Fatalf("the Ready portal's administration was enqueued for %v, want once after %v", admQueue.added, rollupSettledQuiet)
	}
	expectSettled("portal Ready, administration not yet rolled up", false)
	if len(catQueue.added) != 0 {
		t.Fatalf("the catalogue was flushed (%v) before the administration took the Ready portal in", catQueue.names)
	}

	// The administration reconcile takes the burst in and checks after its write.
	takeIn(true)
	s.check()
	expectSettled("administration rolled up", true)
	if len(catQueue.names) != 1 || catQueue.names[0] != "ozg-10001" || catQueue.added[0] > rollupSettledQuiet {
		t.Fatalf("settling flushed %v after %v, want ozg-10001 within %v", catQueue.names, catQueue.added, rollupSettledQuiet)
	}

	// An update that changes nothing the administration reads still
	// tells settling about the portal: a new spec unsettles it.
	changedSpec := ready.DeepCopy()
	changedSpec.Generation = 2
	h.Update(ctx, event.UpdateEvent{ObjectOld: ready, ObjectNew: changedSpec}, admQueue)
	expectSettled("portal with a new spec", false)

	// A portal that is gone unsettles nothing.
	admQueue.added = nil
	h.Delete(ctx, event.DeleteEvent{Object: changedSpec}, admQueue)
	if len(admQueue.added) != 1 || admQueue.added[0] != rollupSettledQuiet {
		t.Fatalf("the deleted portal's administration was enqueued for %v, want once after %v", admQueue.added, rollupSettledQuiet)
	}
	takeIn(true)
	expectSettled("portal deleted", true)
}
