package importer_test

// The importer's rows of the bad-input matrix (docs/bad-input.md): wrong
// encodings, truncated files, markup in names, huge values and lists, and
// bad rows between good ones. A file that cannot be read as a whole is an
// error naming FILE:LINE and yields nothing; a bad row, also one with a
// field too many or too few, is rejected with FILE:LINE[:COLUMN] and every
// good row is still imported and counted.

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"golang.org/x/text/encoding/charmap"

	"github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/importer"
)

// badInputKommunen is a small, valid administrations file: a Kreis and
// three of its towns, one with a quoted name.
const badInputKommunen = adminHeader +
	"05766,Lippe,Kreis,,,Detmold,,,,\n" + // line 2
	"05766020,\"Detmold, Stadt\",kreisangehörige Stadt,05766,Lippe,Detmold,73000,Stadt Detmold,Marie-Curie-Str. 2,32756 Detmold\n" + // line 3
	"05766008,Blomberg,kreisangehörige Stadt,05766,Lippe,Detmold,15000,Stadt Blomberg,Hindenburgplatz 1,32825 Blomberg\n" + // line 4
	"05766044,Lügde,kreisangehörige Stadt,05766,Lippe,Detmold,10000,Stadt Lügde,Am Markt 1,32676 Lügde\n" // line 5

func writeKommunen(t *testing.T, data []byte) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "kommunen.csv")
	writeFile(t, file, string(data))
	return file
}

func readKommunen(t *testing.T, data []byte) (*importer.Administrations, string, error) {
	t.Helper()
	file := writeKommunen(t, data)
	a, err := importer.ReadAdministrations(file, importer.AdministrationOptions{ITProvider: "krz"})
	return a, file, err
}

// TestBadInputValidFixture makes sure the fixture the other cases spoil is
// itself imported without findings.
func TestBadInputValidFixture(t *testing.T) {
	a, _, err := readKommunen(t, []byte(badInputKommunen))
	if err != nil {
		t.Fatal(err)
	}
	if a.Report.Rows != 4 || a.Report.Objects != 4 || len(a.Report.Issues) != 0 {
		t.Fatalf("fixture: %s\n%s", a.Report.Summary(), reportText(a.Report))
	}
}

// TestBadInputTruncatedFiles: a file cut off inside a quoted field, or with
// a stray quote, is refused as a whole with an error naming the row's line:
// after a misplaced quote the reader cannot tell where rows begin, so
// nothing is produced and an import never applies half a file. (A file cut
// off between two separators is a short row, see
// TestBadInputRowsWithWrongFieldCounts.)
func TestBadInputTruncatedFiles(t *testing.T) {
	for _, tc := range []struct {
		name string
		data string
		want []string // substrings of the error after the file name
	}{
		{"cut inside a quoted field", badInputKommunen + "05766012,\"Lage, St",
			[]string{":6:", `extraneous or missing " in quoted-field`}},
		{"cut inside a quoted field after a line break", badInputKommunen + "05766012,Lage,kreisangehörige Stadt,05766,Lippe,Detmold,35000,\"Stadt Lage\nRathaus",
			[]string{":7:", `extraneous or missing " in quoted-field (in the row that starts on line 6)`}},
		{"stray quote in the middle of the file", strings.Replace(badInputKommunen, "05766008,Blomberg", "05766008,\"Blomberg", 1) +
			"05766012,\"Lage, Stadt\",kreisangehörige Stadt,05766,Lippe,Detmold,35000,,,\n",
			[]string{":6:", `extraneous or missing " in quoted-field (in the row that starts on line 4)`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, file, err := readKommunen(t, []byte(tc.data))
			if err == nil {
				t.Fatalf("no error; imported %s", a.Report.Summary())
			}
			if a != nil {
				t.Errorf("got objects despite the error: %v", a.Items)
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), file+want) && !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
			if !strings.HasPrefix(err.Error(), file+":") {
				t.Errorf("error %q does not start with FILE:LINE", err)
			}
		})
	}

	t.Run("catalogue file cut inside a quoted field", func(t *testing.T) {
		dir := badCatalog(t, nil, nil)
		leika := filepath.Join(dir, importer.LeiKaLeistungenFile)
		appendFile(t, leika, "99012001000001,\"Abbruch")
		c, err := importer.ReadCatalog(dir)
		if err == nil || !strings.Contains(err.Error(), leika+":4:") {
			t.Errorf("got error %v, want one naming %s line 4", err, leika)
		}
		if c != nil {
			t.Errorf("got a catalogue despite the error: %v", c.Services)
		}
	})
}

