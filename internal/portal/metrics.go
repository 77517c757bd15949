package portal

import (
	"github.com/ozg-operator/ozg-operator/internal/version"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ozg-operator/ozg-operator/internal/portaldata"
)

const metricsNamespace = "ozg_portal"

// metrics are the portal server's Prometheus metrics. Label values are
// bounded: handler names are fixed, promhttp maps unknown methods to
// "unknown", states come from a fixed set.
type metrics struct {
	registry *prometheus.Registry

	requests   *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	reloads    *prometheus.CounterVec
	services   *prometheus.GaugeVec
	lastReload prometheus.Gauge
	indexBuild prometheus.Gauge
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "http_requests_total",
			Help: "HTTP requests by handler, method and status code.",
		}, []string{"handler", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: metricsNamespace, Name: "http_request_duration_seconds",
			Help:    "HTTP request latency by handler and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"handler", "method"}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "data_reloads_total",
			Help: "Loads of changed portal data by result (success, failure). A failure keeps the last good data.",
		}, []string{"result"}),
		services: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: metricsNamespace, Name: "services",
			Help: "OZG services in the current portal data by state.",
		}, []string{"state"}),
		lastReload: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: metricsNamespace, Name: "data_last_reload_success_timestamp_seconds",
			Help: "Unix time of the last successful load of portal data.",
		}),
		indexBuild: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: metricsNamespace, Name: "search_index_build_seconds",
			Help: "How long building the search index of the current portal data took.",
		}),
	}
	// Initialise the label sets so that dashboards see zeros, not gaps.
	m.reloads.WithLabelValues("success")
	m.reloads.WithLabelValues("failure")
	for _, s := range portaldata.States {
		m.services.WithLabelValues(string(s))
	}
	m.registry.MustRegister(m.requests, m.duration, m.reloads, m.services, m.lastReload, m.indexBuild,
		version.BuildInfo("portal"),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

func (m *metrics) loaded(doc *portaldata.Document, indexBuild time.Duration) {
	counts := make(map[portaldata.State]int, len(portaldata.States))
	for _, s := range doc.Services {
		counts[s.State]++
	}
	for _, s := range portaldata.States {
		m.services.WithLabelValues(string(s)).Set(float64(counts[s]))
	}
	m.reloads.WithLabelValues("success").Inc()
	m.lastReload.Set(float64(time.Now().Unix()))
	m.indexBuild.Set(indexBuild.Seconds())
}

func (m *metrics) reloadFailed() { m.reloads.WithLabelValues("failure").Inc() }

// instrument counts and times requests to h under the handler label name.
func (m *metrics) instrument(name string, h http.Handler) http.Handler {
	labels := prometheus.Labels{"handler": name}
	return promhttp.InstrumentHandlerDuration(m.duration.MustCurryWith(labels),
		promhttp.InstrumentHandlerCounter(m.requests.MustCurryWith(labels), h))
}

// handler serves the registry in the Prometheus exposition format.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}
