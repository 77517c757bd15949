package ozgctl

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/coverage"
	"github.com/ozg-operator/ozg-operator/internal/output"
	"github.com/ozg-operator/ozg-operator/internal/programme"
)

// coverageOptions are the flags of coverage.
type coverageOptions struct {
	kube    *genericclioptions.ConfigFlags
	streams genericiooptions.IOStreams

	by        string
	output    string
	format    string
	selector  string
	programme string
}

func newCoverageCommand(kube *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &coverageOptions{kube: kube, streams: streams}
	cmd := &cobra.Command{
		Use:   "coverage [--by themenfeld|administration|kreis|tool|level] [-o table|csv|json|yaml] [--format svg] [-l SELECTOR] [--programme NAME]",
		Short: "Show where OZG services are online, by Themenfeld, administration, Kreis or tool, or who is responsible for them",
		Long: `Show where OZG services are online, computed from the Administrations
(spec.services, status.portal, and spec.key, whose first five digits are
the Kreis's key) and the OZG catalogue (the OZGServices' Themenfeld).

Definitions:
  implementation  an OZG service an administration lists in spec.services,
                  in any state; counted as TRACKED
  live            an implementation in state Live
  online          a live implementation whose administration's portal is
                  Ready and published (status.portal.ready and .published)
  share           online implementations / tracked implementations; "-" (in
                  JSON null) where nothing is tracked

Views (--by):
  themenfeld      every Themenfeld (all 14, even without implementations):
                  OZG services in the catalogue, implementations tracked,
                  live, online, share
  administration  name, key, Kreis, portal (none, not published, not Ready,
                  online), implementations tracked, live, online, share
  kreis           administrations, portals online (Ready and published),
                  implementations tracked, live, online, share
  tool            the tool each implementation was built with
                  (spec.services[].tool; names that differ only in case or
                  spacing are one tool, shown in its most frequent
                  spelling): OZG services and administrations using it,
                  implementations tracked, live, online, share; the
                  implementations that name no tool last, as "(no tool)"
  level           who answers for the catalogue's LeiKa services for the
                  citizens of the selected municipalities, by their
                  responsibility profile (LeiKa-level placements, size
                  classes, own authorities and overrides included): per
                  level (Gemeinde, Kreis, Land, Bund, Kammer,
                  Sozialversicherung, Unknown) the LeiKa services that fall
                  to it for at least one of them, how many of those concern
                  businesses (the catalogue's Unternehmenslagen), and the
                  largest share of one municipality's; the last row,
                  "Kreis or Gemeinde", counts those that concern the
                  municipalities of the area (the IT provider krz's measure)

Implementations of services that are not in the catalogue count under the
Themenfeld "(not in catalogue)". A Kreis is named after the Kreis or
kreisfreie Stadt of its key, or shown as the key where the selection has
neither. The Themenfeld and Kreis tables end with a TOTAL row. "ozgctl tools" is --by tool.

--format svg writes a heat map instead: a row per Themenfeld, a column per
Kreis, each cell coloured by its population reach (the share of the
Kreis' counted inhabitants its Themenfeld's services are online for, as
in REACH) and labelled with it.
-l selects the administrations to count; the catalogue is always whole.

--programme NAME shows the progress of the ServiceProgramme NAME (in the
namespace of -n) instead, computed from the cluster as the operator
computes its status: a row per priority with its target date (marked
overdue once passed with services not Live everywhere), its LeiKa
services, the OZG services bundling them, the administrations taking
part, their implementations by state (each administration times each
LeiKa service, in the state the administration gives the OZG service
that bundles it; Open where it does not track it), the share Live and the
administrations furthest behind. It excludes --by, -l and --format.`,
		Example: `  # Share online per Themenfeld
  kubectl ozg coverage

  # The administrations of Kreis Herford as CSV
  kubectl ozg coverage --by administration -l ozg.dev/kreis=05758 -o csv

  # A heat map of the IT provider krz's administrations
  kubectl ozg coverage --format svg -l ozg.dev/it-provider=krz > coverage.svg

  # The LeiKa services that fall to the krz area's Kreise and municipalities
  kubectl ozg coverage --by level -l ozg.dev/it-provider=krz

  # How far the krz's administrations are with the G2B priorities
  kubectl ozg coverage --programme krz-g2b -n krz`,
		Args: cobra.NoArgs,
		RunE: o.runE,
	}
	f := cmd.Flags()
	f.StringVar(&o.by, "by", string(coverage.ByThemenfeld), "group by themenfeld, administration, kreis, tool or level")
	f.StringVarP(&o.output, "output", "o", "table", "output format: table, csv, json or yaml")
	f.StringVar(&o.format, "format", "", "svg: write a Themenfeld × Kreis heat map instead of -o")
	f.StringVarP(&o.selector, "selector", "l", "", "label selector over Administrations, e.g. ozg.dev/kreis=05758")
	f.StringVar(&o.programme, "programme", "", "show the progress of this ServiceProgramme (in the namespace of -n) instead")
	return cmd
}

