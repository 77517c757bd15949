package argocdhealth

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"text/template"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

const chart = repo + "/charts/ozg-operator"

// TestGeneratedFilesUpToDate fails when config/argocd/argocd-cm.yaml or the
// chart's copy differ from config/argocd/health.
func TestGeneratedFilesUpToDate(t *testing.T) {
	problems, err := Check(repo, chart)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
	if len(problems) > 0 {
		t.Log("run hack/sync-chart.sh (make manifests)")
	}
}

// wantData is the data argocd-cm must carry: each kind's key with its
// script, byte for byte.
func wantData(t *testing.T) map[string]string {
	t.Helper()
	return scriptsBy(t, Kind.Key)
}

// checkConfigMap decodes a rendered argocd-cm strictly and compares it with
// what Argo CD needs.
func checkConfigMap(t *testing.T, rendered []byte, namespace string) {
	t.Helper()
	var cm corev1.ConfigMap
	if err := yaml.UnmarshalStrict(rendered, &cm); err != nil {
		t.Fatalf("%v in\n%s", err, rendered)
	}
	if cm.APIVersion != "v1" || cm.Kind != "ConfigMap" || cm.Name != "argocd-cm" || cm.Namespace != namespace {
		t.Errorf("got %s %s %s/%s, want v1 ConfigMap %s/argocd-cm", cm.APIVersion, cm.Kind, cm.Namespace, cm.Name, namespace)
	}
	// Argo CD's settings informer sees only ConfigMaps with this label.
	if cm.Labels["app.kubernetes.io/part-of"] != "argocd" {
		t.Errorf("labels %v lack app.kubernetes.io/part-of=argocd", cm.Labels)
	}
	want := wantData(t)
	for key, script := range want {
		if cm.Data[key] != script {
			t.Errorf("data[%s] differs from %s:\n%s", key, ScriptDir, cm.Data[key])
		}
	}
	for key := range cm.Data {
		if _, ok := want[key]; !ok {
			t.Errorf("unexpected key %s", key)
		}
	}
}

// TestConfigMapFile parses config/argocd/argocd-cm.yaml as YAML, so that a
// rendering that Check would accept but YAML reads differently fails too.
func TestConfigMapFile(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(repo, ConfigMapFile))
	if err != nil {
		t.Fatal(err)
	}
	checkConfigMap(t, raw, "argocd")
}

// files is the chart's .Files, read from the chart directory.
type files string

func (f files) Get(name string) string {
	b, err := os.ReadFile(filepath.Join(string(f), name))
	if err != nil {
		return ""
	}
	return string(b)
}

