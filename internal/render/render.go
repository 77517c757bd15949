// Package render joins an Administration's content decisions with the OZG
// catalogue and the responsibility profile into the document a portal
// serves (internal/portaldata), and renders the catalogue part that the
// portals of a namespace share.
package render

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/admservices"
	"github.com/ozg-operator/ozg-operator/internal/portaldata"
	"github.com/ozg-operator/ozg-operator/internal/responsibility"
)

// Catalog is the OZG catalogue, by object name and in OZG-ID order. It
// only reads the entries, which may be shared with a cache.
type Catalog struct {
	byName map[string]*ozgv1.OZGService
	sorted []*ozgv1.OZGService
}

// NewCatalog indexes entries; it keeps the pointers.
func NewCatalog(entries []*ozgv1.OZGService) *Catalog {
	c := &Catalog{byName: make(map[string]*ozgv1.OZGService, len(entries)), sorted: slices.Clone(entries)}
	for _, e := range entries {
		c.byName[e.Name] = e
	}
	slices.SortFunc(c.sorted, func(a, b *ozgv1.OZGService) int { return strings.Compare(a.Spec.OZGID, b.Spec.OZGID) })
	return c
}

// Get returns the entry named name (ozg-<id>).
func (c *Catalog) Get(name string) (*ozgv1.OZGService, bool) {
	e, ok := c.byName[name]
	return e, ok
}

// Len is the number of entries.
func (c *Catalog) Len() int { return len(c.sorted) }

// Each calls f for every entry in OZG-ID order.
func (c *Catalog) Each(f func(*ozgv1.OZGService)) {
	for _, e := range c.sorted {
		f(e)
	}
}

// Inputs are what a portal's content depends on besides the portal.
type Inputs struct {
	// Administration is the body the portal serves.
	Administration *ozgv1.Administration
	// Kreis is the administration's Kreis; nil if it has none or the
	// Administration object does not exist.
	Kreis *ozgv1.Administration
	// KreisPortalURL is the URL of the Kreis's published and Ready portal;
	// empty while it has none.
	KreisPortalURL string
	// Profile places the services. Without one the portal lists the
	// services the administration tracks, as its own.
	Profile *responsibility.Profile
	// Catalog is the OZG catalogue.
	Catalog *Catalog
	// PublicURL is where the portal is served to the public (scheme and
	// host name); empty while it has no host name.
	PublicURL string
}

// Result is a rendered document with its encoding and checksum.
type Result struct {
	// Document is the content with the catalogue part filled in, its
	// services in the order the render found them (not sorted: the
	// controller reads only JSON, and the portal sorts what it reads);
	// JSON leaves that part to the shared catalogue.
	Document *portaldata.Document
	// JSON is the deterministic encoding stored in the ConfigMap.
	JSON []byte
	// Checksum is the hex SHA-256 of JSON; a change rolls the portal's pods.
	Checksum string
	// Offered counts the services the portal lists; Live those online for
	// its citizens (see online).
	Offered, Live int32
	// Missing names the services the administration tracks that the
	// catalogue does not (yet) contain; they are left out until it does.
	Missing []string
	// Elsewhere names the services the administration tracks that the
	// profile places with another body: the portal lists them with that
	// body, and the administration's entry has no effect.
	Elsewhere []string
}

// Portal renders the document of portal for in.Administration. Secrets are
// never part of it: authentication and payment contribute only their
// public settings.
func Portal(portal *ozgv1.ServicePortal, in Inputs) (*Result, error) {
	adm := in.Administration
	doc := &portaldata.Document{
		SchemaVersion: portaldata.SchemaVersion,
		Catalog:       portaldata.CatalogFile,
		Administration: portaldata.Administration{
			Name:        adm.Name,
			Key:         adm.Spec.Key,
			DisplayName: adm.Spec.DisplayName,
			Type:        string(adm.Spec.Type),
			Parent:      adm.Spec.Parent,
			ARS:         adm.Spec.ARS,
			Address:     address(adm),
		},
		PublicURL:   in.PublicURL,
		Authorities: authorities(in),
	}
	res := &Result{Document: doc}
	if in.Profile == nil {
		renderTracked(res, in)
	} else {
		renderProfile(res, in)
	}
	for _, l := range portal.Spec.Links {
		doc.Links = append(doc.Links, portaldata.Link{Name: l.Name, URL: l.URL})
	}
	if a := portal.Spec.Authentication; a != nil {
		provider := a.Provider
		if provider == "" {
			provider = ozgv1.DefaultAuthenticationProvider
		}
		doc.Authentication = &portaldata.Authentication{Provider: string(provider), IssuerURL: a.IssuerURL, ClientID: a.ClientID}
	}
	if p := portal.Spec.Payment; p != nil {
		doc.Payment = &portaldata.Payment{Provider: p.Provider}
	}
	data, err := portaldata.Marshal(doc)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	res.JSON, res.Checksum = data, hex.EncodeToString(sum[:])
	return res, nil
}

