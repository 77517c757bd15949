package csvtable_test

import (
	"strings"
	"testing"

	"github.com/ozg-operator/ozg-operator/internal/importer/csvtable"
)

// TestParseRefusesWhatIsNeitherUTF8NorWindows1252 covers decode's refusals
// (see also the importer's TestBadInputEncodings) and that they do not fire
// on ordinary Windows-1252 text.
func TestParseRefusesWhatIsNeitherUTF8NorWindows1252(t *testing.T) {
	for _, tc := range []struct {
		name, data, want string
	}{
		{"NUL on line 3", "a,b\n1,2\n3,\x00\n", "f.csv:3: NUL byte"},
		{"undefined Windows-1252 byte", "a,b\nM\xfcnster,1\nL\x81gde,2\n", "f.csv:3: byte 0x81 is neither UTF-8 nor Windows-1252"},
		{"UTF-8 umlaut after a Windows-1252 one", "a,b\nM\xfcnster,1\nL\xc3\xbcgde,2\n", "f.csv:3: mixed encodings: this line is UTF-8, line 2 is not"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := csvtable.Parse("f.csv", []byte(tc.data), "a", "b")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got error %v, want %q", err, tc.want)
			}
		})
	}

	// Windows-1252 text with the letters and signs German files use, and
	// a lone Ã (0xC3 before ASCII), is read.
	table, err := csvtable.Parse("f.csv", []byte("a;b\nM\xfcnster \x80 \x84Zitat\x93 \xc3X;\xdf\n"), "a", "b")
	if err != nil {
		t.Fatal(err)
	}
	if got := table.Rows[0].Get("a"); table.Encoding != "Windows-1252" || got != "Münster € „Zitat“ ÃX" {
		t.Errorf("got %s %q", table.Encoding, got)
	}
}
