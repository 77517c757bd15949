package ozgctl

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// FieldManager owns the fields ozgctl applies.
const FieldManager = "ozgctl"

// PluginName is the file name under which kubectl finds ozgctl as the
// plugin "kubectl ozg".
const PluginName = "kubectl-ozg"

// NewCommand returns the ozgctl root command writing to streams.
func NewCommand(streams genericiooptions.IOStreams) *cobra.Command {
	kube := genericclioptions.NewConfigFlags(true)
	// ozgctl uses no discovery cache.
	kube.CacheDir = nil
	cmd := &cobra.Command{
		Use:   "ozgctl",
		Short: "Work with the OZG catalogue, administrations and portal fleets of ozg-operator",
		// Runtime errors are not usage errors; main prints them once.
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	if name := displayName(os.Args[0]); name != cmd.Use {
		cmd.Annotations = map[string]string{cobra.CommandDisplayNameAnnotation: name}
	}
	cmd.SetIn(streams.In)
	cmd.SetOut(streams.Out)
	cmd.SetErr(streams.ErrOut)
	// --namespace only matters to the namespaced kinds (rollout status);
	// import and coverage work on cluster-scoped ones.
	kube.AddFlags(cmd.PersistentFlags())
	cmd.AddCommand(
		newImportCommand(kube, streams),
		newRolloutCommand(kube, streams),
		newCoverageCommand(kube, streams),
		newReuseCommand(kube, streams),
		newToolsCommand(kube, streams),
		newExportCommand(kube, streams),
		newVersionCommand(kube, streams),
	)
	markRunErrors(cmd)
	return cmd
}

// displayName is how help and errors name the program: "kubectl ozg" when
// kubectl runs it as a plugin, "ozgctl" otherwise.
func displayName(argv0 string) string {
	base := strings.TrimSuffix(filepath.Base(argv0), ".exe")
	if base == PluginName {
		return "kubectl ozg"
	}
	return "ozgctl"
}

// runGroup is the RunE of a command that only groups subcommands: without
// arguments it shows help, with any it fails as kubectl does, rather than
// cobra's default of showing help for a mistyped subcommand.
func runGroup(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErrorf("unknown command %q for %q", args[0], cmd.CommandPath())
	}
	return cmd.Help()
}
