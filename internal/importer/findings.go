package importer

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/ozg-operator/ozg-operator/internal/importer/csvtable"
)

// findings collects the issues of one import into its report.
type findings struct {
	report *Report
}

func (f findings) add(sev Severity, t *csvtable.Table, line int, column, format string, args ...any) {
	f.report.Issues = append(f.report.Issues, Issue{
		File:     t.File,
		Line:     line,
		Column:   column,
		Field:    t.Column(column),
		Severity: sev,
		Reason:   fmt.Sprintf(format, args...),
	})
}

// rejectMalformed rejects the records of t that have more or fewer fields
// than its header: their values cannot be placed in columns.
func (f findings) rejectMalformed(t *csvtable.Table) {
	for _, m := range t.Malformed {
		f.add(SeverityRejected, t, m.Line, "", "%s", m.Reason)
	}
}

func (f findings) reject(t *csvtable.Table, row csvtable.Row, column, format string, args ...any) {
	f.add(SeverityRejected, t, row.Line, column, format, args...)
}

func (f findings) warn(t *csvtable.Table, row csvtable.Row, column, format string, args ...any) {
	f.add(SeverityWarning, t, row.Line, column, format, args...)
}

// text returns a column's value with surrounding white space removed and
// inner runs of white space (double blanks, line breaks from spreadsheet
// cells) collapsed to one blank.
func text(row csvtable.Row, column string) string {
	return strings.Join(strings.Fields(row.Get(column)), " ")
}

// fit shortens s to the CRD's maxLength (counted in characters, as the API
// server does) and warns when it had to.
func (f findings) fit(t *csvtable.Table, row csvtable.Row, column, s string, maxLength int) string {
	n := utf8.RuneCountInString(s)
	if n <= maxLength {
		return s
	}
	f.warn(t, row, column, "%d characters, shortened to the maximum of %d", n, maxLength)
	runes := []rune(s)
	return string(runes[:maxLength])
}
