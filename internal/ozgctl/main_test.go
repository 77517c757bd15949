package ozgctl_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-logr/logr"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/ozg-operator/ozg-operator/internal/ozgctl"
	"github.com/ozg-operator/ozg-operator/internal/testsupport/testenv"
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
	cluster, err := startCluster()
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting the test API server:", err)
		return 1
	}
	if cluster != nil {
		defer func() {
			if err := errors.Join(cluster.Stop(), os.RemoveAll(filepath.Dir(kubeconfig))); err != nil {
				fmt.Fprintln(os.Stderr, "stopping the test API server:", err)
			}
		}()
	}
	return m.Run()
}

// startCluster starts the test API server. Without its binaries it
// returns nil and the cluster tests skip.
func startCluster() (*testenv.Cluster, error) {
	cluster, err := testenv.Start(testenv.Options{})
	if errors.Is(err, testenv.ErrNoBinaries) {
		noCluster = err.Error()
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	k8sClient = cluster.Client
	// ozgctl gets a kubeconfig as a user would.
	dir, err := os.MkdirTemp("", "ozgctl-test-")
	if err == nil {
		kubeconfig = filepath.Join(dir, "kubeconfig")
		err = cluster.WriteKubeconfig("ozgctl-test", kubeconfig)
	}
	if err != nil {
		return nil, errors.Join(err, cluster.Stop())
	}
	return cluster, nil
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
