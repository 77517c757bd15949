// Package portaldata defines the document that the operator renders into a
// ServicePortal's ConfigMap and that the portal server reads: one
// administration's OZG services, joined with the catalogue, plus the portal's
// public settings.
//
// The document is the contract between two independently versioned programs
// (the operator and the portal image), so it is versioned by SchemaVersion
// and readers ignore fields they do not know. It never carries secrets.
package portaldata

// SchemaVersion is the version of the document this package writes.
// Adding optional fields keeps the version; removing or changing the
// meaning of a field requires a new one. Version 2 added the shared
// catalogue (Document.Catalog) and who is responsible for each service;
// the public URL, regional keys (ARS), addresses and trust levels are
// optional fields of version 2.
const SchemaVersion = 2

// MinSchemaVersion is the oldest version Parse reads: a version 1 document
// is a version 2 document without catalogue file and responsibilities.
const MinSchemaVersion = 1

// ConfigMapKey is the key of the document in the portal's ConfigMap and the
// name of the file the portal server reads from the mounted volume.
const ConfigMapKey = "portal.json"

// MaxServices bounds the number of services in a document; it matches the
// limit of Administration.spec.services.
const MaxServices = 2000

// Document is the content of a portal: who it is for, which services it
// offers, and how citizens log in and pay.
type Document struct {
	// SchemaVersion is the version of this format, see SchemaVersion.
	SchemaVersion int `json:"schemaVersion"`

	// Administration is the body the portal belongs to.
	Administration Administration `json:"administration"`

	// PublicURL is where the portal is served to the public: scheme and
	// host name, no path. Canonical links, the sitemap and structured data
	// use it; empty while the portal has no host name.
	PublicURL string `json:"publicURL,omitempty"`

	// Catalog names the file beside the document that holds the catalogue
	// part of the services (names, Themenfelder, LeiKa services, EfA), see
	// CatalogDocument: every portal of a namespace shares one copy instead
	// of carrying its own. Empty, the services carry that part themselves.
	// Join fills it in.
	Catalog string `json:"catalog,omitempty"`

	// Authorities are who answers at each level for the portal's citizens.
	// A service's responsible entry that names only its level stands for
	// its level's authority: Parse fills it in and Marshal leaves it out,
	// so that hundreds of services do not repeat the same few names.
	Authorities map[Level]Responsible `json:"authorities,omitempty"`

	// Services are the OZG services the portal lists: those the
	// administration answers for and, with a responsibility profile, every
	// other one its citizens need, each with who is responsible. Parse and
	// Marshal return them sorted by Themenfeld, name and OZG-ID.
	Services []Service `json:"services"`

	// Links point to other portals and are shown on every page, in order.
	Links []Link `json:"links,omitempty"`

	// Authentication is the public part of the citizen login, if any.
	Authentication *Authentication `json:"authentication,omitempty"`

	// Payment is the e-payment provider, if any.
	Payment *Payment `json:"payment,omitempty"`
}

// Administration identifies the municipality, Kreis or other body.
type Administration struct {
	// Name is the name of the Administration object.
	Name string `json:"name"`
	// Key is the official key: an 8-digit AGS or a 5-digit Kreis key.
	Key string `json:"key"`
	// DisplayName is the name citizens know, e.g. "Stadt Dortmund".
	DisplayName string `json:"displayName"`
	// Type is the kind of body, e.g. Kreis or KreisfreieStadt.
	Type string `json:"type"`
	// Parent is the name of the Kreis' Administration object, if any.
	Parent string `json:"parent,omitempty"`
	// ARS is the 12-digit Amtlicher Regionalschlüssel, if known.
	ARS string `json:"ars,omitempty"`
	// Address is the postal address, if known.
	Address Address `json:"address,omitzero"`
}

// Address is a postal address.
type Address struct {
	Recipient  string `json:"recipient,omitempty"`
	Street     string `json:"street,omitempty"`
	PostalCode string `json:"postalCode,omitempty"`
	City       string `json:"city,omitempty"`
}

