package controllers

import (
	"errors"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/programme"
)

// programmeAt returns a programme at generation 2 whose status still
// describes generation 1, Ready with one priority counted.
func programmeAt() *ozgv1.ServiceProgramme {
	prog := &ozgv1.ServiceProgramme{ObjectMeta: metav1.ObjectMeta{Namespace: "krz", Name: "g2b", Generation: 2}}
	prog.Status.ObservedGeneration = 1
	prog.Status.Administrations = 36
	prog.Status.Priorities = []ozgv1.PriorityStatus{{Priority: 1, LeiKaServices: 3, ShareLive: "50.0%"}}
	setCondition(&prog.Status, ozgv1.ReadyCondition, metav1.ConditionTrue, ozgv1.ReasonSucceeded, "36 administrations; priority 1: 50.0% Live")
	return prog
}

// Services the catalogue lacks are no Stalled spec: the catalogue may
// arrive in the same commit, after the programme, and the programme
// recovers by itself. kstatus must read it as in progress, not failed.
func TestProgrammeStatusMissingServicesIsNotStalled(t *testing.T) {
	prog := programmeAt()
	r := &programme.Result{Administrations: 36, Priorities: []ozgv1.PriorityStatus{{Priority: 1, LeiKaServices: 2}}, Missing: []string{"ozg-98898"}}
	got := programmeStatus(prog, r, nil)
	ready := condition(got, ozgv1.ReadyCondition)
	if ready.Status != metav1.ConditionFalse || ready.Reason != ozgv1.ReasonServicesNotFound {
		t.Errorf("Ready = %s/%s, want False/%s", ready.Status, ready.Reason, ozgv1.ReasonServicesNotFound)
	}
	if c := condition(got, ozgv1.StalledCondition); c.Status == metav1.ConditionTrue {
		t.Errorf("Stalled = True (%s): kstatus would call the programme Failed, though the catalogue may still arrive", c.Reason)
	}
	if c := condition(got, ozgv1.ReconcilingCondition); c.Status != metav1.ConditionTrue || c.Reason != ozgv1.ReasonServicesNotFound {
		t.Errorf("Reconciling = %s/%s, want True/%s: kstatus must read it in progress", c.Status, c.Reason, ozgv1.ReasonServicesNotFound)
	}

	// The catalogue arrives: Ready, nothing left of the wait.
	r.Missing = nil
	prog.Status = *got
	got = programmeStatus(prog, r, nil)
	if c := condition(got, ozgv1.ReadyCondition); c.Status != metav1.ConditionTrue {
		t.Errorf("Ready = %s/%s once the catalogue has the services, want True", c.Status, c.Reason)
	}
	if len(got.Conditions) != 1 {
		t.Errorf("conditions %+v, want Ready alone", got.Conditions)
	}
}

// A selector that does not parse is Stalled (only a spec change helps),
// and the status must not show the old generation's counts under the new
// observedGeneration.
func TestProgrammeStatusInvalidSelectorShowsNoOldCounts(t *testing.T) {
	got := programmeStatus(programmeAt(), nil, errors.New(`administrationSelector: "Equals" is not a valid label selector operator`))
	if got.ObservedGeneration != 2 {
		t.Fatalf("observedGeneration %d, want 2", got.ObservedGeneration)
	}
	if c := condition(got, ozgv1.StalledCondition); c.Status != metav1.ConditionTrue || c.Reason != ozgv1.ReasonInvalidSelector {
		t.Errorf("Stalled = %s/%s, want True/%s", c.Status, c.Reason, ozgv1.ReasonInvalidSelector)
	}
	if c := condition(got, ozgv1.ReadyCondition); c.Status != metav1.ConditionFalse || c.Reason != ozgv1.ReasonInvalidSelector {
		t.Errorf("Ready = %s/%s, want False/%s", c.Status, c.Reason, ozgv1.ReasonInvalidSelector)
	}
	if got.Priorities != nil || got.Administrations != 0 {
		t.Errorf("generation 2's status shows generation 1's counts: %d administrations, priorities %+v", got.Administrations, got.Priorities)
	}
}

// condition returns the named condition of a status, or an empty one.
func condition(h ozgv1.ConditionsHolder, typ string) metav1.Condition {
	for _, c := range *h.StatusConditions() {
		if c.Type == typ {
			return c
		}
	}
	return metav1.Condition{}
}
