package programme

import (
	"fmt"
	"strconv"
	"strings"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/percent"
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

// Grid is one row per priority; SHARE is a percentage in the table and a
// fraction in CSV (share_live, as coverage's share_online); BEHIND names the administrations furthest
// behind with their Live LeiKa services (CSV: "name:live/of" joined by "|").
func (r *Report) Grid(csv bool) ([]string, [][]string, error) {
	header, rows := r.grid(csv)
	return header, rows, nil
}

// Document is the report itself.
func (r *Report) Document() (any, error) { return r, nil }

// Footer names the services the table left out.
func (r *Report) Footer() string {
	if len(r.Missing) == 0 {
		return ""
	}
	return fmt.Sprintf("\nnot in the catalogue, left out: %s\n", strings.Join(r.Missing, ", "))
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
			rows = append(rows, append(row, fraction(p.Implementations), strings.Join(behind, "|")))
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

// fraction is the share Live of c for CSV, empty without implementations.
func fraction(c ozgv1.StateCounts) string {
	total := c.Open + c.InProgress + c.Live
	if total == 0 {
		return ""
	}
	return percent.FormatFraction(float64(c.Live) / float64(total))
}