// renderTracked lists the services the administration tracks, as its own:
// without a profile nothing says who else is responsible for what.
func renderTracked(res *Result, in Inputs) {
	adm := in.Administration
	own := ownLevel(adm)
	services := admservices.Of(adm)
	for i := range services {
		impl := &services[i]
		entry, ok := in.Catalog.Get(impl.Service)
		if !ok {
			// Without its catalogue entry a service has no name to show.
			res.Missing = append(res.Missing, impl.Service)
			continue
		}
		res.add(entry, res.Document.Authorities[own], impl, true, true)
	}
}

// renderProfile lists every catalogue service with who is responsible for
// it for the administration's citizens, and that body's state.
func renderProfile(res *Result, in Inputs) {
	adm := in.Administration
	services := admservices.Of(adm)
	own := implementations(services)
	for _, impl := range services {
		if _, ok := in.Catalog.Get(impl.Service); !ok {
			res.Missing = append(res.Missing, impl.Service)
		}
	}
	var kreis map[string]*ozgv1.ServiceImplementation
	if in.Kreis != nil {
		kreis = implementations(admservices.Of(in.Kreis))
	}
	for _, entry := range in.Catalog.sorted {
		placed := in.Profile.Place(entry)
		r := responsibility.For(entry.Name, placed, adm, in.Kreis)
		authority := res.Document.Authorities[portaldata.Level(r.Level)]
		switch {
		case r.Administration == adm.Name:
			res.add(entry, authority, orNotStarted(own[entry.Name]), true, true)
		case in.Kreis != nil && r.Administration == in.Kreis.Name:
			res.add(entry, authority, orNotStarted(kreis[entry.Name]), false, in.KreisPortalURL != "")
		default:
			res.add(entry, authority, nil, false, false)
		}
		res.split(in.Profile.Splits(entry, placed, r, adm, in.Kreis))
		if r.Administration != adm.Name && own[entry.Name] != nil {
			res.Elsewhere = append(res.Elsewhere, entry.Name)
		}
	}
}

// split names, on the service added last, the authority of each of its
// LeiKa services that another one answers for than the service.
func (res *Result) split(splits []responsibility.Split) {
	if len(splits) == 0 {
		return
	}
	svc := &res.Document.Services[len(res.Document.Services)-1]
	svc.LeistungResponsible = make(map[string]portaldata.Responsible, len(splits))
	for _, s := range splits {
		svc.LeistungResponsible[s.Key] = res.Document.Authorities[portaldata.Level(s.Responsible.Level)]
	}
}

// add appends entry as the portal lists it. impl is the responsible
// administration's entry (nil if none is known); own says that it is the
// portal's own administration; reachable whether that administration's
// online services are: the portal's own always are, another's once its
// portal is published and Ready.
func (res *Result) add(entry *ozgv1.OZGService, authority portaldata.Responsible, impl *ozgv1.ServiceImplementation, own, reachable bool) {
	svc := portaldata.Service{
		OZGID:       entry.Spec.OZGID,
		Name:        entry.Spec.Name,
		Themenfeld:  entry.Spec.Themenfeld,
		Lebenslage:  entry.Spec.Lebenslage,
		Responsible: &authority,
	}
	if entry.Spec.EfA != nil {
		svc.EfA = &portaldata.EfA{Provider: entry.Spec.EfA.Provider, URL: entry.Spec.EfA.URL}
	}
	for _, l := range entry.Spec.Leistungen {
		svc.Leistungen = append(svc.Leistungen, portaldata.Leistung{Key: l.Key, Name: l.Name, Typisierung: l.Typisierung})
	}
	live := false
	if impl != nil {
		svc.State = portaldata.State(impl.State)
		if svc.State == "" {
			// The API server defaults it, but not in objects built in memory.
			svc.State = portaldata.State(ozgv1.DefaultServiceState)
		}
		svc.Maturity, svc.Tool, svc.TrustLevel = impl.Maturity, impl.Tool, portaldata.TrustLevel(impl.TrustLevel)
		live = svc.State == portaldata.StateLive && reachable
		switch {
		case own:
			// The portal's own entries link as their administration says.
			svc.URL = impl.URL
		case live:
			// Another body's service, once it is online there: its link,
			// else that body's portal.
			svc.URL = impl.URL
			if svc.URL == "" {
				svc.URL = authority.PortalURL
			}
		}
	}
	if svc.URL == "" && svc.EfA != nil {
		svc.URL = svc.EfA.URL
	}
	if live || (svc.EfA != nil && svc.URL == svc.EfA.URL) {
		res.Live++
	}
	res.Offered++
	res.Document.Services = append(res.Document.Services, svc)
}

