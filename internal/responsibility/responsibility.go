// Package responsibility answers who is responsible (zuständig) for an OZG
// service for the citizens of one administration: a ResponsibilityProfile
// places each service at a level (its table first, then its typisierung
// rules), the administration's size class decides the Kreis tasks that
// Große and Mittlere kreisangehörige Städte hold themselves, and overrides
// on the municipality, then on its Kreis, move single services.
package responsibility

import (
	"slices"
	"strings"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// Source says what placed a service.
type Source string

const (
	// SourceTable: the profile's services table.
	SourceTable Source = "Table"
	// SourceTypisierung: the profile's typisierung rules.
	SourceTypisierung Source = "Typisierung"
	// SourceOverride: an override of the administration or of its Kreis.
	SourceOverride Source = "Override"
	// SourceNone: nothing places the service; its level is Unknown.
	SourceNone Source = "None"
)

// Placement is where a profile puts one service (or LeiKa service).
type Placement struct {
	ozgv1.Placement
	Source Source
}

// Profile is a ResponsibilityProfile prepared for lookups. The zero value
// and nil place nothing.
type Profile struct {
	name        string
	land        string
	typisierung map[string]ozgv1.Level
	services    map[string]*ozgv1.ServiceResponsibility
}

// Compile prepares a profile. It keeps pointers into p's spec, which must
// not change afterwards.
func Compile(p *ozgv1.ResponsibilityProfile) *Profile {
	c := &Profile{
		name:        p.Name,
		land:        p.Spec.Land,
		typisierung: make(map[string]ozgv1.Level, len(p.Spec.Typisierung)),
		services:    make(map[string]*ozgv1.ServiceResponsibility, len(p.Spec.Services)),
	}
	for _, r := range p.Spec.Typisierung {
		c.typisierung[r.Typisierung] = r.Level
	}
	for i := range p.Spec.Services {
		s := &p.Spec.Services[i]
		c.services[s.Service] = s
	}
	return c
}

// Name is the profile's object name ("" for nil).
func (p *Profile) Name() string {
	if p == nil {
		return ""
	}
	return p.name
}

// Land is the Land the profile describes, as citizens name it ("" for nil).
func (p *Profile) Land() string {
	if p == nil {
		return ""
	}
	return p.land
}

// Place returns where the profile puts svc: its table entry, else the level
// of its typisierung when every LeiKa service it bundles carries only
// typisierungen that the rules put at one and the same level, else Unknown.
func (p *Profile) Place(svc *ozgv1.OZGService) Placement {
	if p == nil {
		return unplaced("no responsibility profile")
	}
	if e := p.services[svc.Name]; e != nil {
		return Placement{Placement: e.Placement, Source: SourceTable}
	}
	if level, basis, ok := p.byTypisierung(svc.Spec.Leistungen); ok {
		return Placement{Placement: ozgv1.Placement{Level: level, LegalBasis: basis}, Source: SourceTypisierung}
	}
	return unplaced("not in the profile " + p.name + " and its typisierung does not decide")
}

// PlaceLeistung returns where the profile puts one LeiKa service of svc:
// its own table entry, else its typisierung's level where that decides,
// else the placement of svc.
func (p *Profile) PlaceLeistung(svc *ozgv1.OZGService, l *ozgv1.LeiKaLeistung) Placement {
	if e := p.leistung(svc.Name, l.Key); e != nil {
		return Placement{Placement: e.Placement, Source: SourceTable}
	}
	return p.Place(svc)
}

// leistung is the table entry of the LeiKa service key of service, nil if
// it has none.
func (p *Profile) leistung(service, key string) *ozgv1.LeistungResponsibility {
	if p == nil || key == "" || p.services[service] == nil {
		return nil
	}
	e := p.services[service]
	for i := range e.Leistungen {
		if e.Leistungen[i].Key == key {
			return &e.Leistungen[i]
		}
	}
	return nil
}

// byTypisierung is the level every typisierung of leistungen is put at by
// the rules, and the basis to name; ok is false when they do not decide:
// no LeiKa services, one without typisierung, one the rules do not cover,
// or two levels.
func (p *Profile) byTypisierung(leistungen []ozgv1.LeiKaLeistung) (level ozgv1.Level, basis string, ok bool) {
	var seen []string
	for i := range leistungen {
		if len(leistungen[i].Typisierung) == 0 {
			return "", "", false
		}
		for _, t := range leistungen[i].Typisierung {
			l, known := p.typisierung[t]
			if !known || (level != "" && l != level) {
				return "", "", false
			}
			level = l
			if !slices.Contains(seen, t) {
				seen = append(seen, t)
			}
		}
	}
	if level == "" {
		return "", "", false
	}
	return level, "LeiKa typisierung " + strings.Join(seen, ", "), true
}

func unplaced(why string) Placement {
	return Placement{Placement: ozgv1.Placement{Level: ozgv1.LevelUnknown, Note: why}, Source: SourceNone}
}

// Responsible is who answers for a service to one administration's citizens.
type Responsible struct {
	// Level is the level responsible.
	Level ozgv1.Level
	// Administration names the Administration object at that level, for
	// Kreis and Gemeinde; it is empty when the level is outside the
	// cluster or the Kreis is not known.
	Administration string
	// Placement is how the level was found.
	Placement Placement
}

// For answers who is responsible for service, placed by the profile as
// placed, for the citizens of adm, whose Kreis is kreis (nil for a
// kreisfreie Stadt, a Kreis, or a Kreis not known to the caller).
//
// An override of adm wins over one of its Kreis, which wins over the
// profile; a Kreis task that adm's size class holds itself, or that falls
// to an authority adm runs itself (its own Jugendamt), is adm's. The
// Kreis level of a kreisfreie Stadt is the city itself; for a Kreis's own
// view, the Gemeinde level names no administration (it is the citizen's).
func For(service string, placed Placement, adm, kreis *ozgv1.Administration) Responsible {
	o := override(adm, service)
	if o == nil {
		o = override(kreis, service)
	}
	return resolve(placed, o, adm)
}

// ForLeistung answers who is responsible for one LeiKa service of service,
// which the profile places at leistung (Profile.PlaceLeistung) and the
// service itself at placed. An override moves the service's task, and so
// the LeiKa services that sit where the service does; those the profile
// places at another level stay there (a town that takes over a Kreis
// task does not take over the Land's part of it).
func ForLeistung(service string, placed, leistung Placement, adm, kreis *ozgv1.Administration) Responsible {
	if leistung.Level != placed.Level {
		return resolve(leistung, nil, adm)
	}
	return For(service, leistung, adm, kreis)
}

// Split is a LeiKa service that another authority answers for than its
// OZG service.
type Split struct {
	// Key is the LeiKa key.
	Key         string
	Responsible Responsible
}

// Splits lists the LeiKa services of svc that, for adm's citizens, another
// level or administration answers for than r, the answer for svc placed at
// placed; in catalogue order. Only LeiKa services the profile places
// themselves can differ.
func (p *Profile) Splits(svc *ozgv1.OZGService, placed Placement, r Responsible, adm, kreis *ozgv1.Administration) []Split {
	if p == nil || p.services[svc.Name] == nil || len(p.services[svc.Name].Leistungen) == 0 {
		return nil
	}
	var out []Split
	for i := range svc.Spec.Leistungen {
		l := &svc.Spec.Leistungen[i]
		e := p.leistung(svc.Name, l.Key)
		if e == nil {
			continue
		}
		lr := ForLeistung(svc.Name, placed, Placement{Placement: e.Placement, Source: SourceTable}, adm, kreis)
		if lr.Level != r.Level || lr.Administration != r.Administration {
			out = append(out, Split{Key: l.Key, Responsible: lr})
		}
	}
	return out
}

// ForLeistungen answers who is responsible for each LeiKa service of svc
// (in catalogue order) for adm's citizens: the service's answer, or its
// own where the profile places it elsewhere (Splits).
func (p *Profile) ForLeistungen(svc *ozgv1.OZGService, adm, kreis *ozgv1.Administration) []Responsible {
	placed := p.Place(svc)
	r := For(svc.Name, placed, adm, kreis)
	out := make([]Responsible, len(svc.Spec.Leistungen))
	for i := range out {
		out[i] = r
	}
	for _, s := range p.Splits(svc, placed, r, adm, kreis) {
		for i := range svc.Spec.Leistungen {
			if svc.Spec.Leistungen[i].Key == s.Key {
				out[i] = s.Responsible
			}
		}
	}
	return out
}

// resolve is who answers for a task placed as placed, or as o says if it
// is not nil, for adm's citizens.
func resolve(placed Placement, o *ozgv1.ResponsibilityOverride, adm *ozgv1.Administration) Responsible {
	r := Responsible{Level: placed.Level, Placement: placed}
	switch {
	case o != nil:
		r.Level, r.Placement = o.Level, overridden(o)
	case placed.Level == ozgv1.LevelKreis && holds(adm, &placed.Placement):
		r.Level = ozgv1.LevelGemeinde
	}
	r.Administration = administrationAt(r.Level, adm)
	return r
}

func override(adm *ozgv1.Administration, service string) *ozgv1.ResponsibilityOverride {
	if adm == nil || adm.Spec.Responsibility == nil {
		return nil
	}
	for i := range adm.Spec.Responsibility.Overrides {
		if o := &adm.Spec.Responsibility.Overrides[i]; o.Service == service {
			return o
		}
	}
	return nil
}

func overridden(o *ozgv1.ResponsibilityOverride) Placement {
	return Placement{Placement: ozgv1.Placement{Level: o.Level, Note: o.Reason}, Source: SourceOverride}
}

// holds tells whether adm is a kreisangehörige municipality that holds the
// Kreis task placed by p itself: its size class is one p's heldBy names,
// or it runs the authority p assigns the task to.
func holds(adm *ozgv1.Administration, p *ozgv1.Placement) bool {
	if !Kreisangehoerig(adm) {
		return false
	}
	return slices.Contains(p.HeldBy, SizeClassOf(adm)) || (p.Authority != "" && Runs(adm, p.Authority))
}

// Runs tells whether adm runs the named Kreis-level authority itself.
func Runs(adm *ozgv1.Administration, authority ozgv1.Authority) bool {
	r := adm.Spec.Responsibility
	return r != nil && slices.Contains(r.Authorities, authority)
}

// administrationAt names the administration at level for adm's citizens.
func administrationAt(level ozgv1.Level, adm *ozgv1.Administration) string {
	switch {
	case adm == nil:
		return ""
	case level == ozgv1.LevelGemeinde && adm.Spec.Type != ozgv1.TypeKreis:
		return adm.Name
	case level == ozgv1.LevelKreis && Kreisangehoerig(adm):
		return adm.Spec.Parent
	case level == ozgv1.LevelKreis:
		return adm.Name // a Kreis, or a kreisfreie Stadt holding the Kreis tasks
	}
	return ""
}

// Kreisangehoerig tells whether adm is a municipality that belongs to a Kreis.
func Kreisangehoerig(adm *ozgv1.Administration) bool {
	return adm != nil && (adm.Spec.Type == ozgv1.TypeKreisangehoerigeStadt || adm.Spec.Type == ozgv1.TypeKreisangehoerigeGemeinde)
}

// SizeClassOf is adm's size class; a kreisangehörige municipality without
// one counts as Gemeinde, other administrations have none.
func SizeClassOf(adm *ozgv1.Administration) ozgv1.SizeClass {
	if !Kreisangehoerig(adm) {
		return ""
	}
	if adm.Spec.SizeClass == "" {
		return ozgv1.SizeClassGemeinde
	}
	return adm.Spec.SizeClass
}

// Thresholds of § 4 GO NRW: a kreisangehörige municipality is a Mittlere
// kreisangehörige Stadt by law with more than 25,000 inhabitants and a
// Große one with more than 60,000 (on its application already from 20,000
// and 50,000: such towns need spec.sizeClass set by hand).
const (
	NRWMittlereAbove = 25_000
	NRWGrosseAbove   = 60_000
)

// NRWSizeClass derives the size class of a kreisangehörige municipality of
// NRW from its population.
func NRWSizeClass(population int64) ozgv1.SizeClass {
	switch {
	case population > NRWGrosseAbove:
		return ozgv1.SizeClassGrosse
	case population > NRWMittlereAbove:
		return ozgv1.SizeClassMittlere
	}
	return ozgv1.SizeClassGemeinde
}
