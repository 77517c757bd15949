// Command upgradewatch is the Go half of `make upgrade-check`
// (hack/upgrade-check.sh): while the script moves the demo fleet from the
// previous release's manager to this one's, it records what the operator's
// objects and the portals' Deployments look like before and after, watches
// every change of their Ready and Stalled conditions in between, and then
// says what the upgrade changed (docs/upgrade.md, "Tested upgrade").
//
//	upgradewatch snapshot --out FILE       statuses, portal Deployments and content
//	upgradewatch watch --out FILE --ready FILE
//	                                       every Ready/Stalled change (and every
//	                                       pod template change) until SIGTERM
//	upgradewatch settle --metrics URL      wait until the manager has reconciled
//	                                       everything and its roll-ups are current
//	upgradewatch compare --before F --after F --events F --old-crds DIR --new-crds DIR
//	                                       the report; exit 1 on any violation
//
// It reads the cluster from $KUBECONFIG. It is part of `make
// upgrade-check`, not of the product.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
)

const usage = `usage:
  upgradewatch snapshot --out FILE [--namespace NS]
  upgradewatch watch --out FILE --ready FILE [--namespace NS]
  upgradewatch settle --metrics URL [--timeout D] [--quiet D]
  upgradewatch compare --before FILE --after FILE --events FILE [--phases FILE] --old-crds DIR --new-crds DIR
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	cmd, args := os.Args[1], os.Args[2:]
	fs := flag.NewFlagSet(cmd, flag.ExitOnError)
	var (
		out, ready, namespace, metrics string
		before, after, events, phases  string
		oldCRDs, newCRDs               string
		timeout, quiet                 time.Duration
	)
	fs.StringVar(&namespace, "namespace", "krz", "namespace of the portal Deployments and their ConfigMaps")
	var err error
	switch cmd {
	case "snapshot":
		fs.StringVar(&out, "out", "", "file to write the snapshot to (JSON)")
		_ = fs.Parse(args)
		err = runSnapshot(out, namespace)
	case "watch":
		fs.StringVar(&out, "out", "", "file to write the changes to (JSON lines)")
		fs.StringVar(&ready, "ready", "", "file to create once the watches have listed everything")
		_ = fs.Parse(args)
		err = runWatch(out, ready, namespace)
	case "settle":
		fs.StringVar(&metrics, "metrics", "", "the manager's metrics URL")
		fs.DurationVar(&timeout, "timeout", 5*time.Minute, "how long to wait at most")
		fs.DurationVar(&quiet, "quiet", 5*time.Second, "how long everything must stay settled")
		_ = fs.Parse(args)
		err = runSettle(metrics, timeout, quiet)
	case "compare":
		fs.StringVar(&before, "before", "", "snapshot before the upgrade")
		fs.StringVar(&after, "after", "", "snapshot after the upgrade")
		fs.StringVar(&events, "events", "", "the watch's changes")
		fs.StringVar(&phases, "phases", "", "the script's steps, one `RFC3339 text` a line (optional)")
		fs.StringVar(&oldCRDs, "old-crds", "", "the previous release's config/crd/bases")
		fs.StringVar(&newCRDs, "new-crds", "", "this release's config/crd/bases")
		_ = fs.Parse(args)
		var ok bool
		ok, err = runCompare(os.Stdout, before, after, events, phases, oldCRDs, newCRDs)
		if err == nil && !ok {
			os.Exit(1)
		}
	default:
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "upgradewatch %s: %v\n", cmd, err)
		os.Exit(1)
	}
}

// clients are the cluster's dynamic client and the ozg.dev resources it serves.
type clients struct {
	dyn   dynamic.Interface
	kinds []kind
}

func connect() (*clients, error) {
	cfg, err := ctrl.GetConfig()
	if err != nil {
		return nil, err
	}
	cfg = rest.CopyConfig(cfg)
	cfg.QPS, cfg.Burst = 50, 100
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, err
	}
	kinds, err := ozgKinds(dc)
	if err != nil {
		return nil, err
	}
	return &clients{dyn: dyn, kinds: kinds}, nil
}

// signalContext ends on SIGTERM or SIGINT.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
}
