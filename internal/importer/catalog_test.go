package importer_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/importer"
	"github.com/ozg-operator/ozg-operator/internal/importer/importertest"
)

// Facts of the reference catalogue, see ../shared/data/README.md.
const (
	ozgServices      = 557
	leikaRows        = 5251
	emptyOZGIDRows   = 26
	notInLeiKaRows   = 436
	shortKeyRows     = 2
	catalogRowsTotal = 14 + 58 + ozgServices + leikaRows
)

func TestReadCatalogRealData(t *testing.T) {
	dir := importertest.CatalogDir(t)
	c, err := importer.ReadCatalog(dir)
	if err != nil {
		t.Fatal(err)
	}

	if got := len(c.Services); got != ozgServices {
		t.Errorf("got %d OZG services, want %d", got, ozgServices)
	}
	if c.Report.Rows != catalogRowsTotal || c.Report.Objects != ozgServices {
		t.Errorf("report counts rows %d objects %d, want %d and %d", c.Report.Rows, c.Report.Objects, catalogRowsTotal, ozgServices)
	}

	// Every LeiKa row is either attached to a service or rejected.
	attached := 0
	for _, s := range c.Services {
		attached += len(s.Spec.Leistungen)
	}
	leikaFile := filepath.Join(dir, importer.LeiKaLeistungenFile)
	rejected := issues(c.Report, leikaFile, importer.SeverityRejected)
	if attached+len(rejected) != leikaRows {
		t.Errorf("%d LeiKa services attached + %d rows rejected = %d, want %d", attached, len(rejected), attached+len(rejected), leikaRows)
	}
	emptyOZGID := 0
	for _, i := range rejected {
		if i.Column == "ozg_id" && i.Field == 3 && strings.Contains(i.Reason, "names no OZG service") {
			emptyOZGID++
		}
	}
	if emptyOZGID != emptyOZGIDRows || len(rejected) != emptyOZGIDRows {
		t.Errorf("got %d rejected rows, %d for an empty ozg_id; want %d, all for an empty ozg_id", len(rejected), emptyOZGID, emptyOZGIDRows)
	}
	if c.Report.Rejected() != emptyOZGIDRows {
		t.Errorf("report counts %d rejected rows, want %d", c.Report.Rejected(), emptyOZGIDRows)
	}

	if c.NotInLeiKa != notInLeiKaRows {
		t.Errorf("counted %d rows marked %q, want %d", c.NotInLeiKa, importer.NotInLeiKa, notInLeiKaRows)
	}
	unkeyed := 0
	for _, s := range c.Services {
		for _, l := range s.Spec.Leistungen {
			if l.Key == "" {
				unkeyed++
			}
		}
	}
	if unkeyed != c.Unkeyed {
		t.Errorf("%d LeiKa services have no key, the catalogue counts %d", unkeyed, c.Unkeyed)
	}

	// The data's known defects are reported with their position.
	checkReported(t, c.Report,
		leikaFile+`:5251:1: warning: leika_schluessel: LeiKa key "25323525" has 8 digits, not 14, kept without key`,
		leikaFile+`:5252:1: warning: leika_schluessel: LeiKa key "3233" has 4 digits, not 14, kept without key`,
		leikaFile+`:5252:4: warning: typisierung: "44" is not a Typisierung`,
		filepath.Join(dir, importer.LebenslagenFile)+`:57:2: warning: lebenslage: Lebenslage "aaaaaaaaaaaaaaaaa" looks like a placeholder`,
		filepath.Join(dir, importer.LebenslagenFile)+`:58:2: warning: lebenslage: Lebenslage "aaaaabbbbb" looks like a placeholder`,
		filepath.Join(dir, importer.LebenslagenFile)+`:59:2: warning: lebenslage: Lebenslage "aaabbbccc" looks like a placeholder`,
	)
	if got := c.Report.Warnings(); got != 6 {
		t.Errorf("got %d warnings, want 6:\n%s", got, reportText(c.Report))
	}
}