// TestBadInputRowsWithWrongFieldCounts: a row with a field too few (a
// missing separator, or the file cut off in it) or too many (a stray
// separator, an unquoted value with one) is rejected as a whole with
// FILE:LINE and a reason, and every good row, also those after it, is
// imported and counted, as for any other bad row.
func TestBadInputRowsWithWrongFieldCounts(t *testing.T) {
	t.Run("administrations", func(t *testing.T) {
		data := adminHeader +
			"05766,Lippe,Kreis,,,Detmold,,,,\n" + // 2 good
			"05766020,Detmold,kreisangehörige Stadt,05766,Lippe,Detmold,73000,Stadt Detmold,32756 Detmold\n" + // 3 a field too few
			"05766008,Blomberg,kreisangehörige Stadt,05766,Lippe,Detmold,15000,Stadt Blomberg,Hindenburgplatz 1,32825 Blomberg\n" + // 4 good
			"05766044,Lügde,kreisangehörige Stadt,05766,Lippe,Detmold,10000,Stadt Lügde,Am Markt 1,32676,Lügde\n" + // 5 a field too many
			"05766016,\"Leopoldshöhe\nGemeinde\",kreisangehörige Gemeinde,05766,Lippe,Detmold,16000,,,,\n" + // 6-7 a field too many, spanning lines
			"05766012,Lage,kreisangehörige Stadt,05766,Lippe,Detmold,35000,Stadt Lage,Marktplatz 1,32791 Lage\n" + // 8 good
			"05766028,Horn-Bad Meinberg,kreisangehörige St" // 9 cut off
		a, file, err := readKommunen(t, []byte(data))
		if err != nil {
			t.Fatalf("a file with broken rows is refused as a whole: %v", err)
		}
		checkReported(t, a.Report,
			file+`:3: rejected: 9 fields, want 10 as in the header (a missing ',', or the row is cut off?)`,
			file+`:5: rejected: 11 fields, want 10 as in the header (a stray ',', or a value with ',' that is not quoted?)`,
			file+`:6: rejected: 11 fields, want 10`,
			file+`:9: rejected: 3 fields, want 10`,
		)
		var names []string
		for _, adm := range a.Items {
			names = append(names, adm.Name)
		}
		if want := []string{"blomberg", "kreis-lippe", "lage"}; strings.Join(names, " ") != strings.Join(want, " ") {
			t.Errorf("imported %v, want %v", names, want)
		}
		if got, want := a.Report.Summary(), "read 7 rows: 3 objects, 4 rows rejected, 0 warnings"; got != want {
			t.Errorf("summary %q, want %q\n%s", got, want, reportText(a.Report))
		}

		// A filter cannot tell which Kreis a broken row belongs to, so
		// it keeps the finding: --strict must still fail.
		f, err := importer.ReadAdministrations(file, importer.AdministrationOptions{Kreise: []string{"05766"}})
		if err != nil {
			t.Fatal(err)
		}
		if f.Report.Rejected() != 4 || f.Report.Objects != 2 {
			t.Errorf("filtered import: %s\n%s", f.Report.Summary(), reportText(f.Report))
		}
	})

	t.Run("catalogue", func(t *testing.T) {
		dir := badCatalog(t,
			[]string{
				"10202,Baulast,Bauen & Wohnen",               // 4 a field too few
				"10203,Baugenehmigung,Bauen & Wohnen,,extra", // 5 a field too many
				"10204,Bauvorbescheid,Bauen & Wohnen,",       // 6 good
			},
			[]string{
				"99012001000100,Abriss,10513,4,0,0",             // 4 a field too few
				"99012001000101,Abriss, klein,10513,4,,0,0",     // 5 a field too many
				"99012001000102,Bauvorbescheid,10204,4,,0,0",    // 6 good
				"99012001000103,Baulast,10202,4,,0,0",           // 7 its OZG service is rejected
				"99012001000104,Abfall,10110,5,\"§ 1\nKrWG\",0", // 8-9 a field too few, spanning lines
			})
		ozg := filepath.Join(dir, importer.OZGLeistungenFile)
		leika := filepath.Join(dir, importer.LeiKaLeistungenFile)
		c, err := importer.ReadCatalog(dir)
		if err != nil {
			t.Fatalf("a catalogue with broken rows is refused as a whole: %v", err)
		}
		var names []string
		for _, s := range c.Services {
			names = append(names, s.Name)
		}
		if want := "ozg-10110 ozg-10204 ozg-10513"; strings.Join(names, " ") != want {
			t.Errorf("imported %v, want %s", names, want)
		}
		checkReported(t, c.Report,
			ozg+`:4: rejected: 3 fields, want 4 as in the header (a missing ',', or the row is cut off?)`,
			ozg+`:5: rejected: 5 fields, want 4 as in the header (a stray ',', or a value with ',' that is not quoted?)`,
			leika+`:4: rejected: 6 fields, want 7`,
			leika+`:5: rejected: 8 fields, want 7`,
			leika+`:7:3: rejected: ozg_id: OZG service 10202 is not in ozg-leistungen.csv (or was rejected there)`,
			leika+`:8: rejected: 6 fields, want 7`,
		)
		if l := serviceByName(t, c, "ozg-10204").Spec.Leistungen; len(l) != 1 || l[0].Key != "99012001000102" {
			t.Errorf("ozg-10204 has the LeiKa services %+v, want the good row's", l)
		}
		// 1 + 2 + 5 + 7 rows; the 6 rejected ones are 2 OZG and 4 LeiKa rows.
		if c.Report.Rows != 15 || c.Report.Objects != 3 || c.Report.Rejected() != 6 {
			t.Errorf("report: %s\n%s", c.Report.Summary(), reportText(c.Report))
		}
	})
}

