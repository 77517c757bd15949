// Package coverage computes where OZG services are online, from the
// Administrations (their services' states, their portal's status and their
// Kreis) and the OZGService catalogue, and writes the result as a table,
// CSV, JSON, YAML or an SVG heat map.
//
// Definitions:
//   - An implementation is one OZG service an administration lists in
//     spec.services, in any state; it is tracked.
//   - An implementation is live when its state is Live.
//   - An implementation is online when it is live and the administration's
//     portal is Ready and published (status.portal.ready and
//     status.portal.published).
//   - The share online is online divided by tracked implementations; it is
//     undefined where nothing is tracked.
//   - The population reach (see Reach) counts for citizens instead: of every
//     inhabitant's need of every catalogue service, the share online for
//     them through anyone responsible, weighted by population.
package coverage

import (
	"cmp"
	"slices"
	"strings"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/admservices"
	"github.com/ozg-operator/ozg-operator/internal/percent"
	"github.com/ozg-operator/ozg-operator/internal/tools"
)

// Themenfelder are the 14 subject areas of the OZG catalogue. Reports list
// all of them, even when the catalogue in the cluster lacks some, so that
// reports from different clusters line up.
var Themenfelder = []string{
	"Arbeit & Ruhestand",
	"Bauen & Wohnen",
	"Bildung",
	"Ein- & Auswanderung",
	"Engagement & Hobby",
	"Familie & Kind",
	"Forschung & Förderung",
	"Gesundheit",
	"Mobilität & Reisen",
	"Querschnitt",
	"Recht & Ordnung",
	"Steuern & Zoll",
	"Umwelt",
	"Unternehmensführung & -entwicklung",
}

// The rows of what has no Themenfeld or tool of its own; the parentheses
// keep them apart from real names.
const (
	// NotInCatalogue is the Themenfeld of implementations whose OZG service
	// is not in the catalogue.
	NotInCatalogue = "(not in catalogue)"
	// NoTool is the tool of implementations that name none.
	NoTool = "(no tool)"
)

// Counts counts implementations.
type Counts struct {
	Tracked int `json:"tracked"`
	Live    int `json:"live"`
	Online  int `json:"online"`
}

// Share is the share of tracked implementations that are online, and
// false when nothing is tracked.
func (c Counts) Share() (float64, bool) {
	if c.Tracked == 0 {
		return 0, false
	}
	return float64(c.Online) / float64(c.Tracked), true
}

// shareOnline is Share rounded for machine output (percent.Fraction), nil
// where nothing is tracked.
func (c Counts) shareOnline() *float64 {
	s, ok := c.Share()
	if !ok {
		return nil
	}
	s, _ = percent.Fraction(s)
	return &s
}

func (c *Counts) add(o Counts) {
	c.Tracked += o.Tracked
	c.Live += o.Live
	c.Online += o.Online
}

// ThemenfeldRow is the coverage of one Themenfeld.
type ThemenfeldRow struct {
	Themenfeld string `json:"themenfeld"`
	// Services counts the catalogue's OZG services in the Themenfeld.
	Services int `json:"services"`
	Counts
	ShareOnline *float64 `json:"shareOnline"`
	Reach
}

// AdministrationRow is the coverage of one administration.
type AdministrationRow struct {
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
	Key         string `json:"key"`
	KreisKey    string `json:"kreisKey"`
	Kreis       string `json:"kreis"`
	// Portal names the administration's ServicePortal; empty if it has none.
	Portal          string `json:"portal,omitempty"`
	PortalReady     bool   `json:"portalReady"`
	PortalPublished bool   `json:"portalPublished"`
	Counts
	ShareOnline *float64 `json:"shareOnline"`
	// Reachable counts the catalogue's services online for the
	// municipality's inhabitants; Reach is that share of the catalogue.
	// Both are zero and null for a Kreis, whose inhabitants are its
	// municipalities'.
	Reachable int `json:"reachable"`
	Reach
}

// PortalOnline reports whether the administration's portal is Ready and
// published.
func (a AdministrationRow) PortalOnline() bool { return a.PortalReady && a.PortalPublished }