func TestReadCatalogShapesServices(t *testing.T) {
	c, err := importer.ReadCatalog(importertest.CatalogDir(t))
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]v1alpha1.OZGService{}
	for _, s := range c.Services {
		byName[s.Name] = s
	}
	if !slices.IsSortedFunc(c.Services, func(a, b v1alpha1.OZGService) int { return strings.Compare(a.Name, b.Name) }) {
		t.Error("services are not sorted by name")
	}

	s := byName["ozg-10513"]
	if s.Spec.OZGID != "10513" || s.Spec.Name != "Abbruchgenehmigung" || s.Spec.Themenfeld != "Bauen & Wohnen" || s.Spec.Lebenslage != "Bauen & Immobilien" {
		t.Errorf("ozg-10513 has spec %+v", s.Spec)
	}
	if s.Labels[v1alpha1.LabelThemenfeld] != "bauen-und-wohnen" || s.Labels[v1alpha1.LabelOZGID] != "10513" {
		t.Errorf("ozg-10513 has labels %v", s.Labels)
	}
	if s.APIVersion != "ozg.dev/v1alpha1" || s.Kind != "OZGService" {
		t.Errorf("ozg-10513 has type %v", s.TypeMeta)
	}
	// The malformed keys of the test rows at the end of the file are kept
	// without key, the invalid "44" is dropped.
	var test4 *v1alpha1.LeiKaLeistung
	for i, l := range s.Spec.Leistungen {
		if l.Name == "Test 4" {
			test4 = &s.Spec.Leistungen[i]
		}
	}
	if test4 == nil || test4.Key != "" || len(test4.Typisierung) != 0 {
		t.Errorf("Test 4 of ozg-10513 is %+v, want no key and no typisierung", test4)
	}

	// Keyed LeiKa services come first, by key; then unkeyed ones by name.
	for _, s := range c.Services {
		if !slices.IsSortedFunc(s.Spec.Leistungen, func(a, b v1alpha1.LeiKaLeistung) int {
			if (a.Key == "") != (b.Key == "") {
				if a.Key == "" {
					return 1
				}
				return -1
			}
			return strings.Compare(a.Key+"\x00"+a.Name, b.Key+"\x00"+b.Name)
		}) {
			t.Errorf("LeiKa services of %s are not sorted", s.Name)
		}
	}

	// "1, 2/3" is two values; sdg1/sdg2 become the Annex flags; the legal
	// basis is kept with its links.
	found := false
	for _, s := range c.Services {
		for _, l := range s.Spec.Leistungen {
			if slices.Equal(l.Typisierung, []string{"1", "2/3"}) {
				found = true
			}
		}
	}
	if !found {
		t.Error("no LeiKa service has the typisierung [1 2/3] split from \"1, 2/3\"")
	}
	elterngeld := byName["ozg-10000"].Spec.Leistungen[0]
	if elterngeld.Key != "99041006000000" || !elterngeld.SDGAnnexI || elterngeld.SDGAnnexII ||
		elterngeld.LegalBasis != "Bundeselterngeld- und Elternzeitgesetz (BEEG) [http://www.gesetze-im-internet.de/beeg/]" {
		t.Errorf("first LeiKa service of ozg-10000 is %+v", elterngeld)
	}

	// The trailing blank of "Querschnitt " does not reach the label.
	themen := map[string]bool{}
	for _, s := range c.Services {
		themen[s.Labels[v1alpha1.LabelThemenfeld]] = true
	}
	for _, want := range []string{"querschnitt", "unternehmensfuehrung-und-entwicklung", "ein-und-auswanderung", "mobilitaet-und-reisen"} {
		if !themen[want] {
			t.Errorf("no service has the Themenfeld label %q; labels are %v", want, themen)
		}
	}
}

func TestReadCatalogLimits(t *testing.T) {
	dir := copyCatalog(t, importertest.CatalogDir(t))
	leika := filepath.Join(dir, importer.LeiKaLeistungenFile)
	appendFile(t, leika, "99999999999999,Langer Text,10513,\"1, 1, 12\","+strings.Repeat("x", 5000)+",2,\n")

	c, err := importer.ReadCatalog(dir)
	if err != nil {
		t.Fatal(err)
	}
	checkReported(t, c.Report,
		leika+`:5253:4: warning: typisierung: "1" is listed twice, kept once`,
		leika+`:5253:4: warning: typisierung: "12" is not a Typisierung`,
		leika+`:5253:5: warning: rechtsgrundlage: 5000 characters, shortened to the maximum of 4096`,
		leika+`:5253:6: warning: sdg1: "2" is not 0 or 1, taken as 0`,
	)
}

func TestReadCatalogMissingColumn(t *testing.T) {
	dir := copyCatalog(t, importertest.CatalogDir(t))
	leika := filepath.Join(dir, importer.LeiKaLeistungenFile)
	data, err := os.ReadFile(leika)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, leika, strings.Replace(string(data), ",typisierung,", ",typ,", 1))

	_, err = importer.ReadCatalog(dir)
	if err == nil || !strings.Contains(err.Error(), `"typisierung"`) || !strings.Contains(err.Error(), leika) {
		t.Errorf("got error %v, want one naming the column typisierung and the file %s", err, leika)
	}
}

// TestReadCatalogRejectsAShortRow: a row cut short is rejected with its
// line; the rest of the real catalogue imports as without it.
func TestReadCatalogRejectsAShortRow(t *testing.T) {
	dir := copyCatalog(t, importertest.CatalogDir(t))
	whole, err := importer.ReadCatalog(dir)
	if err != nil {
		t.Fatal(err)
	}
	ozg := filepath.Join(dir, importer.OZGLeistungenFile)
	appendFile(t, ozg, "99999,Abgeschnitten\n")

	c, err := importer.ReadCatalog(dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := ozg + ":559: rejected: 2 fields, want "; !reported(c.Report, want) {
		t.Errorf("report lacks %s\n%s", want, reportText(c.Report))
	}
	if c.Report.Objects != whole.Report.Objects || c.Report.Rows != whole.Report.Rows+1 || c.Report.Rejected() != whole.Report.Rejected()+1 {
		t.Errorf("with the short row: %s; without: %s", c.Report.Summary(), whole.Report.Summary())
	}
}

func issues(r importer.Report, file string, sev importer.Severity) []importer.Issue {
	var out []importer.Issue
	for _, i := range r.Issues {
		if i.File == file && i.Severity == sev {
			out = append(out, i)
		}
	}
	return out
}

func reported(r importer.Report, prefix string) bool {
	for _, i := range r.Issues {
		if strings.HasPrefix(i.String(), prefix) {
			return true
		}
	}
	return false
}

// checkReported fails t for every issue of want that r lacks.
func checkReported(t *testing.T, r importer.Report, want ...string) {
	t.Helper()
	for _, w := range want {
		if !reported(r, w) {
			t.Errorf("report lacks %s\n%s", w, reportText(r))
		}
	}
}

func reportText(r importer.Report) string {
	var b strings.Builder
	_ = r.Write(&b)
	return b.String()
}

func copyCatalog(t *testing.T, from string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{importer.ThemenfelderFile, importer.LebenslagenFile, importer.OZGLeistungenFile, importer.LeiKaLeistungenFile} {
		data, err := os.ReadFile(filepath.Join(from, f))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, f), string(data))
	}
	return dir
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func appendFile(t *testing.T, path, content string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, string(data)+content)
}
