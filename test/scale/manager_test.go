//go:build bench

package scale

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// managerBinary returns the manager to measure: $OZG_BENCH_MANAGER, or
// ./cmd/manager of this checkout built afresh, so that a stale bin/manager
// is never measured by mistake.
func managerBinary(tb testing.TB) string {
	tb.Helper()
	if path := os.Getenv("OZG_BENCH_MANAGER"); path != "" {
		return path
	}
	out := filepath.Join(tb.TempDir(), "manager")
	build := exec.Command("go", "build", "-o", out, "./cmd/manager")
	build.Dir = moduleRoot
	if output, err := build.CombinedOutput(); err != nil {
		tb.Fatalf("building the manager: %v\n%s", err, output)
	}
	return out
}

// managerProcess is the operator's manager running as a subprocess, as
// in a cluster: with its own caches, its own memory and its own metrics.
type managerProcess struct {
	cmd *exec.Cmd
	// started is when the process was started.
	started time.Time
	// metricsURL is the manager's Prometheus endpoint.
	metricsURL string
	// logPath holds the manager's output.
	logPath string
	// exited is closed when the process has exited.
	exited   chan struct{}
	stopOnce sync.Once
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
	metricsAddr, probeAddr := freeAddr(tb), freeAddr(tb)
	logPath := filepath.Join(tb.TempDir(), "manager.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(binary,
		"--metrics-bind-address="+metricsAddr,
		"--health-probe-bind-address="+probeAddr)
	// exec keeps the last of duplicate variables: this KUBECONFIG wins.
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	m := &managerProcess{cmd: cmd, metricsURL: "http://" + metricsAddr + "/metrics", logPath: logPath, exited: make(chan struct{})}
	m.started = time.Now()
	if err := cmd.Start(); err != nil {
		tb.Fatalf("starting the manager: %v", err)
	}
	go func() {
		_ = cmd.Wait()
		logFile.Close()
		close(m.exited)
	}()
	go m.samplePeakRSS()
	tb.Cleanup(m.stop)
	return m
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
		case <-m.exited:
			return
		}
	}
}

// freeAddr returns a local address with a port that was free a moment ago.
func freeAddr(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// stop asks the manager to shut down (SIGTERM, as the kubelet does) and
// kills it if it has not exited after 30 seconds.
func (m *managerProcess) stop() {
	m.stopOnce.Do(func() {
		_ = m.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-m.exited:
		case <-time.After(30 * time.Second):
			_ = m.cmd.Process.Kill()
			<-m.exited
		}
	})
}

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
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", m.cmd.Process.Pid))
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
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, m.cmd.Process.Pid)
}

// logTail returns the last lines of the manager's output, for failures.
func (m *managerProcess) logTail(lines int) string {
	data, err := os.ReadFile(m.logPath)
	if err != nil {
		return err.Error()
	}
	all := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	return strings.Join(all[max(0, len(all)-lines):], "\n")
}

// errorLines counts the lines of the manager's output that report errors.
func (m *managerProcess) errorLines() (int, string) {
	data, err := os.ReadFile(m.logPath)
	if err != nil {
		return 0, ""
	}
	n, first := 0, ""
	for line := range strings.SplitSeq(string(data), "\n") {
		if strings.Contains(line, "ERROR") || strings.Contains(line, `"level":"error"`) {
			if n++; first == "" {
				first = line
			}
		}
	}
	return n, first
}
