// Package portalverbund builds the feed a portal hands to the Portalverbund
// and the Länder's service directories: every service a portal offers,
// with its LeiKa services, who is responsible for it in the portal's area
// and the online service where there is one.
//
// The shape follows the concepts of XZuFi, the standard the directories
// (PVOG) exchange: Leistung (the OZG service with the LeiKa services it
// bundles), Organisationseinheit (a responsible authority, named by its
// regional key), Gebiet (the area a portal serves), Zuständigkeit (who
// answers for a Leistung in a Gebiet) and Onlinedienst (where citizens do
// it online). It is JSON, not XZuFi XML: an editor or a converter maps it.
// The JSON Schema is schema/portalverbund.v1.schema.json (Schema), the
// documentation docs/portalverbund.md. Like the portal document it is
// versioned by SchemaVersion: adding optional fields keeps the version.
package portalverbund

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/ozg-operator/ozg-operator/internal/portaldata"
)

// SchemaVersion is the version of the feed this package writes.
const SchemaVersion = 1

// LeiKaURNPrefix makes a LeiKa key a URN, as FIM and schema.org
// identifiers write it.
const LeiKaURNPrefix = "urn:de:fim:leika:leistung:"

// Schema is the JSON Schema (draft 2020-12) of the feed.
//
//go:embed schema/portalverbund.v1.schema.json
var Schema []byte

// Feed is the export of one portal or of a fleet of them.
type Feed struct {
	SchemaVersion int `json:"schemaVersion"`
	// Gebiete are the areas the feed covers: one per portal, by id.
	Gebiete []Gebiet `json:"gebiete"`
	// Organisationseinheiten are the responsible authorities, by id.
	Organisationseinheiten []Organisationseinheit `json:"organisationseinheiten"`
	// Leistungen are the offered OZG services, by OZG-ID.
	Leistungen []Leistung `json:"leistungen"`
	// Zustaendigkeiten say who answers for which Leistung in which Gebiet,
	// by Gebiet and Leistung.
	Zustaendigkeiten []Zustaendigkeit `json:"zustaendigkeiten"`
}

// Gebiet is the area of one portal: its administration's territory.
type Gebiet struct {
	// ID is the ARS if known, else the official key.
	ID   string `json:"id"`
	Name string `json:"name"`
	// AGS is the official key: 8 digits for a municipality, 5 for a Kreis.
	AGS string `json:"ags"`
	ARS string `json:"ars,omitempty"`
	// Portal is the portal's public URL, if it has one.
	Portal string `json:"portal,omitempty"`
}

// Organisationseinheit is an authority responsible for services.
type Organisationseinheit struct {
	// ID is the ARS if known, else the official key, else the name of the
	// Administration object; "bund" for the Bund.
	ID    string `json:"id"`
	Name  string `json:"name,omitempty"`
	Ebene string `json:"ebene"`
	AGS   string `json:"ags,omitempty"`
	ARS   string `json:"ars,omitempty"`
	// Anschrift is the postal address, if known.
	Anschrift *Anschrift `json:"anschrift,omitempty"`
	// Portal is the authority's own service portal, if it is published.
	Portal string `json:"portal,omitempty"`
}

// Anschrift is a postal address.
type Anschrift struct {
	Empfaenger   string `json:"empfaenger,omitempty"`
	Strasse      string `json:"strasse,omitempty"`
	Postleitzahl string `json:"postleitzahl,omitempty"`
	Ort          string `json:"ort,omitempty"`
}

// Leistung is an OZG service with the LeiKa services it bundles.
type Leistung struct {
	OZGID       string `json:"ozgId"`
	Bezeichnung string `json:"bezeichnung"`
	Themenfeld  string `json:"themenfeld"`
	Lebenslage  string `json:"lebenslage,omitempty"`
	// LeiKaLeistungen are in catalogue order; those outside the LeiKa have
	// no key.
	LeiKaLeistungen []LeiKaLeistung `json:"leikaLeistungen"`
}

