package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// runSettle waits until the manager behind metricsURL has reconciled every
// ozg.dev object since it started, has nothing queued or in progress, its
// roll-ups are current (ozg_rollup_pending 0), and every object is Ready
// with its status at its generation; all of it for quiet on end, so that a
// reconcile that requeues itself shortly is seen.
func runSettle(metricsURL string, timeout, quiet time.Duration) error {
	if metricsURL == "" {
		return fmt.Errorf("--metrics is required")
	}
	c, err := connect()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	start := time.Now()
	var settledSince time.Time
	last := ""
	for {
		why, err := c.unsettled(ctx, metricsURL)
		if err != nil {
			why = err.Error()
		}
		switch {
		case why != "":
			settledSince = time.Time{}
		case settledSince.IsZero():
			settledSince = time.Now()
		case time.Since(settledSince) >= quiet:
			fmt.Fprintf(os.Stderr, "upgradewatch: settled after %s: everything reconciled, nothing queued, roll-ups current, every object Ready at its generation\n",
				time.Since(start).Round(time.Second))
			return nil
		}
		if why != last && why != "" {
			fmt.Fprintf(os.Stderr, "upgradewatch: %s: waiting: %s\n", time.Since(start).Round(time.Second), why)
			last = why
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("not settled after %s: %s", timeout, last)
		case <-time.After(time.Second):
		}
	}
}

// unsettled says what is not settled yet, or "".
func (c *clients) unsettled(ctx context.Context, metricsURL string) (string, error) {
	m, err := scrape(ctx, metricsURL)
	if err != nil {
		return "", err
	}
	var reasons []string
	if n := m.sum("ozg_rollup_pending", nil); n != 0 {
		reasons = append(reasons, fmt.Sprintf("ozg_rollup_pending %g", n))
	}
	if n := m.sum("workqueue_depth", nil); n != 0 {
		reasons = append(reasons, fmt.Sprintf("%g queued", n))
	}
	if n := m.sum("controller_runtime_active_workers", nil); n != 0 {
		reasons = append(reasons, fmt.Sprintf("%g reconciling", n))
	}
	for _, k := range c.kinds {
		list, err := c.dyn.Resource(k.Resource).List(ctx, metav1.ListOptions{})
		if err != nil {
			return "", err
		}
		// The controller of a kind is named after it (controller-runtime's default).
		controller := strings.ToLower(k.Kind)
		if done := m.sum("controller_runtime_reconcile_total", map[string]string{"controller": controller}); done < float64(len(list.Items)) {
			reasons = append(reasons, fmt.Sprintf("%s: %g reconciles since the start for %d objects", controller, done, len(list.Items)))
		}
		notReady := 0
		first := ""
		for i := range list.Items {
			if why := notCurrent(&list.Items[i]); why != "" {
				if notReady++; first == "" {
					first = list.Items[i].GetName() + ": " + why
				}
			}
		}
		if notReady > 0 {
			reasons = append(reasons, fmt.Sprintf("%d %s not Ready at their generation (%s)", notReady, k.Resource.Resource, first))
		}
	}
	return strings.Join(reasons, "; "), nil
}

// notCurrent says why an object's status is not Ready at its generation, or "".
func notCurrent(u *unstructured.Unstructured) string {
	observed, _, _ := unstructured.NestedInt64(u.Object, "status", "observedGeneration")
	if observed != u.GetGeneration() {
		return fmt.Sprintf("observedGeneration %d, generation %d", observed, u.GetGeneration())
	}
	ready, ok := conditionsOf(u)["Ready"]
	if !ok {
		return "no Ready condition"
	}
	if ready.Status != "True" {
		return fmt.Sprintf("Ready=%s %s", ready.Status, ready.Reason)
	}
	return ""
}

type metrics map[string]*dto.MetricFamily

func scrape(ctx context.Context, url string) (metrics, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("metrics not reachable: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("metrics: %s", resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	return p.TextToMetricFamilies(resp.Body)
}

// sum adds the values of the samples of name whose labels include want.
func (m metrics) sum(name string, want map[string]string) float64 {
	mf := m[name]
	if mf == nil {
		return 0
	}
	total := 0.0
outer:
	for _, s := range mf.GetMetric() {
		labels := map[string]string{}
		for _, l := range s.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if labels[k] != v {
				continue outer
			}
		}
		switch {
		case s.Gauge != nil:
			total += s.GetGauge().GetValue()
		case s.Counter != nil:
			total += s.GetCounter().GetValue()
		case s.Untyped != nil:
			total += s.GetUntyped().GetValue()
		}
	}
	return total
}
