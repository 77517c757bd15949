//go:build bench

package scale

import (
	"path/filepath"
	"strconv"
	"testing"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/ozg-operator/ozg-operator/internal/testsupport/testenv"
)

// moduleRoot is the checkout, seen from this package's directory (go test
// runs a package's tests in its directory).
const moduleRoot = "../.."

// clusterOptions size the test control plane.
type clusterOptions struct {
	// etcdQuotaBytes is etcd's backend quota. The default of 2 GiB is too
	// small for the Germany scenario, whose ConfigMaps alone hold about
	// 1 GiB; the benchmark measures the operator, not the test etcd's
	// defaults.
	etcdQuotaBytes int64
}

// testCluster is a kube-apiserver and etcd with the operator's CRDs and
// what the benchmark needs to talk to them.
type testCluster struct {
	// config is the cluster admin's REST config, without client-side rate
	// limit so that the bare client is limited by the server alone.
	config *rest.Config
	// client talks to the API server directly, without a cache.
	client client.Client
	// kubeconfig is a kubeconfig file for the manager subprocess.
	kubeconfig string
}

// startCluster starts envtest with raised request limits and writes a
// kubeconfig for the manager. It skips the benchmark when no Kubernetes
// binaries are available, and stops the cluster when the benchmark ends.
func startCluster(tb testing.TB, opts clusterOptions) *testCluster {
	tb.Helper()
	envOpts := testenv.Options{APIServerFlags: map[string]string{
		// The defaults (400 read and 200 mutating requests in flight) are
		// sized for a shared production server; here two clients at full
		// speed share a dedicated one, and a 429 would measure the limit,
		// not the client.
		"max-requests-inflight":          "2000",
		"max-mutating-requests-inflight": "1000",
		// envtest's /24 holds 254 Services; every portal has one, and the
		// bare client creates a copy of each.
		"service-cluster-ip-range": "10.96.0.0/12",
	}}
	if opts.etcdQuotaBytes > 0 {
		envOpts.EtcdFlags = map[string]string{"quota-backend-bytes": strconv.FormatInt(opts.etcdQuotaBytes, 10)}
	}
	c := testenv.ForTest(tb, envOpts)

	// The manager authenticates as a user of its own, like a deployed
	// operator does with its service account. It is a cluster admin (as is
	// the bare client) so that both fall into the same API Priority and
	// Fairness level and the comparison stays fair.
	kubeconfig := filepath.Join(tb.TempDir(), "kubeconfig")
	if err := c.WriteKubeconfig("ozg-operator", kubeconfig); err != nil {
		tb.Fatalf("writing the manager's kubeconfig: %v", err)
	}
	return &testCluster{config: c.Config, client: c.Client, kubeconfig: kubeconfig}
}
