//go:build bench

package scale

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"k8s.io/client-go/rest"
)

// scrape is one Prometheus scrape: the samples of each metric by name.
type scrape map[string][]sample

// sample is one time series' value.
type sample struct {
	labels map[string]string
	value  float64
}

// labelFilter selects samples by their labels.
type labelFilter func(labels map[string]string) bool

// sum adds up the samples of name that match (all if match is nil).
func (s scrape) sum(name string, match labelFilter) float64 {
	total := 0.0
	for _, smp := range s[name] {
		if match == nil || match(smp.labels) {
			total += smp.value
		}
	}
	return total
}

// by adds up the samples of name by the value key returns for their
// labels, leaving out those for which it returns false.
func (s scrape) by(name string, key func(labels map[string]string) (string, bool)) map[string]float64 {
	totals := map[string]float64{}
	for _, smp := range s[name] {
		if k, ok := key(smp.labels); ok {
			totals[k] += smp.value
		}
	}
	return totals
}

// counterDelta is after minus before, key by key: what a phase added to
// counters. A nil before is an empty scrape (a process that just started).
func counterDelta(before, after map[string]float64) map[string]int {
	delta := map[string]int{}
	for k, v := range after {
		if d := int(v - before[k]); d != 0 {
			delta[k] = d
		}
	}
	return delta
}

// parseScrape reads the Prometheus text format.
func parseScrape(r io.Reader) (scrape, error) {
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(r)
	if err != nil {
		return nil, err
	}
	s := scrape{}
	for name, family := range families {
		for _, m := range family.GetMetric() {
			labels := make(map[string]string, len(m.GetLabel()))
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			s[name] = append(s[name], sample{labels: labels, value: metricValue(family.GetType(), m)})
		}
	}
	return s, nil
}

func metricValue(t dto.MetricType, m *dto.Metric) float64 {
	switch t {
	case dto.MetricType_COUNTER:
		return m.GetCounter().GetValue()
	case dto.MetricType_GAUGE:
		return m.GetGauge().GetValue()
	case dto.MetricType_UNTYPED:
		return m.GetUntyped().GetValue()
	}
	// Histograms and summaries are not needed here.
	return 0
}

// scrapeURL fetches and parses a metrics endpoint with client.
func scrapeURL(ctx context.Context, client *http.Client, url string) (scrape, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return nil, fmt.Errorf("GET %s: %s: %s", url, resp.Status, body)
	}
	return parseScrape(resp.Body)
}

// scrapeAPIServer fetches the API server's own metrics, which count every
// request by resource, subresource and verb: unlike the manager's client
// metrics they tell status writes from child writes.
func scrapeAPIServer(ctx context.Context, cfg *rest.Config) (scrape, error) {
	client, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, err
	}
	return scrapeURL(ctx, client, strings.TrimSuffix(cfg.Host, "/")+"/metrics")
}

// Metric names.
const (
	// apiServerRequests is the API server's request counter.
	apiServerRequests = "apiserver_request_total"
	// clientRequests is client-go's request counter in the manager, by
	// HTTP method and code.
	clientRequests = "rest_client_requests_total"
	// reconciles is controller-runtime's reconcile counter, by controller
	// and result.
	reconciles = "controller_runtime_reconcile_total"
)

// childResources are the resources of a portal's children.
var childResources = map[string]bool{
	"configmaps": true, "deployments": true, "services": true,
	"networkpolicies": true, "ingresses": true, "poddisruptionbudgets": true,
}

// statusResources maps the rolled-up resources to their kinds.
var statusResources = map[string]string{
	"administrations": kindAdministration,
	"ozgservices":     kindService,
	"serviceportals":  kindPortal,
}

// readVerbs are the API server's verbs that write nothing.
var readVerbs = map[string]bool{"GET": true, "LIST": true, "WATCH": true, "WATCHLIST": true, "CONNECT": true}

