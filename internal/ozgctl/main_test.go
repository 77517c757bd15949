package ozgctl_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/importer/importertest"
	"github.com/ozg-operator/ozg-operator/internal/ozgctl"
)

// The package shares one API server: starting one takes seconds.
var (
	// kubeconfig is a kubeconfig file for the test API server.
	kubeconfig string
	// k8sClient talks to the test API server directly.
	k8sClient client.Client
	// noCluster says why there is no test API server, if there is none.
	noCluster string
)

func TestMain(m *testing.M) {
	ctrllog.SetLogger(logr.Discard())
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	env, err := startCluster()
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting the test API server:", err)
		return 1
	}
	if env != nil {
		defer func() {
			if err := env.Stop(); err != nil {
				fmt.Fprintln(os.Stderr, "stopping the test API server:", err)
			}
		}()
	}
	return m.Run()
}

// startCluster starts envtest with the CRDs of config/crd/bases. Without
// API server binaries ($KUBEBUILDER_ASSETS or bin/k8s) it returns nil and
// the cluster tests skip.
func startCluster() (*envtest.Environment, error) {
	root, err := importertest.ModuleRoot()
	if err != nil {
		return nil, err
	}
	env := &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join(root, "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
	}
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		assets := filepath.Join(root, "bin", "k8s")
		if _, err := os.Stat(filepath.Join(assets, "kube-apiserver")); err != nil {
			noCluster = "no API server binaries: set KUBEBUILDER_ASSETS"
			return nil, nil
		}
		env.BinaryAssetsDirectory = assets
	}
	cfg, err := env.Start()
	if err != nil {
		return nil, err
	}
	stop := func(err error) (*envtest.Environment, error) {
		_ = env.Stop()
		return nil, err
	}

	scheme := runtime.NewScheme()
	if err := v1alpha1.AddToScheme(scheme); err != nil {
		return stop(err)
	}
	if k8sClient, err = client.New(cfg, client.Options{Scheme: scheme}); err != nil {
		return stop(err)
	}

	// ozgctl gets a kubeconfig as a user would.
	user, err := env.AddUser(envtest.User{Name: "ozgctl-test", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return stop(err)
	}
	data, err := user.KubeConfig()
	if err != nil {
		return stop(err)
	}
	dir, err := os.MkdirTemp("", "ozgctl-test-")
	if err != nil {
		return stop(err)
	}
	kubeconfig = filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(kubeconfig, data, 0o600); err != nil {
		return stop(err)
	}
	return env, nil
}

func requireCluster(tb testing.TB) {
	tb.Helper()
	if noCluster != "" {
		tb.Skip(noCluster)
	}
}

// ozgctlRun runs ozgctl with args and returns what it wrote to stdout and
// stderr.
func ozgctlRun(ctx context.Context, args ...string) (stdout, stderr string, err error) {
	var out, errOut bytes.Buffer
	cmd := ozgctl.NewCommand(genericiooptions.IOStreams{In: &bytes.Buffer{}, Out: &out, ErrOut: &errOut})
	cmd.SetArgs(args)
	err = cmd.ExecuteContext(ctx)
	return out.String(), errOut.String(), err
}
