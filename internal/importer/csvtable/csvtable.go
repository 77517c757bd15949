// Package csvtable reads the CSV files of the OZG data sources into tables
// whose rows can be addressed by column name and whose values keep their
// position in the file, so that every finding can point at FILE:LINE:COLUMN.
//
// The sources come from spreadsheets as often as from databases, so a file
// may be UTF-8 (with or without byte order mark) or Windows-1252, and may be
// separated by commas or by semicolons (the German Excel default). Anything
// else (UTF-16, binary data, a DOS code page, mixed encodings) is refused
// with the line it was found on.
//
// Errors are of two kinds. A file whose structure is broken as a whole (no
// header, an encoding or separator that cannot be told, a misplaced quote
// after which it is unclear where rows begin, such as one left open to the
// end of the file) is an error of Parse: no row of it can be trusted. A
// record with more or fewer fields than the header is confined to its own
// lines, so it is kept in Table.Malformed for the caller to report, and
// every other row is read.
package csvtable

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Table is a parsed CSV file with a header row.
type Table struct {
	// File is the name the file was read under; findings quote it.
	File string
	// Header holds the column names as written in the file.
	Header []string
	// Rows are the data rows, header excluded, in file order.
	Rows []Row
	// Encoding is "UTF-8" or "Windows-1252".
	Encoding string
	// Separator is ',' or ';'.
	Separator rune
	// Malformed are the records whose number of fields differs from the
	// header's, in file order. Their values cannot be placed in columns.
	Malformed []Malformed

	index map[string]int
}

// Malformed is a record that has more or fewer fields than the header.
type Malformed struct {
	// Line is the 1-based line of the file on which the record starts.
	Line int
	// Reason says what is wrong with the record, without file and line.
	Reason string
}

// Row is one data row.
type Row struct {
	// Line is the 1-based line of the file on which the row starts.
	Line   int
	fields []string
	table  *Table
}

// Read reads and parses the file at path. required names the columns the
// caller needs; a missing one is an error naming it and the file.
func Read(path string, required ...string) (*Table, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data, required...)
}

// Parse parses data, read from the file called name.
func Parse(name string, data []byte, required ...string) (*Table, error) {
	text, encoding, err := decode(name, data)
	if err != nil {
		return nil, err
	}
	header, _, _ := strings.Cut(text, "\n")
	sep, err := detectSeparator(name, strings.TrimSuffix(header, "\r"), len(required))
	if err != nil {
		return nil, err
	}

	r := csv.NewReader(strings.NewReader(text))
	r.Comma = sep
	head, err := r.Read()
	if err != nil {
		return nil, positionError(name, err)
	}
	t := &Table{File: name, Encoding: encoding, Separator: sep, index: map[string]int{}}
	for i, h := range head {
		h = strings.TrimSpace(h)
		key := strings.ToLower(h)
		if _, dup := t.index[key]; dup {
			return nil, fmt.Errorf("%s:1: column %q appears twice", name, h)
		}
		t.index[key] = i
		t.Header = append(t.Header, h)
	}
	var missing []string
	for _, c := range required {
		if _, ok := t.index[strings.ToLower(c)]; !ok {
			missing = append(missing, fmt.Sprintf("%q", c))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s: missing required column %s (the header has: %s)",
			name, strings.Join(missing, ", "), strings.Join(t.Header, ", "))
	}

	// A record with another number of fields than the header has a
	// separator too many or too few (or was cut off): its values cannot be
	// placed in the right columns, but the records around it can.
	r.FieldsPerRecord = -1
	for {
		fields, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, positionError(name, err)
		}
		line, _ := r.FieldPos(0)
		if len(fields) != len(head) {
			t.Malformed = append(t.Malformed, Malformed{Line: line, Reason: fieldCountReason(len(fields), len(head), sep)})
			continue
		}
		t.Rows = append(t.Rows, Row{Line: line, fields: fields, table: t})
	}
	return t, nil
}

// Records counts the data records read, malformed ones included.
func (t *Table) Records() int { return len(t.Rows) + len(t.Malformed) }

func fieldCountReason(got, want int, sep rune) string {
	fields := fmt.Sprintf("%d fields", got)
	if got == 1 {
		fields = "1 field"
	}
	if got < want {
		return fmt.Sprintf("%s, want %d as in the header (a missing %q, or the row is cut off?)", fields, want, sep)
	}
	return fmt.Sprintf("%s, want %d as in the header (a stray %q, or a value with %q that is not quoted?)", fields, want, sep, sep)
}

// Column returns the 1-based field number of the named column, or 0 if the
// table has no such column.
func (t *Table) Column(name string) int {
	i, ok := t.index[strings.ToLower(name)]
	if !ok {
		return 0
	}
	return i + 1
}

// Has reports whether the table has the named column.
func (t *Table) Has(name string) bool { return t.Column(name) > 0 }