// operatorWrite classifies a write the API server counted as one the
// operator makes: a status write of a rolled-up kind (key "<Kind>"), or a
// write of a child ("children <VERB>"). Everything else the benchmark
// writes itself (objects, spec edits, Deployment status as kubelet) falls
// outside, so no subtraction is needed.
func operatorWrite(l map[string]string) (string, bool) {
	if readVerbs[l["verb"]] {
		return "", false
	}
	conflict := ""
	if l["code"] == "409" {
		conflict = " 409"
	}
	if kind, ok := statusResources[l["resource"]]; ok && l["subresource"] == "status" {
		return kind + conflict, true
	}
	if childResources[l["resource"]] && l["subresource"] == "" {
		return "children " + l["verb"] + conflict, true
	}
	return "", false
}

// writeCounts are the operator's writes during one phase.
type writeCounts struct {
	// server counts the writes as the API server saw them: "<Kind>" for
	// status writes, "children <VERB>" (APPLY, DELETE, ...) for children,
	// with " 409" appended for conflicts.
	server map[string]int
	// manager counts the writes by HTTP method as the manager's client saw
	// them (PATCH covers status patches and server-side applies alike).
	manager map[string]int
	// managerReads counts the manager's GET requests: informer lists and
	// watches, and any read that bypasses the cache.
	managerReads int
	// reconciles counts reconciles by controller, errors in "<name> error".
	reconciles map[string]int
}

// measureWrites compares the scrapes at the start and end of a phase. A
// nil managerBefore stands for a manager that just started.
func measureWrites(serverBefore, serverAfter, managerBefore, managerAfter scrape) writeCounts {
	method := func(l map[string]string) (string, bool) { return l["method"], true }
	reconcileKey := func(l map[string]string) (string, bool) {
		if l["result"] == "error" {
			return l["controller"] + " error", true
		}
		return l["controller"], true
	}
	requests := counterDelta(managerBefore.by(clientRequests, method), managerAfter.by(clientRequests, method))
	w := writeCounts{
		server:       counterDelta(serverBefore.by(apiServerRequests, operatorWrite), serverAfter.by(apiServerRequests, operatorWrite)),
		manager:      map[string]int{},
		managerReads: requests["GET"],
		reconciles:   counterDelta(managerBefore.by(reconciles, reconcileKey), managerAfter.by(reconciles, reconcileKey)),
	}
	for _, m := range []string{"POST", "PUT", "PATCH", "DELETE"} {
		if n := requests[m]; n > 0 {
			w.manager[m] = n
		}
	}
	return w
}

// status counts the status writes of kind (conflicts included).
func (w writeCounts) status(kind string) int { return w.server[kind] + w.server[kind+" 409"] }

// conflicts counts the writes answered 409 Conflict.
func (w writeCounts) conflicts() int {
	return sumOf(w.server, func(k string) bool { return strings.HasSuffix(k, " 409") })
}

// children counts the writes of children.
func (w writeCounts) children() int {
	return sumOf(w.server, func(k string) bool { return strings.HasPrefix(k, "children ") })
}

// total counts all operator writes the API server saw.
func (w writeCounts) total() int { return sumOf(w.server, nil) }

// managerTotal counts all writes the manager's client reported.
func (w writeCounts) managerTotal() int { return sumOf(w.manager, nil) }

// sumOf adds up the counts whose key keep accepts, or all of them when
// keep is nil.
func sumOf(counts map[string]int, keep func(key string) bool) int {
	n := 0
	for k, v := range counts {
		if keep == nil || keep(k) {
			n += v
		}
	}
	return n
}

// etcdSizeBytes is the size of etcd's database as the API server reports
// it (the metric's name changed in Kubernetes 1.28), or 0.
func etcdSizeBytes(s scrape) float64 {
	if v := s.sum("apiserver_storage_size_bytes", nil); v > 0 {
		return v
	}
	return s.sum("apiserver_storage_db_total_size_in_bytes", nil)
}
