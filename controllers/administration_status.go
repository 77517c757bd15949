package controllers

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/admservices"
	"github.com/ozg-operator/ozg-operator/internal/rollup"
)

// administrationStatus computes the status of adm from what the roll-up
// view knows of its portals; current tells whether they have come to rest
// (see setAdministrationReady). It is a pure function of its arguments.
func administrationStatus(adm *ozgv1.Administration, in rollup.AdministrationInputs, current bool) *ozgv1.AdministrationStatus {
	status := adm.Status.DeepCopy()
	status.ObservedGeneration = adm.Generation
	services := admservices.Of(adm)
	status.Services = rollup.CountStates(services)
	status.Portal, status.Online = nil, 0
	if len(in.Portals) > 0 {
		// The most advanced portal speaks for the administration.
		p := in.Portals[0]
		status.Portal = &p
		if p.Online() {
			status.Online = status.Services.Live
		}
	}
	status.Responsibility = nil
	if in.Reach.Placed {
		status.Responsibility = &ozgv1.AdministrationReach{Own: in.Reach.Own, Reachable: in.Reach.Reachable}
	}
	// Ready is set once: a second set within one reconcile would move its
	// lastTransitionTime and make every status a new one to write.
	if msg, mismatch := parentMismatch(adm, in.ParentKreisKey); mismatch {
		setCondition(status, ozgv1.ReadyCondition, metav1.ConditionFalse, ozgv1.ReasonParentMismatch, msg)
		setCondition(status, ozgv1.StalledCondition, metav1.ConditionTrue, ozgv1.ReasonParentMismatch, msg)
		return status
	}
	removeCondition(status, ozgv1.StalledCondition)
	setAdministrationReady(status, len(services), len(in.Portals), current)
	return status
}

// parentMismatch says why spec.parent is of another Kreis than the key's
// (the one definition of an administration's Kreis), if it is: the reach
// would read the wrong Kreis's services and portal, and only a spec change
// helps. parentKreis is the parent's Kreis key, "" if it is not known.
func parentMismatch(adm *ozgv1.Administration, parentKreis string) (string, bool) {
	if parentKreis == "" || parentKreis == adm.Spec.KreisKey() {
		return "", false
	}
	return fmt.Sprintf("spec.parent %s is of Kreis %s, but the key %s says Kreis %s: name the Kreis %s's Administration in spec.parent",
		adm.Spec.Parent, parentKreis, adm.Spec.Key, adm.Spec.KreisKey(), adm.Spec.KreisKey()), true
}

// setAdministrationReady sets Ready, which for a roll-up says whether the
// status is current: True when it was written with its inputs at rest,
// Unknown when it had to be written while they were still arriving (its
// first status or a spec change during a burst of portal events, or a
// burst that ran for MaxDelay); the counts then show the progress so far,
// and a later write sets True. A spec change alone opens no burst and is
// written True: the roll-up waits until the view has taken the spec in.
func setAdministrationReady(status *ozgv1.AdministrationStatus, services, portals int, current bool) {
	msg := fmt.Sprintf("%d of %d services online", status.Online, services)
	switch p := status.Portal; {
	case p == nil:
		msg += "; no portal"
	case portals > 1:
		msg += fmt.Sprintf("; %d portals serve this administration, status shows %s/%s", portals, p.Namespace, p.Name)
	}
	if !current {
		setCondition(status, ozgv1.ReadyCondition, metav1.ConditionUnknown, ozgv1.ReasonRollupPending, msg+" so far; its portals are still reporting")
		return
	}
	setCondition(status, ozgv1.ReadyCondition, metav1.ConditionTrue, ozgv1.ReasonSucceeded, msg)
}
