package ozgctl_test

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/ozgctl"
)

// coverageSelector picks the administrations createCoverageFixture makes.
const coverageSelector = "example.de/coverage=test"

// createCoverageFixture creates four catalogue entries and a Kreis 09991
// with two municipalities, plus a kreisfreie Stadt 09992, with portal
// statuses written through the status subresource.
func createCoverageFixture(t *testing.T) {
	t.Helper()
	requireCluster(t)
	for id, tf := range map[string]string{"99901": "Bauen & Wohnen", "99902": "Bauen & Wohnen", "99903": "Familie & Kind", "99904": "Umwelt"} {
		create(t, &v1alpha1.OZGService{
			ObjectMeta: metav1.ObjectMeta{Name: "ozg-" + id},
			Spec:       v1alpha1.OZGServiceSpec{OZGID: id, Name: "Testleistung " + id, Themenfeld: tf},
		})
	}
	type impl = v1alpha1.ServiceImplementation
	live, open := v1alpha1.StateLive, v1alpha1.StateOpen
	for _, a := range []struct {
		name, key, kreis string
		typ              v1alpha1.AdministrationType
		ready, published bool
		portal           bool
		population       int64
		services         []impl
	}{
		{"cov-kreis", "09991", "09991", v1alpha1.TypeKreis, true, true, true, 0,
			[]impl{{Service: "ozg-99903", State: live}}},
		{"cov-online", "09991001", "09991", v1alpha1.TypeKreisangehoerigeGemeinde, true, true, true, 3000,
			[]impl{{Service: "ozg-99901", State: live}, {Service: "ozg-99902", State: live}, {Service: "ozg-99904", State: open}}},
		{"cov-unpublished", "09991002", "09991", v1alpha1.TypeKreisangehoerigeGemeinde, true, false, true, 1000,
			[]impl{{Service: "ozg-99901", State: live}}},
		{"cov-stadt", "09992000", "09992", v1alpha1.TypeKreisfreieStadt, false, false, false, 2000,
			[]impl{{Service: "ozg-99901", State: live}, {Service: "ozg-99903", State: v1alpha1.StateInProgress}}},
	} {
		adm := &v1alpha1.Administration{
			ObjectMeta: metav1.ObjectMeta{Name: a.name, Labels: map[string]string{"example.de/coverage": "test", v1alpha1.LabelKreis: a.kreis}},
			Spec:       v1alpha1.AdministrationSpec{Key: a.key, DisplayName: "Test " + a.name, Type: a.typ, Services: a.services},
		}
		if a.population > 0 {
			adm.Spec.Population = &a.population
		}
		create(t, adm)
		if a.portal {
			adm.Status.Portal = &v1alpha1.AdministrationPortalStatus{Name: a.name, Namespace: "portals", Ready: a.ready, Published: a.published}
			if err := k8sClient.Status().Update(t.Context(), adm); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func coverageRun(t *testing.T, args ...string) string {
	t.Helper()
	args = append(append([]string{"coverage"}, args...), "-l", coverageSelector, "--kubeconfig", kubeconfig)
	stdout, stderr, err := ozgctlRun(t.Context(), args...)
	if err != nil {
		t.Fatalf("ozgctl %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return stdout
}

func TestCoverage(t *testing.T) {
	createCoverageFixture(t)

	t.Run("by kreis", func(t *testing.T) {
		var doc struct {
			Rows []struct {
				Key, Name                                             string
				Administrations, PortalsOnline, Tracked, Live, Online int
				ShareOnline                                           *float64
			}
		}
		if err := json.Unmarshal([]byte(coverageRun(t, "--by", "kreis", "-o", "json")), &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Rows) != 2 {
			t.Fatalf("got %d Kreise, want 2: %+v", len(doc.Rows), doc.Rows)
		}
		kreis, stadt := doc.Rows[0], doc.Rows[1]
		// 5 implementations in Kreis 09991, 4 live, 3 of them in the two
		// online portals; the Stadt has no portal.
		if kreis.Key != "09991" || kreis.Name != "Test cov-kreis" || kreis.Administrations != 3 || kreis.PortalsOnline != 2 ||
			kreis.Tracked != 5 || kreis.Live != 4 || kreis.Online != 3 || *kreis.ShareOnline != 0.6 {
			t.Errorf("Kreis 09991: %+v", kreis)
		}
		if stadt.Key != "09992" || stadt.Name != "Test cov-stadt" || stadt.Administrations != 1 || stadt.PortalsOnline != 0 ||
			stadt.Tracked != 2 || stadt.Live != 1 || stadt.Online != 0 || *stadt.ShareOnline != 0 {
			t.Errorf("Stadt 09992: %+v", stadt)
		}
	})

	// The catalogue is counted whole, whatever else the cluster holds.
	var services v1alpha1.OZGServiceList
	if err := k8sClient.List(t.Context(), &services); err != nil {
		t.Fatal(err)
	}
	inBauen := 0
	for _, s := range services.Items {
		if s.Spec.Themenfeld == "Bauen & Wohnen" {
			inBauen++
		}
	}
	catalogue := float64(len(services.Items))

	t.Run("by administration", func(t *testing.T) {
		// Without a profile what an administration tracks is its own:
		// cov-online has two services online for its inhabitants.
		want := fmt.Sprintf(`name,display_name,key,kreis_key,kreis,portal,portal_ready,portal_published,tracked,live,online,share_online,population,population_reach
cov-kreis,Test cov-kreis,09991,09991,Test cov-kreis,cov-kreis,true,true,1,1,1,1.0000,0,
cov-online,Test cov-online,09991001,09991,Test cov-kreis,cov-online,true,true,3,2,2,0.6667,3000,%.4f
cov-stadt,Test cov-stadt,09992000,09992,Test cov-stadt,,false,false,2,1,0,0.0000,2000,0.0000
cov-unpublished,Test cov-unpublished,09991002,09991,Test cov-kreis,cov-unpublished,true,false,1,1,0,0.0000,1000,0.0000
`, math.Round(2/catalogue*1e4)/1e4)
		if got := coverageRun(t, "--by", "administration", "-o", "csv"); got != want {
			t.Errorf("got\n%s\nwant\n%s", got, want)
		}
	})

	t.Run("by themenfeld", func(t *testing.T) {
		out := coverageRun(t)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 1+14+1 {
			t.Errorf("got %d lines, want a header, 14 Themenfelder and TOTAL:\n%s", len(lines), out)
		}
		for _, want := range [][]string{
			// 3,000 of 6,000 inhabitants reach 2 of the Themenfeld's services.
			{"Bauen & Wohnen", strconv.Itoa(inBauen), "4", "4", "2", "50.0%", "6000", fmt.Sprintf("%.1f%%", 100*3000*2/(6000*float64(inBauen)))},
			{"Familie & Kind", "", "2", "1", "1", "50.0%", "6000", ""},
			{"Umwelt", "", "1", "0", "0", "0.0%", "6000", ""},
			{"Bildung", "", "0", "0", "0", "-", "6000", ""},
		} {
			if !hasRow(lines, want) {
				t.Errorf("no row %q in\n%s", want, out)
			}
		}
	})

	t.Run("heat map", func(t *testing.T) {
		out := coverageRun(t, "--format", "svg")
		dec := xml.NewDecoder(strings.NewReader(out))
		texts := map[string]bool{}
		inText := false
		for {
			tok, err := dec.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("the SVG does not parse: %v", err)
			}
			switch tok := tok.(type) {
			case xml.StartElement:
				inText = tok.Name.Local == "text"
			case xml.CharData:
				if inText {
					texts[string(tok)] = true
				}
			}
		}
		// The Kreis's 4,000 inhabitants: 3,000 reach 2 of Bauen & Wohnen's services.
		bauen := fmt.Sprintf("%d%%", int(math.Round(100*3000*2/(4000*float64(inBauen)))))
		for _, want := range []string{"Bauen & Wohnen", "Unternehmensführung & -entwicklung", "Test cov-kreis", "Test cov-stadt", bauen, "Themenfeld (rows)"} {
			if !texts[want] {
				t.Errorf("the heat map has no text %q", want)
			}
		}
	})
}

func TestCoverageUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"coverage", "--by", "lebenslage"},
		{"coverage", "-o", "xml"},
		{"coverage", "--format", "png"},
		{"coverage", "--format", "svg", "-o", "json"},
		{"coverage", "-l", "a in (b"},
		{"coverage", "extra"},
	} {
		_, _, err := ozgctlRun(t.Context(), args...)
		if code := ozgctl.ExitCode(err); code != ozgctl.ExitUsage {
			t.Errorf("ozgctl %s: got %v (exit code %d), want a usage error", strings.Join(args, " "), err, code)
		}
	}
}

// hasRow reports whether a table line has the cells of want in order,
// empty ones matching anything.
func hasRow(lines []string, want []string) bool {
	for _, line := range lines {
		if !strings.HasPrefix(line, want[0]+"  ") {
			continue
		}
		cells := strings.Fields(strings.TrimPrefix(line, want[0]))
		if len(cells) != len(want)-1 {
			continue
		}
		match := true
		for i, w := range want[1:] {
			match = match && (w == "" || cells[i] == w)
		}
		if match {
			return true
		}
	}
	return false
}
