//go:build bench

package scale

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/ozg-operator/ozg-operator/internal/testsupport/benchsummary"
)

// Goals of the issue "Readiness roll-up with minimal writes at scale".
const (
	goalConvergenceRatio = 1.5
	goalWritesRatio      = 1.1
)

// phaseResult is what one phase of the benchmark measured.
type phaseResult struct {
	name     string
	duration time.Duration
	writes   writeCounts
	least    leastWrites
	// changes counts the status changes the benchmark's informers saw, by
	// kind: issued writes minus changes are writes that changed nothing
	// or conflicted.
	changes map[string]int
	// kubeletWrites counts the kubelet player's Deployment status writes.
	kubeletWrites int64
	// settled holds, by kind, how long after the start of the phase the
	// kind's statuses last became equal to the recount.
	settled map[string]time.Duration
	// cpu holds the CPU seconds the processes used during the phase:
	// "manager", "API server", "benchmark".
	cpu map[string]float64
}

// rollupResult is everything one run of the roll-up benchmark measured.
type rollupResult struct {
	scenario *scenario
	workers  int
	// peakRSSGoalMiB is the bound the table shows beside the peak RSS.
	peakRSSGoalMiB int
	// load is how long the bare client took to create the scenario.
	load                      time.Duration
	convergence, rest, change phaseResult
	changeSet                 changeSet
	// bareStatusByKind is how long the bare client took for the status
	// patches of each kind; bareStatus is their sum. bareFirstByKind and
	// bareFirst are the same for the first statuses.
	bareStatusByKind, bareFirstByKind                  map[string]time.Duration
	bareStatus, bareFirst, bareChildren                time.Duration
	bareStatusWrites, bareFirstWrites, bareChildWrites int
	// bareCPU is what the bare client's three phases cost in CPU.
	bareCPU                   cpuSeconds
	rssAtConvergence, peakRSS int64
	etcdBytes                 float64
	// changeErr says why the change experiment did not reconverge.
	changeErr         error
	managerErrors     int
	firstManagerError string
}

// convergenceRatio is the operator's convergence time over the bare
// client's time for the same final statuses: the headline ratio.
func (r *rollupResult) convergenceRatio() float64 {
	return r.convergence.duration.Seconds() / r.bareStatus.Seconds()
}

// convergenceRatioWithChildren also gives the bare client the children to
// create, which the operator has to write as well.
func (r *rollupResult) convergenceRatioWithChildren() float64 {
	return r.convergence.duration.Seconds() / (r.bareStatus + r.bareChildren).Seconds()
}

// convergenceRatioToDesignLeast gives the bare client every write the
// design allows no operator to leave out: the first statuses, the final
// statuses and the children (all but the kubelet's Deployment statuses).
func (r *rollupResult) convergenceRatioToDesignLeast() float64 {
	return r.convergence.duration.Seconds() / (r.bareFirst + r.bareStatus + r.bareChildren).Seconds()
}

// busyCores is how many cores cpu seconds kept busy over d on average.
func busyCores(cpu float64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return cpu / d.Seconds()
}

// ratio is issued over least writes; with no least writes, every issued
// write is excess.
func ratio(issued, least int) float64 {
	if least == 0 {
		return float64(issued)
	}
	return float64(issued) / float64(least)
}

// mib is a mebibyte.
const mib = 1 << 20

