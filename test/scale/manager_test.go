//go:build bench

package scale

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ozg-operator/ozg-operator/internal/testsupport/managerproc"
)

// managerBinary returns the manager to measure: $OZG_BENCH_MANAGER, or
// ./cmd/manager of this checkout built afresh, so that a stale bin/manager
// is never measured by mistake.
func managerBinary(tb testing.TB) string {
	tb.Helper()
	if path := os.Getenv("OZG_BENCH_MANAGER"); path != "" {
		return path
	}
	bin, err := managerproc.Build(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	return bin
}

// managerProcess is the operator's manager running as a subprocess, with
// its own caches, its own memory and its own metrics.
type managerProcess struct {
	*managerproc.Process
	// started is when the process was started.
	started time.Time
	// metricsURL is the manager's Prometheus endpoint.
	metricsURL string
	// profilerURL is the manager's pprof endpoint, if it serves one.
	profilerURL string
	// sampledPeakRSS is the highest VmHWM seen by the sampler, which keeps
	// the peak known after the process has exited (a failed run's peak
	// matters too).
	sampledPeakRSS atomic.Int64
}

// startManager runs binary against the cluster of kubeconfig, with the
// metrics and health endpoints on free local ports. The process is
// stopped when the benchmark ends.
func startManager(tb testing.TB, binary, kubeconfig string) *managerProcess {
	tb.Helper()
	metricsAddr, err := managerproc.FreeAddr()
	if err != nil {
		tb.Fatal(err)
	}
	probeAddr, err := managerproc.FreeAddr()
	if err != nil {
		tb.Fatal(err)
	}
	m := &managerProcess{metricsURL: "http://" + metricsAddr + "/metrics", started: time.Now()}
	args := []string{"--metrics-bind-address=" + metricsAddr, "--health-probe-bind-address=" + probeAddr}
	if os.Getenv(heapProfileEnv) != "" {
		profilerAddr, err := managerproc.FreeAddr()
		if err != nil {
			tb.Fatal(err)
		}
		m.profilerURL = "http://" + profilerAddr + "/debug/pprof"
		args = append(args, "--profiler-address="+profilerAddr)
	}
	var env []string
	if limit := os.Getenv(memoryLimitEnv); limit != "" {
		env = append(env, "GOMEMLIMIT="+limit)
	}
	m.Process, err = managerproc.StartWithEnv(binary, kubeconfig, filepath.Join(tb.TempDir(), "manager.log"), env, args...)
	if err != nil {
		tb.Fatal(err)
	}
	go m.samplePeakRSS()
	tb.Cleanup(m.stop)
	return m
}

// memoryLimitEnv sets the manager's GOMEMLIMIT, as a container's memory
// limit sets it in a cluster (the manager's --memory-limit-ratio of its
// cgroup's limit): OZG_BENCH_MANAGER_GOMEMLIMIT=460MiB is the 0.9 of a
// 512Mi limit.
const memoryLimitEnv = "OZG_BENCH_MANAGER_GOMEMLIMIT"

// heapProfileEnv names a file for the manager's heap profile, taken once
// it converged from the cold start (go tool pprof -sample_index=inuse_space).
const heapProfileEnv = "OZG_BENCH_HEAP_PROFILE"

// writeHeapProfile saves the manager's heap profile to the file
// heapProfileEnv names, if it names one.
func (m *managerProcess) writeHeapProfile(tb testing.TB) {
	path := os.Getenv(heapProfileEnv)
	if path == "" || m.profilerURL == "" {
		return
	}
	resp, err := http.Get(m.profilerURL + "/heap?gc=1")
	if err != nil {
		tb.Errorf("heap profile: %v", err)
		return
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err == nil {
		err = os.WriteFile(path, data, 0o644)
	}
	if err != nil {
		tb.Errorf("heap profile: %v", err)
		return
	}
	tb.Logf("manager heap profile: %s", path)
}

// samplePeakRSS records VmHWM every second until the process exits.
func (m *managerProcess) samplePeakRSS() {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		if hwm, err := m.procStatus("VmHWM"); err == nil {
			m.sampledPeakRSS.Store(max(m.sampledPeakRSS.Load(), hwm))
		}
		select {
		case <-tick.C:
		case <-m.Exited():
			return
		}
	}
}

// stop shuts the manager down as the kubelet does, with 30 seconds' grace.
func (m *managerProcess) stop() { m.Stop(30 * time.Second) }

// scrape fetches the manager's metrics.
func (m *managerProcess) scrape(ctx context.Context) (scrape, error) {
	return scrapeURL(ctx, http.DefaultClient, m.metricsURL)
}

// peakRSS is the manager's peak resident set size so far (VmHWM), in
// bytes; after the process has exited, the last sampled one.
func (m *managerProcess) peakRSS() int64 {
	if hwm, err := m.procStatus("VmHWM"); err == nil {
		return max(m.sampledPeakRSS.Load(), hwm)
	}
	return m.sampledPeakRSS.Load()
}

// rss is the manager's current resident set size (VmRSS), in bytes.
func (m *managerProcess) rss() (int64, error) { return m.procStatus("VmRSS") }

// procStatus reads a size field ("VmHWM:  123456 kB") of /proc/<pid>/status.
func (m *managerProcess) procStatus(field string) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", m.Pid()))
	if err != nil {
		return 0, err
	}
	s := bufio.NewScanner(bytes.NewReader(data))
	for s.Scan() {
		name, value, ok := strings.Cut(s.Text(), ":")
		if !ok || name != field {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		return kb * 1024, err
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, m.Pid())
}

// errorLines counts the lines of the manager's output that report errors.
func (m *managerProcess) errorLines() (int, string) {
	n, first := 0, ""
	for line := range strings.SplitSeq(m.Log(), "\n") {
		if strings.Contains(line, "ERROR") || strings.Contains(line, `"level":"error"`) {
			if n++; first == "" {
				first = line
			}
		}
	}
	return n, first
}
