package programme

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"k8s.io/cli-runtime/pkg/printers"
	"sigs.k8s.io/yaml"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// Report is a programme's progress as ozgctl prints it.
type Report struct {
	Programme       string                 `json:"programme"`
	Namespace       string                 `json:"namespace"`
	DisplayName     string                 `json:"displayName,omitempty"`
	Administrations int32                  `json:"administrations"`
	Priorities      []ozgv1.PriorityStatus `json:"priorities"`
	// Missing names what the spec names and the catalogue lacks.
	Missing []string `json:"missing"`
}

// NewReport wraps a result for output.
func NewReport(prog *ozgv1.ServiceProgramme, r *Result) *Report {
	return &Report{Programme: prog.Name, Namespace: prog.Namespace, DisplayName: prog.Spec.DisplayName,
		Administrations: r.Administrations, Priorities: nonNil(r.Priorities), Missing: nonNil(r.Missing)}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// WriteYAML writes the report as YAML.
func (r *Report) WriteYAML(w io.Writer) error {
	data, err := yaml.Marshal(r)
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

// WriteTable writes one row per priority; BEHIND names the administrations
// furthest behind with their Live LeiKa services. Missing services follow
// the table.
func (r *Report) WriteTable(w io.Writer) error {
	header, rows := r.grid(false)
	tw := printers.GetNewTabWriter(w)
	for _, row := range append([][]string{header}, rows...) {
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.Missing) > 0 {
		_, err := fmt.Fprintf(w, "\nnot in the catalogue, left out: %s\n", strings.Join(r.Missing, ", "))
		return err
	}
	return nil
}

// WriteCSV writes the table as CSV; behind as "name:live/of" joined by "|".
func (r *Report) WriteCSV(w io.Writer) error {
	header, rows := r.grid(true)
	cw := csv.NewWriter(w)
	if err := cw.WriteAll(append([][]string{header}, rows...)); err != nil {
		return err
	}
	return cw.Error()
}

func (r *Report) grid(csv bool) ([]string, [][]string) {
	header := []string{"PRIORITY", "TARGET", "LEIKA", "SERVICES", "ADMINISTRATIONS", "OPEN", "IN-PROGRESS", "LIVE", "SHARE", "BEHIND"}
	if csv {
		header = []string{"priority", "target_date", "overdue", "leika_services", "services", "administrations", "open", "in_progress", "live", "share_live", "behind"}
	}
	rows := make([][]string, 0, len(r.Priorities))
	for _, p := range r.Priorities {
		behind := make([]string, len(p.Behind))
		for i, b := range p.Behind {
			if csv {
				behind[i] = fmt.Sprintf("%s:%d/%d", b.Name, b.Live, b.Of)
			} else {
				behind[i] = fmt.Sprintf("%s (%d/%d)", b.Name, b.Live, b.Of)
			}
		}
		counts := []string{strconv.Itoa(int(p.LeiKaServices)), strconv.Itoa(int(p.Services)), strconv.Itoa(int(r.Administrations)),
			strconv.Itoa(int(p.Implementations.Open)), strconv.Itoa(int(p.Implementations.InProgress)), strconv.Itoa(int(p.Implementations.Live))}
		if csv {
			row := append([]string{strconv.Itoa(int(p.Priority)), p.TargetDate, strconv.FormatBool(p.Overdue)}, counts...)
			rows = append(rows, append(row, p.ShareLive, strings.Join(behind, "|")))
			continue
		}
		target := p.TargetDate
		switch {
		case target == "":
			target = "-"
		case p.Overdue:
			target += " (overdue)"
		}
		row := append([]string{strconv.Itoa(int(p.Priority)), target}, counts...)
		rows = append(rows, append(row, p.ShareLive, strings.Join(behind, ", ")))
	}
	return header, rows
}
