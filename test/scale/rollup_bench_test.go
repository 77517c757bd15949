//go:build bench

package scale

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap/zapcore"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/ozg-operator/ozg-operator/internal/kubeletsim"
)

const (
	// workers is the concurrency of the benchmark's own clients: loading,
	// the kubelet player and the bare-client yardstick.
	workers = 8
	// restWindow is how long the benchmark watches the converged operator
	// for writes; it is the measurement, not a wait for anything.
	restWindow = 60 * time.Second
	// changeTail is how long writes after the change experiment converged
	// still count as writes of the change: late duplicates are waste too.
	changeTail = 15 * time.Second
	// seed makes every run load the same scenario and make the same change.
	seed = 2023
)

// rollupConfig sizes one run of the roll-up benchmark.
type rollupConfig struct {
	scenario           func(testing.TB, *rand.Rand) *scenario
	cluster            clusterOptions
	convergenceTimeout time.Duration
	// peakRSSGoalMiB is the bound on the manager's peak RSS.
	peakRSSGoalMiB int
	// The change experiment: flipped portals, changed administrations and
	// changed service states in each.
	flips, changedAdministrations, statesPerAdministration int
}

// BenchmarkRollupNRW loads North Rhine-Westphalia (557 OZG services, 427
// administrations with 100-300 service states each, 396 portals, 44 %
// published) into a real API server, starts the manager built from this
// checkout as a subprocess, and measures in one run:
//
//   - convergence: from the manager's start until every Administration and
//     OZGService status equals a brute-force recount and every portal is
//     Ready, next to the time a bare client needs to patch the same final
//     statuses (ratio; goal <= 1.5x);
//   - the operator's writes against the least the change needs (see
//     leastWrites; goal <= 1.1x) and during 60 s at rest (goal 0);
//   - both next to the least the design allows: with the first statuses
//     that Ready-on-the-first-reconcile adds (leastWrites.firsts), which
//     the bare client writes too;
//   - the manager's peak RSS (goal < 300 MiB);
//   - a change: 10 portals flip publish, 20 administrations change 10
//     service states each; time to reconverge and writes against least.
//
// The machine is shared: compare the ratios, which are measured in the
// same run, rather than absolute times between runs. Run it with
//
//	KUBEBUILDER_ASSETS=$PWD/bin/k8s go test -tags bench -run '^$' -bench BenchmarkRollupNRW -benchtime 1x -timeout 60m ./test/scale/
func BenchmarkRollupNRW(b *testing.B) {
	runRollup(b, rollupConfig{
		scenario:                nrwScenario,
		convergenceTimeout:      10 * time.Minute,
		peakRSSGoalMiB:          300,
		flips:                   10,
		changedAdministrations:  20,
		statesPerAdministration: 10,
	})
}

// germanyAdministrations is about the number of municipalities in Germany.
const germanyAdministrations = 11000

// BenchmarkRollupGermany is BenchmarkRollupNRW with 11,000
// administrations (NRW's and synthetic ones) and a portal for each
// municipality. It takes long and much memory, so it runs only with
// OZG_BENCH_GERMANY=1; its memory goal holds with the chart's GOMEMLIMIT
// for a 512Mi container:
//
//	OZG_BENCH_GERMANY=1 OZG_BENCH_MANAGER_GOMEMLIMIT=460MiB KUBEBUILDER_ASSETS=$PWD/bin/k8s go test -tags bench -run '^$' -bench BenchmarkRollupGermany -benchtime 1x -timeout 300m ./test/scale/
func BenchmarkRollupGermany(b *testing.B) {
	if os.Getenv("OZG_BENCH_GERMANY") != "1" {
		b.Skip("set OZG_BENCH_GERMANY=1 to run the Germany-scale benchmark (hours, several GiB)")
	}
	runRollup(b, rollupConfig{
		scenario: func(tb testing.TB, rng *rand.Rand) *scenario {
			return germanyScenario(tb, rng, germanyAdministrations)
		},
		cluster:                 clusterOptions{etcdQuotaBytes: 8 << 30},
		convergenceTimeout:      4 * time.Hour,
		peakRSSGoalMiB:          512, // issue 33, with the chart's GOMEMLIMIT (above)
		flips:                   10,
		changedAdministrations:  20,
		statesPerAdministration: 10,
	})
}

