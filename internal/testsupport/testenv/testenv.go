// Package testenv starts the test control plane: envtest's kube-apiserver
// and etcd with the operator's CRDs from config/crd/bases.
//
// The binaries come from $KUBEBUILDER_ASSETS (make test and make bench set
// it), else from bin/k8s of the checkout.
package testenv

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/testsupport"
)

// ErrNoBinaries says that neither $KUBEBUILDER_ASSETS nor bin/k8s holds
// the Kubernetes binaries; suites that can do without a cluster skip.
var ErrNoBinaries = errors.New("no Kubernetes binaries: set KUBEBUILDER_ASSETS or run make kube-binaries")

// Options adapt the control plane to a suite.
type Options struct {
	// APIServerFlags are set on kube-apiserver besides envtest's own.
	APIServerFlags map[string]string
	// EtcdFlags are set on etcd besides envtest's own.
	EtcdFlags map[string]string
	// CertDir, if set, holds kube-apiserver's certificates. envtest
	// otherwise makes a new directory, with a new serving CA, on every
	// start of the API server, and a client that outlives a restart of
	// the API server would no longer trust it.
	CertDir string
}

// Cluster is a running control plane.
type Cluster struct {
	// Env is envtest's environment, for suites that stop and start its
	// parts.
	Env *envtest.Environment
	// Config is the cluster admin's REST config, without a client-side
	// rate limit: a test's requests are limited by the server alone.
	Config *rest.Config
	// Scheme knows the built-in kinds of client-go and the ozg.dev kinds.
	Scheme *runtime.Scheme
	// Client talks to the API server directly, without a cache.
	Client client.WithWatch
}

// Start starts kube-apiserver and etcd, installs the CRDs and returns the
// cluster; Stop stops it. Without binaries it returns ErrNoBinaries.
func Start(opts Options) (*Cluster, error) {
	root, err := testsupport.ModuleRoot()
	if err != nil {
		return nil, err
	}
	env := &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join(root, "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
	}
	// envtest prefers BinaryAssetsDirectory to $KUBEBUILDER_ASSETS: set it
	// only when the variable is not.
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		assets := filepath.Join(root, "bin", "k8s")
		if _, err := os.Stat(filepath.Join(assets, "kube-apiserver")); err != nil {
			return nil, ErrNoBinaries
		}
		env.BinaryAssetsDirectory = assets
	}
	apiServer := env.ControlPlane.GetAPIServer()
	if opts.CertDir != "" {
		apiServer.CertDir = opts.CertDir
	}
	for name, value := range opts.APIServerFlags {
		apiServer.Configure().Set(name, value)
	}
	if len(opts.EtcdFlags) > 0 {
		env.ControlPlane.Etcd = &envtest.Etcd{}
		for name, value := range opts.EtcdFlags {
			env.ControlPlane.Etcd.Configure().Set(name, value)
		}
	}

	cfg, err := env.Start()
	if err != nil {
		return nil, fmt.Errorf("starting the test API server: %w", err)
	}
	c := &Cluster{Env: env, Config: rest.CopyConfig(cfg), Scheme: runtime.NewScheme()}
	c.Config.QPS, c.Config.Burst = -1, 0
	err = errors.Join(clientgoscheme.AddToScheme(c.Scheme), ozgv1.AddToScheme(c.Scheme))
	if err == nil {
		c.Client, err = client.NewWithWatch(c.Config, client.Options{Scheme: c.Scheme})
	}
	if err != nil {
		return nil, errors.Join(err, env.Stop())
	}
	return c, nil
}

// Stop stops kube-apiserver and etcd.
func (c *Cluster) Stop() error { return c.Env.Stop() }

// WriteKubeconfig adds a cluster admin called user, as a deployed
// operator or a person with kubectl would be one of their own, and writes
// a kubeconfig file for it to path.
func (c *Cluster) WriteKubeconfig(user, path string) error {
	u, err := c.Env.AddUser(envtest.User{Name: user, Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return fmt.Errorf("adding the user %s: %w", user, err)
	}
	data, err := u.KubeConfig()
	if err != nil {
		return fmt.Errorf("a kubeconfig for %s: %w", user, err)
	}
	return os.WriteFile(path, data, 0o600)
}

// ForTest starts a cluster for tb and stops it when tb ends. Without
// binaries tb skips; a failure to stop is logged, since the test's results
// stand by then.
func ForTest(tb testing.TB, opts Options) *Cluster {
	tb.Helper()
	c, err := Start(opts)
	if errors.Is(err, ErrNoBinaries) {
		tb.Skip(err)
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := c.Stop(); err != nil {
			tb.Logf("stopping the test API server: %v", err)
		}
	})
	return c
}
