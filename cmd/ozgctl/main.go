// Command ozgctl imports the OZG catalogue and administrations into a
// cluster running ozg-operator, follows fleet rollouts and reports service
// coverage. Installed as kubectl-ozg it is the kubectl plugin "kubectl ozg".
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/go-logr/logr"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/ozg-operator/ozg-operator/internal/ozgctl"
)

func main() {
	// controller-runtime's client logs nothing ozgctl needs (server warnings
	// go to stderr directly), but complains when no logger is set.
	ctrllog.SetLogger(logr.Discard())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := ozgctl.Main(ctx, genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}, os.Args[1:])
	stop()
	os.Exit(code)
}