// runRollup runs the scenario once, whatever b.N is: each run needs a
// fresh cluster, and one takes minutes (run with -benchtime 1x).
func runRollup(b *testing.B, cfg rollupConfig) {
	run := newRollupRun(b, cfg)
	converged := run.convergeFromColdStart()
	run.manager.writeHeapProfile(b)
	rested := run.stayAtRest(converged)
	run.changeAndReconverge(rested)
	run.stopManager()
	run.measureBareClient()
	run.result.print(os.Stdout)
	run.result.reportMetrics(b)
}

// rollupRun is one run of the roll-up benchmark: the loaded cluster, the
// benchmark's own informers, and the manager under test.
type rollupRun struct {
	b       *testing.B
	ctx     context.Context
	cfg     rollupConfig
	rng     *rand.Rand
	cluster *testCluster
	watcher *statusWatcher
	kubelet *kubeletsim.Player
	manager *managerProcess
	binary  string
	result  *rollupResult
}

// newRollupRun starts the cluster and the benchmark's informers and
// loads the scenario.
func newRollupRun(b *testing.B, cfg rollupConfig) *rollupRun {
	b.StopTimer()
	// The benchmark's informers log through controller-runtime; only
	// their errors matter here.
	ctrllog.SetLogger(zap.New(zap.WriteTo(os.Stderr), zap.Level(zapcore.ErrorLevel)))
	r := &rollupRun{b: b, ctx: b.Context(), cfg: cfg, rng: rand.New(rand.NewPCG(seed, 1))}
	sc := cfg.scenario(b, r.rng)
	r.result = &rollupResult{scenario: sc, workers: workers, peakRSSGoalMiB: cfg.peakRSSGoalMiB}
	r.cluster = startCluster(b, cfg.cluster)
	r.binary = managerBinary(b)

	// The kubelet player reacts to Deployment events, the watcher
	// recounts on status events.
	informers, err := cache.New(r.cluster.config, cache.Options{
		Scheme:            r.cluster.client.Scheme(),
		DefaultNamespaces: map[string]cache.Config{portalNamespace: {}},
	})
	if err != nil {
		b.Fatal(err)
	}
	if r.watcher, err = newStatusWatcher(r.ctx, informers); err != nil {
		b.Fatal(err)
	}
	r.watcher.progress = r.progress
	if r.kubelet, err = kubeletsim.Start(r.ctx, r.cluster.client, informers, kubeletsim.Options{Workers: workers}); err != nil {
		b.Fatal(err)
	}
	go func() {
		if err := informers.Start(r.ctx); err != nil {
			b.Error(err)
		}
	}()
	if !informers.WaitForCacheSync(r.ctx) {
		b.Fatal("the benchmark's informers did not sync")
	}

	start := time.Now()
	if err := sc.create(r.ctx, r.cluster.client, workers); err != nil {
		b.Fatalf("loading the scenario: %v", err)
	}
	r.result.load = time.Since(start)
	r.progress("loaded %d services, %d administrations, %d portals in %.1f s", len(sc.services), len(sc.administrations), len(sc.portals), r.result.load.Seconds())
	return r
}

// mark is the state of the counters (and optionally of the objects) at
// one point of the run; a phase is measured between two marks.
type mark struct {
	server, manager scrape
	snapshot        *stateSnapshot
	changes         map[string]int
	kubelet         int64
	benchmarkCPU    float64
	at              time.Time
}

// takeMark scrapes the API server and the manager (if it runs) and, with
// withSnapshot, reads the objects for computeLeastWrites.
func (r *rollupRun) takeMark(withSnapshot bool) mark {
	m := mark{changes: r.watcher.statusChanges(), kubelet: r.kubelet.Writes(), benchmarkCPU: ownCPUSeconds(), at: time.Now()}
	var err error
	if m.server, err = scrapeAPIServer(r.ctx, r.cluster.config); err != nil {
		r.fatalf("scraping the API server: %v", err)
	}
	if r.manager != nil {
		if m.manager, err = r.manager.scrape(r.ctx); err != nil {
			r.fatalf("scraping the manager: %v", err)
		}
	}
	if withSnapshot {
		if m.snapshot, err = takeSnapshot(r.ctx, r.cluster.client); err != nil {
			r.fatalf("reading the objects: %v", err)
		}
	}
	return m
}