// runE is the RunE of coverage and of tools, its --by tool view.
func (o *coverageOptions) runE(cmd *cobra.Command, _ []string) error {
	if err := o.validate(cmd); err != nil {
		return err
	}
	return o.run(cmd.Context())
}

func (o *coverageOptions) validate(cmd *cobra.Command) error {
	switch {
	case o.programme != "" && (cmd.Flags().Changed("by") || cmd.Flags().Changed("selector") || o.format != ""):
		return usageErrorf("--programme excludes --by, --selector and --format")
	case !slices.Contains(coverage.Views, coverage.View(o.by)):
		return usageErrorf("--by %q is not supported, want one of %v", o.by, coverage.Views)
	case !slices.Contains(output.Formats, o.output):
		return usageErrorf("--output %q is not supported, want one of %v", o.output, output.Formats)
	case o.format != "" && o.format != "svg":
		return usageErrorf("--format %q is not supported, want svg", o.format)
	case o.format != "" && cmd.Flags().Changed("output"):
		return usageErrorf("--format and --output exclude each other")
	}
	if _, err := labels.Parse(o.selector); err != nil {
		return usageErrorf("--selector: %v", err)
	}
	return nil
}

func (o *coverageOptions) run(ctx context.Context) error {
	if o.programme != "" {
		return o.runProgramme(ctx)
	}
	report, err := o.report(ctx)
	if err != nil {
		return err
	}
	out, by := o.streams.Out, coverage.View(o.by)
	if o.format == "svg" {
		return report.WriteSVG(out)
	}
	return output.Write(out, o.output, report.View(by))
}

// report reads the catalogue and the administrations and computes the
// coverage of those the selector picks. All administrations are read so
// that Kreise are named even when the selector leaves the Kreis out.
func (o *coverageOptions) report(ctx context.Context) (*coverage.Report, error) {
	c, err := kubeClient(o.kube, o.streams.ErrOut)
	if err != nil {
		return nil, err
	}
	var services ozgv1.OZGServiceList
	if err := c.List(ctx, &services); err != nil {
		return nil, err
	}
	var adms ozgv1.AdministrationList
	if err := c.List(ctx, &adms); err != nil {
		return nil, err
	}
	selector, err := labels.Parse(o.selector)
	if err != nil {
		return nil, err
	}
	selected := slices.DeleteFunc(slices.Clone(adms.Items), func(a ozgv1.Administration) bool {
		return !selector.Matches(labels.Set(a.Labels))
	})
	var profiles ozgv1.ResponsibilityProfileList
	if err := c.List(ctx, &profiles); err != nil {
		return nil, err
	}
	return coverage.Compute(coverage.Input{
		Administrations: selected, All: adms.Items, Services: services.Items,
		Profiles: profiles.Items, KreisNames: coverage.KreisNames(adms.Items),
	}), nil
}

// runProgramme prints the progress of the ServiceProgramme o.programme.
func (o *coverageOptions) runProgramme(ctx context.Context) error {
	c, ns, err := namespacedClient(o.kube, o.streams.ErrOut)
	if err != nil {
		return err
	}
	prog := &ozgv1.ServiceProgramme{}
	if err := getNamed(ctx, c, client.ObjectKey{Namespace: ns, Name: o.programme}, prog, "ServiceProgramme", ""); err != nil {
		return err
	}
	var adms ozgv1.AdministrationList
	if err := c.List(ctx, &adms); err != nil {
		return err
	}
	var services ozgv1.OZGServiceList
	if err := c.List(ctx, &services); err != nil {
		return err
	}
	result, err := programme.Compute(&prog.Spec, adms.Items, services.Items, time.Now())
	if err != nil {
		return fmt.Errorf("ServiceProgramme %s/%s: %w", ns, o.programme, err)
	}
	return output.Write(o.streams.Out, o.output, programme.NewReport(prog, result))
}