// KreisRow is the coverage of the administrations of one Kreis.
type KreisRow struct {
	Key             string `json:"key"`
	Name            string `json:"name"`
	Administrations int    `json:"administrations"`
	// PortalsOnline counts the administrations whose portal is Ready and published.
	PortalsOnline int `json:"portalsOnline"`
	Counts
	ShareOnline *float64 `json:"shareOnline"`
	Reach
}

// ToolRow is the coverage of the implementations built with one tool.
// Names that differ only in case or spacing are one tool (package tools).
type ToolRow struct {
	// Tool is the most frequent spelling, NoTool for implementations that
	// name none.
	Tool string `json:"tool"`
	// Spellings are all names the administrations use for it, trimmed and sorted.
	Spellings []string `json:"spellings"`
	// Services and Administrations count the distinct OZG services and
	// administrations with an implementation built with it.
	Services        int `json:"services"`
	Administrations int `json:"administrations"`
	Counts
	ShareOnline *float64 `json:"shareOnline"`
}

// Total sums a report.
type Total struct {
	Administrations int `json:"administrations"`
	PortalsOnline   int `json:"portalsOnline"`
	Services        int `json:"services"`
	Counts
	ShareOnline *float64 `json:"shareOnline"`
	Reach
}

// Report is the coverage of a set of administrations, in three views and
// as a Themenfeld × Kreis matrix.
type Report struct {
	// Themenfelder lists every Themenfeld, the 14 of the OZG first.
	Themenfelder []ThemenfeldRow
	// Administrations are sorted by name.
	Administrations []AdministrationRow
	// Kreise are sorted by key, administrations without Kreis last.
	Kreise []KreisRow
	// Tools are sorted by implementations, the most first, then by Live
	// ones; NoTool last.
	Tools []ToolRow
	// Levels count the LeiKa services by the level they fall to, in
	// LevelOrder, then KreisOrGemeinde.
	Levels []LevelRow
	Total  Total

	// cells counts implementations by Themenfeld and Kreis key, reach the
	// population reach.
	cells map[cellKey]Counts
	reach map[cellKey]Reach
}

type cellKey struct{ themenfeld, kreis string }

// Cell returns the implementation counts of a Themenfeld in a Kreis.
func (r *Report) Cell(themenfeld, kreisKey string) Counts {
	return r.cells[cellKey{themenfeld, kreisKey}]
}

// CellReach returns the population reach of a Themenfeld in a Kreis.
func (r *Report) CellReach(themenfeld, kreisKey string) Reach {
	return r.reach[cellKey{themenfeld, kreisKey}]
}

// Input is what a report is computed from.
type Input struct {
	// Administrations are those to report on.
	Administrations []ozgv1.Administration
	// All are every administration, for the Kreise of those reported on;
	// nil means Administrations.
	All []ozgv1.Administration
	// Services is the catalogue.
	Services []ozgv1.OZGService
	// Profiles are the responsibility profiles the administrations select.
	Profiles []ozgv1.ResponsibilityProfile
	// KreisNames maps Kreis keys to names (see KreisNames); keys without a
	// name show the key.
	KreisNames map[string]string
}

