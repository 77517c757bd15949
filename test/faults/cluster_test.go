package faults

import (
	"errors"
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/ozg-operator/ozg-operator/internal/testsupport/testenv"
)

// testCluster is envtest's etcd and kube-apiserver with the operator's CRDs.
type testCluster struct {
	*testenv.Cluster
	// kubeconfig is a kubeconfig file for the manager subprocesses.
	kubeconfig string
	// certDir holds the API server's certificates; see startCluster.
	certDir string
}

// startCluster starts envtest and writes a kubeconfig for the manager. It
// skips the suite when no Kubernetes binaries are available.
//
// The API server's certificate directory is pinned, so that a manager
// that outlives a restart of the API server still trusts it. The secure
// port, once chosen, is kept across restarts by envtest itself.
func startCluster() *testCluster {
	// A test's own directory would be removed at the end of the spec that
	// made it; the cluster lives for the whole suite.
	certDir, err := os.MkdirTemp("", "ozg-faults-apiserver-")
	Expect(err).NotTo(HaveOccurred())
	c, err := testenv.Start(testenv.Options{CertDir: certDir, APIServerFlags: map[string]string{
		// envtest's /24 holds 254 Services; every portal has one, and the
		// scenarios together create more than 254 portals.
		"service-cluster-ip-range": "10.96.0.0/16",
		// On SIGTERM the API server stops listening at once but then waits
		// up to its request timeout (60 s) for the connections that carry
		// the manager's watches. With this flag it drains the short requests
		// and gives the rest 2 s, so that stopping it takes seconds, not the
		// better part of the outage.
		"shutdown-send-retry-after": "true",
	}})
	if errors.Is(err, testenv.ErrNoBinaries) {
		Expect(os.RemoveAll(certDir)).To(Succeed())
		Skip(err.Error())
	}
	Expect(err).NotTo(HaveOccurred())

	// The manager authenticates as a user of its own, as a deployed
	// operator does with its service account.
	kubeconfig := filepath.Join(certDir, "manager.kubeconfig")
	Expect(c.WriteKubeconfig("ozg-operator", kubeconfig)).To(Succeed())
	return &testCluster{Cluster: c, kubeconfig: kubeconfig, certDir: certDir}
}

func (c *testCluster) stop() {
	Expect(c.Stop()).To(Succeed())
	Expect(os.RemoveAll(c.certDir)).To(Succeed())
}

// apiServerURL is where the API server serves; a restart must keep it.
func (c *testCluster) apiServerURL() string {
	return c.Env.ControlPlane.GetAPIServer().SecureServing.URL("https", "").String()
}

// stopAPIServer stops kube-apiserver gracefully; etcd keeps running.
func (c *testCluster) stopAPIServer() {
	Expect(c.Env.ControlPlane.GetAPIServer().Stop()).To(Succeed())
}

// startAPIServer starts kube-apiserver again on the same address, with the
// same certificates and the same etcd, and waits until it is healthy.
func (c *testCluster) startAPIServer() {
	before := c.apiServerURL()
	Expect(c.Env.ControlPlane.GetAPIServer().Start()).To(Succeed())
	Expect(c.apiServerURL()).To(Equal(before), "the API server came back on another address")
}
