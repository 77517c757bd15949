package ozgctl

import (
	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/ozg-operator/ozg-operator/internal/coverage"
)

// newToolsCommand is coverage --by tool under a name of its own.
func newToolsCommand(kube *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &coverageOptions{kube: kube, streams: streams, by: string(coverage.ByTool)}
	cmd := &cobra.Command{
		Use:   "tools [-o table|csv|json|yaml] [-l SELECTOR]",
		Short: "Show the tools the administrations built their online forms with",
		Long: `Show the tools in use, as the administrations name them in
spec.services[].tool: for each, the OZG services and administrations
using it and its implementations tracked, Live and online (Live in a
Ready, published portal), the most used first. Names that differ only in
case or spacing ("FormSolutions", "Form Solutions") are one tool, shown
in its most frequent spelling; JSON and CSV list all spellings.
Implementations that name no tool come last, as "(no tool)".

This is "ozgctl coverage --by tool".`,
		Example: `  # The tools of the IT provider krz's administrations
  kubectl ozg tools -l ozg.dev/it-provider=krz`,
		Args: cobra.NoArgs,
		RunE: o.runE,
	}
	f := cmd.Flags()
	f.StringVarP(&o.output, "output", "o", "table", "output format: table, csv, json or yaml")
	f.StringVarP(&o.selector, "selector", "l", "", "label selector over Administrations, e.g. ozg.dev/kreis=05758")
	return cmd
}