// State is how far an administration is with one OZG service. The values
// are those of the Administration API.
type State string

const (
	// StateOpen: not started.
	StateOpen State = "Open"
	// StateInProgress: the online service is being built.
	StateInProgress State = "InProgress"
	// StateLive: citizens can use the online service.
	StateLive State = "Live"
)

// States lists the valid states, from the most to the least advanced.
var States = []State{StateLive, StateInProgress, StateOpen}

// Valid reports whether s is one of States.
func (s State) Valid() bool {
	switch s {
	case StateOpen, StateInProgress, StateLive:
		return true
	}
	return false
}

// Service is one OZG service as the portal's citizens find it. The
// catalogue part (Name, Themenfeld, Lebenslage, EfA, Leistungen) comes from
// the catalogue file when the document names one.
type Service struct {
	// OZGID is the 5-digit OZG-ID.
	OZGID string `json:"ozgId"`
	// Name is the designation (Bezeichnung) from the catalogue.
	Name string `json:"name,omitempty"`
	// Themenfeld is the OZG subject area.
	Themenfeld string `json:"themenfeld,omitempty"`
	// Lebenslage is the life or business situation, if known.
	Lebenslage string `json:"lebenslage,omitempty"`
	// Responsible is who answers for the service to the portal's citizens.
	// Documents of version 1 have none.
	Responsible *Responsible `json:"responsible,omitempty"`
	// State is the implementation state of the responsible administration;
	// empty when no administration known to the operator answers for the
	// service (the Land, the Bund, or nobody known).
	State State `json:"state,omitempty"`
	// Maturity is the OZG Reifegrad 0-4, if known.
	Maturity *int32 `json:"maturity,omitempty"`
	// Tool is what the online form was built with.
	Tool string `json:"tool,omitempty"`
	// TrustLevel is the level of assurance the online service asks of the
	// citizen's identification (Low, Substantial or High), if known.
	TrustLevel TrustLevel `json:"trustLevel,omitempty"`
	// URL is where the portal's citizens go online for the service: the
	// responsible administration's online service, its portal, or the EfA
	// service; empty if nowhere.
	URL string `json:"url,omitempty"`
	// EfA is the centrally run online service from the catalogue, if any.
	EfA *EfA `json:"efa,omitempty"`
	// Leistungen are the LeiKa services the OZG service bundles, in
	// catalogue order.
	Leistungen []Leistung `json:"leistungen,omitempty"`
	// LeistungResponsible names, by LeiKa key, the LeiKa services that
	// another authority answers for than Responsible: a bundled service
	// whose parts sit at different levels (the Standesamt's marriage, the
	// Oberlandesgericht's exemption from its rules).
	LeistungResponsible map[string]Responsible `json:"leistungResponsible,omitempty"`
}

// ResponsibleFor is who answers for the LeiKa service l of s: its own
// entry in LeistungResponsible, else the service's.
func (s *Service) ResponsibleFor(l *Leistung) *Responsible {
	if r, ok := s.LeistungResponsible[l.Key]; ok && l.Key != "" {
		return &r
	}
	return s.Responsible
}

// TrustLevel is an eIDAS level of assurance (Vertrauensniveau). The values
// are those of the Administration API.
type TrustLevel string

const (
	TrustLevelLow         TrustLevel = "Low"
	TrustLevelSubstantial TrustLevel = "Substantial"
	TrustLevelHigh        TrustLevel = "High"
)

// TrustLevels lists the valid trust levels, from the lowest.
var TrustLevels = []TrustLevel{TrustLevelLow, TrustLevelSubstantial, TrustLevelHigh}

// Level is the level of government responsible for a service. The values
// are those of the ResponsibilityProfile API.
type Level string

const (
	LevelBund     Level = "Bund"
	LevelLand     Level = "Land"
	LevelKreis    Level = "Kreis"
	LevelGemeinde Level = "Gemeinde"
	// LevelKammer and LevelSozialversicherung: a berufsständische Kammer,
	// a social insurance carrier.
	LevelKammer             Level = "Kammer"
	LevelSozialversicherung Level = "Sozialversicherung"
	// LevelUnknown: the responsibility profile cannot place the service.
	LevelUnknown Level = "Unknown"
)

