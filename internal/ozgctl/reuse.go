package ozgctl

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/output"
	"github.com/ozg-operator/ozg-operator/internal/reuse"
)

// reuseOptions are the flags of reuse.
type reuseOptions struct {
	kube    *genericclioptions.ConfigFlags
	streams genericiooptions.IOStreams

	service string
	near    string
	output  string
}

var ozgID = regexp.MustCompile(`^[0-9]{5}$`)

func newReuseCommand(kube *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &reuseOptions{kube: kube, streams: streams}
	cmd := &cobra.Command{
		Use:   "reuse SERVICE [--near ADMINISTRATION] [-o table|csv|json|yaml]",
		Short: "Show who has built an OZG service, how far and with which tool",
		Long: `Show every administration that tracks an OZG service (spec.services of
the Administrations), with its state, maturity (OZG Reifegrad), the tool
its online form was built with, the online service's URL and whether it
is online (Live, and the administration's portal Ready and published):
whom to ask for a form assistant instead of building it again, as
Kreis Warendorf's OZG-connect does.

SERVICE is the OZGService's name (ozg-10439) or its OZG-ID (10439).

Order: Live first, then InProgress, then Open; within each by maturity,
highest first, none last; then by name. --near ADMINISTRATION ranks for
that administration: first the administrations of its Kreis (the first
five digits of their keys; a Kreis's own key), then those of its type and size class with its IT
provider, then the rest, each group in the order above; the
administration itself is left out.

-o json prints {"service": NAME, "administrations": [{"name", "state",
"maturity", "tool", "url", "online"}]} (maturity null where unset).`,
		Example: `  # Who has Wohngeld online, and with which tool?
  kubectl ozg reuse ozg-10092

  # The same, nearest to Lemgo first, as JSON
  kubectl ozg reuse 10092 --near lemgo -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.service = args[0]
			if err := o.validate(); err != nil {
				return err
			}
			return o.run(cmd.Context())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.near, "near", "", "rank for this Administration: its Kreis first, then its peers")
	f.StringVarP(&o.output, "output", "o", "table", "output format: table, csv, json or yaml")
	return cmd
}

func (o *reuseOptions) validate() error {
	if ozgID.MatchString(o.service) {
		o.service = "ozg-" + o.service
	}
	if !slices.Contains(output.Formats, o.output) {
		return usageErrorf("--output %q is not supported, want one of %v", o.output, output.Formats)
	}
	return nil
}

func (o *reuseOptions) run(ctx context.Context) error {
	c, err := kubeClient(o.kube, o.streams.ErrOut)
	if err != nil {
		return err
	}
	if err := getNamed(ctx, c, client.ObjectKey{Name: o.service}, &ozgv1.OZGService{}, "OZGService", "the catalogue"); err != nil {
		return err
	}
	var near *ozgv1.Administration
	if o.near != "" {
		near = &ozgv1.Administration{}
		if err := getNamed(ctx, c, client.ObjectKey{Name: o.near}, near, "Administration", "--near"); err != nil {
			return err
		}
	}
	var adms ozgv1.AdministrationList
	if err := c.List(ctx, &adms); err != nil {
		return err
	}
	return output.Write(o.streams.Out, o.output, reuse.Find(o.service, adms.Items, near))
}

// getNamed gets the object key of kind, and says which is missing: its
// name, its namespace if it has one, and where it was asked for if where
// is set.
func getNamed(ctx context.Context, c client.Client, key client.ObjectKey, obj client.Object, kind, where string) error {
	err := c.Get(ctx, key, obj)
	if !apierrors.IsNotFound(err) {
		return err
	}
	msg := fmt.Sprintf("%s %q not found", kind, key.Name)
	if key.Namespace != "" {
		msg += fmt.Sprintf(" in namespace %q", key.Namespace)
	}
	if where != "" {
		msg += " (" + where + ")"
	}
	return errors.New(msg)
}
