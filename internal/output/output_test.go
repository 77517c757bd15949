package output

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

type report struct{ footer string }

func (report) Grid(csv bool) ([]string, [][]string, error) {
	if csv {
		return []string{"name", "share"}, [][]string{{"Bauen & Wohnen", "0.5"}}, nil
	}
	return []string{"NAME", "SHARE"}, [][]string{{"Bauen & Wohnen", "50 %"}}, nil
}

func (report) Document() (any, error) {
	return map[string]any{"name": "Bauen & Wohnen", "share": 0.5}, nil
}

type footed struct{ report }

func (footed) Footer() string { return "\nleft out: x\n" }

type broken struct{}

func (broken) Grid(bool) ([]string, [][]string, error) { return nil, nil, errors.New("unknown view") }
func (broken) Document() (any, error)                  { return nil, errors.New("unknown view") }

func TestWrite(t *testing.T) {
	for _, tc := range []struct {
		format string
		r      Report
		want   string
	}{
		{"table", report{}, "NAME             SHARE\nBauen & Wohnen   50 %\n"},
		{"table", footed{}, "NAME             SHARE\nBauen & Wohnen   50 %\n\nleft out: x\n"},
		{"csv", footed{}, "name,share\nBauen & Wohnen,0.5\n"},
		{"json", report{}, "{\n  \"name\": \"Bauen & Wohnen\",\n  \"share\": 0.5\n}\n"},
		{"yaml", report{}, "name: Bauen & Wohnen\nshare: 0.5\n"},
	} {
		var out bytes.Buffer
		if err := Write(&out, tc.format, tc.r); err != nil || out.String() != tc.want {
			t.Errorf("%s %T: %v\n%q\nwant\n%q", tc.format, tc.r, err, out.String(), tc.want)
		}
	}
}

func TestWriteErrors(t *testing.T) {
	for _, format := range Formats {
		if err := Write(&bytes.Buffer{}, format, broken{}); err == nil || err.Error() != "unknown view" {
			t.Errorf("%s: got %v, want the report's error", format, err)
		}
	}
	if err := Write(&bytes.Buffer{}, "xml", report{}); err == nil || !strings.Contains(err.Error(), `"xml" is not supported`) {
		t.Errorf("xml: got %v", err)
	}
}