// LeiKaLeistung is one LeiKa service.
type LeiKaLeistung struct {
	Schluessel  string   `json:"schluessel,omitempty"`
	URN         string   `json:"urn,omitempty"`
	Bezeichnung string   `json:"bezeichnung"`
	Typisierung []string `json:"typisierung,omitempty"`
	// Schlagwoerter are the words besides its name that citizens find it
	// by: colloquial words and abbreviations (Perso, Kfz) from the portal
	// search's synonyms.
	Schlagwoerter []string `json:"schlagwoerter,omitempty"`
}

// AddKeywords sets each LeiKa service's Schlagwoerter to keywords of its
// name.
func (f *Feed) AddKeywords(keywords func(name string) []string) {
	for i := range f.Leistungen {
		for j := range f.Leistungen[i].LeiKaLeistungen {
			l := &f.Leistungen[i].LeiKaLeistungen[j]
			l.Schlagwoerter = keywords(l.Bezeichnung)
		}
	}
}

// Zustaendigkeit says who answers for a Leistung in a Gebiet.
type Zustaendigkeit struct {
	// Leistung is the OZG-ID.
	Leistung string `json:"leistung"`
	// LeiKaLeistung is the key of the one LeiKa service of the Leistung
	// this Zustaendigkeit is for, where another authority answers for it
	// than for the Leistung as a whole (which has no key here).
	LeiKaLeistung string `json:"leikaLeistung,omitempty"`
	// Gebiet is the id of the area.
	Gebiet string `json:"gebiet"`
	// Ebene is the level responsible: Bund, Land, Kreis, Gemeinde or
	// Unknown.
	Ebene string `json:"ebene"`
	// Organisationseinheit is the id of the authority; absent when the
	// level's authority is not known (a Kreis portal cannot name the
	// citizen's Gemeinde).
	Organisationseinheit string `json:"organisationseinheit,omitempty"`
	// Stand is the responsible administration's implementation state
	// (Open, InProgress, Live), if the operator knows it.
	Stand string `json:"stand,omitempty"`
	// Onlinedienst is where citizens do it online; absent while there is
	// no online service.
	Onlinedienst *Onlinedienst `json:"onlinedienst,omitempty"`
}

// Onlinedienst is an online service.
type Onlinedienst struct {
	URL string `json:"url"`
	// Reifegrad is the OZG maturity 0-4, if known.
	Reifegrad *int32 `json:"reifegrad,omitempty"`
	// Vertrauensniveau is the eIDAS level of assurance: niedrig,
	// substanziell or hoch, if known.
	Vertrauensniveau string `json:"vertrauensniveau,omitempty"`
	// EfA names the body that runs it centrally for all ("Einer für
	// Alle"), if it is such a service.
	EfA *EfA `json:"efa,omitempty"`
}

// EfA is a centrally run online service's provider.
type EfA struct {
	Anbieter string `json:"anbieter"`
}

// vertrauensniveau is each trust level as the German eIDAS text says it.
var vertrauensniveau = map[portaldata.TrustLevel]string{
	portaldata.TrustLevelLow:         "niedrig",
	portaldata.TrustLevelSubstantial: "substanziell",
	portaldata.TrustLevelHigh:        "hoch",
}

