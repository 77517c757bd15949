package portaldata

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Limits and patterns mirror the API's validation (api/v1alpha1/limits.go)
// so that the portal server rejects what the API server would have
// rejected. They are copies because the portal server must not link the
// API package and with it the Kubernetes client libraries;
// limits_test.go ties each to its API constant.
const (
	maxObjectNameLength      = 253 // administration.name and .parent
	maxDisplayNameLength     = 256
	maxServiceNameLength     = 512
	maxThemenfeldLength      = 128
	maxLebenslageLength      = 256
	maxToolLength            = 128
	maxEfAProviderLength     = 256
	maxLeistungen            = 1000
	maxLeistungNameLength    = 512
	maxLinks                 = 20
	maxLinkNameLength        = 128
	maxClientIDLength        = 256
	maxPaymentProviderLength = 128
	maxURLLength             = 2048
	minMaturity, maxMaturity = 0, 4

	patternOZGID             = `^[0-9]{5}$`
	patternLeiKaKey          = `^[0-9]{14}$`
	patternAdministrationKey = `^([0-9]{5}|[0-9]{8})$`
	patternARS               = `^[0-9]{12}$`
	patternPostalCode        = `^[0-9]{5}$`
	maxAddressLineLength     = 256
	maxCityLength            = 128
	patternTypisierung       = `^(1|2/3|[2-9][ab]?|1[01])$`
)

// maxTypeLength bounds administration.type, an enum in the API, so that a
// wrong value still fits a log line.
const maxTypeLength = 64

// authProviders are the values of the API's AuthenticationProvider.
var authProviders = []string{"Servicekonto", "BundID", "OIDC"}

