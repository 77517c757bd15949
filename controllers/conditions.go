package controllers

import (
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// setCondition sets a condition for the status' observed generation;
// lastTransitionTime changes only when the status does. Each kind's
// _status.go sets each condition type through one helper of its own,
// once per reconcile.
func setCondition(h ozgv1.ConditionsHolder, typ string, s metav1.ConditionStatus, reason, message string) {
	meta.SetStatusCondition(h.StatusConditions(), metav1.Condition{
		Type: typ, Status: s, Reason: reason, Message: message, ObservedGeneration: h.StatusObservedGeneration(),
	})
}

// removeCondition drops a condition that does not apply (kstatus reads an
// absent Reconciling or Stalled as False).
func removeCondition(h ozgv1.ConditionsHolder, typ string) {
	meta.RemoveStatusCondition(h.StatusConditions(), typ)
}

// needsStatusNow tells whether a roll-up must be written without waiting
// for its burst to end: its status does not yet carry Ready (kstatus and
// `kubectl wait` need the condition from the first reconcile on) or was
// computed for an older generation of the spec.
func needsStatusNow(generation int64, status ozgv1.ConditionsHolder) bool {
	return status.StatusObservedGeneration() != generation || meta.FindStatusCondition(*status.StatusConditions(), ozgv1.ReadyCondition) == nil
}
