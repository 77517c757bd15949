package ozgctl

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/ozg-operator/ozg-operator/internal/version"
)

// newVersionCommand prints ozgctl's own build. The manager's version (a
// cluster's) is not asked for yet: --client is what it always does today.
func newVersionCommand(streams genericiooptions.IOStreams) *cobra.Command {
	var output string
	var client bool
	cmd := &cobra.Command{
		Use:   "version [--client] [-o json]",
		Short: "Print the client version",
		Long: `Print the version of this ozgctl: the release (or git describe output)
it was built from, its commit, Go version and platform. Only the client's
version is printed for now (--client is accepted, as in kubectl).`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			info := version.Get()
			switch output {
			case "":
				_, err := fmt.Fprintln(streams.Out, "Client Version:", info)
				return err
			case "json":
				out, err := json.MarshalIndent(struct {
					ClientVersion version.Info `json:"clientVersion"`
				}{info}, "", "  ")
				if err != nil {
					return err
				}
				_, err = fmt.Fprintf(streams.Out, "%s\n", out)
				return err
			default:
				return usageErrorf("--output %q is not supported: json, or none for text", output)
			}
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "output format: json, or empty for one line of text")
	cmd.Flags().BoolVar(&client, "client", true, "print the client version only (the only one printed today)")
	return cmd
}
