package ozgctl

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/rolloutstatus"
)

func newRolloutCommand(kube *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rollout",
		Short: "Follow the rollout of a PortalFleet",
		RunE:  runGroup,
	}
	cmd.AddCommand(newRolloutStatusCommand(kube, streams))
	return cmd
}

// rolloutStatusOptions are the flags of rollout status.
type rolloutStatusOptions struct {
	kube    *genericclioptions.ConfigFlags
	streams genericiooptions.IOStreams

	watch   bool
	timeout time.Duration
}

func newRolloutStatusCommand(kube *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &rolloutStatusOptions{kube: kube, streams: streams}
	cmd := &cobra.Command{
		Use:   "status (fleet/NAME | NAME)",
		Short: "Show the rollout of a PortalFleet wave by wave, and wait until it is done",
		Long: `Show the rollout of a PortalFleet's template wave by wave and, like
kubectl rollout status, watch it until it is done.

For every wave, in rollout order, it shows how many portals run the current
template (UPDATED), how many are Ready (READY), a bar of those that are both,
and the wave's state: done, rolling out, paused, stalled or waiting. The
portals that are not Ready follow with the reason and message of their
Stalled or Ready condition, then the administrations the fleet selects but
cannot give a portal (a name that is no portal name, a hostname the
pattern cannot make, a portal of that name another owner controls), which
the fleet counts as wanted and never Ready. The last line sums up.

The rollout is done when the controller has observed the fleet's current
generation and the fleet is Ready. It has failed when the fleet is Stalled,
for example with reason ProgressDeadlineExceeded.

With --watch (the default) the command follows watch events on the fleet,
its portals and the administrations until the rollout is done (exit 0),
stalls (exit 1) or --timeout passes (exit 1). On a terminal the report is
redrawn in place; otherwise the report is printed once and then only a
summary line whenever it changes, so that logs stay readable.

With --watch=false the report is printed once; the exit code is 0 only when
the rollout is done.`,
		Example: `  # Wait for the rollout of fleet krz in namespace portals
  kubectl ozg rollout status fleet/krz -n portals

  # Fail a pipeline if the rollout does not finish within 15 minutes
  kubectl ozg rollout status fleet/krz -n portals --timeout 15m

  # Show the state once
  kubectl ozg rollout status krz -n portals --watch=false`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.run(cmd.Context(), args[0])
		},
	}
	cmd.Flags().BoolVarP(&o.watch, "watch", "w", true, "watch the rollout until it is done, stalls or --timeout passes")
	cmd.Flags().DurationVar(&o.timeout, "timeout", 0, "how long to watch before giving up, e.g. 10m; 0 waits forever")
	return cmd
}

// fleetName accepts NAME or TYPE/NAME where TYPE names PortalFleet as
// kubectl would: fleet, portalfleet, their plurals, or with the group.
func fleetName(arg string) (string, error) {
	kind, name, typed := strings.Cut(arg, "/")
	if !typed {
		kind, name = "fleet", arg
	}
	switch strings.ToLower(strings.TrimSuffix(kind, "."+ozgv1.GroupVersion.Group)) {
	case "fleet", "fleets", "portalfleet", "portalfleets":
	default:
		return "", usageErrorf("rollout status works on PortalFleets, not %q: use fleet/NAME", kind)
	}
	if name == "" || strings.Contains(name, "/") {
		return "", usageErrorf("%q is not a fleet name: use fleet/NAME", arg)
	}
	return name, nil
}

func (o *rolloutStatusOptions) run(ctx context.Context, arg string) error {
	name, err := fleetName(arg)
	if err != nil {
		return err
	}
	if o.timeout < 0 {
		return usageErrorf("--timeout must not be negative")
	}
	ns, err := namespace(o.kube)
	if err != nil {
		return err
	}
	cfg, err := restConfig(o.kube, o.streams.ErrOut)
	if err != nil {
		return err
	}
	c, err := newClient(cfg)
	if err != nil {
		return err
	}
	key := client.ObjectKey{Namespace: ns, Name: name}
	// One direct read first: a missing fleet or permission fails at once,
	// as with kubectl, rather than in a cache that retries.
	report, err := readReport(ctx, c, key)
	if err != nil {
		return err
	}
	if !o.watch {
		if err := report.Write(o.streams.Out, rolloutstatus.Options{}); err != nil {
			return err
		}
		return verdict(report)
	}
	if o.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, o.timeout, errTimeout)
		defer cancel()
	}
	return o.watchRollout(ctx, newFleetWatch(cfg, key), report)
}

