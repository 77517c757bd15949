//go:build bench

package scale

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
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
	env *envtest.Environment
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
	env := &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join(moduleRoot, "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
	}
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		assets := filepath.Join(moduleRoot, "bin", "k8s")
		if _, err := os.Stat(filepath.Join(assets, "kube-apiserver")); err != nil {
			tb.Skip("no Kubernetes binaries: set KUBEBUILDER_ASSETS or run make kube-binaries")
		}
		env.BinaryAssetsDirectory = assets
	}
	// The defaults (400 read and 200 mutating requests in flight) are sized
	// for a shared production server; here two clients at full speed share
	// a dedicated one, and a 429 would measure the limit, not the client.
	env.ControlPlane.GetAPIServer().Configure().
		Set("max-requests-inflight", "2000").
		Set("max-mutating-requests-inflight", "1000").
		// envtest's /24 holds 254 Services; every portal has one, and the
		// bare client creates a copy of each.
		Set("service-cluster-ip-range", "10.96.0.0/12")
	if opts.etcdQuotaBytes > 0 {
		env.ControlPlane.Etcd = &envtest.Etcd{}
		env.ControlPlane.Etcd.Configure().Set("quota-backend-bytes", strconv.FormatInt(opts.etcdQuotaBytes, 10))
	}

	cfg, err := env.Start()
	if err != nil {
		tb.Fatalf("starting the test API server: %v", err)
	}
	tb.Cleanup(func() {
		if err := env.Stop(); err != nil {
			tb.Logf("stopping the test API server: %v", err)
		}
	})

	cfg = rest.CopyConfig(cfg)
	// Without this client-go allows 5 requests per second.
	cfg.QPS, cfg.Burst = -1, 0
	c, err := client.New(cfg, client.Options{Scheme: newScheme(tb)})
	if err != nil {
		tb.Fatalf("creating the client: %v", err)
	}

	// The manager authenticates as a user of its own, like a deployed
	// operator does with its service account. It is a cluster admin (as is
	// the bare client) so that both fall into the same API Priority and
	// Fairness level and the comparison stays fair.
	user, err := env.AddUser(envtest.User{Name: "ozg-operator", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		tb.Fatalf("adding the manager's user: %v", err)
	}
	data, err := user.KubeConfig()
	if err != nil {
		tb.Fatalf("writing the manager's kubeconfig: %v", err)
	}
	kubeconfig := filepath.Join(tb.TempDir(), "kubeconfig")
	if err := os.WriteFile(kubeconfig, data, 0o600); err != nil {
		tb.Fatalf("writing the manager's kubeconfig: %v", err)
	}
	return &testCluster{env: env, config: cfg, client: c, kubeconfig: kubeconfig}
}

// newScheme knows the built-in kinds and the ozg.dev kinds.
func newScheme(tb testing.TB) *runtime.Scheme {
	tb.Helper()
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		tb.Fatal(err)
	}
	if err := ozgv1.AddToScheme(scheme); err != nil {
		tb.Fatal(err)
	}
	return scheme
}