// reportMetrics hands the headline numbers to the benchmark framework.
func (r *rollupResult) reportMetrics(b *testing.B) {
	b.ReportMetric(r.convergence.duration.Seconds(), "convergence-s")
	b.ReportMetric(r.bareStatus.Seconds(), "bare-status-s")
	b.ReportMetric(r.convergenceRatio(), "convergence/bare")
	b.ReportMetric(r.convergenceRatioWithChildren(), "convergence/bare-all")
	b.ReportMetric(float64(r.convergence.writes.total()), "writes")
	b.ReportMetric(r.convergenceRatioToDesignLeast(), "convergence/bare-design")
	b.ReportMetric(float64(r.convergence.least.total()), "least-writes")
	b.ReportMetric(ratio(r.convergence.writes.total(), r.convergence.least.total()), "writes/least")
	b.ReportMetric(ratio(r.convergence.writes.total(), r.convergence.least.withFirsts()), "writes/least-design")
	b.ReportMetric(float64(r.rest.writes.total()), "rest-writes")
	b.ReportMetric(float64(r.peakRSS)/mib, "peak-rss-MiB")
	b.ReportMetric(r.change.duration.Seconds(), "change-s")
	b.ReportMetric(ratio(r.change.writes.total(), r.change.least.total()), "change-writes/least")
	// bin/bench/summary.json (make bench), one section per scale.
	if err := benchsummary.Record(strings.ToLower(r.scenario.name), map[string]any{
		"convergence_s":               r.convergence.duration.Seconds(),
		"convergence_vs_design_floor": r.convergenceRatioToDesignLeast(),
		"writes":                      r.convergence.writes.total(),
		"writes_vs_design_least":      ratio(r.convergence.writes.total(), r.convergence.least.withFirsts()),
		"rest_writes":                 r.rest.writes.total(),
		"rss_mib":                     float64(r.peakRSS) / mib,
		"change_writes_vs_least":      ratio(r.change.writes.total(), r.change.least.total()),
	}); err != nil {
		b.Error(err)
	}
}

