package ozgctl

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// Exit codes, as kubectl uses them.
const (
	// ExitOK: the command did what was asked; a rollout is done.
	ExitOK = 0
	// ExitFailure: the command failed, a rollout stalled or a timeout passed.
	ExitFailure = 1
	// ExitUsage: the command line is wrong.
	ExitUsage = 2
)

// Main runs ozgctl with args (without the program name), prints an error
// to streams.ErrOut, and returns the exit code.
func Main(ctx context.Context, streams genericiooptions.IOStreams, args []string) int {
	cmd := NewCommand(streams)
	cmd.SetArgs(args)
	failed, err := cmd.ExecuteContextC(ctx)
	if err == nil {
		return ExitOK
	}
	fmt.Fprintln(streams.ErrOut, "error:", err)
	code := ExitCode(err)
	if code == ExitUsage {
		fmt.Fprintf(streams.ErrOut, "See '%s --help' for usage.\n", failed.CommandPath())
	}
	return code
}

// ExitCode is the exit code for an error the ozgctl command returned:
// ExitUsage for mistakes in the command line, ExitFailure for the rest.
func ExitCode(err error) int {
	var usage *usageError
	var run *runError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &usage):
		return ExitUsage
	case errors.As(err, &run):
		return ExitFailure
	default:
		// cobra found it before any command ran: an unknown command or
		// flag, a missing argument or required flag.
		return ExitUsage
	}
}

// usageError is a mistake in the command line that a command found itself,
// such as an unsupported --output.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// runError is an error a command returned while it ran.
type runError struct{ err error }

func (e *runError) Error() string { return e.err.Error() }
func (e *runError) Unwrap() error { return e.err }

// markRunErrors wraps the RunE of cmd and its subcommands so that
// ExitCode tells their errors from the usage errors cobra returns before
// any command runs.
func markRunErrors(cmd *cobra.Command) {
	if run := cmd.RunE; run != nil {
		cmd.RunE = func(cmd *cobra.Command, args []string) error {
			if err := run(cmd, args); err != nil {
				return &runError{err}
			}
			return nil
		}
	}
	for _, sub := range cmd.Commands() {
		markRunErrors(sub)
	}
}
