package coverage

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ozg-operator/ozg-operator/internal/percent"
)

// View is how a report is grouped.
type View string

const (
	// ByThemenfeld has one row per Themenfeld.
	ByThemenfeld View = "themenfeld"
	// ByAdministration has one row per administration.
	ByAdministration View = "administration"
	// ByKreis has one row per Kreis.
	ByKreis View = "kreis"
	// ByTool has one row per tool the implementations were built with.
	ByTool View = "tool"
	// ByLevel has one row per level responsible, counting LeiKa services.
	ByLevel View = "level"
)

// Views are the views a report offers.
var Views = []View{ByThemenfeld, ByAdministration, ByKreis, ByTool, ByLevel}

// View is the report grouped by by, as ozgctl prints it (internal/output).
func (r *Report) View(by View) ViewReport { return ViewReport{r: r, by: by} }

// ViewReport is one view of a report.
type ViewReport struct {
	r  *Report
	by View
}

// Grid is the view's table. The Themenfeld and Kreis views end with a
// TOTAL row in a table, not in CSV.
func (v ViewReport) Grid(csv bool) ([]string, [][]string, error) {
	format := tableFormat
	if csv {
		format = csvFormat
	}
	header, rows, err := v.r.grid(v.by, format)
	if err != nil {
		return nil, nil, err
	}
	if !csv && (v.by == ByThemenfeld || v.by == ByKreis) {
		rows = append(rows, v.r.totalRow(v.by))
	}
	return header, rows, nil
}

// Document is {"by": VIEW, "rows": [...], "total": {...}}; shareOnline is
// a fraction rounded to four digits, null where nothing is tracked.
func (v ViewReport) Document() (any, error) { return v.r.document(v.by) }

// document is the JSON and YAML form of a view.
type document struct {
	By    View  `json:"by"`
	Rows  any   `json:"rows"`
	Total Total `json:"total"`
}

func (r *Report) document(by View) (document, error) {
	d := document{By: by, Total: r.Total}
	switch by {
	case ByThemenfeld:
		d.Rows = nonNil(r.Themenfelder)
	case ByAdministration:
		d.Rows = nonNil(r.Administrations)
	case ByKreis:
		d.Rows = nonNil(r.Kreise)
	case ByTool:
		d.Rows = nonNil(r.Tools)
	case ByLevel:
		d.Rows = nonNil(r.Levels)
	default:
		return d, unknownView(by)
	}
	return d, nil
}

// nonNil makes an empty view a JSON list rather than null.
func nonNil[T any](rows []T) []T {
	if rows == nil {
		return []T{}
	}
	return rows
}

// format says how cells differ between table and CSV output.
type format struct{ csv bool }

var (
	tableFormat = format{}
	csvFormat   = format{csv: true}
)

// header picks the table (upper-case) or CSV (snake_case) column name.
func (f format) header(table, csv string) string {
	if f.csv {
		return csv
	}
	return table
}

// share is a percentage with one decimal in tables and a fraction with
// four digits (more where four would read 0 or 1) in CSV; where nothing
// is tracked it is "-" or empty.
func (f format) share(c Counts) string {
	s, ok := c.Share()
	return f.fraction(s, ok)
}

// fraction formats a share as share does; ok is false where it is
// undefined. The CSV form rounds as the JSON one does.
func (f format) fraction(s float64, ok bool) string {
	switch {
	case f.csv && ok:
		return percent.FormatFraction(s)
	case f.csv:
		return ""
	case ok:
		return percent.Format(s, 1)
	default:
		return "-"
	}
}

func (f format) countsHeader() []string {
	return []string{f.header("TRACKED", "tracked"), f.header("LIVE", "live"), f.header("ONLINE", "online"), f.header("SHARE", "share_online"),
		f.header("POPULATION", "population"), f.header("REACH", "population_reach")}
}

func (f format) counts(c Counts, r Reach) []string {
	return []string{strconv.Itoa(c.Tracked), strconv.Itoa(c.Live), strconv.Itoa(c.Online), f.share(c),
		strconv.FormatInt(r.Population, 10), f.reach(r)}
}

// reach is the population reach as share is the share online.
func (f format) reach(r Reach) string {
	s, ok := r.Share()
	return f.fraction(s, ok)
}

// grid lays the view out as a header and rows of cells.
func (r *Report) grid(by View, f format) ([]string, [][]string, error) {
	switch by {
	case ByThemenfeld:
		return r.themenfeldGrid(f)
	case ByAdministration:
		return r.administrationGrid(f)
	case ByKreis:
		return r.kreisGrid(f)
	case ByTool:
		return r.toolGrid(f)
	case ByLevel:
		return r.levelGrid(f)
	default:
		return nil, nil, unknownView(by)
	}
}

