package faults

import (
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// moduleRoot is the checkout, seen from this package's directory (go test
// runs a package's tests in its directory).
const moduleRoot = "../.."

// testCluster is envtest's etcd and kube-apiserver with the operator's CRDs.
type testCluster struct {
	env *envtest.Environment
	// config is the cluster admin's REST config.
	config *rest.Config
	// kubeconfig is a kubeconfig file for the manager subprocesses.
	kubeconfig string
	// certDir holds the API server's certificates; see startCluster.
	certDir string
}

// startCluster starts envtest and writes a kubeconfig for the manager. It
// skips the suite when no Kubernetes binaries are available.
//
// The API server's certificate directory is pinned: envtest otherwise
// makes a new one, with a new serving CA, on every start, and a manager
// that outlives a restart of the API server would no longer trust it. The
// secure port, once chosen, is kept across restarts by envtest itself.
func startCluster() *testCluster {
	env := &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join(moduleRoot, "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
	}
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		assets := filepath.Join(moduleRoot, "bin", "k8s")
		if _, err := os.Stat(filepath.Join(assets, "kube-apiserver")); err != nil {
			Skip("no Kubernetes binaries: set KUBEBUILDER_ASSETS or run make test")
		}
		env.BinaryAssetsDirectory = assets
	}
	// A test's own directory would be removed at the end of the spec that
	// made it; the cluster lives for the whole suite.
	certDir, err := os.MkdirTemp("", "ozg-faults-apiserver-")
	Expect(err).NotTo(HaveOccurred())
	env.ControlPlane.GetAPIServer().CertDir = certDir
	// envtest's /24 holds 254 Services; every portal has one, and the
	// scenarios together create more than 254 portals.
	env.ControlPlane.GetAPIServer().Configure().Set("service-cluster-ip-range", "10.96.0.0/16").
		// On SIGTERM the API server stops listening at once but then waits
		// up to its request timeout (60 s) for the connections that carry
		// the manager's watches. With this flag it drains the short requests
		// and gives the rest 2 s, so that stopping it takes seconds, not the
		// better part of the outage.
		Set("shutdown-send-retry-after", "true")

	cfg, err := env.Start()
	Expect(err).NotTo(HaveOccurred())
	cfg = rest.CopyConfig(cfg)
	// Without this client-go allows 5 requests per second.
	cfg.QPS, cfg.Burst = -1, 0

	// The manager authenticates as a user of its own, as a deployed
	// operator does with its service account.
	user, err := env.AddUser(envtest.User{Name: "ozg-operator", Groups: []string{"system:masters"}}, nil)
	Expect(err).NotTo(HaveOccurred())
	data, err := user.KubeConfig()
	Expect(err).NotTo(HaveOccurred())
	kubeconfig := filepath.Join(certDir, "manager.kubeconfig")
	Expect(os.WriteFile(kubeconfig, data, 0o600)).To(Succeed())
	return &testCluster{env: env, config: cfg, kubeconfig: kubeconfig, certDir: certDir}
}

func (c *testCluster) stop() {
	Expect(c.env.Stop()).To(Succeed())
	Expect(os.RemoveAll(c.certDir)).To(Succeed())
}

// apiServerURL is where the API server serves; a restart must keep it.
func (c *testCluster) apiServerURL() string {
	return c.env.ControlPlane.GetAPIServer().SecureServing.URL("https", "").String()
}

// stopAPIServer stops kube-apiserver gracefully; etcd keeps running.
func (c *testCluster) stopAPIServer() {
	Expect(c.env.ControlPlane.GetAPIServer().Stop()).To(Succeed())
}

// startAPIServer starts kube-apiserver again on the same address, with the
// same certificates and the same etcd, and waits until it is healthy.
func (c *testCluster) startAPIServer() {
	before := c.apiServerURL()
	Expect(c.env.ControlPlane.GetAPIServer().Start()).To(Succeed())
	Expect(c.apiServerURL()).To(Equal(before), "the API server came back on another address")
}
