package controllers

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/rollup"
)

// serviceStatus computes svc's status from the sum of its administrations;
// current tells whether they have come to rest (see setAdministrationReady).
// It is a pure function of its arguments.
func serviceStatus(svc *ozgv1.OZGService, counts rollup.ServiceCounts, current bool) *ozgv1.OZGServiceStatus {
	status := svc.Status.DeepCopy()
	status.ObservedGeneration = svc.Generation
	status.Administrations = counts.Administrations
	status.Portals, status.OnlinePortals = counts.Portals, counts.OnlinePortals
	status.Population = nil
	if counts.PopulationTotal > 0 {
		status.Population = &ozgv1.ServicePopulation{
			Total:   counts.PopulationTotal,
			Online:  counts.PopulationOnline,
			Percent: int32(counts.PopulationOnline * 100 / counts.PopulationTotal),
		}
	}
	status.Tools = nil
	for _, t := range counts.Tools {
		if t.Count > 0 {
			status.Tools = append(status.Tools, ozgv1.ToolUse{Name: t.Name, Live: t.Count})
		}
	}
	setServiceReady(status, current)
	return status
}

// setServiceReady sets Ready: whether the status is current, as for an
// Administration.
func setServiceReady(status *ozgv1.OZGServiceStatus, current bool) {
	msg := fmt.Sprintf("online in %d of %d portals", status.OnlinePortals, status.Portals)
	if p := status.Population; p != nil {
		msg += fmt.Sprintf(", for %d of %d inhabitants (%d%%)", p.Online, p.Total, p.Percent)
	}
	if !current {
		setCondition(status, ozgv1.ReadyCondition, metav1.ConditionUnknown, ozgv1.ReasonRollupPending, msg+" so far; its administrations are still reporting")
		return
	}
	setCondition(status, ozgv1.ReadyCondition, metav1.ConditionTrue, ozgv1.ReasonSucceeded, msg)
}
