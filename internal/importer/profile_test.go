package importer_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/importer"
	"github.com/ozg-operator/ozg-operator/internal/importer/importertest"
	"github.com/ozg-operator/ozg-operator/internal/responsibility"
)

func nrwOptions() importer.ProfileOptions {
	return importer.ProfileOptions{Name: importer.NRWProfile, Land: "Nordrhein-Westfalen", Typisierung: importer.NRWTypisierung}
}

// The NRW profile the project ships places every one of the catalogue's
// 557 OZG services, or says why it cannot; every placed table entry names
// its legal basis.
func TestNRWProfilePlacesTheCatalogue(t *testing.T) {
	root, err := importertest.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	p, err := importer.ReadProfile(filepath.Join(root, "hack", "profiles", "nrw", "services.csv"), nrwOptions())
	if err != nil {
		t.Fatal(err)
	}
	if n := p.Report.Rejected() + p.Report.Warnings(); n != 0 {
		t.Fatalf("the NRW table has %d rejected or shortened rows:\n%s", n, reportText(p.Report))
	}
	c := importertest.Catalog(t)
	if len(c.Services) != 557 {
		t.Fatalf("catalogue has %d services, want 557", len(c.Services))
	}
	inCatalogue := map[string]bool{}
	profile := responsibility.Compile(&p.Profile)
	levels := map[v1alpha1.Level]int{}
	for i := range c.Services {
		svc := &c.Services[i]
		inCatalogue[svc.Name] = true
		placed := profile.Place(svc)
		levels[placed.Level]++
		switch {
		case placed.Source == responsibility.SourceNone:
			t.Errorf("%s (%s) is neither placed nor explicitly Unknown: %s", svc.Name, svc.Spec.Name, placed.Note)
		case placed.Level != v1alpha1.LevelUnknown && placed.LegalBasis == "":
			t.Errorf("%s is placed at %s without a legal basis", svc.Name, placed.Level)
		case placed.Level == v1alpha1.LevelUnknown && placed.Note == "":
			t.Errorf("%s is Unknown without a note", svc.Name)
		}
		for j := range svc.Spec.Leistungen {
			if l := profile.PlaceLeistung(svc, &svc.Spec.Leistungen[j]); l.Level != v1alpha1.LevelUnknown && l.LegalBasis == "" {
				t.Errorf("%s, LeiKa %s: placed at %s without a legal basis", svc.Name, svc.Spec.Leistungen[j].Key, l.Level)
			}
		}
	}
	leika := map[string]string{} // LeiKa key -> its OZG service
	for i := range c.Services {
		for _, l := range c.Services[i].Spec.Leistungen {
			leika[l.Key] = c.Services[i].Name
		}
	}
	for _, s := range p.Profile.Spec.Services {
		if !inCatalogue[s.Service] {
			t.Errorf("the table places %s, which the catalogue lacks", s.Service)
		}
		for _, l := range s.Leistungen {
			if leika[l.Key] != s.Service {
				t.Errorf("the table places LeiKa %s under %s; the catalogue has it under %q", l.Key, s.Service, leika[l.Key])
			}
		}
	}
	// The services the seeds name: vehicle registration and driving
	// licences at the Kreis, registration of residence at the Gemeinde,
	// the pension insurance with the citizen's carrier (Deutsche
	// Rentenversicherung), the building permit at the Kreis
	// unless a Große or Mittlere kreisangehörige Stadt holds it.
	// Kita places and Unterhaltsvorschuss are the Jugendamt's: the Kreis's,
	// or the town's that runs its own.
	for _, tc := range []struct {
		name      string
		level     v1alpha1.Level
		heldBy    []v1alpha1.SizeClass
		authority v1alpha1.Authority
	}{
		{"Kraftfahrzeugzulassung", v1alpha1.LevelKreis, nil, ""},
		{"Führerschein", v1alpha1.LevelKreis, nil, ""},
		{"Meldebescheinigung", v1alpha1.LevelGemeinde, nil, ""},
		{"Rentenversicherungskonto", v1alpha1.LevelSozialversicherung, nil, ""},
		{"Zulassung für reglementierte Berufe", v1alpha1.LevelKammer, nil, ""},
		{"Bauvorbescheid und Baugenehmigung", v1alpha1.LevelKreis, []v1alpha1.SizeClass{v1alpha1.SizeClassGrosse, v1alpha1.SizeClassMittlere}, ""},
		{"Kindertagesbetreuung", v1alpha1.LevelKreis, nil, v1alpha1.AuthorityJugendamt},
		{"Unterhaltsvorschuss", v1alpha1.LevelKreis, nil, v1alpha1.AuthorityJugendamt},
	} {
		found := false
		for i := range c.Services {
			svc := &c.Services[i]
			if !strings.HasPrefix(svc.Spec.Name, tc.name) {
				continue
			}
			found = true
			if got := profile.Place(svc); got.Level != tc.level || len(got.HeldBy) != len(tc.heldBy) || got.Authority != tc.authority {
				t.Errorf("%s (%s): %s held by %v, authority %q; want %s held by %v, authority %q", svc.Name, svc.Spec.Name,
					got.Level, got.HeldBy, got.Authority, tc.level, tc.heldBy, tc.authority)
			}
		}
		if !found {
			t.Errorf("no catalogue service named %s...", tc.name)
		}
	}
	t.Logf("NRW profile: %v", levels)
}

