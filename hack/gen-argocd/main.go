// Command gen-argocd writes what carries the Argo CD health checks of the
// ozg.dev kinds, from their source config/argocd/health/*.lua:
// config/argocd/argocd-cm.yaml and the Helm chart's files/argocd/*.lua (see
// internal/argocdhealth). hack/sync-chart.sh runs it, so `make manifests`
// does.
//
//	go run ./hack/gen-argocd [-check] [-root DIR] [-chart DIR]
//
// With -check it writes nothing and fails when a generated file is out of
// date.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/ozg-operator/ozg-operator/internal/argocdhealth"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

func run(args []string, stderr io.Writer) int {
	flags := flag.NewFlagSet("gen-argocd", flag.ContinueOnError)
	flags.SetOutput(stderr)
	check := flags.Bool("check", false, "write nothing; fail when a generated file is out of date")
	root := flags.String("root", ".", "the repository")
	chart := flags.String("chart", "", "the Helm chart (default ROOT/charts/ozg-operator)")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "gen-argocd: unexpected arguments %q\n", flags.Args())
		return 2
	}
	if *chart == "" {
		*chart = filepath.Join(*root, "charts", "ozg-operator")
	}
	if !*check {
		if err := argocdhealth.Write(*root, *chart); err != nil {
			fmt.Fprintf(stderr, "gen-argocd: %v\n", err)
			return 1
		}
		return 0
	}
	problems, err := argocdhealth.Check(*root, *chart)
	if err != nil {
		fmt.Fprintf(stderr, "gen-argocd: %v\n", err)
		return 1
	}
	for _, p := range problems {
		fmt.Fprintf(stderr, "gen-argocd: %s\n", p)
	}
	if len(problems) > 0 {
		fmt.Fprintf(stderr, "gen-argocd: the Argo CD health checks are out of date with %s; run hack/sync-chart.sh (make manifests)\n", argocdhealth.ScriptDir)
		return 1
	}
	return 0
}
