// Package argocdhealth keeps the Argo CD health checks of the ozg.dev kinds
// in one place.
//
// The Lua scripts in config/argocd/health are the source: kstatus.lua, the
// part every kind shares, and <kind>.lua, which holds the line
// "-- @include kstatus.lua" where the shared part goes. Everything else that
// carries them is generated from them by Write (hack/gen-argocd, which
// hack/sync-chart.sh and so `make manifests` run):
//
//   - config/argocd/argocd-cm.yaml, the four resource.customizations.health
//     keys of Argo CD's ConfigMap argocd-cm, each with its kind's script
//     composed;
//   - charts/ozg-operator/files/argocd/argocd-cm.yaml, the same file, whose
//     data the chart's templates/argocd-health.yaml renders.
//
// Check reports what is out of date; the package's tests call it on the
// repository and run every script the way Argo CD's Lua VM does.
package argocdhealth

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Group is the API group of the kinds (api/v1alpha1.GroupVersion.Group).
const Group = "ozg.dev"

// Paths of the scripts and of what is generated from them: ScriptDir and
// ConfigMapFile relative to the repository, ChartScriptDir to the chart.
const (
	ScriptDir          = "config/argocd/health"
	ConfigMapFile      = "config/argocd/argocd-cm.yaml"
	ChartScriptDir     = "files/argocd"
	ChartConfigMapFile = ChartScriptDir + "/argocd-cm.yaml"
)

// SharedScript is the part of every kind's script that reads kstatus, in
// ScriptDir; a kind's script includes it at the line IncludeLine.
const (
	SharedScript = "kstatus.lua"
	IncludeLine  = "-- @include " + SharedScript + "\n"
)

// Kind is one kind with a health check.
type Kind struct {
	// Name is the kind, e.g. PortalFleet.
	Name string
	// File is the script's file name in ScriptDir and ChartScriptDir.
	File string
}

// Key is the kind's key in argocd-cm,
// resource.customizations.health.<group>_<kind>.
func (k Kind) Key() string {
	return "resource.customizations.health." + Group + "_" + k.Name
}

// Kinds are the kinds with a health check, in the order of argocd-cm.yaml.
// templates/argocd-health.yaml lists the same names.
var Kinds = []Kind{
	{Name: "OZGService", File: "ozgservice.lua"},
	{Name: "Administration", File: "administration.lua"},
	{Name: "ServicePortal", File: "serviceportal.lua"},
	{Name: "PortalFleet", File: "portalfleet.lua"},
}

// Script is a kind's health check, composed.
type Script struct {
	Kind   Kind
	Source string
}

// Load reads the scripts of Kinds from dir (the repository's ScriptDir) and
// puts SharedScript in place of each one's IncludeLine. A .lua file there
// that is neither shared nor a kind's is an error, as is a script without
// exactly one IncludeLine or one that argocd-cm.yaml could not carry
// verbatim in a YAML literal block.
func Load(dir string) ([]Script, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".lua") && e.Name() != SharedScript && !slices.ContainsFunc(Kinds, func(k Kind) bool { return k.File == e.Name() }) {
			return nil, fmt.Errorf("%s: no kind in argocdhealth.Kinds has this script", filepath.Join(dir, e.Name()))
		}
	}
	shared, err := os.ReadFile(filepath.Join(dir, SharedScript))
	if err != nil {
		return nil, err
	}
	scripts := make([]Script, 0, len(Kinds))
	for _, k := range Kinds {
		path := filepath.Join(dir, k.File)
		src, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		includes := 0
		for _, line := range strings.SplitAfter(string(src), "\n") {
			if line == IncludeLine {
				includes++
			}
		}
		if includes != 1 {
			return nil, fmt.Errorf("%s: %d lines %q, want one", path, includes, strings.TrimSuffix(IncludeLine, "\n"))
		}
		composed := strings.Replace(string(src), IncludeLine, string(shared), 1)
		if err := literalBlockSafe(composed); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		scripts = append(scripts, Script{Kind: k, Source: composed})
	}
	return scripts, nil
}

// literalBlockSafe tells whether src survives a YAML literal block scalar
// (`key: |`) unchanged: no CR, a first line that is not indented (it fixes
// the block's indentation) and exactly one final newline (clip chomping).
func literalBlockSafe(src string) error {
	switch {
	case src == "" || strings.TrimSpace(src) == "":
		return errors.New("empty script")
	case strings.Contains(src, "\r"):
		return errors.New("carriage return in script (use LF line ends)")
	case src[0] == ' ' || src[0] == '\t' || src[0] == '\n':
		return errors.New("the first line must start in column 1 (YAML takes the block's indentation from it)")
	case !strings.HasSuffix(src, "\n") || strings.HasSuffix(src, "\n\n"):
		return errors.New("the script must end with exactly one newline")
	}
	return nil
}