// readTable reads a responsibility table of rows (the header first) with
// the NRW options.
func readTable(t *testing.T, rows ...string) *importer.Profile {
	t.Helper()
	file := filepath.Join(t.TempDir(), "profile.csv")
	if err := os.WriteFile(file, []byte(strings.Join(rows, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := importer.ReadProfile(file, nrwOptions())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// assertReported checks that the report of p names each finding.
func assertReported(t *testing.T, p *importer.Profile, findings ...string) {
	t.Helper()
	for _, want := range findings {
		if !strings.Contains(reportText(p.Report), want) {
			t.Errorf("report lacks %q:\n%s", want, reportText(p.Report))
		}
	}
}

func TestReadProfileRejectsBadRows(t *testing.T) {
	p := readTable(t,
		"ozg_id,leika_schluessel,level,held_by,legal_basis,note",
		"10001,,Kreis,,§ 46 FZV,",                          // 2: good
		"10001,99000000000001,Land,,§ 1,",                  // 3: good LeiKa row
		"10002,,Kreis,Grosse;Mittlere,§ 57 BauO NRW 2018,", // 4: good
		"1003,,Kreis,,x,",                                  // 5: bad OZG-ID
		"10004,,Amt,,x,",                                   // 6: bad level
		"10005,,Gemeinde,Grosse,x,",                        // 7: held_by outside Kreis
		"10006,,Kreis,,,",                                  // 8: no legal basis
		"10007,,Unknown,,,",                                // 9: Unknown without note
		"10001,,Land,,x,",                                  // 10: second row of 10001
		"10008,99000000000002,Land,,x,",                    // 11: LeiKa row before its service
		"10002,9900,Land,,x,",                              // 12: bad LeiKa key
		"10002,,Kreis,Kleine,x,",                           // 13: bad size class
		"10009,,unknown,,,no NRW procedure",                // 14: good, level in lower case
	)
	assertReported(t, p,
		":5:1: rejected: ozg_id: \"1003\" is not a 5-digit OZG-ID",
		":6:3: rejected: level: \"Amt\" is not a level",
		":7:4: rejected: held_by: held_by names the size classes that hold a Kreis task themselves",
		":8:5: rejected: legal_basis: a placed service needs its legal basis",
		":9:6: rejected: note: an Unknown service needs a note",
		":10:1: rejected: ozg_id: OZG-ID 10001 has a row already",
		":11:2: rejected: leika_schluessel: LeiKa service 99000000000002 comes before a row of its OZG service 10008",
		":12:2: rejected: leika_schluessel: \"9900\" is not a 14-digit LeiKa key",
		":13:4: rejected: held_by: \"Kleine\" is not a size class",
	)
	if p.Report.Rejected() != 9 {
		t.Errorf("%d rows rejected, want 9:\n%s", p.Report.Rejected(), reportText(p.Report))
	}
	spec := p.Profile.Spec
	if len(spec.Services) != 3 || spec.Services[0].Service != "ozg-10001" || len(spec.Services[0].Leistungen) != 1 ||
		spec.Services[1].HeldBy[1] != v1alpha1.SizeClassMittlere || spec.Services[2].Level != v1alpha1.LevelUnknown {
		t.Errorf("the good rows: %+v", spec.Services)
	}
	if len(spec.Typisierung) != 2 || spec.Typisierung[0].Typisierung != "1" || spec.Typisierung[0].Level != v1alpha1.LevelBund {
		t.Errorf("typisierung rules %+v, want 1=Bund, 5=Gemeinde", spec.Typisierung)
	}
}

func TestReadProfileAuthority(t *testing.T) {
	p := readTable(t,
		"ozg_id,leika_schluessel,level,held_by,legal_basis,note,authority",
		"10019,,Kreis,,§ 1a Abs. 1 AG-KJHG NRW,,Jugendamt",         // 2: good
		"10020,,Gemeinde,,§ 2 GO NRW,,Jugendamt",                   // 3: authority outside Kreis
		"10021,,Kreis,,§ 1a Abs. 1 AG-KJHG NRW,,jugend amt",        // 4: no CamelCase word
		"10022,,Kreis,Mittlere,§ 1a Abs. 1 AG-KJHG NRW,,Jugendamt", // 5: good, with a size class too
	)
	assertReported(t, p,
		":3:7: rejected: authority: authority names the authority that carries a Kreis task: only for level Kreis",
		":4:7: rejected: authority: \"jugend amt\" is not an authority name",
	)
	if s := p.Profile.Spec.Services; len(s) != 2 || s[0].Authority != v1alpha1.AuthorityJugendamt || s[1].Authority != v1alpha1.AuthorityJugendamt {
		t.Errorf("the good rows: %+v", s)
	}
}