var (
	ozgIDPattern    = regexp.MustCompile(patternOZGID)
	leikaKeyPattern = regexp.MustCompile(patternLeiKaKey)
	adminKeyPattern = regexp.MustCompile(patternAdministrationKey)
	arsPattern      = regexp.MustCompile(patternARS)
	postalCodePat   = regexp.MustCompile(patternPostalCode)
	typisierungPat  = regexp.MustCompile(patternTypisierung)

	catalogFilePattern = regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$`)
)

// Validate reports every problem of d, each prefixed with the path of the
// offending field, joined into one error.
func (d *Document) Validate() error {
	var v validator
	if d.SchemaVersion < MinSchemaVersion || d.SchemaVersion > SchemaVersion {
		v.addf("schemaVersion", "unsupported version %d, want %d to %d", d.SchemaVersion, MinSchemaVersion, SchemaVersion)
		// The rest may mean something else in another version.
		return v.err()
	}
	if d.Catalog != "" {
		if d.SchemaVersion < 2 {
			v.addf("catalog", "needs schemaVersion 2")
		} else if !catalogFilePattern.MatchString(d.Catalog) {
			// The name is opened beside the document: no path may leave it.
			v.addf("catalog", "must be a file name of letters, digits, '.', '_' and '-', got %q", d.Catalog)
		}
	}

	a := d.Administration
	v.text("administration.name", a.Name, maxObjectNameLength, true)
	v.text("administration.displayName", a.DisplayName, maxDisplayNameLength, true)
	v.text("administration.type", a.Type, maxTypeLength, true)
	v.text("administration.parent", a.Parent, maxObjectNameLength, false)
	if !adminKeyPattern.MatchString(a.Key) {
		v.addf("administration.key", "must be a 5-digit Kreis key or an 8-digit AGS, got %q", a.Key)
	}
	v.ars("administration.ars", a.ARS)
	v.address("administration.address", a.Address)
	v.publicURL("publicURL", d.PublicURL)

	if len(d.Authorities) > 0 && d.SchemaVersion < 2 {
		v.addf("authorities", "needs schemaVersion 2")
	}
	for _, level := range Levels {
		if a, ok := d.Authorities[level]; ok {
			v.responsible("authorities."+string(level), &a, level)
		}
	}
	for level := range d.Authorities {
		if !slices.Contains(Levels, level) {
			v.addf("authorities", "unknown level %q, want one of %s", level, levelNames)
		}
	}

	serviceList(&v, d.Services, MaxServices, func(s *Service) string { return s.OZGID }, func(p string, s *Service) {
		v.service(p, s, d.Catalog == "", d.SchemaVersion, d.Authorities)
	})

	if len(d.Links) > maxLinks {
		v.addf("links", "has %d entries, at most %d are allowed", len(d.Links), maxLinks)
	}
	for i, l := range d.Links {
		p := fmt.Sprintf("links[%d]", i)
		v.text(p+".name", l.Name, maxLinkNameLength, true)
		v.url(p+".url", l.URL, true, false)
	}

	if au := d.Authentication; au != nil {
		if !slices.Contains(authProviders, au.Provider) {
			v.addf("authentication.provider", "must be one of %s, got %q", strings.Join(authProviders, ", "), au.Provider)
		}
		v.url("authentication.issuerURL", au.IssuerURL, true, true)
		v.text("authentication.clientID", au.ClientID, maxClientIDLength, true)
	}
	if pay := d.Payment; pay != nil {
		v.text("payment.provider", pay.Provider, maxPaymentProviderLength, true)
	}
	return v.err()
}

// serviceList checks what a document's and a catalogue's service lists
// share: at most most entries, each with an OZG-ID of its own, and each
// entry with check.
func serviceList[S any](v *validator, services []S, most int, ozgID func(*S) string, check func(p string, s *S)) {
	if len(services) > most {
		v.addf("services", "has %d entries, at most %d are allowed", len(services), most)
	}
	seen := make(map[string]int, len(services))
	for i := range services {
		s := &services[i]
		p := fmt.Sprintf("services[%d]", i)
		id := ozgID(s)
		if first, dup := seen[id]; dup {
			v.addf(p+".ozgId", "duplicate OZG-ID %q, first at services[%d]", id, first)
		} else {
			seen[id] = i
		}
		if !ozgIDPattern.MatchString(id) {
			v.addf(p+".ozgId", "must be 5 digits, got %q", id)
		}
		check(p, s)
	}
}

// service checks one service beyond its OZG-ID; inline says that it must
// carry its catalogue part itself. Who is responsible for it is checked
// unless it is one of the document's authorities, checked once already:
// a portal names its few authorities on each of its 557 services.
func (v *validator) service(p string, s *Service, inline bool, version int, authorities map[Level]Responsible) {
	checked := func(r *Responsible) bool {
		a, ok := authorities[r.Level]
		return ok && a == *r
	}
	v.catalogPart(p, s.Name, s.Themenfeld, s.Lebenslage, s.EfA, s.Leistungen, inline)
	v.text(p+".tool", s.Tool, maxToolLength, false)
	if s.TrustLevel != "" && !slices.Contains(TrustLevels, s.TrustLevel) {
		v.addf(p+".trustLevel", "must be Low, Substantial or High, got %q", s.TrustLevel)
	}
	// Since version 2 a service no administration answers for has no state.
	if !s.State.Valid() && (s.State != "" || version < 2) {
		v.addf(p+".state", "must be Open, InProgress or Live, got %q", s.State)
	}
	if m := s.Maturity; m != nil && (*m < minMaturity || *m > maxMaturity) {
		v.addf(p+".maturity", "must be an OZG Reifegrad from %d to %d, got %d", minMaturity, maxMaturity, *m)
	}
	v.url(p+".url", s.URL, false, false)
	if r := s.Responsible; r != nil {
		if version < 2 {
			v.addf(p+".responsible", "needs schemaVersion 2")
		}
		if !checked(r) {
			v.responsible(p+".responsible", r, r.Level)
		}
	}
	if len(s.LeistungResponsible) > 0 && version < 2 {
		v.addf(p+".leistungResponsible", "needs schemaVersion 2")
	}
	for _, key := range slices.Sorted(maps.Keys(s.LeistungResponsible)) {
		r := s.LeistungResponsible[key]
		switch {
		case !leikaKeyPattern.MatchString(key):
			v.addf(p+".leistungResponsible", "must be keyed by 14-digit LeiKa keys, got %q", key)
		case inline && !slices.ContainsFunc(s.Leistungen, func(l Leistung) bool { return l.Key == key }):
			v.addf(p+".leistungResponsible", "names LeiKa service %s, which the service does not bundle", key)
		}
		if !checked(&r) {
			v.responsible(p+".leistungResponsible."+key, &r, r.Level)
		}
	}
}

// levelNames lists the valid levels for error messages.
var levelNames = func() string {
	names := make([]string, len(Levels))
	for i, l := range Levels {
		names[i] = string(l)
	}
	return strings.Join(names, ", ")
}()

func (v *validator) responsible(p string, r *Responsible, level Level) {
	if !slices.Contains(Levels, level) {
		v.addf(p+".level", "must be one of %s, got %q", levelNames, level)
	}
	if r.Level != "" && r.Level != level {
		v.addf(p+".level", "is %q under the level %q", r.Level, level)
	}
	v.text(p+".administration", r.Administration, maxObjectNameLength, false)
	v.text(p+".displayName", r.DisplayName, maxDisplayNameLength, false)
	v.url(p+".portalURL", r.PortalURL, false, false)
	if r.Key != "" && !adminKeyPattern.MatchString(r.Key) {
		v.addf(p+".key", "must be a 5-digit Kreis key or an 8-digit AGS, got %q", r.Key)
	}
	v.ars(p+".ars", r.ARS)
	v.address(p+".address", r.Address)
}

func (v *validator) ars(p, ars string) {
	if ars != "" && !arsPattern.MatchString(ars) {
		v.addf(p, "must be a 12-digit Amtlicher Regionalschlüssel, got %q", ars)
	}
}

func (v *validator) address(p string, a Address) {
	v.text(p+".recipient", a.Recipient, maxAddressLineLength, false)
	v.text(p+".street", a.Street, maxAddressLineLength, false)
	v.text(p+".city", a.City, maxCityLength, false)
	if a.PostalCode != "" && !postalCodePat.MatchString(a.PostalCode) {
		v.addf(p+".postalCode", "must be 5 digits, got %q", a.PostalCode)
	}
}

// ValidatePublicURL checks a portal's public URL as Validate does.
func ValidatePublicURL(s string) error {
	var v validator
	v.publicURL("public URL", s)
	return v.err()
}

// publicURL checks the portal's public URL: an absolute http(s) URL of
// a host, with nothing after it but an optional slash, since the server
// joins paths to it.
func (v *validator) publicURL(p, s string) {
	if s == "" {
		return
	}
	u := v.url(p, s, true, false)
	if u == nil {
		return
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		v.addf(p, "must be scheme and host only, got %q", s)
	}
}

// catalogPart checks what the catalogue says of a service; required says
// that name and Themenfeld must be there.
func (v *validator) catalogPart(p, name, themenfeld, lebenslage string, efa *EfA, leistungen []Leistung, required bool) {
	v.text(p+".name", name, maxServiceNameLength, required)
	v.text(p+".themenfeld", themenfeld, maxThemenfeldLength, required)
	v.text(p+".lebenslage", lebenslage, maxLebenslageLength, false)
	if efa != nil {
		v.text(p+".efa.provider", efa.Provider, maxEfAProviderLength, true)
		v.url(p+".efa.url", efa.URL, true, false)
	}
	if len(leistungen) > maxLeistungen {
		v.addf(p+".leistungen", "has %d entries, at most %d are allowed", len(leistungen), maxLeistungen)
	}
	for j, l := range leistungen {
		lp := fmt.Sprintf("%s.leistungen[%d]", p, j)
		if l.Key != "" && !leikaKeyPattern.MatchString(l.Key) {
			v.addf(lp+".key", "must be 14 digits, got %q", l.Key)
		}
		v.text(lp+".name", l.Name, maxLeistungNameLength, true)
		for k, t := range l.Typisierung {
			if !typisierungPat.MatchString(t) {
				v.addf(fmt.Sprintf("%s.typisierung[%d]", lp, k), "invalid LeiKa Typisierung %q", t)
			}
		}
	}
}

// maxErrors keeps the error of a badly broken document readable in a log
// line.
const maxErrors = 20

type validator struct {
	errs    []error
	dropped int
}

func (v *validator) addf(path, format string, args ...any) {
	if len(v.errs) >= maxErrors {
		v.dropped++
		return
	}
	v.errs = append(v.errs, fmt.Errorf("%s: "+format, append([]any{path}, args...)...))
}

func (v *validator) err() error {
	if v.dropped > 0 {
		v.errs = append(v.errs, fmt.Errorf("and %d more problems", v.dropped))
	}
	return errors.Join(v.errs...)
}

// text checks a free-text field: valid UTF-8, bounded length, present if
// required.
func (v *validator) text(path, s string, maxLen int, required bool) {
	switch {
	case required && s == "":
		v.addf(path, "is required")
	case !utf8.ValidString(s):
		v.addf(path, "is not valid UTF-8")
	case utf8.RuneCountInString(s) > maxLen:
		v.addf(path, "is longer than %d characters", maxLen)
	}
}

// url checks that s is an absolute http(s) URL (https only if httpsOnly).
// Anything else, such as javascript: or a relative path, must never become
// a link on the page. It returns the parsed URL if s is one, else nil.
func (v *validator) url(path, s string, required, httpsOnly bool) (valid *url.URL) {
	if s == "" {
		if required {
			v.addf(path, "is required")
		}
		return nil
	}
	if len(s) > maxURLLength {
		v.addf(path, "is longer than %d characters", maxURLLength)
		return nil
	}
	u, err := url.Parse(s)
	if err != nil {
		v.addf(path, "is not a URL: %v", err)
		return nil
	}
	switch {
	case u.Scheme == "https", u.Scheme == "http" && !httpsOnly:
	case httpsOnly:
		v.addf(path, "must be an absolute https URL, got %q", s)
		return nil
	default:
		v.addf(path, "must be an absolute http(s) URL, got %q", s)
		return nil
	}
	valid = u
	if u.Host == "" {
		v.addf(path, "must have a host, got %q", s)
		valid = nil
	}
	if u.User != nil {
		// Credentials in a URL would end up on a public page.
		v.addf(path, "must not contain user information")
		valid = nil
	}
	return valid
}