// Compute reports on in.Administrations against the catalogue.
func Compute(in Input) *Report {
	adms, services, kreisNames := in.Administrations, in.Services, in.KreisNames
	all := in.All
	if all == nil {
		all = adms
	}
	reach := newReachEvaluator(all, in.Profiles)
	r := &Report{cells: map[cellKey]Counts{}, reach: map[cellKey]Reach{}}
	themenfeldOf := make(map[string]string, len(services))
	serviceCount := map[string]int{}
	for _, s := range services {
		themenfeldOf[s.Name] = s.Spec.Themenfeld
		serviceCount[s.Spec.Themenfeld]++
	}

	byThemenfeld := map[string]*Counts{}
	reachByThemenfeld := map[string]*Reach{}
	byKreis := map[string]*KreisRow{}
	byTool := toolCounter{}
	var totalReach Reach
	for i := range adms {
		row := administrationRow(&adms[i], kreisNames)
		k := byKreis[row.KreisKey]
		if k == nil {
			k = &KreisRow{Key: row.KreisKey, Name: row.Kreis}
			byKreis[row.KreisKey] = k
		}
		k.Administrations++
		if row.PortalOnline() {
			k.PortalsOnline++
		}
		for _, impl := range admservices.Of(&adms[i]) {
			c := implementationCounts(impl, row.PortalOnline())
			tf, ok := themenfeldOf[impl.Service]
			if !ok {
				tf = NotInCatalogue
			}
			row.Counts.add(c)
			k.Counts.add(c)
			byTool.add(adms[i].Name, impl, c)
			counter(byThemenfeld, tf).add(c)
			cell := r.cells[cellKey{tf, row.KreisKey}]
			cell.add(c)
			r.cells[cellKey{tf, row.KreisKey}] = cell
		}
		row.ShareOnline = row.Counts.shareOnline()
		if municipality(&adms[i]) && len(services) > 0 {
			pop := populationOf(&adms[i])
			onlineByThemenfeld := map[string]int{}
			for j, online := range reach.online(&adms[i], services) {
				if online {
					row.Reachable++
					onlineByThemenfeld[services[j].Spec.Themenfeld]++
				}
			}
			row.Reach = Reach{Population: pop, reached: float64(row.Reachable), possible: float64(len(services))}
			share := Reach{Population: pop}
			share.add(pop, row.Reachable, len(services))
			k.Reach.merge(share)
			totalReach.merge(share)
			for tf, n := range serviceCount {
				t := reachByThemenfeld[tf]
				if t == nil {
					t = &Reach{}
					reachByThemenfeld[tf] = t
				}
				t.Population += pop
				t.add(pop, onlineByThemenfeld[tf], n)
				cell := r.reach[cellKey{tf, row.KreisKey}]
				cell.Population += pop
				cell.add(pop, onlineByThemenfeld[tf], n)
				r.reach[cellKey{tf, row.KreisKey}] = cell
			}
		}
		row.Reach.finish()
		r.Administrations = append(r.Administrations, row)
	}
	slices.SortFunc(r.Administrations, func(a, b AdministrationRow) int { return cmp.Compare(a.Name, b.Name) })

	for _, tf := range themenfeldNames(serviceCount, byThemenfeld) {
		c := counter(byThemenfeld, tf)
		row := ThemenfeldRow{Themenfeld: tf, Services: serviceCount[tf], Counts: *c, ShareOnline: c.shareOnline()}
		if t := reachByThemenfeld[tf]; t != nil {
			row.Reach = *t
		}
		row.Reach.finish()
		r.Themenfelder = append(r.Themenfelder, row)
	}
	for _, k := range byKreis {
		k.ShareOnline = k.Counts.shareOnline()
		k.Reach.finish()
		r.Kreise = append(r.Kreise, *k)
	}
	slices.SortFunc(r.Kreise, compareKreise)
	r.Tools = byTool.rows()
	r.Levels = levelRows(adms, reach.byName, services, reach.profiles)
	r.Total = total(r, len(services))
	r.Total.Reach = totalReach
	r.Total.Reach.finish()
	return r
}

// toolCounter collects the tool rows by tool key ("" for no tool).
type toolCounter map[string]*toolEntry

type toolEntry struct {
	spellings                 tools.Spellings
	services, administrations map[string]struct{}
	counts                    Counts
}

func (t toolCounter) add(adm string, impl ozgv1.ServiceImplementation, c Counts) {
	key := tools.Key(impl.Tool)
	e := t[key]
	if e == nil {
		e = &toolEntry{spellings: tools.Spellings{}, services: map[string]struct{}{}, administrations: map[string]struct{}{}}
		t[key] = e
	}
	if key != "" {
		e.spellings[impl.Tool]++
	}
	e.services[impl.Service] = struct{}{}
	e.administrations[adm] = struct{}{}
	e.counts.add(c)
}