// Get returns the raw value of the named column, or "" if the table has no
// such column.
func (r Row) Get(column string) string {
	i, ok := r.table.index[strings.ToLower(column)]
	if !ok {
		return ""
	}
	return r.fields[i]
}

// decode returns the file's content as UTF-8 without byte order mark.
// Valid UTF-8 is taken as UTF-8: Windows-1252 text with umlauts is almost
// never valid UTF-8, and plain ASCII is the same in both.
//
// What is neither is refused with the line of the first offending byte
// rather than turned into replacement characters: a NUL byte (a binary
// file, or UTF-16 without byte order mark), a byte Windows-1252 leaves
// undefined (a DOS code page such as CP850, where 0x81 is ü), or UTF-8
// umlauts beside Windows-1252 bytes (rows appended from another export).
func decode(name string, data []byte) (text, encoding string, err error) {
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return "", "", fmt.Errorf("%s: UTF-16 is not supported, save the file as UTF-8 or Windows-1252", name)
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return "", "", fmt.Errorf("%s:%d: NUL byte: not a CSV text file (binary, or UTF-16 without byte order mark?), save it as UTF-8 or Windows-1252 CSV", name, lineOf(data, i))
	}
	if utf8.Valid(data) {
		return string(bytes.TrimPrefix(data, []byte("\uFEFF"))), "UTF-8", nil
	}
	if i := indexUndefined1252(data); i >= 0 {
		return "", "", fmt.Errorf("%s:%d: byte 0x%02X is neither UTF-8 nor Windows-1252 (a DOS code page such as CP850?), save the file as UTF-8", name, lineOf(data, i), data[i])
	}
	if i := utf8Latin1Letter(data); i >= 0 {
		return "", "", fmt.Errorf("%s:%d: mixed encodings: this line is UTF-8, line %d is not, save the whole file as UTF-8", name, lineOf(data, i), lineOf(data, firstInvalidUTF8(data)))
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(data)
	if err != nil {
		return "", "", fmt.Errorf("%s: neither UTF-8 nor Windows-1252: %w", name, err)
	}
	return string(out), "Windows-1252", nil
}

// indexUndefined1252 returns the offset of the first byte Windows-1252
// assigns no character (0x81, 0x8D, 0x8F, 0x90, 0x9D), or -1; the decoder
// would turn it into U+FFFD.
func indexUndefined1252(data []byte) int {
	for i, c := range data {
		switch c {
		case 0x81, 0x8D, 0x8F, 0x90, 0x9D:
			return i
		}
	}
	return -1
}

// utf8Latin1Letter returns the offset of the first UTF-8 encoded letter of
// Latin-1 Supplement (ä, ö, ü, ß, é, ...: 0xC3 and a continuation byte), or
// -1. Read as Windows-1252 it would be "Ã" and a symbol, which no German
// text contains.
func utf8Latin1Letter(data []byte) int {
	for i := 0; i+1 < len(data); i++ {
		if data[i] == 0xC3 && data[i+1] >= 0x80 && data[i+1] <= 0xBF {
			return i
		}
	}
	return -1
}

// firstInvalidUTF8 returns the offset of the first byte that does not
// start a valid UTF-8 sequence, or -1.
func firstInvalidUTF8(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return -1
}

// lineOf returns the 1-based line of the byte at offset i.
func lineOf(data []byte, i int) int {
	return bytes.Count(data[:i], []byte{'\n'}) + 1
}

// detectSeparator picks ',' or ';', whichever the header line uses outside
// quotes. A header without either is only acceptable for a single-column file.
func detectSeparator(name, header string, columns int) (rune, error) {
	if strings.TrimSpace(header) == "" {
		return 0, fmt.Errorf("%s:1: empty header line, want column names separated by ',' or ';'", name)
	}
	var commas, semicolons int
	quoted := false
	for _, c := range header {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == ',':
			commas++
		case c == ';':
			semicolons++
		}
	}
	switch {
	case commas > 0 && semicolons > 0:
		return 0, fmt.Errorf("%s:1: cannot tell the separator: the header %q has %d ',' and %d ';'", name, header, commas, semicolons)
	case commas > 0:
		return ',', nil
	case semicolons > 0:
		return ';', nil
	case columns <= 1:
		return ',', nil
	}
	found := "no separator"
	if strings.ContainsRune(header, '\t') {
		found = "tabs"
	}
	return 0, fmt.Errorf("%s:1: cannot tell the separator: the header %q has neither ',' nor ';' (found %s)", name, header, found)
}

// positionError turns a csv.ParseError into FILE:LINE: reason.
func positionError(name string, err error) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", name, err)
	}
	if pe.StartLine != pe.Line {
		// A quote opened on an earlier line swallowed the line breaks in
		// between: the row to look at is where it starts.
		return fmt.Errorf("%s:%d:%d: %w (in the row that starts on line %d)", name, pe.Line, pe.Column, pe.Err, pe.StartLine)
	}
	return fmt.Errorf("%s:%d:%d: %w", name, pe.Line, pe.Column, pe.Err)
}
