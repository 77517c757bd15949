// Package output writes ozgctl's reports (coverage, programme progress,
// reuse) in the formats its -o flag names: a kubectl-style table and CSV
// from one grid, JSON and YAML from one document. A report says what it
// holds; how each format is written is said here, once.
package output

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"k8s.io/cli-runtime/pkg/printers"
	"sigs.k8s.io/yaml"
)

// Formats are the values of -o, the default (table) first.
var Formats = []string{"table", "csv", "json", "yaml"}

// Report is what ozgctl prints.
type Report interface {
	// Grid is the table: a header and rows. For CSV (csv true) the cells
	// are plain values, for a table they may be formatted for reading.
	Grid(csv bool) (header []string, rows [][]string, err error)
	// Document is what JSON and YAML encode.
	Document() (any, error)
}

// Footed is a report with a note after its table, such as what it left
// out.
type Footed interface {
	Footer() string
}

// Write writes r to w in format, one of Formats.
func Write(w io.Writer, format string, r Report) error {
	switch format {
	case "table", "csv":
		header, rows, err := r.Grid(format == "csv")
		if err != nil {
			return err
		}
		if format == "csv" {
			cw := csv.NewWriter(w)
			if err := cw.WriteAll(append([][]string{header}, rows...)); err != nil {
				return err
			}
			return cw.Error()
		}
		return writeTable(w, header, rows, r)
	case "json", "yaml":
		doc, err := r.Document()
		if err != nil {
			return err
		}
		if format == "yaml" {
			data, err := yaml.Marshal(doc)
			if err != nil {
				return err
			}
			_, err = w.Write(data)
			return err
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		// Names such as "Bauen & Wohnen" stay readable.
		enc.SetEscapeHTML(false)
		return enc.Encode(doc)
	default:
		return fmt.Errorf("output format %q is not supported, want one of %v", format, Formats)
	}
}

func writeTable(w io.Writer, header []string, rows [][]string, r Report) error {
	tw := printers.GetNewTabWriter(w)
	for _, row := range append([][]string{header}, rows...) {
		if _, err := fmt.Fprintln(tw, strings.Join(row, "\t")); err != nil {
			return err
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if f, ok := r.(Footed); ok {
		if footer := f.Footer(); footer != "" {
			_, err := fmt.Fprint(w, footer)
			return err
		}
	}
	return nil
}