// ConfigMap renders config/argocd/argocd-cm.yaml.
func ConfigMap(scripts []Script) []byte {
	var b bytes.Buffer
	b.WriteString(configMapHeader)
	for _, s := range scripts {
		fmt.Fprintf(&b, "  %s: |\n", s.Kind.Key())
		for _, line := range strings.SplitAfter(s.Source, "\n") {
			switch line {
			case "":
			case "\n":
				b.WriteString("\n")
			default:
				b.WriteString("    " + line)
			}
		}
	}
	return b.Bytes()
}

const configMapHeader = `# Code generated by hack/gen-argocd from config/argocd/health/*.lua. DO NOT EDIT.
#
# Argo CD health checks for the ozg.dev kinds. Argo CD assesses the health of
# a custom resource only with such a check: without them an Application
# whose PortalFleet is Stalled shows as Healthy.
#
# Argo CD reads its settings from one ConfigMap only, argocd-cm in its own
# namespace (labelled app.kubernetes.io/part-of=argocd). This is not a
# second one but the keys to add to it: merge them into the argocd-cm of
# your Argo CD installation, or let server-side apply add them, owning
# these keys only and leaving the others alone:
#
#   kubectl apply --server-side --field-manager=ozg-operator-argocd -f config/argocd/argocd-cm.yaml
#
# (set metadata.namespace if Argo CD does not run in argocd). The Helm chart
# renders the same keys with argocd.healthChecks.enabled. See docs/gitops.md,
# "Argo CD".
apiVersion: v1
kind: ConfigMap
metadata:
  name: argocd-cm
  namespace: argocd
  labels:
    app.kubernetes.io/name: argocd-cm
    app.kubernetes.io/part-of: argocd
data:
`

// Output is a generated file.
type Output struct {
	Path string
	Data []byte
}

// Outputs returns the files generated from the scripts in root/ScriptDir:
// root/ConfigMapFile and its copy chart/ChartConfigMapFile.
func Outputs(root, chart string) ([]Output, error) {
	scripts, err := Load(filepath.Join(root, ScriptDir))
	if err != nil {
		return nil, err
	}
	cm := ConfigMap(scripts)
	return []Output{
		{Path: filepath.Join(root, ConfigMapFile), Data: cm},
		{Path: filepath.Join(chart, ChartConfigMapFile), Data: cm},
	}, nil
}

// Check lists the generated files that are missing or out of date, and the
// files in chart/ChartScriptDir that are not generated (the scripts the
// chart once carried one by one).
func Check(root, chart string) ([]string, error) {
	outs, err := Outputs(root, chart)
	if err != nil {
		return nil, err
	}
	var problems []string
	for _, o := range outs {
		have, err := os.ReadFile(o.Path)
		switch {
		case errors.Is(err, os.ErrNotExist):
			problems = append(problems, o.Path+": missing")
		case err != nil:
			return nil, err
		case !bytes.Equal(have, o.Data):
			problems = append(problems, o.Path+": out of date")
		}
	}
	stale, err := staleChartScripts(chart, outs)
	if err != nil {
		return nil, err
	}
	for _, path := range stale {
		problems = append(problems, path+": not generated any more")
	}
	return problems, nil
}

// Write writes the generated files and removes stale chart scripts.
func Write(root, chart string) error {
	outs, err := Outputs(root, chart)
	if err != nil {
		return err
	}
	for _, o := range outs {
		if err := os.MkdirAll(filepath.Dir(o.Path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(o.Path, o.Data, 0o644); err != nil {
			return err
		}
	}
	stale, err := staleChartScripts(chart, outs)
	if err != nil {
		return err
	}
	for _, path := range stale {
		if err := os.Remove(path); err != nil {
			return err
		}
	}
	return nil
}

func staleChartScripts(chart string, outs []Output) ([]string, error) {
	dir := filepath.Join(chart, ChartScriptDir)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var stale []string
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		if !e.IsDir() && !slices.ContainsFunc(outs, func(o Output) bool { return o.Path == path }) {
			stale = append(stale, path)
		}
	}
	return stale, nil
}
