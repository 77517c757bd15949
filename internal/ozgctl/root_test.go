package ozgctl_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/ozg-operator/ozg-operator/internal/ozgctl"
)

// TestPluginName runs the command as kubectl does a plugin: help and
// errors must say "kubectl ozg".
func TestPluginName(t *testing.T) {
	saved := os.Args
	t.Cleanup(func() { os.Args = saved })
	os.Args = []string{"/usr/local/bin/" + ozgctl.PluginName}

	var out bytes.Buffer
	cmd := ozgctl.NewCommand(genericiooptions.IOStreams{In: &bytes.Buffer{}, Out: &out, ErrOut: &out})
	cmd.SetArgs([]string{"rollout", "status", "--help"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "kubectl ozg rollout status (fleet/NAME | NAME) [flags]") {
		t.Errorf("help does not name the plugin:\n%s", out.String())
	}
}

func TestMainExitCodes(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"--help"}, ozgctl.ExitOK, ""},
		{[]string{"rollout", "status"}, ozgctl.ExitUsage, "See 'ozgctl rollout status --help' for usage."},
		{[]string{"coverage", "--by", "kreise"}, ozgctl.ExitUsage, `error: --by "kreise" is not supported`},
		{[]string{"nonsense"}, ozgctl.ExitUsage, "See 'ozgctl --help' for usage."},
		{[]string{"import", "catalog", "--dir", t.TempDir()}, ozgctl.ExitFailure, "themenfelder.csv"},
	} {
		var out, errOut bytes.Buffer
		code := ozgctl.Main(t.Context(), genericiooptions.IOStreams{In: &bytes.Buffer{}, Out: &out, ErrOut: &errOut}, tc.args)
		if code != tc.code || !strings.Contains(errOut.String(), tc.stderr) {
			t.Errorf("ozgctl %s: exit code %d with stderr %q, want %d and %q", strings.Join(tc.args, " "), code, errOut.String(), tc.code, tc.stderr)
		}
	}
}
