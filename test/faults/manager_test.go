package faults

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/ozg-operator/ozg-operator/internal/testsupport/managerproc"
)

// buildManager builds ./cmd/manager of this checkout, so that the tests
// never run a stale bin/manager.
func buildManager() string {
	dir, err := os.MkdirTemp("", "ozg-faults-manager-")
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(os.RemoveAll, dir)
	bin, err := managerproc.Build(dir)
	Expect(err).NotTo(HaveOccurred())
	return bin
}

// managerProcess is the operator's manager running as a subprocess, with
// its own caches and its own leader election, so that the test can
// SIGKILL it like a node failure would.
type managerProcess struct {
	*managerproc.Process
	name string
}

// managerOptions are the flags that differ between the scenarios.
type managerOptions struct {
	// leaderElectionNamespace turns leader election on, with the Lease in
	// this namespace.
	leaderElectionNamespace string
	// args are further flags.
	args []string
}

// startManager runs the manager against the test cluster. Its output goes
// to a file in the spec's temp dir; when the spec fails, the tail of it is
// printed. The process is stopped when the spec ends.
func startManager(name string, opts managerOptions) *managerProcess {
	GinkgoHelper()
	// Probes do not take port 0; a free port that was free a moment ago
	// will do, nothing here queries them.
	probeAddr, err := managerproc.FreeAddr()
	Expect(err).NotTo(HaveOccurred())
	args := []string{
		"--metrics-bind-address=0",
		"--health-probe-bind-address=" + probeAddr,
		"--portal-image=registry.example.de/portal",
	}
	if ns := opts.leaderElectionNamespace; ns != "" {
		args = append(args, "--leader-elect", "--leader-election-namespace="+ns)
	}
	args = append(args, opts.args...)
	p, err := managerproc.Start(managerBin, cluster.kubeconfig, filepath.Join(GinkgoT().TempDir(), name+".log"), args...)
	Expect(err).NotTo(HaveOccurred())
	m := &managerProcess{Process: p, name: name}
	fmt.Fprintf(GinkgoWriter, "started manager %s, pid %d, log %s\n", name, m.Pid(), m.LogPath)
	DeferCleanup(func() {
		if CurrentSpecReport().Failed() {
			fmt.Fprintf(GinkgoWriter, "\n--- last lines of manager %s (pid %d) ---\n%s\n--- end of manager %s ---\n",
				m.name, m.Pid(), m.LogTail(80), m.name)
		}
		m.stop()
	})
	return m
}

// kill sends SIGKILL and waits until the process is gone.
func (m *managerProcess) kill() {
	GinkgoHelper()
	Expect(m.Kill()).To(Succeed())
	Eventually(m.Exited()).WithTimeout(10 * time.Second).Should(BeClosed())
}

// starts counts how often the manager logged its start.
func (m *managerProcess) starts() int { return strings.Count(m.Log(), "starting manager") }

// stop shuts the manager down as the kubelet does, with 10 seconds' grace.
func (m *managerProcess) stop() { m.Stop(10 * time.Second) }