func (t toolCounter) rows() []ToolRow {
	rows := make([]ToolRow, 0, len(t))
	for key, e := range t {
		row := ToolRow{Tool: NoTool, Spellings: []string{}, Services: len(e.services), Administrations: len(e.administrations),
			Counts: e.counts, ShareOnline: e.counts.shareOnline()}
		if key != "" {
			row.Tool = e.spellings.Name()
			for spelling := range e.spellings {
				row.Spellings = append(row.Spellings, strings.TrimSpace(spelling))
			}
			slices.Sort(row.Spellings)
			row.Spellings = slices.Compact(row.Spellings)
		}
		rows = append(rows, row)
	}
	slices.SortFunc(rows, func(a, b ToolRow) int {
		if (a.Tool == NoTool) != (b.Tool == NoTool) {
			if a.Tool == NoTool {
				return 1
			}
			return -1
		}
		if c := cmp.Compare(b.Tracked, a.Tracked); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Live, a.Live); c != 0 {
			return c
		}
		return cmp.Compare(a.Tool, b.Tool)
	})
	return rows
}

// municipality tells whether adm has inhabitants of its own: a Kreis's
// are its municipalities'.
func municipality(adm *ozgv1.Administration) bool { return adm.Spec.Type != ozgv1.TypeKreis }

func populationOf(adm *ozgv1.Administration) int64 {
	if adm.Spec.Population == nil {
		return 0
	}
	return *adm.Spec.Population
}

func counter(m map[string]*Counts, key string) *Counts {
	c := m[key]
	if c == nil {
		c = &Counts{}
		m[key] = c
	}
	return c
}

func administrationRow(adm *ozgv1.Administration, kreisNames map[string]string) AdministrationRow {
	row := AdministrationRow{
		Name:        adm.Name,
		DisplayName: adm.Spec.DisplayName,
		Key:         adm.Spec.Key,
		KreisKey:    adm.Spec.KreisKey(),
	}
	row.Kreis = kreisName(row.KreisKey, kreisNames)
	if p := adm.Status.Portal; p != nil {
		row.Portal, row.PortalReady, row.PortalPublished = p.Name, p.Ready, p.Published
	}
	return row
}

func implementationCounts(impl ozgv1.ServiceImplementation, portalOnline bool) Counts {
	c := Counts{Tracked: 1}
	if impl.State == ozgv1.StateLive {
		c.Live = 1
		if portalOnline {
			c.Online = 1
		}
	}
	return c
}

// themenfeldNames lists the 14 Themenfelder, then any other Themenfeld the
// catalogue uses, sorted, then NotInCatalogue if implementations fall there.
func themenfeldNames(catalogue map[string]int, counted map[string]*Counts) []string {
	names := slices.Clone(Themenfelder)
	var extra []string
	for tf := range catalogue {
		if !slices.Contains(Themenfelder, tf) {
			extra = append(extra, tf)
		}
	}
	slices.Sort(extra)
	names = append(names, extra...)
	if counted[NotInCatalogue] != nil {
		names = append(names, NotInCatalogue)
	}
	return names
}

func compareKreise(a, b KreisRow) int {
	return cmp.Compare(a.Key, b.Key)
}

func total(r *Report, services int) Total {
	t := Total{Administrations: len(r.Administrations), Services: services}
	for _, k := range r.Kreise {
		t.PortalsOnline += k.PortalsOnline
		t.Counts.add(k.Counts)
	}
	t.ShareOnline = t.Counts.shareOnline()
	return t
}

// KreisNames maps Kreis keys to display names: that of the Kreis, or of the
// kreisfreie Stadt, whose Kreis key is its own.
func KreisNames(adms []ozgv1.Administration) map[string]string {
	names := map[string]string{}
	for _, adm := range adms {
		key := adm.Spec.KreisKey()
		if key == "" || adm.Spec.DisplayName == "" {
			continue
		}
		if adm.Spec.Type == ozgv1.TypeKreis || adm.Spec.Type == ozgv1.TypeKreisfreieStadt {
			names[key] = adm.Spec.DisplayName
		}
	}
	return names
}

// kreisName is the Kreis's display name, its key where no Kreis or
// kreisfreie Stadt of that key is listed.
func kreisName(key string, names map[string]string) string {
	if name := names[key]; name != "" {
		return name
	}
	return key
}