// errTimeout is the cause of the context that --timeout ends, which tells
// a timeout from an interrupt.
var errTimeout = errors.New("timeout")

// verdict is the outcome of a rollout that is over or that is looked at
// only once.
func verdict(r *rolloutstatus.Report) error {
	switch {
	case r.Done():
		return nil
	case r.Stalled():
		return fmt.Errorf("rollout of fleet %q stalled: %s: %s", r.Name, r.StalledCondition.Reason, r.StalledCondition.Message)
	default:
		// The summary line above says where it stands.
		return fmt.Errorf("rollout of fleet %q is not done", r.Name)
	}
}

// watchRollout shows report and every change after it until the rollout
// is done or stalls, or ctx ends.
func (o *rolloutStatusOptions) watchRollout(ctx context.Context, w *fleetWatch, report *rolloutstatus.Report) error {
	p := newReportPrinter(o.streams.Out)
	if report.Done() || report.Stalled() {
		return p.finish(report, verdict(report))
	}
	if err := p.show(report); err != nil {
		return err
	}
	ctx, stop := context.WithCancel(ctx)
	defer stop() // ends the watch
	changed, err := w.start(ctx)
	if err != nil {
		return p.finish(report, o.watchError(ctx, err, report))
	}
	for {
		select {
		case <-ctx.Done():
			return p.finish(report, o.watchError(ctx, ctx.Err(), report))
		case <-changed:
		}
		next, err := w.report(ctx)
		if err != nil {
			return p.finish(report, o.watchError(ctx, err, report))
		}
		report = next
		if report.Done() || report.Stalled() {
			return p.finish(report, verdict(report))
		}
		if err := p.show(report); err != nil {
			return err
		}
	}
}

// watchError explains why watching ended early.
func (o *rolloutStatusOptions) watchError(ctx context.Context, err error, last *rolloutstatus.Report) error {
	switch {
	case errors.Is(context.Cause(ctx), errTimeout):
		return fmt.Errorf("timed out after %s waiting for the rollout of fleet %q: %s", o.timeout, last.Name, last.Summary())
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("interrupted while waiting for the rollout of fleet %q: %s", last.Name, last.Summary())
	case apierrors.IsNotFound(err):
		return fmt.Errorf("fleet %q was deleted", last.Name)
	default:
		return err
	}
}

// readReport computes the report from what reader holds: the fleet, the
// portals of its namespace and the administrations it selects.
func readReport(ctx context.Context, reader client.Reader, key client.ObjectKey) (*rolloutstatus.Report, error) {
	fleet := &ozgv1.PortalFleet{}
	if err := reader.Get(ctx, key, fleet); err != nil {
		return nil, err
	}
	// All of the namespace, as the controller reads them: a portal of a
	// member's name that another owner controls excludes the member.
	var portals ozgv1.ServicePortalList
	if err := reader.List(ctx, &portals, client.InNamespace(key.Namespace)); err != nil {
		return nil, err
	}
	var opts []client.ListOption
	// An invalid selector lists all; Compute reports the error.
	if sel, err := metav1.LabelSelectorAsSelector(&fleet.Spec.AdministrationSelector); err == nil {
		opts = append(opts, client.MatchingLabelsSelector{Selector: sel})
	}
	// Full objects, not metadata: the hostname pattern may use the key.
	var adms ozgv1.AdministrationList
	if err := reader.List(ctx, &adms, opts...); err != nil {
		return nil, err
	}
	members := make([]*ozgv1.Administration, len(adms.Items))
	for i := range adms.Items {
		members[i] = &adms.Items[i]
	}
	return rolloutstatus.Compute(fleet, portals.Items, members), nil
}
