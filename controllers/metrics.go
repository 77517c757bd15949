package controllers

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"

	"github.com/ozg-operator/ozg-operator/internal/rollup"
)

// The gauges ozg_rollup_pending{kind}, how many Administrations and
// OZGServices have inputs that their status does not show yet, and
// ozg_rollup_pending_age_seconds{kind}, how long the oldest of them has
// waited. At zero every roll-up is current; scripts (make demo-check) wait
// on the first, the alert on the second.
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
			registerViewGauge(kind, "ozg_rollup_pending",
				"Roll-up objects (Administration, OZGService) whose status does not yet show their latest inputs; 0 on a standby replica, which writes no status.",
				func(v *rollup.View) float64 { return float64(v.Pending(kind)) })
			registerViewGauge(kind, "ozg_rollup_pending_age_seconds",
				"How long the oldest pending roll-up of the kind has waited since its status fell behind (a write that failed does not count as written); 0 when none is pending and on a standby replica.",
				func(v *rollup.View) float64 { return v.OldestPending(kind).Seconds() })
		}
	})
}

// registerCounter registers a counter of the manager's metrics.
func registerCounter(name, help string, labels ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	ctrlmetrics.Registry.MustRegister(c)
	return c
}

// registerViewGauge registers a gauge of kind that reads value from the
// current view, and 0 before there is one.
func registerViewGauge(kind rollup.Kind, name, help string, value func(*rollup.View) float64) {
	ctrlmetrics.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name:        name,
		Help:        help,
		ConstLabels: prometheus.Labels{"kind": kind.String()},
	}, func() float64 {
		if v := currentView.Load(); v != nil {
			return value(v)
		}
		return 0
	}))
}

// objectMetrics exposes what alerts and dashboards need of the fleets and
// portals, read from the manager's cache at each scrape (as
// kube-state-metrics reads its objects): per fleet its portals by state and
// whether its rollout stalled, per portal whether it is Ready and online.
type objectMetrics struct {
	reader client.Reader
	// elected closes once this replica leads: a standby's cache holds the
	// same objects, and its series would double every sum and alert.
	elected <-chan struct{}
}

var (
	fleetPortalsDesc = prometheus.NewDesc("ozg_portalfleet_portals",
		"Portals of a PortalFleet by state: desired (one per selected Administration), ready, online (published and Ready), updated (running the template).",
		[]string{"namespace", "portalfleet", "state"}, nil)
	fleetStalledDesc = prometheus.NewDesc("ozg_portalfleet_stalled",
		"1 while a PortalFleet's rollout is Stalled (a wave missed its progress deadline, or the spec cannot be realised).",
		[]string{"namespace", "portalfleet"}, nil)
	portalReadyDesc = prometheus.NewDesc("ozg_serviceportal_ready",
		"1 while a ServicePortal is Ready.", []string{"namespace", "serviceportal"}, nil)
	portalOnlineDesc = prometheus.NewDesc("ozg_serviceportal_online",
		"1 while a ServicePortal is published and Ready.", []string{"namespace", "serviceportal"}, nil)
	objectMetricsOnce sync.Once
	objectReader      atomic.Pointer[objectMetrics]
)

// observeObjects makes the collector read c (the current manager's cache:
// a test restarts managers within one process) once elected is closed.
func observeObjects(c client.Reader, elected <-chan struct{}) {
	objectReader.Store(&objectMetrics{reader: c, elected: elected})
	objectMetricsOnce.Do(func() { ctrlmetrics.Registry.MustRegister(objectCollector{}) })
}

type objectCollector struct{}

func (objectCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{fleetPortalsDesc, fleetStalledDesc, portalReadyDesc, portalOnlineDesc} {
		ch <- d
	}
}

func (objectCollector) Collect(ch chan<- prometheus.Metric) {
	m := objectReader.Load()
	if m == nil {
		return
	}
	select {
	case <-m.elected:
	default:
		return // a standby replica: the leader's series are the fleet's
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var fleets ozgv1.PortalFleetList
	if err := m.reader.List(ctx, &fleets); err == nil {
		for i := range fleets.Items {
			f := &fleets.Items[i]
			for state, n := range map[string]int32{"desired": f.Status.Portals, "ready": f.Status.ReadyPortals,
				"online": f.Status.PublishedPortals, "updated": f.Status.UpdatedPortals} {
				ch <- prometheus.MustNewConstMetric(fleetPortalsDesc, prometheus.GaugeValue, float64(n), f.Namespace, f.Name, state)
			}
			ch <- prometheus.MustNewConstMetric(fleetStalledDesc, prometheus.GaugeValue,
				boolValue(meta.IsStatusConditionTrue(f.Status.Conditions, ozgv1.StalledCondition)), f.Namespace, f.Name)
		}
	}
	var portals ozgv1.ServicePortalList
	if err := m.reader.List(ctx, &portals); err == nil {
		for i := range portals.Items {
			p := &portals.Items[i]
			ready := meta.IsStatusConditionTrue(p.Status.Conditions, ozgv1.ReadyCondition)
			ch <- prometheus.MustNewConstMetric(portalReadyDesc, prometheus.GaugeValue, boolValue(ready), p.Namespace, p.Name)
			ch <- prometheus.MustNewConstMetric(portalOnlineDesc, prometheus.GaugeValue,
				boolValue(ready && meta.IsStatusConditionTrue(p.Status.Conditions, ozgv1.PublishedCondition)), p.Namespace, p.Name)
		}
	}
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
