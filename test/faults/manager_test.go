package faults

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// buildManager builds ./cmd/manager of this checkout, so that the tests
// never run a stale bin/manager.
func buildManager() string {
	dir, err := os.MkdirTemp("", "ozg-faults-manager-")
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(os.RemoveAll, dir)
	out := filepath.Join(dir, "manager")
	build := exec.Command("go", "build", "-o", out, "./cmd/manager")
	build.Dir = moduleRoot
	output, err := build.CombinedOutput()
	Expect(err).NotTo(HaveOccurred(), "building the manager:\n%s", output)
	return out
}

// managerProcess is the operator's manager running as a subprocess, as in
// a cluster: with its own caches and its own leader election, so that the
// test can SIGKILL it like a node failure would.
type managerProcess struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	// exited is closed when the process has exited.
	exited chan struct{}
}

// managerOptions are the flags that differ between the scenarios.
type managerOptions struct {
	// leaderElectionNamespace turns leader election on, with the Lease in
	// this namespace.
	leaderElectionNamespace string
}

// startManager runs the manager against the test cluster. Its output goes
// to a file in the spec's temp dir; when the spec fails, the tail of it is
// printed. The process is stopped when the spec ends.
func startManager(name string, opts managerOptions) *managerProcess {
	GinkgoHelper()
	logPath := filepath.Join(GinkgoT().TempDir(), name+".log")
	logFile, err := os.Create(logPath)
	Expect(err).NotTo(HaveOccurred())
	args := []string{
		"--metrics-bind-address=0",
		// Probes do not take port 0; a free port that was free a moment ago
		// will do, nothing here queries them.
		"--health-probe-bind-address=" + freeAddr(),
		"--portal-image=registry.example.de/portal",
	}
	if ns := opts.leaderElectionNamespace; ns != "" {
		args = append(args, "--leader-elect", "--leader-election-namespace="+ns)
	}
	cmd := exec.Command(managerBin, args...)
	// exec keeps the last of duplicate variables: this KUBECONFIG wins.
	cmd.Env = append(os.Environ(), "KUBECONFIG="+cluster.kubeconfig)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	Expect(cmd.Start()).To(Succeed())
	m := &managerProcess{name: name, cmd: cmd, logPath: logPath, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		logFile.Close()
		close(m.exited)
	}()
	fmt.Fprintf(GinkgoWriter, "started manager %s, pid %d, log %s\n", name, m.pid(), logPath)
	DeferCleanup(func() {
		if CurrentSpecReport().Failed() {
			fmt.Fprintf(GinkgoWriter, "\n--- last lines of manager %s (pid %d) ---\n%s\n--- end of manager %s ---\n",
				m.name, m.pid(), m.logTail(80), m.name)
		}
		m.stop()
	})
	return m
}

func (m *managerProcess) pid() int { return m.cmd.Process.Pid }

// running reports whether the process has not exited.
func (m *managerProcess) running() bool {
	select {
	case <-m.exited:
		return false
	default:
		return true
	}
}

// kill sends SIGKILL, as a node failure or the OOM killer would: no
// deferred cleanup, no lease release, requests in flight cut off.
func (m *managerProcess) kill() {
	GinkgoHelper()
	Expect(m.cmd.Process.Signal(syscall.SIGKILL)).To(Succeed())
	Eventually(m.exited).WithTimeout(10 * time.Second).Should(BeClosed())
}

// stop asks the manager to shut down (SIGTERM, as the kubelet does) and
// kills it if it has not exited after 10 seconds.
func (m *managerProcess) stop() {
	if !m.running() {
		return
	}
	_ = m.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-m.exited:
	case <-time.After(10 * time.Second):
		_ = m.cmd.Process.Kill()
		<-m.exited
	}
}

// log returns the manager's output so far.
func (m *managerProcess) log() string {
	data, err := os.ReadFile(m.logPath)
	if err != nil {
		return err.Error()
	}
	return string(data)
}

// logTail returns the last lines of the manager's output.
func (m *managerProcess) logTail(lines int) string {
	all := strings.Split(strings.TrimRight(m.log(), "\n"), "\n")
	return strings.Join(all[max(0, len(all)-lines):], "\n")
}

// freeAddr returns a local address with a port that was free a moment ago.
func freeAddr() string {
	GinkgoHelper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	defer l.Close()
	return l.Addr().String()
}
