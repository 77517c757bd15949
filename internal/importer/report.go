package importer

import (
	"fmt"
	"io"
	"sort"
)

// Severity says what became of the row an Issue is about.
type Severity string

const (
	// SeverityRejected: the row was not imported.
	SeverityRejected Severity = "rejected"
	// SeverityWarning: the row was imported, but not exactly as written
	// (a value was dropped, shortened or defaulted) or looks wrong.
	SeverityWarning Severity = "warning"
)

// Issue is one finding about one value of an input file.
type Issue struct {
	// File is the path the file was read from.
	File string
	// Line is the 1-based line on which the row starts.
	Line int
	// Column names the column the finding is about; empty for the whole row.
	Column string
	// Field is the 1-based field number of Column within the row, or 0.
	Field int
	// Severity says whether the row was imported.
	Severity Severity
	// Reason explains the finding and what the importer did about it.
	Reason string
}

// String formats the issue the way compilers do, FILE:LINE:FIELD: severity:
// column: reason (FILE:LINE: severity: reason for a whole row), so that
// editors and CI annotations can jump to it.
func (i Issue) String() string {
	at := fmt.Sprintf("%s:%d:", i.File, i.Line)
	if i.Column == "" {
		return fmt.Sprintf("%s %s: %s", at, i.Severity, i.Reason)
	}
	return fmt.Sprintf("%s%d: %s: %s: %s", at, i.Field, i.Severity, i.Column, i.Reason)
}

// Report accounts for every row an import read.
type Report struct {
	// Rows is the number of data rows read, headers excluded, over all files.
	Rows int
	// Objects is the number of objects the import produced.
	Objects int
	// Filtered is the number of valid rows a filter left out.
	Filtered int
	// Issues are the findings, ordered by file, line and field.
	Issues []Issue
}

// Rejected counts the rows that were not imported.
func (r *Report) Rejected() int { return r.count(SeverityRejected) }

// Warnings counts the findings about rows that were imported.
func (r *Report) Warnings() int { return r.count(SeverityWarning) }

func (r *Report) count(s Severity) int {
	n := 0
	for _, i := range r.Issues {
		if i.Severity == s {
			n++
		}
	}
	return n
}

// Write prints one line per issue.
func (r *Report) Write(w io.Writer) error {
	for _, i := range r.Issues {
		if _, err := fmt.Fprintln(w, i); err != nil {
			return err
		}
	}
	return nil
}

// Summary is a one-line account of the report.
func (r *Report) Summary() string {
	filtered := ""
	if r.Filtered > 0 {
		filtered = fmt.Sprintf(", %d filtered out", r.Filtered)
	}
	return fmt.Sprintf("read %d rows: %d objects%s, %d rows rejected, %d warnings",
		r.Rows, r.Objects, filtered, r.Rejected(), r.Warnings())
}

func (r *Report) sort() {
	sort.SliceStable(r.Issues, func(a, b int) bool {
		x, y := r.Issues[a], r.Issues[b]
		if x.File != y.File {
			return x.File < y.File
		}
		if x.Line != y.Line {
			return x.Line < y.Line
		}
		return x.Field < y.Field
	})
}
