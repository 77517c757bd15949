package ozgctl_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/importer"
	"github.com/ozg-operator/ozg-operator/internal/importer/importertest"
)

func TestYAMLOutputIsDeterministicAndParsesBack(t *testing.T) {
	dir := importertest.CatalogDir(t)
	first, stderr, err := ozgctlRun(t.Context(), "import", "catalog", "--dir", dir, "-o", "yaml")
	if err != nil {
		t.Fatal(err)
	}
	second, _, err := ozgctlRun(t.Context(), "import", "catalog", "--dir", dir, "-o", "yaml")
	if err != nil {
		t.Fatal(err)
	}
	if first != second {
		t.Error("two runs of -o yaml differ")
	}
	if !strings.Contains(stderr, "read 5880 rows: 557 objects, 26 rows rejected, 6 warnings") ||
		!strings.Contains(stderr, `leika-leistungen.csv:5252:4: warning: typisierung: "44"`) {
		t.Errorf("stderr lacks the report:\n%s", stderr)
	}
	for _, noise := range []string{"status:", "creationTimestamp"} {
		if strings.Contains(first, noise) {
			t.Errorf("the manifests contain %q", noise)
		}
	}

	want, err := importer.ReadCatalog(dir)
	if err != nil {
		t.Fatal(err)
	}
	docs := strings.Split(first, "\n---\n")
	if len(docs) != len(want.Services) {
		t.Fatalf("got %d documents, want %d", len(docs), len(want.Services))
	}
	for i, doc := range docs {
		var got v1alpha1.OZGService
		if err := yaml.UnmarshalStrict([]byte(doc), &got); err != nil {
			t.Fatalf("document %d: %v", i, err)
		}
		if !reflect.DeepEqual(got, want.Services[i]) {
			t.Errorf("document %d is %s, want %s", i, got.Name, want.Services[i].Name)
		}
	}
}

func TestYAMLOutputOfAdministrations(t *testing.T) {
	out, _, err := ozgctlRun(t.Context(), "import", "administrations", "--file", importertest.AdministrationsFile(t),
		"--it-provider", "krz", "--kreis", "05766,05758,05770", "-o", "yaml")
	if err != nil {
		t.Fatal(err)
	}
	docs := strings.Split(out, "\n---\n")
	if len(docs) != 36 {
		t.Errorf("got %d documents, want 36", len(docs))
	}
	var herford v1alpha1.Administration
	for _, doc := range docs {
		if strings.Contains(doc, "\n  name: herford\n") {
			if err := yaml.UnmarshalStrict([]byte(doc), &herford); err != nil {
				t.Fatal(err)
			}
		}
	}
	if herford.Kind != "Administration" || herford.Spec.Parent != "kreis-herford" || herford.Labels[v1alpha1.LabelITProvider] != "krz" {
		t.Errorf("herford is %+v", herford)
	}
}

func TestImportFlagErrors(t *testing.T) {
	dir := importertest.CatalogDir(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"import", "catalog", "--dir", dir, "-o", "json"}, `--output "json" is not supported`},
		{[]string{"import", "catalog", "--dir", dir, "-o", "yaml", "--apply"}, "exclude each other"},
		{[]string{"import", "catalog", "--dir", dir, "--concurrency", "0"}, "--concurrency"},
		{[]string{"import", "catalog"}, `"dir" not set`},
		{[]string{"import", "catalog", "--dir", t.TempDir()}, "themenfelder.csv"},
		{[]string{"import", "catalog", "--dir", dir, "--strict"}, "--strict: 26 rows or objects rejected"},
	} {
		_, _, err := ozgctlRun(t.Context(), tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ozgctl %s: got error %v, want one containing %q", strings.Join(tc.args, " "), err, tc.want)
		}
	}
}

func TestReportGoesToStderr(t *testing.T) {
	stdout, stderr, err := ozgctlRun(t.Context(), "import", "administrations", "--file", importertest.AdministrationsFile(t))
	if err != nil {
		t.Fatal(err)
	}
	if stdout != "" {
		t.Errorf("a check without -o or --apply printed %q", stdout)
	}
	var want bytes.Buffer
	want.WriteString(importertest.AdministrationsFile(t) + ":133:7: warning: einwohner_2011: no population, left empty\n")
	if !strings.HasPrefix(stderr, want.String()) {
		t.Errorf("stderr is\n%s", stderr)
	}
}
