package controllers

import (
	"github.com/prometheus/client_golang/prometheus"
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
	v, err := counterValue(portalRenders, ns)
	if err != nil {
		panic(err)
	}
	return v
}

// PortalRenderSeries tells whether the renders counter has a series for
// namespace ns.
func PortalRenderSeries(ns string) bool {
	ch := make(chan prometheus.Metric)
	go func() {
		portalRenders.Collect(ch)
		close(ch)
	}()
	found := false
	for m := range ch {
		var d dto.Metric
		if m.Write(&d) != nil {
			continue
		}
		for _, l := range d.GetLabel() {
			found = found || (l.GetName() == "namespace" && l.GetValue() == ns)
		}
	}
	return found
}

// counterValue reads the series of c with the label value label.
func counterValue(c *prometheus.CounterVec, label string) (float64, error) {
	var m dto.Metric
	err := c.WithLabelValues(label).Write(&m)
	return m.GetCounter().GetValue(), err
}