func (r *Report) themenfeldGrid(f format) ([]string, [][]string, error) {
	header := append([]string{f.header("THEMENFELD", "themenfeld"), f.header("SERVICES", "services")}, f.countsHeader()...)
	rows := make([][]string, 0, len(r.Themenfelder))
	for _, t := range r.Themenfelder {
		rows = append(rows, append([]string{t.Themenfeld, strconv.Itoa(t.Services)}, f.counts(t.Counts, t.Reach)...))
	}
	return header, rows, nil
}

// administrationGrid shows the portal as one word in tables and as its
// name and flags in CSV, which also carries the display name and Kreis key.
func (r *Report) administrationGrid(f format) ([]string, [][]string, error) {
	header := []string{"NAME", "KEY", "KREIS", "PORTAL"}
	if f.csv {
		header = []string{"name", "display_name", "key", "kreis_key", "kreis", "portal", "portal_ready", "portal_published"}
	}
	header = append(header, f.countsHeader()...)
	rows := make([][]string, 0, len(r.Administrations))
	for _, a := range r.Administrations {
		row := []string{a.Name, a.Key, a.Kreis, portalState(a)}
		if f.csv {
			row = []string{a.Name, a.DisplayName, a.Key, a.KreisKey, a.Kreis, a.Portal,
				strconv.FormatBool(a.PortalReady), strconv.FormatBool(a.PortalPublished)}
		}
		rows = append(rows, append(row, f.counts(a.Counts, a.Reach)...))
	}
	return header, rows, nil
}

func (r *Report) kreisGrid(f format) ([]string, [][]string, error) {
	header := append([]string{f.header("KREIS", "name"), f.header("KEY", "key"), f.header("ADMINISTRATIONS", "administrations"),
		f.header("PORTALS-ONLINE", "portals_online")}, f.countsHeader()...)
	rows := make([][]string, 0, len(r.Kreise))
	for _, k := range r.Kreise {
		rows = append(rows, append([]string{k.Name, k.Key, strconv.Itoa(k.Administrations), strconv.Itoa(k.PortalsOnline)}, f.counts(k.Counts, k.Reach)...))
	}
	return header, rows, nil
}

// toolGrid has no population columns: citizens do not meet tools. CSV
// adds the spellings, joined by "|".
func (r *Report) toolGrid(f format) ([]string, [][]string, error) {
	header := []string{f.header("TOOL", "tool"), f.header("SERVICES", "services"), f.header("ADMINISTRATIONS", "administrations"),
		f.header("TRACKED", "tracked"), f.header("LIVE", "live"), f.header("ONLINE", "online"), f.header("SHARE", "share_online")}
	if f.csv {
		header = append(header, "spellings")
	}
	rows := make([][]string, 0, len(r.Tools))
	for _, t := range r.Tools {
		row := []string{t.Tool, strconv.Itoa(t.Services), strconv.Itoa(t.Administrations),
			strconv.Itoa(t.Tracked), strconv.Itoa(t.Live), strconv.Itoa(t.Online), f.share(t.Counts)}
		if f.csv {
			row = append(row, strings.Join(t.Spellings, "|"))
		}
		rows = append(rows, row)
	}
	return header, rows, nil
}

// levelGrid counts LeiKa services, not implementations: where each of the
// catalogue's falls for the citizens of the administrations reported on.
func (r *Report) levelGrid(f format) ([]string, [][]string, error) {
	header := []string{f.header("LEVEL", "level"), f.header("LEIKA", "leika"), f.header("BUSINESS", "business"),
		f.header("MAX-SHARE", "max_share")}
	rows := make([][]string, 0, len(r.Levels))
	for _, l := range r.Levels {
		share, ok := 0.0, l.MaxShare != nil
		if ok {
			share = *l.MaxShare
		}
		rows = append(rows, []string{l.Level, strconv.Itoa(l.LeiKa), strconv.Itoa(l.Business), f.fraction(share, ok)})
	}
	return header, rows, nil
}

// portalState sums up an administration's portal in a word or two.
func portalState(a AdministrationRow) string {
	switch {
	case a.Portal == "":
		return "none"
	case !a.PortalPublished:
		return "not published"
	case !a.PortalReady:
		return "not Ready"
	default:
		return "online"
	}
}

// totalRow is the last row of the Themenfeld and Kreis tables.
func (r *Report) totalRow(by View) []string {
	t := r.Total
	counts := tableFormat.counts(t.Counts, t.Reach)
	if by == ByThemenfeld {
		return append([]string{"TOTAL", strconv.Itoa(t.Services)}, counts...)
	}
	return append([]string{"TOTAL", "", strconv.Itoa(t.Administrations), strconv.Itoa(t.PortalsOnline)}, counts...)
}

func unknownView(by View) error {
	return fmt.Errorf("unknown view %q, want one of %v", by, Views)
}
