package controllers

import (
	dto "github.com/prometheus/client_model/go"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
)

// ProgrammeCoalesce and ProgrammeChangeHandler let the suite check how a
// ServiceProgramme takes in its administrations' changes.
const ProgrammeCoalesce = programmeCoalesce

func ProgrammeChangeHandler(c client.Client) handler.EventHandler {
	return (&ServiceProgrammeReconciler{Client: c}).coalesced()
}

// PortalRenders is how many portal documents of namespace ns were rendered.
func PortalRenders(ns string) float64 {
	var m dto.Metric
	if err := portalRenders.WithLabelValues(ns).Write(&m); err != nil {
		panic(err)
	}
	return m.GetCounter().GetValue()
}