// renderChartTemplate renders templates/argocd-health.yaml with Go's
// text/template and the few Helm functions it uses, implemented as Helm
// (sprig) does. make chart-check renders the whole chart with Helm itself.
func renderChartTemplate(t *testing.T, values map[string]any) []byte {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(chart, "templates/argocd-health.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	indent := func(n int, s string) string {
		pad := strings.Repeat(" ", n)
		return pad + strings.ReplaceAll(s, "\n", "\n"+pad)
	}
	funcs := template.FuncMap{
		"nindent": func(n int, s string) string { return "\n" + indent(n, s) },
		// As Helm's: fromYaml gives a map (empty on error), toYaml drops
		// the final newline.
		"fromYaml": func(s string) map[string]any {
			m := map[string]any{}
			_ = yaml.Unmarshal([]byte(s), &m)
			return m
		},
		"toYaml": func(v any) (string, error) {
			out, err := yaml.Marshal(v)
			return strings.TrimSuffix(string(out), "\n"), err
		},
		"required": func(msg string, v any) (any, error) {
			if v == nil || v == "" {
				t.Fatalf("required: %s", msg)
			}
			return v, nil
		},
	}
	tpl, err := template.New("argocd-health.yaml").Funcs(funcs).Parse(string(src))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := tpl.Execute(&out, map[string]any{"Values": values, "Files": files(chart)}); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func argocdValues(enabled bool, namespace string) map[string]any {
	return map[string]any{"argocd": map[string]any{
		"healthChecks": map[string]any{"enabled": enabled},
		"namespace":    namespace,
	}}
}

// TestChartTemplate renders the chart's argocd-cm and compares its data
// with the scripts, and checks that it is off by default.
func TestChartTemplate(t *testing.T) {
	rendered := renderChartTemplate(t, argocdValues(true, "gitops"))
	checkConfigMap(t, rendered, "gitops")
	var cm corev1.ConfigMap
	if err := yaml.Unmarshal(rendered, &cm); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{
		"helm.sh/resource-policy":         "keep",
		"argocd.argoproj.io/sync-options": "Prune=false,Delete=false",
	} {
		if cm.Annotations[key] != want {
			t.Errorf("annotation %s = %q, want %q", key, cm.Annotations[key], want)
		}
	}
	if got := renderChartTemplate(t, argocdValues(false, "argocd")); strings.TrimSpace(string(got)) != "" {
		t.Errorf("disabled, the template renders\n%s", got)
	}

	values, err := os.ReadFile(filepath.Join(chart, "values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var defaults struct {
		ArgoCD struct {
			HealthChecks struct {
				Enabled *bool `json:"enabled"`
			} `json:"healthChecks"`
			Namespace string `json:"namespace"`
		} `json:"argocd"`
	}
	if err := yaml.Unmarshal(values, &defaults); err != nil {
		t.Fatal(err)
	}
	if e := defaults.ArgoCD.HealthChecks.Enabled; e == nil || *e || defaults.ArgoCD.Namespace != "argocd" {
		t.Errorf("values.yaml: want argocd.healthChecks.enabled false and argocd.namespace argocd, got %+v", defaults.ArgoCD)
	}
}

// copyScripts makes a repository in a temporary directory with the real
// scripts and returns it and its chart.
func copyScripts(t *testing.T) (root, chartDir string) {
	t.Helper()
	root = t.TempDir()
	chartDir = filepath.Join(root, "chart")
	dir := filepath.Join(root, ScriptDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	names := []string{SharedScript}
	for _, k := range Kinds {
		names = append(names, k.File)
	}
	for _, name := range names {
		src, err := os.ReadFile(filepath.Join(repo, ScriptDir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root, chartDir
}

// expectProblems fails t unless Check reports exactly want, with the
// paths relative to root; when says at which point of the test.
func expectProblems(t *testing.T, root, chartDir, when string, want ...string) {
	t.Helper()
	problems, err := Check(root, chartDir)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range problems {
		rel, err := filepath.Rel(root, strings.SplitN(p, ":", 2)[0])
		if err == nil {
			problems[i] = rel + ":" + strings.SplitN(p, ":", 2)[1]
		}
	}
	if !slices.Equal(problems, want) {
		t.Fatalf("%s: got %q, want %q", when, problems, want)
	}
}

// writeAndExpectCurrent runs Write, after which Check must report nothing.
func writeAndExpectCurrent(t *testing.T, root, chartDir, when string) {
	t.Helper()
	if err := Write(root, chartDir); err != nil {
		t.Fatal(err)
	}
	expectProblems(t, root, chartDir, when)
}

func TestWriteAndCheck(t *testing.T) {
	root, chartDir := copyScripts(t)
	expectProblems(t, root, chartDir, "before Write", "config/argocd/argocd-cm.yaml: missing", "chart/files/argocd/argocd-cm.yaml: missing")
	writeAndExpectCurrent(t, root, chartDir, "after Write")

	// An edited script, the shared part too, makes both files stale; a
	// script the chart once carried is reported, and Write removes it.
	path := filepath.Join(root, ScriptDir, SharedScript)
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(src, []byte("-- edited\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(chartDir, ChartScriptDir, "portalfleet.lua")
	if err := os.WriteFile(stale, []byte("return nil\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	expectProblems(t, root, chartDir, "after editing",
		"config/argocd/argocd-cm.yaml: out of date",
		"chart/files/argocd/argocd-cm.yaml: out of date",
		"chart/files/argocd/portalfleet.lua: not generated any more",
	)
	writeAndExpectCurrent(t, root, chartDir, "after the second Write")
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Fatalf("Write left %s: %v", stale, err)
	}
}

func TestLoadRejects(t *testing.T) {
	for _, tc := range []struct {
		name, file, src, want string
	}{
		{"unknown kind", "responsibilityprofile.lua", "return nil\n", "no kind in argocdhealth.Kinds"},
		{"CRLF", "portalfleet.lua", "-- x\r\n" + IncludeLine + "return nil\r\n", "carriage return"},
		{"indented first line", "portalfleet.lua", "  local x = 1\n" + IncludeLine, "column 1"},
		{"no final newline", "portalfleet.lua", IncludeLine + "return nil", "exactly one newline"},
		{"two final newlines", "portalfleet.lua", IncludeLine + "return nil\n\n", "exactly one newline"},
		{"empty", "portalfleet.lua", "\n" + IncludeLine, "the first line must start in column 1"},
		{"no include", "portalfleet.lua", "return nil\n", `0 lines "-- @include kstatus.lua", want one`},
		{"two includes", "portalfleet.lua", IncludeLine + IncludeLine, "2 lines"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root, _ := copyScripts(t)
			if err := os.WriteFile(filepath.Join(root, ScriptDir, tc.file), []byte(tc.src), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(filepath.Join(root, ScriptDir))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
}