// phase measures what happened between two marks; conv tells when the
// phase, which began at start, converged.
func (r *rollupRun) phase(name string, from, to mark, start time.Time, conv convergence) phaseResult {
	p := phaseResult{
		name:          name,
		duration:      conv.at.Sub(start),
		writes:        measureWrites(from.server, to.server, from.manager, to.manager),
		changes:       counterDelta(toFloats(from.changes), toFloats(to.changes)),
		kubeletWrites: to.kubelet - from.kubelet,
		settled:       map[string]time.Duration{},
		cpu: map[string]float64{
			"manager":    to.manager.sum(processCPU, nil) - from.manager.sum(processCPU, nil),
			"API server": to.server.sum(processCPU, nil) - from.server.sum(processCPU, nil),
			"benchmark":  to.benchmarkCPU - from.benchmarkCPU,
		},
	}
	for kind, at := range conv.kinds {
		p.settled[kind] = at.Sub(start)
	}
	if from.snapshot != nil && to.snapshot != nil {
		p.least = computeLeastWrites(from.snapshot, to.snapshot)
	}
	return p
}

// progress prints a line at once: b.Log holds its lines until the
// benchmark ends, and a Germany run takes hours.
func (r *rollupRun) progress(format string, args ...any) {
	fmt.Fprintf(os.Stdout, "%s %s: %s\n", time.Now().Format(time.TimeOnly), r.b.Name(), fmt.Sprintf(format, args...))
}

// fatalf ends the run, with the end of the manager's log if it ran.
func (r *rollupRun) fatalf(format string, args ...any) {
	r.b.Helper()
	if r.manager != nil {
		r.b.Logf("manager peak RSS %.0f MiB; log (last lines):\n%s", float64(r.manager.peakRSS())/mib, r.manager.LogTail(30))
	}
	r.b.Fatalf(format, args...)
}

// convergeFromColdStart starts the manager with every object in place
// and waits until every status equals the recount.
func (r *rollupRun) convergeFromColdStart() mark {
	before := r.takeMark(true)
	r.b.StartTimer()
	r.manager = startManager(r.b, r.binary, r.cluster.kubeconfig)
	converged, err := r.watcher.awaitConverged(r.ctx, nil, r.cfg.convergenceTimeout, r.manager.Exited())
	r.b.StopTimer()
	if err != nil {
		r.fatalf("convergence: %v", err)
	}
	if r.result.rssAtConvergence, err = r.manager.rss(); err != nil {
		r.fatalf("reading the manager's RSS: %v", err)
	}
	after := r.takeMark(true)
	r.result.convergence = r.phase("convergence", before, after, r.manager.started, converged)
	r.progress("converged after %.1f s (%d writes)", r.result.convergence.duration.Seconds(), r.result.convergence.writes.total())
	return after
}

// stayAtRest counts the writes of the converged operator during
// restWindow.
func (r *rollupRun) stayAtRest(from mark) mark {
	r.await(restWindow, "at rest")
	after := r.takeMark(true)
	r.result.rest = r.phase("rest", from, after, from.at, convergence{at: after.at})
	r.progress("%d writes during %v at rest", r.result.rest.writes.total(), restWindow)
	return after
}

// changeAndReconverge flips portals' publish and changes service states,
// waits until every status equals the recount again, and counts the
// writes until changeTail after that.
func (r *rollupRun) changeAndReconverge(from mark) {
	r.result.changeSet = r.result.scenario.pickChanges(r.rng, r.cfg.flips, r.cfg.changedAdministrations, r.cfg.statesPerAdministration)
	start := time.Now()
	generations, err := r.result.changeSet.apply(r.ctx, r.cluster.client, r.rng)
	if err != nil {
		r.fatalf("applying the change: %v", err)
	}
	// A change of a few dozen objects gets five times as long as the cold
	// start took (at least a minute): longer means stuck, not slow.
	timeout := max(time.Minute, 5*r.result.convergence.duration)
	converged, err := r.watcher.awaitConverged(r.ctx, generations, timeout, r.manager.Exited())
	if err != nil {
		// The numbers so far still tell something: report them, and fail.
		r.result.changeErr = err
		r.b.Errorf("the change did not reconverge: %v", err)
		converged = convergence{at: time.Now()}
	} else {
		r.await(changeTail, "after the change")
	}
	after := r.takeMark(true)
	r.result.change = r.phase("change", from, after, start, converged)
	if r.result.changeErr == nil {
		r.progress("change reconverged after %.1f s (%d writes)", r.result.change.duration.Seconds(), r.result.change.writes.total())
	}
	r.result.etcdBytes = etcdSizeBytes(after.server)
}

