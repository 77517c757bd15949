package badinput

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ozg-operator/ozg-operator/internal/importer"
	"github.com/ozg-operator/ozg-operator/internal/ozgctl"
)

// TestCLIReportsRowsWithWrongFieldCounts: a spreadsheet export with a row
// of a field too few and one of a field too many, among good rows, for
// both imports. The two are reported with FILE:LINE and reason, the good
// rows are printed, and --strict fails the command (but still prints them,
// as for any other rejected row).
func TestCLIReportsRowsWithWrongFieldCounts(t *testing.T) {
	kommunen := write(t, "kommunen.csv", header+
		"05766,Lippe,Kreis,,,Detmold,,,,\n"+
		"05766020,Detmold,kreisangehörige Stadt,05766,Lippe,Detmold,73000,Stadt Detmold,32756 Detmold\n"+ // line 3: 9 fields
		"05766008,Blomberg,kreisangehörige Stadt,05766,Lippe,Detmold,15000,Stadt Blomberg,Hindenburgplatz 1,32825 Blomberg\n"+
		"05766044,Lügde,kreisangehörige Stadt,05766,Lippe,Detmold,10000,Stadt Lügde,Am Markt 1,32676,Lügde\n"+ // line 5: 11 fields
		"05766012,Lage,kreisangehörige Stadt,05766,Lippe,Detmold,35000,Stadt Lage,Marktplatz 1,32791 Lage\n")
	catalog := catalogDir(t,
		"10513,Abbruchgenehmigung,Bauen & Wohnen,Bauen & Immobilien\n10110,Abfallentsorgung,Bauen & Wohnen\n", // line 3: 3 fields
		"99012001000000,Abbruchgenehmigung,10513,4,,0,0\n99012001000001,Abbruch, klein,10513,4,,0,0\n")        // line 3: 8 fields
	ozg := filepath.Join(catalog, importer.OZGLeistungenFile)
	leika := filepath.Join(catalog, importer.LeiKaLeistungenFile)

	for _, tc := range []struct {
		name    string
		args    []string
		report  []string
		objects []string
	}{
		{"administrations", []string{"import", "administrations", "--file", kommunen}, []string{
			kommunen + ":3: rejected: 9 fields, want 10 as in the header (a missing ',', or the row is cut off?)",
			kommunen + ":5: rejected: 11 fields, want 10 as in the header (a stray ',', or a value with ',' that is not quoted?)",
			kommunen + ": read 5 rows: 3 objects, 2 rows rejected, 0 warnings",
		}, []string{"name: kreis-lippe", "name: blomberg", "name: lage"}},
		{"catalog", []string{"import", "catalog", "--dir", catalog}, []string{
			ozg + ":3: rejected: 3 fields, want 4 as in the header (a missing ',', or the row is cut off?)",
			leika + ":3: rejected: 8 fields, want 7 as in the header (a stray ',', or a value with ',' that is not quoted?)",
			catalog + ": read 6 rows: 1 objects, 2 rows rejected, 0 warnings",
		}, []string{"name: ozg-10513"}},
	} {
		for _, strict := range []bool{false, true} {
			args := slices.Concat(tc.args, []string{"-o", "yaml"})
			wantCode := ozgctl.ExitOK
			if strict {
				args = append(args, "--strict")
				wantCode = ozgctl.ExitFailure
			}
			code, stdout, stderr := run(t, args...)
			if code != wantCode {
				t.Errorf("%s, strict=%v: exit code %d, want %d\n%s", tc.name, strict, code, wantCode, stderr)
			}
			if strict && !strings.Contains(stderr, "error: --strict: 2 rows or objects rejected") {
				t.Errorf("%s: stderr lacks the --strict error:\n%s", tc.name, stderr)
			}
			for _, want := range tc.report {
				if !strings.Contains(stderr, want) {
					t.Errorf("%s, strict=%v: stderr lacks %s\n%s", tc.name, strict, want, stderr)
				}
			}
			for _, want := range tc.objects {
				if !strings.Contains(stdout, want) {
					t.Errorf("%s, strict=%v: output lacks %s\n%s", tc.name, strict, want, stdout)
				}
			}
			if n := strings.Count(stdout, "\nkind: "); n != len(tc.objects) {
				t.Errorf("%s, strict=%v: printed %d objects, want %d", tc.name, strict, n, len(tc.objects))
			}
		}
	}
}

// catalogDir writes a catalogue of one Themenfeld and one Lebenslage
// with the given OZG and LeiKa rows (headers added).
func catalogDir(t *testing.T, ozgRows, leikaRows string) string {
	t.Helper()
	dir := t.TempDir()
	for file, content := range map[string]string{
		importer.ThemenfelderFile:    "themenfeld\nBauen & Wohnen\n",
		importer.LebenslagenFile:     "themenfeld,lebenslage\nBauen & Wohnen,Bauen & Immobilien\n",
		importer.OZGLeistungenFile:   "ozg_id,bezeichnung,themenfeld,lebenslage\n" + ozgRows,
		importer.LeiKaLeistungenFile: "leika_schluessel,bezeichnung,ozg_id,typisierung,rechtsgrundlage,sdg1,sdg2\n" + leikaRows,
	} {
		if err := os.WriteFile(filepath.Join(dir, file), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