// FromDocument is the feed of one portal's document. publicURL overrides
// the document's public URL when not empty.
func FromDocument(doc *portaldata.Document, publicURL string) *Feed {
	if publicURL == "" {
		publicURL = doc.PublicURL
	}
	a := doc.Administration
	gebiet := Gebiet{ID: firstOf(a.ARS, a.Key), Name: a.DisplayName, AGS: a.Key, ARS: a.ARS, Portal: publicURL}
	f := &Feed{SchemaVersion: SchemaVersion, Gebiete: []Gebiet{gebiet}}
	orgs := map[string]Organisationseinheit{}
	for i := range doc.Services {
		s := &doc.Services[i]
		f.Leistungen = append(f.Leistungen, leistung(s))
		z := Zustaendigkeit{Leistung: s.OZGID, Gebiet: gebiet.ID, Ebene: string(portaldata.LevelUnknown), Stand: string(s.State)}
		if r := s.Responsible; r != nil {
			z.Ebene = string(r.Level)
			if o, ok := organisation(r, doc, publicURL); ok {
				z.Organisationseinheit = o.ID
				orgs[o.ID] = o
			}
		} else if o, ok := organisation(&portaldata.Responsible{Level: ownLevel(a), Administration: a.Name}, doc, publicURL); ok {
			// A version 1 document: every service is the administration's own.
			z.Ebene, z.Organisationseinheit = o.Ebene, o.ID
			orgs[o.ID] = o
		}
		if url := s.OnlineURL(); url != "" {
			od := &Onlinedienst{URL: url, Reifegrad: s.Maturity, Vertrauensniveau: vertrauensniveau[s.TrustLevel]}
			if s.EfA != nil && url == s.EfA.URL {
				od.EfA = &EfA{Anbieter: s.EfA.Provider}
			}
			z.Onlinedienst = od
		}
		f.Zustaendigkeiten = append(f.Zustaendigkeiten, z)
		// The LeiKa services another authority answers for: who, without
		// a state or an online service, which the operator tracks per
		// OZG service.
		for _, key := range slices.Sorted(maps.Keys(s.LeistungResponsible)) {
			r := s.LeistungResponsible[key]
			zl := Zustaendigkeit{Leistung: s.OZGID, LeiKaLeistung: key, Gebiet: gebiet.ID, Ebene: string(r.Level)}
			if o, ok := organisation(&r, doc, publicURL); ok {
				zl.Organisationseinheit = o.ID
				orgs[o.ID] = o
			}
			f.Zustaendigkeiten = append(f.Zustaendigkeiten, zl)
		}
	}
	for _, o := range orgs {
		f.Organisationseinheiten = append(f.Organisationseinheiten, o)
	}
	f.sort()
	return f
}

func leistung(s *portaldata.Service) Leistung {
	l := Leistung{OZGID: s.OZGID, Bezeichnung: s.Name, Themenfeld: s.Themenfeld, Lebenslage: s.Lebenslage, LeiKaLeistungen: []LeiKaLeistung{}}
	for _, k := range s.Leistungen {
		e := LeiKaLeistung{Schluessel: k.Key, Bezeichnung: k.Name, Typisierung: k.Typisierung}
		if k.Key != "" {
			e.URN = LeiKaURNPrefix + k.Key
		}
		l.LeiKaLeistungen = append(l.LeiKaLeistungen, e)
	}
	return l
}

// organisation is the authority r names, if it names one: the portal's
// own administration, another one, or the Land or Bund.
func organisation(r *portaldata.Responsible, doc *portaldata.Document, publicURL string) (Organisationseinheit, bool) {
	o := Organisationseinheit{Name: r.DisplayName, Ebene: string(r.Level), AGS: r.Key, ARS: r.ARS, Portal: r.PortalURL, Anschrift: anschrift(r.Address)}
	own := r.Administration != "" && r.Administration == doc.Administration.Name
	if own {
		a := doc.Administration
		o.Name, o.AGS, o.ARS, o.Anschrift = firstOf(o.Name, a.DisplayName), firstOf(o.AGS, a.Key), firstOf(o.ARS, a.ARS), anschriftOr(o.Anschrift, a.Address)
		o.Portal = publicURL
	}
	switch {
	case r.Level == portaldata.LevelUnknown:
		return o, false
	case r.Level == portaldata.LevelBund:
		o.ID = "bund"
	default:
		o.ID = firstOf(o.ARS, o.AGS, r.Administration)
	}
	return o, o.ID != ""
}

func ownLevel(a portaldata.Administration) portaldata.Level {
	if len(a.Key) == 5 {
		return portaldata.LevelKreis
	}
	return portaldata.LevelGemeinde
}

func anschrift(a portaldata.Address) *Anschrift {
	if a == (portaldata.Address{}) {
		return nil
	}
	return &Anschrift{Empfaenger: a.Recipient, Strasse: a.Street, Postleitzahl: a.PostalCode, Ort: a.City}
}