// authorities are who answers at each level for in.Administration's
// citizens.
func authorities(in Inputs) map[portaldata.Level]portaldata.Responsible {
	adm := in.Administration
	self := identify(adm)
	a := map[portaldata.Level]portaldata.Responsible{}
	switch adm.Spec.Type {
	case ozgv1.TypeKreis:
		self.Level = portaldata.LevelKreis
		a[portaldata.LevelKreis] = self
		// The citizen's own Stadt or Gemeinde, which the Kreis cannot name.
		a[portaldata.LevelGemeinde] = portaldata.Responsible{Level: portaldata.LevelGemeinde}
	case ozgv1.TypeKreisfreieStadt:
		self.Level = portaldata.LevelGemeinde
		a[portaldata.LevelGemeinde] = self
		self.Level = portaldata.LevelKreis
		a[portaldata.LevelKreis] = self
	default:
		self.Level = portaldata.LevelGemeinde
		a[portaldata.LevelGemeinde] = self
		kreis := portaldata.Responsible{Administration: adm.Spec.Parent}
		if in.Kreis != nil {
			kreis = identify(in.Kreis)
		}
		kreis.Level, kreis.PortalURL = portaldata.LevelKreis, in.KreisPortalURL
		a[portaldata.LevelKreis] = kreis
	}
	land := portaldata.Responsible{Level: portaldata.LevelLand}
	if len(adm.Spec.Key) >= 2 {
		// A Land's ARS is its two digits and ten zeros.
		land.ARS = adm.Spec.Key[:2] + "0000000000"
	}
	if l := in.Profile.Land(); l != "" {
		land.DisplayName = "Land " + l
	}
	a[portaldata.LevelLand] = land
	a[portaldata.LevelBund] = portaldata.Responsible{Level: portaldata.LevelBund, DisplayName: "Bund"}
	// Which Kammer or insurance carrier follows from the citizen's
	// profession or insurance: the portal names the kind of body.
	a[portaldata.LevelKammer] = portaldata.Responsible{Level: portaldata.LevelKammer}
	a[portaldata.LevelSozialversicherung] = portaldata.Responsible{Level: portaldata.LevelSozialversicherung}
	a[portaldata.LevelUnknown] = portaldata.Responsible{Level: portaldata.LevelUnknown}
	return a
}

// identify is adm as a responsible authority, without level.
func identify(adm *ozgv1.Administration) portaldata.Responsible {
	return portaldata.Responsible{
		Administration: adm.Name,
		DisplayName:    adm.Spec.DisplayName,
		Key:            adm.Spec.Key,
		ARS:            adm.Spec.ARS,
		Address:        address(adm),
	}
}

func address(adm *ozgv1.Administration) portaldata.Address {
	a := adm.Spec.Address
	if a == nil {
		return portaldata.Address{}
	}
	return portaldata.Address{Recipient: a.Recipient, Street: a.Street, PostalCode: a.PostalCode, City: a.City}
}

// ownLevel is the level at which adm answers for the services it tracks
// when no profile says otherwise.
func ownLevel(adm *ozgv1.Administration) portaldata.Level {
	if adm.Spec.Type == ozgv1.TypeKreis {
		return portaldata.LevelKreis
	}
	return portaldata.LevelGemeinde
}

// notStarted is the entry of a service its administration does not track.
var notStarted = &ozgv1.ServiceImplementation{State: ozgv1.DefaultServiceState}

func orNotStarted(impl *ozgv1.ServiceImplementation) *ozgv1.ServiceImplementation {
	if impl == nil {
		return notStarted
	}
	return impl
}

func implementations(services []ozgv1.ServiceImplementation) map[string]*ozgv1.ServiceImplementation {
	m := make(map[string]*ozgv1.ServiceImplementation, len(services))
	for i := range services {
		m[services[i].Service] = &services[i]
	}
	return m
}

// CatalogDocument is the catalogue part every portal of a namespace
// shares.
func CatalogDocument(c *Catalog) *portaldata.CatalogDocument {
	doc := &portaldata.CatalogDocument{SchemaVersion: portaldata.SchemaVersion, Services: make([]portaldata.CatalogService, 0, len(c.sorted))}
	for _, e := range c.sorted {
		s := portaldata.CatalogService{OZGID: e.Spec.OZGID, Name: e.Spec.Name, Themenfeld: e.Spec.Themenfeld, Lebenslage: e.Spec.Lebenslage}
		if e.Spec.EfA != nil {
			s.EfA = &portaldata.EfA{Provider: e.Spec.EfA.Provider, URL: e.Spec.EfA.URL}
		}
		for _, l := range e.Spec.Leistungen {
			s.Leistungen = append(s.Leistungen, portaldata.Leistung{Key: l.Key, Name: l.Name, Typisierung: l.Typisierung})
		}
		doc.Services = append(doc.Services, s)
	}
	return doc
}