// print writes the result as two tables: times and memory, then writes.
func (r *rollupResult) print(w io.Writer) {
	s := r.scenario
	fmt.Fprintf(w, "\nRoll-up at %s scale: %d OZG services, %d administrations tracking %d service states, %d portals (%d published); %d workers for the bare client\n\n",
		s.name, len(s.services), len(s.administrations), s.serviceStates(), len(s.portals), s.published(), r.workers)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(cells ...string) { fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t") }
	secs := func(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }
	times := func(x float64) string { return fmt.Sprintf("%.2fx", x) }
	row("measure", "value", "goal")
	row("load: bare client creates all objects", secs(r.load), "")
	row("convergence: manager start to recount and all portals Ready", secs(r.convergence.duration), "")
	for _, kind := range rolledUpKinds {
		row(fmt.Sprintf("  %s statuses settled after", kind), secs(r.convergence.settled[kind]), "")
	}
	row(fmt.Sprintf("  CPU: manager %.0f s, API server %.0f s, benchmark %.0f s", r.convergence.cpu["manager"], r.convergence.cpu["API server"], r.convergence.cpu["benchmark"]), "", "")
	row(fmt.Sprintf("bare client: %d status patches", r.bareStatusWrites), secs(r.bareStatus), "")
	for _, kind := range rolledUpKinds {
		row("  "+kind, secs(r.bareStatusByKind[kind]), "")
	}
	row("  convergence / bare statuses", times(r.convergenceRatio()), fmt.Sprintf("<= %.1fx", goalConvergenceRatio))
	row(fmt.Sprintf("bare client: %d child creates", r.bareChildWrites), secs(r.bareChildren), "")
	row("  convergence / bare statuses and children", times(r.convergenceRatioWithChildren()), "")
	row(fmt.Sprintf("bare client: %d first statuses (Ready from the first reconcile)", r.bareFirstWrites), secs(r.bareFirst), "")
	for _, kind := range rolledUpKinds {
		row("  "+kind, secs(r.bareFirstByKind[kind]), "")
	}
	row("  convergence / bare first and final statuses and children", times(r.convergenceRatioToDesignLeast()), "")
	floor := r.bareFirst + r.bareStatus + r.bareChildren
	row(fmt.Sprintf("  CPU of those: API server %.0f s, benchmark %.0f s", r.bareCPU.server, r.bareCPU.benchmark), "", "")
	row("  cores busy: convergence / the floor's", fmt.Sprintf("%.2f / %.2f", busyCores(r.convergence.cpu["manager"]+r.convergence.cpu["API server"]+r.convergence.cpu["benchmark"], r.convergence.duration),
		busyCores(r.bareCPU.server+r.bareCPU.benchmark, floor)), "")
	row(fmt.Sprintf("writes during %v at rest", r.rest.duration.Round(time.Second)), fmt.Sprint(r.rest.writes.total()), "0")
	changeTime := secs(r.change.duration)
	if r.changeErr != nil {
		changeTime = "not reconverged"
	}
	row(fmt.Sprintf("change: %d publish flips, %d administrations x %d states", len(r.changeSet.portals), len(r.changeSet.administrations), r.changeSet.statesPerAdministration),
		changeTime, "")
	if r.changeErr == nil {
		row(fmt.Sprintf("  settled after: %s %.1f s, %s %.1f s, %s %.1f s", kindAdministration, r.change.settled[kindAdministration].Seconds(),
			kindService, r.change.settled[kindService].Seconds(), kindPortal, r.change.settled[kindPortal].Seconds()), "", "")
	}
	row("manager RSS at convergence", fmt.Sprintf("%.0f MiB", float64(r.rssAtConvergence)/mib), "")
	row("manager peak RSS (VmHWM)", fmt.Sprintf("%.0f MiB", float64(r.peakRSS)/mib), fmt.Sprintf("< %d MiB", r.peakRSSGoalMiB))
	row("etcd database at the end", fmt.Sprintf("%.0f MiB", r.etcdBytes/mib), "")
	row("manager log lines with errors", fmt.Sprint(r.managerErrors), "0")
	tw.Flush()
	if r.changeErr != nil {
		fmt.Fprintf(w, "the change did not reconverge: %v\n", r.changeErr)
	}
	if r.firstManagerError != "" {
		fmt.Fprintf(w, "first manager error: %s\n", r.firstManagerError)
	}

	fmt.Fprintln(w, "\nOperator writes by phase (issued: API server request counts; least: see leastWrites; +first: first statuses the design adds, total and ratio with them; changes: status changes the informers saw)")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	row("phase", "", kindAdministration, kindService, kindPortal, "rollouts", "children", "total", "409", "issued/least", "goal")
	for _, p := range []*phaseResult{&r.convergence, &r.rest, &r.change} {
		wr, l := p.writes, p.least
		goal := fmt.Sprintf("<= %.1fx", goalWritesRatio)
		if p == &r.rest {
			goal = "0 writes"
		}
		row(p.name, "issued", fmt.Sprint(wr.status(kindAdministration)), fmt.Sprint(wr.status(kindService)), fmt.Sprint(wr.status(kindPortal)),
			"", fmt.Sprint(wr.children()), fmt.Sprint(wr.total()), fmt.Sprint(wr.conflicts()),
			times(ratio(wr.total(), l.total())), goal)
		row("", "least", fmt.Sprint(l.status[kindAdministration]), fmt.Sprint(l.status[kindService]), fmt.Sprint(l.status[kindPortal]),
			fmt.Sprint(l.rollouts), fmt.Sprint(l.children), fmt.Sprint(l.total()), "", "", "")
		row("", "+first", fmt.Sprint(l.firsts[kindAdministration]), fmt.Sprint(l.firsts[kindService]), "",
			"", "", fmt.Sprint(l.withFirsts()), "", times(ratio(wr.total(), l.withFirsts())), "")
		row("", "changes", fmt.Sprint(p.changes[kindAdministration]), fmt.Sprint(p.changes[kindService]), fmt.Sprint(p.changes[kindPortal]),
			"", "", "", "", "", "")
	}
	tw.Flush()

	fmt.Fprintln(w, "\nManager client and reconciles by phase")
	for _, p := range []*phaseResult{&r.convergence, &r.rest, &r.change} {
		fmt.Fprintf(w, "  %-12s writes %s (total %d, API server saw %d: %s); GETs %d; kubelet player %d; reconciles %s; CPU s: manager %.1f, API server %.1f, benchmark %.1f\n",
			p.name, formatCounts(p.writes.manager), p.writes.managerTotal(), p.writes.total(), formatCounts(p.writes.server),
			p.writes.managerReads, p.kubeletWrites, formatCounts(p.writes.reconciles), p.cpu["manager"], p.cpu["API server"], p.cpu["benchmark"])
	}
	fmt.Fprintln(w)
}

// formatCounts prints a map as "a 1, b 2" in key order.
func formatCounts(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	parts := make([]string, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}
