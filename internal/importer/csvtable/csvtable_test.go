package csvtable_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/ozg-operator/ozg-operator/internal/importer/csvtable"
)

func TestParseLineNumbersFollowMultiLineFields(t *testing.T) {
	table, err := csvtable.Parse("f.csv", []byte("a,b\n\"1\n2\",x\n3,y\n"), "a", "b")
	if err != nil {
		t.Fatal(err)
	}
	if table.Rows[0].Line != 2 || table.Rows[1].Line != 4 {
		t.Errorf("rows start on lines %d and %d, want 2 and 4", table.Rows[0].Line, table.Rows[1].Line)
	}
}

func TestParseSingleColumnNeedsNoSeparator(t *testing.T) {
	table, err := csvtable.Parse("f.csv", []byte("themenfeld\r\nBildung\r\n"), "themenfeld")
	if err != nil || len(table.Rows) != 1 || table.Rows[0].Get("themenfeld") != "Bildung" {
		t.Errorf("got %+v, %v", table, err)
	}
}

func TestParseDetectsEncodingAndSeparator(t *testing.T) {
	for _, tc := range []struct {
		name     string
		data     string
		encoding string
		sep      rune
	}{
		{"utf-8 comma", "ort,plz\nMünster,48143\n", "UTF-8", ','},
		{"utf-8 bom semicolon", "\uFEFFort;plz\r\nMünster;48143\r\n", "UTF-8", ';'},
		{"windows-1252 semicolon", "ort;plz\nM\xfcnster;48143\n", "Windows-1252", ';'},
		{"quoted separator in header", "\"ort;name\",plz\nMünster,48143\n", "UTF-8", ','},
	} {
		t.Run(tc.name, func(t *testing.T) {
			table, err := csvtable.Parse("f.csv", []byte(tc.data), "plz")
			if err != nil {
				t.Fatal(err)
			}
			if table.Encoding != tc.encoding || table.Separator != tc.sep {
				t.Errorf("got %s %q, want %s %q", table.Encoding, table.Separator, tc.encoding, tc.sep)
			}
			row := table.Rows[0]
			if row.Line != 2 || row.Get("PLZ") != "48143" || table.Column("plz") != 2 {
				t.Errorf("row %+v, plz %q in column %d", row, row.Get("plz"), table.Column("plz"))
			}
			if tc.sep == ';' && row.Get("ort") != "Münster" {
				t.Errorf("ort is %q, want Münster", row.Get("ort"))
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		data string
		want []string
	}{
		{"empty file", "", []string{"f.csv:1:", "empty header"}},
		{"tabs", "a\tb\n1\t2\n", []string{"f.csv:1:", "neither ',' nor ';'", "found tabs"}},
		{"both separators", "a,b;c\n", []string{"f.csv:1:", "1 ',' and 1 ';'"}},
		{"missing column", "a,c\n1,2\n", []string{"f.csv", `missing required column "b"`, "the header has: a, c"}},
		{"duplicate column", "a,b,A\n1,2,3\n", []string{"f.csv:1:", `column "A" appears twice`}},
		{"truncated quote", "a,b\n1,\"2\n", []string{"f.csv:2:", "extraneous or missing \""}},
		{"utf-16", "\xff\xfea\x00", []string{"f.csv", "UTF-16"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := csvtable.Parse("f.csv", []byte(tc.data), "a", "b")
			if err == nil {
				t.Fatal("no error")
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}

// TestParseKeepsMalformedRecords: a record with a field too many or too few
// is confined to its lines. It is kept aside with its line and a reason,
// and the records after it are read.
func TestParseKeepsMalformedRecords(t *testing.T) {
	table, err := csvtable.Parse("f.csv", []byte("a;b\n1;2\n3\n4;5;6\n\"7\n8\";9;10\n11;12\n13"), "a", "b")
	if err != nil {
		t.Fatal(err)
	}
	want := []csvtable.Malformed{
		{Line: 3, Reason: "1 field, want 2 as in the header (a missing ';', or the row is cut off?)"},
		{Line: 4, Reason: "3 fields, want 2 as in the header (a stray ';', or a value with ';' that is not quoted?)"},
		{Line: 5, Reason: "3 fields, want 2 as in the header (a stray ';', or a value with ';' that is not quoted?)"},
		{Line: 8, Reason: "1 field, want 2 as in the header (a missing ';', or the row is cut off?)"},
	}
	if !slices.Equal(table.Malformed, want) {
		t.Errorf("malformed records\n%+v\nwant\n%+v", table.Malformed, want)
	}
	var lines []int
	for _, r := range table.Rows {
		lines = append(lines, r.Line)
	}
	if !slices.Equal(lines, []int{2, 7}) || table.Rows[1].Get("b") != "12" || table.Records() != 6 {
		t.Errorf("rows on lines %v (b of the last %q), %d records; want lines 2 and 7, 12, 6", lines, table.Rows[len(table.Rows)-1].Get("b"), table.Records())
	}
}