// TestBadInputEncodings: UTF-8 (with or without BOM) and Windows-1252 are
// read; anything else is refused with a message that says what the file
// looks like and where, instead of turning bytes into replacement
// characters or quoting binary garbage as a header.
func TestBadInputEncodings(t *testing.T) {
	win1252, err := charmap.Windows1252.NewEncoder().String(badInputKommunen)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("Windows-1252 is detected and decoded", func(t *testing.T) {
		if !bytes.Contains([]byte(win1252), []byte{0xFC}) {
			t.Fatal("fixture has no Windows-1252 ü")
		}
		a, _, err := readKommunen(t, []byte(win1252))
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, adm := range a.Items {
			found = found || adm.Spec.DisplayName == "Lügde"
		}
		if !found || a.Report.Objects != 4 {
			t.Errorf("Lügde not decoded: %v", a.Items)
		}
	})

	utf16le := func(s string, bom bool) []byte {
		var b bytes.Buffer
		if bom {
			b.Write([]byte{0xFF, 0xFE})
		}
		_ = binary.Write(&b, binary.LittleEndian, utf16.Encode([]rune(s)))
		return b.Bytes()
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write([]byte(badInputKommunen))
	_ = zw.Close()
	// CP850 (DOS) writes ü as 0x81, which Windows-1252 leaves undefined.
	cp850 := strings.ReplaceAll(win1252, "\xfc", "\x81")
	// Rows appended from a UTF-8 export to a Windows-1252 one.
	mixed := win1252 + "05766012,Lage,kreisangehörige Stadt,05766,Lippe,Detmold,35000,Stadt Lage,Marktplatz 1,32791 Lage\n"

	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"UTF-16 with byte order mark", utf16le(badInputKommunen, true), ": UTF-16 is not supported, save the file as UTF-8 or Windows-1252"},
		{"UTF-16 without byte order mark", utf16le(badInputKommunen, false), ":1: NUL byte: not a CSV text file (binary, or UTF-16 without byte order mark?)"},
		{"gzip file", gz.Bytes(), ":1: NUL byte: not a CSV text file"},
		{"PNG image", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00"), ":3: NUL byte: not a CSV text file"},
		{"DOS code page CP850", []byte(cp850), ":5: byte 0x81 is neither UTF-8 nor Windows-1252 (a DOS code page such as CP850?), save the file as UTF-8"},
		{"UTF-8 rows after Windows-1252 rows", []byte(mixed), ":6: mixed encodings: this line is UTF-8, line 3 is not, save the whole file as UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, file, err := readKommunen(t, tc.data)
			if err == nil {
				t.Fatalf("no error; imported %s", a.Report.Summary())
			}
			if !strings.Contains(err.Error(), file+tc.want) {
				t.Errorf("error %q does not contain %q", err, file+tc.want)
			}
		})
	}

	t.Run("catalogue file in UTF-16", func(t *testing.T) {
		dir := badCatalog(t, nil, nil)
		leika := filepath.Join(dir, importer.LeiKaLeistungenFile)
		writeFile(t, leika, string(utf16le(readFile(t, leika), true)))
		_, err := importer.ReadCatalog(dir)
		if err == nil || !strings.Contains(err.Error(), leika+": UTF-16 is not supported") {
			t.Errorf("got error %v, want one naming %s and UTF-16", err, leika)
		}
	})
}

