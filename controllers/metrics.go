package controllers

import (
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/ozg-operator/ozg-operator/internal/rollup"
)

// rollupPending is the gauge ozg_rollup_pending{kind}: how many
// Administrations and OZGServices have inputs that their status does not
// show yet. At zero every roll-up is current; scripts (make demo-check) and
// alerts wait on it.
var (
	currentView     atomic.Pointer[rollup.View]
	registerMetrics sync.Once
)

// observeRollups makes the gauge read view (the manager's current one: a
// test restarts managers within one process).
func observeRollups(view *rollup.View) {
	currentView.Store(view)
	registerMetrics.Do(func() {
		for _, kind := range []rollup.Kind{rollup.Administrations, rollup.Services} {
			ctrlmetrics.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name:        "ozg_rollup_pending",
				Help:        "Roll-up objects (Administration, OZGService) whose status does not yet show their latest inputs.",
				ConstLabels: prometheus.Labels{"kind": kind.String()},
			}, func() float64 {
				if v := currentView.Load(); v != nil {
					return float64(v.Pending(kind))
				}
				return 0
			}))
		}
	})
}
