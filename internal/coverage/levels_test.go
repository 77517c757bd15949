package coverage_test

import (
	"testing"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/coverage"
	"github.com/ozg-operator/ozg-operator/internal/importer"
	"github.com/ozg-operator/ozg-operator/internal/importer/importertest"
)

// krzArea is the coverage of the 36 municipalities of the IT provider krz
// (Kreise Lippe, Herford, Minden-Lübbecke) and their Kreise, from the
// reference data and the NRW profile, as the operator sees them after an
// import.
func krzArea(t *testing.T) *coverage.Report {
	t.Helper()
	return nrwCoverage(t, []string{"05766", "05758", "05770"})
}

// nrwCoverage is the coverage of the NRW municipalities of the Kreise
// named (all of NRW if none) and their Kreise.
func nrwCoverage(t *testing.T, kreise []string) *coverage.Report {
	t.Helper()
	c := importertest.Catalog(t)
	adms := importertest.Administrations(t, importer.AdministrationOptions{
		Kreise: kreise, WithKreise: len(kreise) > 0})
	return coverage.Compute(coverage.Input{Administrations: adms.Items, Services: c.Services,
		Profiles: []ozgv1.ResponsibilityProfile{*importertest.NRWProfile(t)}})
}

// TestKrzMeasure: the krz counted about 2,000 of the catalogue's LeiKa
// services as concerning the municipalities of its area (Kreis or
// Gemeinde), half of them businesses'. The level view counts the same
// for the krz area from the NRW profile.
func TestKrzMeasure(t *testing.T) {
	r := krzArea(t)
	rows := map[string]coverage.LevelRow{}
	for _, l := range r.Levels {
		rows[l.Level] = l
		t.Logf("%-20s %5d LeiKa, %5d business, max share %v", l.Level, l.LeiKa, l.Business, deref(l.MaxShare))
	}
	kg := rows[coverage.KreisOrGemeinde]
	if kg.LeiKa < rows["Kreis"].LeiKa || kg.LeiKa < rows["Gemeinde"].LeiKa || kg.LeiKa > rows["Kreis"].LeiKa+rows["Gemeinde"].LeiKa {
		t.Errorf("Kreis or Gemeinde: %d, with Kreis %d and Gemeinde %d", kg.LeiKa, rows["Kreis"].LeiKa, rows["Gemeinde"].LeiKa)
	}
	if kg.Business == 0 || kg.Business >= kg.LeiKa {
		t.Errorf("Kreis or Gemeinde: %d business of %d", kg.Business, kg.LeiKa)
	}
}

func deref(f *float64) any {
	if f == nil {
		return "-"
	}
	return *f
}

// TestUnknownOnlyWhereTrulyUnknown: for no municipality of NRW does the
// profile leave more than a tenth of the LeiKa services its portal lists
// Unknown; every Unknown placement says why (the profile's tests and the
// CRD's CEL rules check the note).
func TestUnknownOnlyWhereTrulyUnknown(t *testing.T) {
	r := nrwCoverage(t, nil)
	for _, l := range r.Levels {
		if l.Level != string(ozgv1.LevelUnknown) {
			continue
		}
		if l.MaxShare == nil || *l.MaxShare > 0.10 {
			t.Errorf("Unknown: at most %v of a municipality's LeiKa services, want at most 0.10", deref(l.MaxShare))
		}
		t.Logf("Unknown: %d LeiKa services, at most %v of one municipality's", l.LeiKa, *l.MaxShare)
	}
}
