package controllers

import (
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/programme"
)

// maxNamedMissing bounds the names of missing services a message lists.
const maxNamedMissing = 5

// programmeStatus is the status of prog for the computed result, or for
// the error that kept it from being computed (a selector that does not
// parse). It is a pure function of its arguments.
func programmeStatus(prog *ozgv1.ServiceProgramme, r *programme.Result, err error) *ozgv1.ServiceProgrammeStatus {
	status := prog.Status.DeepCopy()
	status.ObservedGeneration = prog.Generation
	if err != nil {
		// Nothing was counted for this generation: the old counts would
		// pass for its own under the new observedGeneration.
		status.Administrations, status.Priorities = 0, nil
		setProgrammeStalled(status, ozgv1.ReasonInvalidSelector, err.Error())
		return status
	}
	status.Administrations = r.Administrations
	status.Priorities = r.Priorities
	if len(r.Missing) > 0 {
		named := r.Missing[:min(len(r.Missing), maxNamedMissing)]
		msg := "the catalogue lacks " + strings.Join(named, ", ")
		if more := len(r.Missing) - len(named); more > 0 {
			msg += fmt.Sprintf(" and %d more", more)
		}
		setProgrammeWaiting(status, ozgv1.ReasonServicesNotFound, msg+"; they are left out of the counts until it has them")
		return status
	}
	setProgrammeReady(status, progressMessage(r))
	return status
}

// progressMessage sums the priorities up: "36 administrations; priority
// 1: 12.5% Live (overdue), priority 2: 3.0% Live".
func progressMessage(r *programme.Result) string {
	parts := make([]string, len(r.Priorities))
	for i, p := range r.Priorities {
		parts[i] = fmt.Sprintf("priority %d: %s Live", p.Priority, p.ShareLive)
		if p.Overdue {
			parts[i] += " (overdue)"
		}
	}
	return fmt.Sprintf("%d administrations; %s", r.Administrations, strings.Join(parts, ", "))
}

// setProgrammeReady sets Ready True: the status counts the whole spec.
func setProgrammeReady(s *ozgv1.ServiceProgrammeStatus, msg string) {
	setCondition(s, ozgv1.ReadyCondition, metav1.ConditionTrue, ozgv1.ReasonSucceeded, msg)
	removeCondition(s, ozgv1.ReconcilingCondition)
	removeCondition(s, ozgv1.StalledCondition)
}

// setProgrammeWaiting sets Ready False and Reconciling True (kstatus:
// InProgress) for what clears by itself: services the catalogue lacks may
// be applied after the programme, in the same commit, and their watch
// event brings it back. Stalled (kstatus: Failed, a GitOps health check
// fails at once) is for what only a spec change fixes.
func setProgrammeWaiting(s *ozgv1.ServiceProgrammeStatus, reason, msg string) {
	setCondition(s, ozgv1.ReadyCondition, metav1.ConditionFalse, reason, msg)
	setCondition(s, ozgv1.ReconcilingCondition, metav1.ConditionTrue, reason, msg)
	removeCondition(s, ozgv1.StalledCondition)
}

// setProgrammeStalled sets Ready False and Stalled True for a spec the
// operator cannot count as it is (kstatus: Failed, until the spec changes).
func setProgrammeStalled(s *ozgv1.ServiceProgrammeStatus, reason, msg string) {
	setCondition(s, ozgv1.ReadyCondition, metav1.ConditionFalse, reason, msg)
	setCondition(s, ozgv1.StalledCondition, metav1.ConditionTrue, reason, msg)
	removeCondition(s, ozgv1.ReconcilingCondition)
}