// TestBadInputMarkupInNames: markup in a name is data. The importer keeps it
// verbatim in spec.displayName and the official-name annotation (the API
// accepts it, the portal server escapes it, see internal/portal), and the
// object name is a clean slug.
func TestBadInputMarkupInNames(t *testing.T) {
	const script = `<script>alert(1)</script>`
	data := badInputKommunen +
		"05766012,\"" + script + ", Stadt\",kreisangehörige Stadt,05766,Lippe,Detmold,35000,\"<b>Stadt</b> Lage\",Marktplatz 1,32791 Lage\n"
	a, _, err := readKommunen(t, []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if a.Report.Objects != 5 || a.Report.Rejected() != 0 || a.Report.Warnings() != 0 {
		t.Fatalf("report: %s\n%s", a.Report.Summary(), reportText(a.Report))
	}
	adm, ok := byNameLookup(a.Items, "script-alert-1-script")
	if !ok {
		t.Fatalf("no administration script-alert-1-script among %v", a.Items)
	}
	if adm.Spec.DisplayName != script || adm.Annotations[importer.AnnotationOfficialName] != script+", Stadt" ||
		adm.Spec.Address.Recipient != "<b>Stadt</b> Lage" {
		t.Errorf("markup not kept verbatim: %q %q %+v", adm.Spec.DisplayName, adm.Annotations, adm.Spec.Address)
	}

	dir := badCatalog(t,
		[]string{"10999,\"<img src=x onerror=alert(1)>\",Bauen & Wohnen,Bauen & Immobilien"},
		[]string{"99012001000999,<i>Abriss</i>,10999,4,\"<a href=\"\"javascript:alert(1)\"\">BauO</a>\",0,0"})
	c, err := importer.ReadCatalog(dir)
	if err != nil {
		t.Fatal(err)
	}
	svc := serviceByName(t, c, "ozg-10999")
	if svc.Spec.Name != "<img src=x onerror=alert(1)>" || svc.Spec.Leistungen[0].Name != "<i>Abriss</i>" ||
		svc.Spec.Leistungen[0].LegalBasis != `<a href="javascript:alert(1)">BauO</a>` {
		t.Errorf("markup not kept verbatim: %+v", svc.Spec)
	}
}

// TestBadInputHugeValues: values longer than the CRD allows are shortened
// with a warning, lists longer than the CRD allows are cut at its maxItems
// with the left-over rows rejected, so that every object the importer emits
// passes the API's validation.
func TestBadInputHugeValues(t *testing.T) {
	t.Run("administration name of 300 characters", func(t *testing.T) {
		long := strings.Repeat("Langername", 30)
		a, file, err := readKommunen(t, []byte(badInputKommunen+
			"05766012,"+long+",kreisangehörige Stadt,05766,Lippe,Detmold,35000,,,\n"))
		if err != nil {
			t.Fatal(err)
		}
		checkReported(t, a.Report, file+":6:2: warning: name: 300 characters, shortened to the maximum of 256")
		adm, ok := byNameLookup(a.Items, strings.ToLower(long[:63]))
		if !ok || len(adm.Spec.DisplayName) != 256 || a.Report.Objects != 5 {
			t.Errorf("got %d objects, %q with display name of %d characters", a.Report.Objects, adm.Name, len(adm.Spec.DisplayName))
		}
	})

	t.Run("1001 LeiKa services for one OZG service", func(t *testing.T) {
		var rows []string
		for i := range 1000 { // with the fixture's row 1001
			rows = append(rows, fmt.Sprintf("99012%09d,Leistung %d,10110,5,,0,0", i, i))
		}
		dir := badCatalog(t, nil, rows)
		leika := filepath.Join(dir, importer.LeiKaLeistungenFile)
		c, err := importer.ReadCatalog(dir)
		if err != nil {
			t.Fatal(err)
		}
		svc := serviceByName(t, c, "ozg-10110")
		if n := len(svc.Spec.Leistungen); n != 1000 {
			t.Errorf("ozg-10110 has %d LeiKa services, want the CRD's maximum of 1000", n)
		}
		// The fixture's own row sorts last (its key is the largest).
		want := leika + ":3:3: rejected: ozg_id: OZG service 10110 has more than 1000 LeiKa services, the CRD's limit"
		if !reported(c.Report, want) || c.Report.Rejected() != 1 {
			t.Errorf("report lacks %s\n%s", want, reportText(c.Report))
		}
		attached := 0
		for _, s := range c.Services {
			attached += len(s.Spec.Leistungen)
		}
		if attached+c.Report.Rejected() != 1000+2 {
			t.Errorf("%d attached + %d rejected, want all %d LeiKa rows accounted for", attached, c.Report.Rejected(), 1000+2)
		}
	})

	t.Run("nine Typisierungen", func(t *testing.T) {
		dir := badCatalog(t, nil, []string{`99012001000999,Abriss,10513,"1, 2/3, 4, 5, 6, 7, 8, 9, 10",,0,0`})
		leika := filepath.Join(dir, importer.LeiKaLeistungenFile)
		c, err := importer.ReadCatalog(dir)
		if err != nil {
			t.Fatal(err)
		}
		checkReported(t, c.Report, leika+`:4:4: warning: typisierung: more than 8 values, "10" dropped`)
		for _, l := range serviceByName(t, c, "ozg-10513").Spec.Leistungen {
			if l.Key == "99012001000999" && len(l.Typisierung) != 8 {
				t.Errorf("typisierung %v, want 8 values", l.Typisierung)
			}
		}
	})
}

// TestBadInputBadRowsBetweenGoodOnes: every bad row is rejected with
// FILE:LINE:COLUMN, and every good row, also those after a bad one, is
// imported; the report accounts for each row exactly once.
func TestBadInputBadRowsBetweenGoodOnes(t *testing.T) {
	t.Run("administrations", func(t *testing.T) {
		data := adminHeader +
			"05766,Lippe,Kreis,,,Detmold,,,,\n" + // 2 good
			"0576602,Detmold,kreisangehörige Stadt,05766,Lippe,Detmold,73000,,,\n" + // 3 key of 7 digits
			"05766008,Blomberg,kreisangehörige Stadt,05766,Lippe,Detmold,15000,Stadt Blomberg,,\n" + // 4 good
			"05766044,Lügde,Dorf,05766,Lippe,Detmold,10000,,,\n" + // 5 unknown type
			"05766008,Blomberg II,kreisangehörige Stadt,05766,Lippe,Detmold,15000,,,\n" + // 6 duplicate key
			"05766012,,kreisangehörige Stadt,05766,Lippe,Detmold,35000,,,\n" + // 7 no name
			"05766016,Leopoldshöhe,kreisangehörige Gemeinde,05766,Lippe,Detmold,viele,Gemeinde Leopoldshöhe,,\n" + // 8 good, population dropped
			"05766020,\"Detmold, Stadt\",kreisangehörige Stadt,05766,Lippe,Detmold,73000,Stadt Detmold,,\n" // 9 good
		a, file, err := readKommunen(t, []byte(data))
		if err != nil {
			t.Fatal(err)
		}
		checkReported(t, a.Report,
			file+`:3:1: rejected: schluessel: key "0576602" of a municipality is not 8 digits (AGS)`,
			file+`:5:3: rejected: typ: unknown type "Dorf"`,
			file+`:6:1: rejected: schluessel: key 05766008 is used before on line 4`,
			file+`:7:2: rejected: name: administration 05766012 has no name`,
			file+`:8:7: warning: einwohner_2011: "viele" is not a number of inhabitants, left empty`,
		)
		var names []string
		for _, adm := range a.Items {
			names = append(names, adm.Name)
		}
		if want := []string{"blomberg", "detmold", "kreis-lippe", "leopoldshoehe"}; strings.Join(names, " ") != strings.Join(want, " ") {
			t.Errorf("imported %v, want %v", names, want)
		}
		if a.Report.Rows != 8 || a.Report.Objects+a.Report.Rejected() != a.Report.Rows {
			t.Errorf("report %q does not account for the 8 rows", a.Report.Summary())
		}
		if got, want := a.Report.Summary(), "read 8 rows: 4 objects, 4 rows rejected, 1 warnings"; got != want {
			t.Errorf("summary %q, want %q", got, want)
		}
	})

	t.Run("catalogue", func(t *testing.T) {
		dir := badCatalog(t,
			[]string{
				"10110,Abfallentsorgung doppelt,Bauen & Wohnen,Wohnen & Umzug", // 4 duplicate OZG-ID
				"1011,Kurz,Bauen & Wohnen,",                                    // 5 OZG-ID of 4 digits
				"10200,,Bauen & Wohnen,",                                       // 6 no Bezeichnung
				"10201,Ohne Themenfeld,,",                                      // 7 no Themenfeld
				"10202,Baulast,Bauen & Wohnen,Unbekannte Lage",                 // 8 good, unknown Lebenslage
			},
			[]string{
				"99012001000100,Abriss,99999,4,,0,0",      // 4 unknown OZG service
				"99012001000101,Abriss,10200,4,,0,0",      // 5 OZG service rejected before
				"99012001000102,Baulast,10202,4,,0,0",     // 6 good
				"12345,Baulast klein,10202,4,,0,0",        // 7 good, key dropped
				",Ohne Schlüssel und Dienst,,4,,0,0",      // 8 no OZG service
				"99012001000103,Wohin,10202,4,,ja,nein",   // 9 good
				"99012001000104,,10202,4,,0,0",            // 10 no Bezeichnung
				"99012001000105,Lage,10110,4,,0,0",        // 11 good
				"99012001000106,Lage II,10513,4,,maybe,0", // 12 good, sdg1 taken as 0
			})
		ozg := filepath.Join(dir, importer.OZGLeistungenFile)
		leika := filepath.Join(dir, importer.LeiKaLeistungenFile)
		c, err := importer.ReadCatalog(dir)
		if err != nil {
			t.Fatal(err)
		}
		checkReported(t, c.Report,
			ozg+`:4:1: rejected: ozg_id: OZG-ID 10110 is defined before on line 3`,
			ozg+`:5:1: rejected: ozg_id: OZG-ID "1011" is not 5 digits`,
			ozg+`:6:2: rejected: bezeichnung: OZG service 10200 has no Bezeichnung`,
			ozg+`:7:3: rejected: themenfeld: OZG service 10201 has no Themenfeld`,
			ozg+`:8:4: warning: lebenslage: Lebenslage "Unbekannte Lage" of Themenfeld "Bauen & Wohnen" is not in lebenslagen.csv`,
			leika+`:4:3: rejected: ozg_id: OZG service 99999 is not in ozg-leistungen.csv (or was rejected there)`,
			leika+`:5:3: rejected: ozg_id: OZG service 10200 is not in ozg-leistungen.csv (or was rejected there)`,
			leika+`:7:1: warning: leika_schluessel: LeiKa key "12345" has 5 digits, not 14, kept without key`,
			leika+`:8:3: rejected: ozg_id: LeiKa service "Ohne Schlüssel und Dienst" names no OZG service`,
			leika+`:10:2: rejected: bezeichnung: LeiKa service has no Bezeichnung`,
			leika+`:12:6: warning: sdg1: "maybe" is not 0 or 1, taken as 0`,
		)
		var names []string
		leistungen := 0
		for _, s := range c.Services {
			names = append(names, s.Name)
			leistungen += len(s.Spec.Leistungen)
		}
		if want := "ozg-10110 ozg-10202 ozg-10513"; strings.Join(names, " ") != want {
			t.Errorf("imported %v, want %s", names, want)
		}
		// 2 LeiKa rows of the fixture + 5 good ones here; 4 rejected.
		if leistungen != 7 || len(issues(c.Report, leika, importer.SeverityRejected)) != 4 {
			t.Errorf("%d LeiKa services attached, %d rows rejected; want 7 and 4\n%s",
				leistungen, len(issues(c.Report, leika, importer.SeverityRejected)), reportText(c.Report))
		}
		if c.Report.Objects != 3 || c.Report.Rejected() != 8 {
			t.Errorf("report: %s", c.Report.Summary())
		}
	})
}

// badCatalog writes a small valid catalogue (two OZG services with one
// LeiKa service each) plus the given extra rows of ozg-leistungen.csv and
// leika-leistungen.csv, and returns its directory.
func badCatalog(t *testing.T, ozgRows, leikaRows []string) string {
	t.Helper()
	dir := t.TempDir()
	lines := func(header string, rows ...string) string { return header + "\n" + strings.Join(rows, "\n") + "\n" }
	writeFile(t, filepath.Join(dir, importer.ThemenfelderFile), lines("themenfeld", "Bauen & Wohnen"))
	writeFile(t, filepath.Join(dir, importer.LebenslagenFile), lines("themenfeld,lebenslage",
		"Bauen & Wohnen,Bauen & Immobilien", "Bauen & Wohnen,Wohnen & Umzug"))
	writeFile(t, filepath.Join(dir, importer.OZGLeistungenFile), lines("ozg_id,bezeichnung,themenfeld,lebenslage",
		append([]string{"10513,Abbruchgenehmigung,Bauen & Wohnen,Bauen & Immobilien", "10110,Abfallentsorgung,Bauen & Wohnen,Wohnen & Umzug"}, ozgRows...)...))
	writeFile(t, filepath.Join(dir, importer.LeiKaLeistungenFile), lines("leika_schluessel,bezeichnung,ozg_id,typisierung,rechtsgrundlage,sdg1,sdg2",
		append([]string{"99012001000000,Abbruchgenehmigung,10513,4,,0,0", "99013001999999,Abfallentsorgung,10110,5,,0,0"}, leikaRows...)...))
	return dir
}

func serviceByName(t *testing.T, c *importer.Catalog, name string) v1alpha1.OZGService {
	t.Helper()
	for _, s := range c.Services {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no OZGService %s", name)
	return v1alpha1.OZGService{}
}