func anschriftOr(have *Anschrift, a portaldata.Address) *Anschrift {
	if have != nil {
		return have
	}
	return anschrift(a)
}

func firstOf(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// Merge joins the feeds of several portals into one, whatever their
// order. An area two feeds cover (two portals of one administration) is
// taken from the feed whose area id sorts first; an authority several feeds
// name is taken from its own portal's feed, which knows its portal, else
// from the first.
func Merge(feeds ...*Feed) *Feed {
	feeds = slices.Clone(feeds)
	slices.SortStableFunc(feeds, func(a, b *Feed) int { return strings.Compare(firstGebiet(a), firstGebiet(b)) })
	out := &Feed{SchemaVersion: SchemaVersion}
	gebiete, leistungen := map[string]bool{}, map[string]bool{}
	type org struct {
		i   int
		own bool
	}
	orgs := map[string]org{}
	for _, f := range feeds {
		fresh := map[string]bool{}
		for _, g := range f.Gebiete {
			if !gebiete[g.ID] {
				gebiete[g.ID], fresh[g.ID] = true, true
				out.Gebiete = append(out.Gebiete, g)
			}
		}
		for _, o := range f.Organisationseinheiten {
			own := fresh[o.ID]
			switch seen, ok := orgs[o.ID]; {
			case !ok:
				orgs[o.ID] = org{len(out.Organisationseinheiten), own}
				out.Organisationseinheiten = append(out.Organisationseinheiten, o)
			case own && !seen.own:
				out.Organisationseinheiten[seen.i] = o
				orgs[o.ID] = org{seen.i, true}
			}
		}
		for _, l := range f.Leistungen {
			if !leistungen[l.OZGID] {
				leistungen[l.OZGID] = true
				out.Leistungen = append(out.Leistungen, l)
			}
		}
		for _, z := range f.Zustaendigkeiten {
			if fresh[z.Gebiet] {
				out.Zustaendigkeiten = append(out.Zustaendigkeiten, z)
			}
		}
	}
	out.sort()
	return out
}

func firstGebiet(f *Feed) string {
	if len(f.Gebiete) == 0 {
		return ""
	}
	return f.Gebiete[0].ID
}

// sort puts every list in its documented order and makes empty lists [],
// so that equal feeds encode to equal bytes.
func (f *Feed) sort() {
	slices.SortStableFunc(f.Gebiete, func(a, b Gebiet) int { return strings.Compare(a.ID, b.ID) })
	slices.SortStableFunc(f.Organisationseinheiten, func(a, b Organisationseinheit) int { return strings.Compare(a.ID, b.ID) })
	slices.SortStableFunc(f.Leistungen, func(a, b Leistung) int { return strings.Compare(a.OZGID, b.OZGID) })
	slices.SortStableFunc(f.Zustaendigkeiten, func(a, b Zustaendigkeit) int {
		if c := strings.Compare(a.Gebiet, b.Gebiet); c != 0 {
			return c
		}
		if c := strings.Compare(a.Leistung, b.Leistung); c != 0 {
			return c
		}
		return strings.Compare(a.LeiKaLeistung, b.LeiKaLeistung)
	})
	if f.Gebiete == nil {
		f.Gebiete = []Gebiet{}
	}
	if f.Organisationseinheiten == nil {
		f.Organisationseinheiten = []Organisationseinheit{}
	}
	if f.Leistungen == nil {
		f.Leistungen = []Leistung{}
	}
	if f.Zustaendigkeiten == nil {
		f.Zustaendigkeiten = []Zustaendigkeit{}
	}
}

// Marshal encodes f deterministically, ending in a newline; indent
// selects indented output for people. &, < and > stay as they are: the
// feed is JSON for programs, never embedded in HTML.
func Marshal(f *Feed, indent bool) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if indent {
		enc.SetIndent("", "  ")
	}
	err := enc.Encode(f)
	return buf.Bytes(), err
}
