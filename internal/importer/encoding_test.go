package importer_test

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/ozg-operator/ozg-operator/internal/importer"
	"github.com/ozg-operator/ozg-operator/internal/importer/importertest"
)

// spreadsheet rewrites UTF-8 comma-separated CSV the way German Excel
// saves it: semicolons, Windows-1252, CRLF.
func spreadsheet(t *testing.T, data []byte) []byte {
	t.Helper()
	records, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Comma = ';'
	w.UseCRLF = true
	if err := w.WriteAll(records); err != nil {
		t.Fatal(err)
	}
	out, err := charmap.Windows1252.NewEncoder().Bytes(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// firstLines returns the header and the first n rows of a file without
// multi-line fields.
func firstLines(t *testing.T, path string, n int) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	return []byte(strings.Join(lines[:n+1], ""))
}

func TestReadAdministrationsWindows1252Semicolon(t *testing.T) {
	// Rows 1-150 hold kreisfreie Städte, Kreise and their municipalities,
	// umlauts and the row without population.
	slice := firstLines(t, importertest.AdministrationsFile(t), 150)
	dir := t.TempDir()
	variant := func(name string) string {
		if err := os.Mkdir(filepath.Join(dir, name), 0o700); err != nil {
			t.Fatal(err)
		}
		return filepath.Join(dir, name, "kommunen.csv")
	}
	utf8File, excelFile, bomFile := variant("utf8"), variant("excel"), variant("bom")
	writeFile(t, utf8File, string(slice))
	writeFile(t, excelFile, string(spreadsheet(t, slice)))
	writeFile(t, bomFile, "\uFEFF"+string(slice))
	if bytes.Contains([]byte(readFile(t, excelFile)), []byte("ü")) || !strings.Contains(readFile(t, excelFile), ";") {
		t.Fatal("the spreadsheet variant is not Windows-1252 with semicolons")
	}

	opts := importer.AdministrationOptions{ITProvider: "krz"}
	want, err := importer.ReadAdministrations(utf8File, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{excelFile, bomFile} {
		got, err := importer.ReadAdministrations(file, opts)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Items, want.Items) {
			t.Errorf("%s gives other objects than the UTF-8 file", file)
		}
		if len(got.Items) != 150 {
			t.Errorf("%s: got %d administrations, want 150", file, len(got.Items))
		}
		if !sameIssues(got.Report, want.Report) {
			t.Errorf("%s gives other issues:\n%s\nwant\n%s", file, reportText(got.Report), reportText(want.Report))
		}
	}
}

func TestReadCatalogWindows1252Semicolon(t *testing.T) {
	from := importertest.CatalogDir(t)
	dir := t.TempDir()
	for _, f := range []string{importer.ThemenfelderFile, importer.LebenslagenFile, importer.OZGLeistungenFile, importer.LeiKaLeistungenFile} {
		writeFile(t, filepath.Join(dir, f), string(spreadsheet(t, []byte(readFile(t, filepath.Join(from, f))))))
	}
	want, err := importer.ReadCatalog(from)
	if err != nil {
		t.Fatal(err)
	}
	got, err := importer.ReadCatalog(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Services, want.Services) {
		t.Error("the Windows-1252 catalogue gives other objects than the UTF-8 one")
	}
	if !sameIssues(got.Report, want.Report) {
		t.Errorf("the Windows-1252 catalogue gives other issues:\n%s", reportText(got.Report))
	}
}

// sameIssues compares reports regardless of the directory files were read from.
func sameIssues(a, b importer.Report) bool {
	strip := func(r importer.Report) []importer.Issue {
		out := make([]importer.Issue, len(r.Issues))
		for i, issue := range r.Issues {
			issue.File = filepath.Base(issue.File)
			out[i] = issue
		}
		return out
	}
	return reflect.DeepEqual(strip(a), strip(b)) && a.Rows == b.Rows && a.Objects == b.Objects
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
