package ozgctl_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"gotest.tools/v3/golden"

	"github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/ozgctl"
)

// reuseSelector picks the administrations createReuseFixture makes.
const reuseSelector = "example.de/reuse=test"

// createReuseFixture creates the catalogue entries ozg-99951 and ozg-99952
// and seven administrations in the Kreise 09981 and 09982 that track them
// in every state, with tools spelt several ways, and portal statuses
// written through the status subresource.
func createReuseFixture(t *testing.T) {
	t.Helper()
	requireCluster(t)
	for _, id := range []string{"99951", "99952"} {
		create(t, &v1alpha1.OZGService{
			ObjectMeta: metav1.ObjectMeta{Name: "ozg-" + id},
			Spec:       v1alpha1.OZGServiceSpec{OZGID: id, Name: "Testleistung " + id, Themenfeld: "Bauen & Wohnen"},
		})
	}
	type impl = v1alpha1.ServiceImplementation
	live := func(service string, maturity int32, tool string) impl {
		return impl{Service: service, State: v1alpha1.StateLive, Maturity: ptr.To(maturity), Tool: tool,
			URL: "https://formulare.example.de/" + service}
	}
	gemeinde := v1alpha1.TypeKreisangehoerigeGemeinde
	for _, a := range []struct {
		name, key, kreis, provider string
		typ                        v1alpha1.AdministrationType
		portal, online             bool
		services                   []impl
	}{
		{"reuse-kreis", "09981", "09981", "krz", v1alpha1.TypeKreis, true, true,
			[]impl{live("ozg-99952", 3, "Civento")}},
		{"reuse-a", "09981001", "09981", "krz", gemeinde, true, true,
			[]impl{live("ozg-99951", 3, "FormSolutions"), live("ozg-99952", 2, "civento ")}},
		{"reuse-b", "09981002", "09981", "krz", gemeinde, true, true,
			[]impl{{Service: "ozg-99951", State: v1alpha1.StateInProgress, Tool: "Civento"}}},
		{"reuse-near", "09981003", "09981", "krz", gemeinde, false, false,
			[]impl{{Service: "ozg-99951", State: v1alpha1.StateOpen}}},
		{"reuse-c", "09982001", "09982", "krz", gemeinde, true, false,
			[]impl{live("ozg-99951", 4, "Form Solutions")}},
		{"reuse-d", "09982002", "09982", "citeq", gemeinde, false, false,
			[]impl{live("ozg-99951", 2, "FormSolutions"), {Service: "ozg-99952", State: v1alpha1.StateOpen}}},
		{"reuse-e", "09982003", "09982", "krz", gemeinde, false, false,
			[]impl{{Service: "ozg-99951"}}},
	} {
		adm := &v1alpha1.Administration{
			ObjectMeta: metav1.ObjectMeta{Name: a.name, Labels: map[string]string{"example.de/reuse": "test", v1alpha1.LabelKreis: a.kreis}},
			Spec: v1alpha1.AdministrationSpec{Key: a.key, DisplayName: "Test " + a.name, Type: a.typ, ITProvider: a.provider,
				Services: a.services},
		}
		if a.typ == gemeinde {
			adm.Spec.SizeClass = v1alpha1.SizeClassGemeinde
		}
		create(t, adm)
		if a.portal {
			adm.Status.Portal = &v1alpha1.AdministrationPortalStatus{Name: a.name, Namespace: "portals", Ready: true, Published: a.online}
			if err := k8sClient.Status().Update(t.Context(), adm); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func run(t *testing.T, args ...string) string {
	t.Helper()
	args = append(args, "--kubeconfig", kubeconfig)
	stdout, stderr, err := ozgctlRun(t.Context(), args...)
	if err != nil {
		t.Fatalf("ozgctl %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return stdout
}

func TestReuseAndTools(t *testing.T) {
	createReuseFixture(t)

	// go test -update rewrites testdata/*.golden.
	for _, tc := range []struct {
		golden string
		args   []string
	}{
		{"reuse.table.golden", []string{"reuse", "ozg-99951"}},
		{"reuse.json.golden", []string{"reuse", "99951", "-o", "json"}},
		{"reuse-near.table.golden", []string{"reuse", "ozg-99951", "--near", "reuse-near"}},
		{"reuse-near.json.golden", []string{"reuse", "ozg-99951", "--near", "reuse-near", "-o", "json"}},
		{"reuse-near.csv.golden", []string{"reuse", "ozg-99951", "--near", "reuse-near", "-o", "csv"}},
		{"reuse-near.yaml.golden", []string{"reuse", "ozg-99951", "--near", "reuse-near", "-o", "yaml"}},
		{"tools.table.golden", []string{"tools", "-l", reuseSelector}},
		{"tools.json.golden", []string{"tools", "-l", reuseSelector, "-o", "json"}}, // without its total: see rowsOnly
		{"coverage-by-tool.table.golden", []string{"coverage", "--by", "tool", "-l", reuseSelector}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			out := run(t, tc.args...)
			if tc.args[0] == "tools" && strings.HasSuffix(tc.golden, ".json.golden") {
				out = rowsOnly(t, out)
			}
			golden.Assert(t, out, tc.golden)
		})
	}

	t.Run("reuse order", func(t *testing.T) {
		var doc struct {
			Service         string
			Near            string
			Administrations []struct {
				Name, State, Tool, URL string
				DisplayName            string
				Maturity               *int32
				Online                 bool
				Near                   *string
			}
		}
		if err := json.Unmarshal([]byte(run(t, "reuse", "ozg-99951", "--near", "reuse-near", "-o", "json")), &doc); err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, a := range doc.Administrations {
			names = append(names, a.Name)
		}
		// Its Kreis (Live before InProgress), then its peers of the same
		// size class and provider (Live before Open), then reuse-d of
		// another provider; itself left out.
		if got, want := strings.Join(names, " "), "reuse-a reuse-b reuse-c reuse-e reuse-d"; doc.Service != "ozg-99951" || got != want {
			t.Fatalf("service %q, order %q, want ozg-99951, %q", doc.Service, got, want)
		}
		if a := doc.Administrations[0]; !a.Online || a.Tool != "FormSolutions" || a.Maturity == nil || *a.Maturity != 3 {
			t.Errorf("reuse-a: %+v, want online, FormSolutions, maturity 3", a)
		}
		if c := doc.Administrations[2]; c.Online {
			t.Errorf("reuse-c is online, but its portal is not published")
		}
		// JSON (and YAML) say how near each is, as the table and CSV do.
		var near []string
		for _, a := range doc.Administrations {
			if a.Near == nil {
				t.Fatalf("%s has no near, want one in a ranked list", a.Name)
			}
			near = append(near, *a.Near)
		}
		if want := []string{"same Kreis", "same Kreis", "same size class and provider", "same size class and provider", ""}; doc.Near != "reuse-near" || !slices.Equal(near, want) {
			t.Errorf("ranked for %q, near %q, want reuse-near, %q", doc.Near, near, want)
		}
		if a := doc.Administrations[0]; a.DisplayName != "Test reuse-a" {
			t.Errorf("reuse-a: display name %q, want Test reuse-a", a.DisplayName)
		}
	})

	t.Run("tools count spellings together", func(t *testing.T) {
		var doc struct {
			Rows []struct {
				Tool                                             string
				Spellings                                        []string
				Services, Administrations, Tracked, Live, Online int
			}
		}
		if err := json.Unmarshal([]byte(run(t, "tools", "-l", reuseSelector, "-o", "json")), &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Rows) != 3 {
			t.Fatalf("rows %+v, want FormSolutions, Civento, (no tool)", doc.Rows)
		}
		// Both used three times: more Live ones first.
		fs, civento := doc.Rows[0], doc.Rows[1]
		if fs.Tool != "FormSolutions" || fs.Tracked != 3 || fs.Live != 3 || fs.Online != 1 || fs.Services != 1 || fs.Administrations != 3 ||
			strings.Join(fs.Spellings, "|") != "Form Solutions|FormSolutions" {
			t.Errorf("FormSolutions: %+v", fs)
		}
		if civento.Tool != "Civento" || civento.Tracked != 3 || civento.Live != 2 || civento.Services != 2 || civento.Administrations != 3 {
			t.Errorf("Civento: %+v", civento)
		}
	})
}

// rowsOnly keeps the rows of a coverage document: its total counts the
// whole catalogue, which other tests of the package add to.
func rowsOnly(t *testing.T, doc string) string {
	t.Helper()
	var d map[string]json.RawMessage
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		t.Fatal(err)
	}
	delete(d, "total")
	out, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(out) + "\n"
}

// failure is an ozgctl call that must fail with an error containing want
// and the exit code code.
type failure struct {
	args []string
	want string
	code int
}

// check runs the call, with extra arguments after its own, and fails t
// unless it fails as expected.
func (f failure) check(t *testing.T, extra ...string) {
	t.Helper()
	args := append(slices.Clone(f.args), extra...)
	_, _, err := ozgctlRun(t.Context(), args...)
	if err == nil || !strings.Contains(err.Error(), f.want) || ozgctl.ExitCode(err) != f.code {
		t.Errorf("ozgctl %s: got %v (exit code %d), want exit code %d and %q", strings.Join(args, " "), err, ozgctl.ExitCode(err), f.code, f.want)
	}
}

func TestReuseErrors(t *testing.T) {
	createReuseFixture(t)
	for _, tc := range []failure{
		{[]string{"reuse", "ozg-99959"}, `OZGService "ozg-99959" not found`, ozgctl.ExitFailure},
		{[]string{"reuse", "ozg-99951", "--near", "nowhere"}, `Administration "nowhere" not found (--near)`, ozgctl.ExitFailure},
		{[]string{"reuse", "ozg-99951", "-o", "xml"}, `--output "xml" is not supported`, ozgctl.ExitUsage},
		{[]string{"reuse"}, "accepts 1 arg(s), received 0", ozgctl.ExitUsage},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			tc.check(t, "--kubeconfig", kubeconfig)
		})
	}
}

func TestCoverageProgramme(t *testing.T) {
	createReuseFixture(t)
	create(t, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "g2b-cli"}})
	create(t, &v1alpha1.ServiceProgramme{
		ObjectMeta: metav1.ObjectMeta{Namespace: "g2b-cli", Name: "test-g2b"},
		Spec: v1alpha1.ServiceProgrammeSpec{
			AdministrationSelector: metav1.LabelSelector{MatchLabels: map[string]string{"example.de/reuse": "test"}},
			Priorities: []v1alpha1.ProgrammePriority{
				{Priority: 1, Services: []string{"ozg-99951"}, TargetDate: "2023-12-31"},
				{Priority: 2, Services: []string{"ozg-99952", "ozg-99958"}},
			},
		},
	})
	for _, tc := range []struct {
		golden string
		args   []string
	}{
		{"programme.table.golden", []string{"coverage", "--programme", "test-g2b", "-n", "g2b-cli"}},
		{"programme.json.golden", []string{"coverage", "--programme", "test-g2b", "-n", "g2b-cli", "-o", "json"}},
		// share_live is a fraction, as coverage's share_online.
		{"programme.csv.golden", []string{"coverage", "--programme", "test-g2b", "-n", "g2b-cli", "-o", "csv"}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			golden.Assert(t, run(t, tc.args...), tc.golden)
		})
	}
	var doc struct {
		Administrations int
		Priorities      []v1alpha1.PriorityStatus
		Missing         []string
	}
	if err := json.Unmarshal([]byte(run(t, "coverage", "--programme", "test-g2b", "-n", "g2b-cli", "-o", "json")), &doc); err != nil {
		t.Fatal(err)
	}
	// Seven administrations; ozg-99951 is Live in reuse-a, -c and -d.
	p1 := doc.Priorities[0]
	if doc.Administrations != 7 || p1.Implementations != (v1alpha1.StateCounts{Open: 3, InProgress: 1, Live: 3}) || p1.ShareLive != "42.9%" || !p1.Overdue {
		t.Errorf("programme: %+v", doc)
	}
	if strings.Join(doc.Missing, ",") != "ozg-99958" {
		t.Errorf("missing %v, want ozg-99958", doc.Missing)
	}

	for _, tc := range []failure{
		{[]string{"coverage", "--programme", "nope", "-n", "g2b-cli"}, `ServiceProgramme "nope" not found in namespace "g2b-cli"`, ozgctl.ExitFailure},
		{[]string{"coverage", "--programme", "test-g2b", "--by", "kreis"}, "--programme excludes --by", ozgctl.ExitUsage},
	} {
		tc.check(t, "--kubeconfig", kubeconfig)
	}
}