// Levels lists the valid levels.
var Levels = []Level{LevelBund, LevelLand, LevelKreis, LevelGemeinde, LevelKammer, LevelSozialversicherung, LevelUnknown}

// Responsible is who answers for a service to the portal's citizens.
type Responsible struct {
	// Level is the level of government responsible.
	Level Level `json:"level"`
	// Administration is the name of the Administration object responsible,
	// for the Kreis and Gemeinde levels when it is known.
	Administration string `json:"administration,omitempty"`
	// DisplayName is the name citizens know, e.g. "Kreis Lippe" or
	// "Land Nordrhein-Westfalen"; empty when unknown.
	DisplayName string `json:"displayName,omitempty"`
	// PortalURL is the service portal of the responsible administration,
	// when it is another administration's and published, for citizens to
	// find it and whom to contact.
	PortalURL string `json:"portalURL,omitempty"`
	// Key is the administration's official key (AGS or Kreis key), ARS its
	// Amtlicher Regionalschlüssel and Address its postal address, where
	// known: the Portalverbund names authorities by them.
	Key     string  `json:"key,omitempty"`
	ARS     string  `json:"ars,omitempty"`
	Address Address `json:"address,omitzero"`
}

// Own tells whether the portal's own administration is responsible.
func (s *Service) Own(d *Document) bool {
	return s.Responsible == nil || s.Responsible.Administration == d.Administration.Name
}

// EfA is a centrally run "Einer für Alle" online service.
type EfA struct {
	// Provider is the Land or body that runs it.
	Provider string `json:"provider"`
	// URL is where citizens start it.
	URL string `json:"url"`
}

// Leistung is one LeiKa service.
type Leistung struct {
	// Key is the 14-digit LeiKa key; services outside the LeiKa have none.
	Key string `json:"key,omitempty"`
	// Name is the LeiKa designation.
	Name string `json:"name"`
	// Typisierung lists the LeiKa types, e.g. "1" or "2/3"; Parse and
	// Marshal sort it because it is a set.
	Typisierung []string `json:"typisierung,omitempty"`
}

// Link is a link to another portal.
type Link struct {
	// Name is the link text.
	Name string `json:"name"`
	// URL is the absolute http(s) target.
	URL string `json:"url"`
}

// Authentication is the public configuration of the citizen login. The
// client secret stays in its Secret and is never part of the document.
type Authentication struct {
	// Provider is Servicekonto, BundID or OIDC.
	Provider string `json:"provider"`
	// IssuerURL is the OIDC issuer.
	IssuerURL string `json:"issuerURL"`
	// ClientID is the portal's OIDC client id.
	ClientID string `json:"clientID"`
}

// Payment names the e-payment provider; credentials are never part of the
// document.
type Payment struct {
	// Provider is the e-payment platform, e.g. ePayBL.
	Provider string `json:"provider"`
}

// LinkURL returns the link citizens follow for the service: URL if set,
// else (in documents of version 1) the EfA service. efa reports whether
// the link is the EfA service; url is empty if there is neither.
func (s *Service) LinkURL() (url string, efa bool) {
	if s.URL != "" {
		return s.URL, s.EfA != nil && s.URL == s.EfA.URL
	}
	if s.EfA != nil && s.EfA.URL != "" {
		return s.EfA.URL, true
	}
	return "", false
}

// OnlineURL is the online service citizens use for s, "" while none is
// online: the responsible body's link once its entry is Live, or the EfA
// service. Structured data and the Portalverbund feed announce only these;
// the page also shows a link an administration gives for a service it is
// still building.
func (s *Service) OnlineURL() string {
	url, efa := s.LinkURL()
	if efa || (url != "" && s.State == StateLive) {
		return url
	}
	return ""
}