// await lets d pass while the manager runs.
func (r *rollupRun) await(d time.Duration, during string) {
	select {
	case <-time.After(d):
	case <-r.manager.Exited():
		r.fatalf("the manager exited %s", during)
	case <-r.ctx.Done():
		r.b.Fatal(r.ctx.Err())
	}
}

// stopManager reads the manager's peak memory and log, then stops it.
func (r *rollupRun) stopManager() {
	r.result.peakRSS = r.manager.peakRSS()
	r.result.managerErrors, r.result.firstManagerError = r.manager.errorLines()
	r.manager.stop()
}

// measureBareClient times the yardstick, with the manager gone: the same
// final statuses written by a bare client and, for reference, the first
// statuses the design requires before them and the same children.
func (r *rollupRun) measureBareClient() {
	c, res := r.cluster.client, r.result
	patches, err := readFinalStatuses(r.ctx, c)
	if err != nil {
		r.b.Fatal(err)
	}
	if err := clearStatuses(r.ctx, c, patches, workers); err != nil {
		r.b.Fatalf("clearing statuses: %v", err)
	}
	// The CPU the floor's writes cost, next to the convergence's: on a
	// machine whose cores the convergence keeps busy, the manager's own
	// CPU is what it cannot win back against the floor.
	before := r.cpuNow()
	if res.bareFirstByKind, res.bareFirstWrites, err = writeStatuses(r.ctx, c, patches, firstStatus, workers); err != nil {
		r.b.Fatalf("bare first status writes: %v", err)
	}
	if res.bareStatusByKind, res.bareStatusWrites, err = writeStatuses(r.ctx, c, patches, finalStatus, workers); err != nil {
		r.b.Fatalf("bare status writes: %v", err)
	}
	for _, d := range res.bareFirstByKind {
		res.bareFirst += d
	}
	for _, d := range res.bareStatusByKind {
		res.bareStatus += d
	}

	statusesCPU := r.cpuNow().minus(before)

	children, err := readChildren(r.ctx, c)
	if err != nil {
		r.b.Fatal(err)
	}
	before = r.cpuNow()
	if res.bareChildren, err = createChildCopies(r.ctx, c, children, portalNamespace+"-bare", workers); err != nil {
		r.b.Fatalf("bare child creates: %v", err)
	}
	res.bareChildWrites = len(children)
	res.bareCPU = statusesCPU.plus(r.cpuNow().minus(before))
}

// cpuSeconds are the CPU seconds the API server and the benchmark have
// used (the manager does not run in the bare client's phases).
type cpuSeconds struct{ server, benchmark float64 }

func (a cpuSeconds) minus(b cpuSeconds) cpuSeconds {
	return cpuSeconds{a.server - b.server, a.benchmark - b.benchmark}
}

func (a cpuSeconds) plus(b cpuSeconds) cpuSeconds {
	return cpuSeconds{a.server + b.server, a.benchmark + b.benchmark}
}

// cpuNow reads the API server's and the benchmark's CPU counters.
func (r *rollupRun) cpuNow() cpuSeconds {
	s, err := scrapeAPIServer(r.ctx, r.cluster.config)
	if err != nil {
		r.fatalf("scraping the API server: %v", err)
	}
	return cpuSeconds{server: s.sum(processCPU, nil), benchmark: ownCPUSeconds()}
}

// processCPU is the CPU time counter of Prometheus' process collector,
// which both the manager and the API server expose.
const processCPU = "process_cpu_seconds_total"

// ownCPUSeconds is the CPU time this process has used: the benchmark's
// informers, recounts and kubelet player compete with the manager for the
// machine's cores.
func ownCPUSeconds() float64 {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano()).Seconds()
}

// toFloats converts counts for counterDelta.
func toFloats(m map[string]int) map[string]float64 {
	out := make(map[string]float64, len(m))
	for k, v := range m {
		out[k] = float64(v)
	}
	return out
}
