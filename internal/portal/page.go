package portal

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/ozg-operator/ozg-operator/internal/portaldata"
)

//go:embed assets/templates/*.html
var templateFS embed.FS

// templates are parsed once; html/template escapes every catalogue string
// for the context it appears in (text, attribute, URL).
var templates = template.Must(template.New("").ParseFS(templateFS, "assets/templates/*.html"))

// layout is what every page shows around its content.
type layout struct {
	Title string
	// Administration is nil while no document is loaded.
	Administration *portaldata.Administration
	Links          []portaldata.Link
	Authentication *portaldata.Authentication
	Payment        *portaldata.Payment
	StylesheetURL  string
	IconURL        string
	// Home marks the unfiltered start page for aria-current.
	Home bool
	// Description is the page's meta description for search results.
	Description string
	// Canonical is the page's absolute URL, if the portal knows its public
	// URL and the page is one to index.
	Canonical string
	// NoIndex asks search engines not to index the page (search results,
	// errors).
	NoIndex bool
	// StructuredData is the page's JSON-LD, if any.
	StructuredData template.JS
}

// KeyLabel names the administration's official key for citizens.
func (l layout) KeyLabel() string {
	if l.Administration != nil && len(l.Administration.Key) == 5 {
		return "Kreisschlüssel"
	}
	return "Amtlicher Gemeindeschlüssel"
}

// LoginLabel names the citizen account citizens can log in with. The
// cases are values of the API's AuthenticationProvider, spelled out because
// the portal server does not depend on the API package;
// TestLoginLabelNamesTheAPIProviders ties them together.
func (l layout) LoginLabel() string {
	if l.Authentication == nil {
		return ""
	}
	switch l.Authentication.Provider {
	case "BundID":
		return "der BundID"
	case "Servicekonto":
		return "Ihrem Servicekonto"
	}
	return "Ihrem Nutzerkonto"
}

type pageView struct {
	layout
	Filter filter
	Error  string
	// ThemenfeldOptions and StateOptions are the selects' options with
	// the filter's selected.
	ThemenfeldOptions, StateOptions template.HTML
	Groups                          []groupView
	Total, Count                    int
	// Ranked tells that the list is a search's, best match first; More
	// that further services match less well.
	Ranked, More bool
	// Suggestions are links to searches for words near those of a search
	// that found nothing.
	Suggestions []suggestionView
	// Results, when set, stands for the results the page lists: only the
	// search frame sets it, to its marker (frame.go).
	Results template.HTML
	// hits are the positions of a search's services, best first; the
	// search frame joins their compressed entries (frame.go).
	hits []int
}

type suggestionView struct {
	Word, Href string
}

type option struct {
	Value, Label string
	Selected     bool
}

type groupView struct {
	ID         string
	Themenfeld string
	// Count is how many services the group lists.
	Count int
	// Services are the group's services, rendered (template "service")
	// and joined, so that the page template copies them once.
	Services template.HTML
}

type serviceView struct {
	*portaldata.Service
	// PagePath is the service's own page.
	PagePath string
	// Open shows the LeiKa services unfolded, as the service's own page
	// does; Compact leaves them out, as search results do.
	Open, Compact bool
	StateLabel    string
	StateClass    string
	MaturityLabel string
	// Href is the link citizens follow; empty if there is none.
	Href  string
	IsEfA bool
	// Responsible names who answers for the service; empty in documents
	// that do not say.
	Responsible string
	// Contact is whom citizens turn to while there is no online service,
	// ContactURL that body's portal if it has one.
	Contact, ContactURL string
	// LeiKa are the LeiKa services the service bundles.
	LeiKa []leistungView
}

// leistungView is one LeiKa service of a service.
type leistungView struct {
	*portaldata.Leistung
	// Responsible names who answers for it where that is another authority
	// than the service's (the Land's exemption within a Standesamt
	// service); empty otherwise.
	Responsible string
	// ResponsibleURL is that authority's portal, if it has one.
	ResponsibleURL string
}

type messageView struct {
	layout
	Heading string
	Text    string
}

func newLayout(snap *snapshot) layout {
	l := layout{StylesheetURL: assetURL("portal.css"), IconURL: assetURL("favicon.svg")}
	if snap != nil {
		d := snap.doc
		l.Administration = &d.Administration
		l.Links = d.Links
		l.Authentication = d.Authentication
		l.Payment = d.Payment
	}
	return l
}

func (s *Server) servePage(w http.ResponseWriter, r *http.Request) {
	snap := s.catalog.snapshot()
	if snap == nil {
		s.renderMessage(w, r, http.StatusServiceUnavailable, nil,
			"Serviceportal noch nicht verfügbar",
			"Das Serviceportal wird gerade eingerichtet. Bitte versuchen Sie es in einigen Minuten erneut.")
		return
	}
	f, err := parseFilter(r.URL.Query())
	if err != nil {
		v, rerr := s.pageView(r.Context(), snap, filter{})
		if rerr != nil {
			s.respond(w, r, http.StatusInternalServerError, htmlBody, encodedBody{}, rerr)
			return
		}
		v.Error = err.Error()
		v.Title = "Fehler in der Suche – Serviceportal " + snap.doc.Administration.DisplayName
		s.render(w, r, http.StatusBadRequest, "page", v)
		return
	}
	// The start page is rendered once per document, a search once while
	// it stays in the result cache.
	var b encodedBody
	if f.Active() {
		b, err = snap.results.get(f, func() (encodedBody, error) {
			v, err := s.pageView(r.Context(), snap, f)
			if err != nil {
				return encodedBody{}, err
			}
			return snap.searchPage(v)
		})
	} else {
		b, err = snap.home.get(func() ([]byte, error) {
			v, err := s.pageView(r.Context(), snap, f)
			if err != nil {
				return nil, err
			}
			return executeTemplate("page", v)
		})
	}
	s.respond(w, r, http.StatusOK, htmlBody, b, err)
}

// pageView lists the services f selects.
func (s *Server) pageView(ctx context.Context, snap *snapshot, f filter) (pageView, error) {
	v := pageView{layout: newLayout(snap), Filter: f, Total: len(snap.doc.Services)}
	var err error
	if v.ThemenfeldOptions, v.StateOptions, err = snap.options(f); err != nil {
		return v, err
	}
	fragments, err := snap.serviceFragments()
	if err != nil {
		return v, err
	}
	sel, err := f.apply(ctx, snap)
	if err != nil {
		return v, err
	}
	if sel.Ranked {
		hits, err := snap.hitFragments()
		if err != nil {
			return v, err
		}
		v.Groups, v.hits = rankedGroup(hits, sel.Services), sel.Services
	} else {
		v.Groups = groupServices(snap.doc, fragments, sel.Services)
	}
	v.Count, v.Ranked, v.More = len(sel.Services), sel.Ranked, sel.More
	for _, w := range sel.Suggestions {
		q := url.Values{paramQuery: {w}}
		if f.Themenfeld != "" {
			q.Set(paramThemenfeld, f.Themenfeld)
		}
		if f.State != "" {
			q.Set(paramState, string(f.State))
		}
		v.Suggestions = append(v.Suggestions, suggestionView{Word: w, Href: "/?" + q.Encode()})
	}
	return v, v.describe(snap)
}

// describe sets what the page's head says of it: the start page is the
// one to index, a search page is not.
func (v *pageView) describe(snap *snapshot) error {
	v.Home = !v.Filter.Active()
	name := snap.doc.Administration.DisplayName
	v.Title = "Online-Dienste – Serviceportal " + name
	if v.Filter.Active() {
		v.Title = fmt.Sprintf("Suchergebnisse (%d) – Serviceportal %s", v.Count, name)
		v.NoIndex = true
		return nil
	}
	v.Description = homeDescription(snap)
	if snap.baseURL != "" {
		v.Canonical = snap.absURL("/")
	}
	var err error
	v.StructuredData, err = scriptJSON(homeStructuredData(snap))
	return err
}

// homeDescription is the start page's meta description.
func homeDescription(snap *snapshot) string {
	online := 0
	for i := range snap.doc.Services {
		if snap.doc.Services[i].OnlineURL() != "" {
			online++
		}
	}
	return fmt.Sprintf("Serviceportal von %s: %d Verwaltungsleistungen, %d davon online. Suchen Sie nach Begriff, Themenfeld und Stand der Umsetzung.",
		snap.doc.Administration.DisplayName, len(snap.doc.Services), online)
}

func (s *Server) serveNotFound(w http.ResponseWriter, r *http.Request) {
	s.renderMessage(w, r, http.StatusNotFound, s.catalog.snapshot(),
		"Seite nicht gefunden",
		"Die aufgerufene Seite gibt es nicht. Auf der Startseite finden Sie alle Leistungen.")
}

func (s *Server) renderMessage(w http.ResponseWriter, r *http.Request, code int, snap *snapshot, heading, text string) {
	v := messageView{layout: newLayout(snap), Heading: heading, Text: text}
	v.Title, v.NoIndex = heading, true
	if snap != nil {
		v.Title += " – Serviceportal " + snap.doc.Administration.DisplayName
	}
	s.render(w, r, code, "message", v)
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, code int, name string, data any) {
	body, err := executeTemplate(name, data)
	s.respond(w, r, code, htmlBody, encodedBody{plain: body}, err)
}

// executeTemplate renders into a buffer first, so that a template error
// becomes a clean 500 instead of half a page.
func executeTemplate(name string, data any) ([]byte, error) {
	var buf bytes.Buffer
	if err := templates.ExecuteTemplate(&buf, name, data); err != nil {
		return nil, fmt.Errorf("rendering template %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// groupServices groups the selected services, rendered, by Themenfeld;
// services are sorted by Themenfeld already, so a group ends where the
// Themenfeld changes.
func groupServices(doc *portaldata.Document, fragments []template.HTML, idx []int) []groupView {
	var groups []groupView
	var b strings.Builder
	flush := func() {
		if n := len(groups); n > 0 {
			groups[n-1].Services = template.HTML(b.String()) //nolint:gosec // joined escaped fragments
			b.Reset()
		}
	}
	for _, i := range idx {
		svc := &doc.Services[i]
		if n := len(groups); n == 0 || groups[n-1].Themenfeld != svc.Themenfeld {
			flush()
			groups = append(groups, groupView{
				ID:         fmt.Sprintf("themenfeld-%d", len(groups)+1),
				Themenfeld: svc.Themenfeld,
			})
		}
		groups[len(groups)-1].Count++
		b.WriteString(string(fragments[i]))
	}
	flush()
	return groups
}

// rankedGroup lists a search's services in one group, best match first:
// grouping by Themenfeld would break the order.
func rankedGroup(fragments []template.HTML, idx []int) []groupView {
	if len(idx) == 0 {
		return nil
	}
	n := 0
	for _, i := range idx {
		n += len(fragments[i])
	}
	var b strings.Builder
	// One allocation: a search's page is built per request.
	b.Grow(n)
	for _, i := range idx {
		b.WriteString(string(fragments[i]))
	}
	return []groupView{{
		ID: "treffer", Themenfeld: "Die besten Treffer zuerst", Count: len(idx),
		Services: template.HTML(b.String()), //nolint:gosec // joined escaped fragments
	}}
}

// stateClasses style the state badges; the badge's text carries the
// meaning, colour only repeats it.
var stateClasses = map[portaldata.State]string{
	portaldata.StateLive:       "state-live",
	portaldata.StateInProgress: "state-in-progress",
	portaldata.StateOpen:       "state-open",
}

// renderServices renders every service of doc once (template "service",
// compact for search results): a page then joins the entries it lists
// instead of executing the template, which costs far more than the copy,
// for each.
func renderServices(doc *portaldata.Document, compact bool) ([]template.HTML, error) {
	fragments := make([]template.HTML, len(doc.Services))
	var buf bytes.Buffer
	for i := range doc.Services {
		buf.Reset()
		v := newServiceView(doc, &doc.Services[i])
		v.Compact = compact
		if err := templates.ExecuteTemplate(&buf, "service", v); err != nil {
			return nil, fmt.Errorf("rendering service %s: %w", doc.Services[i].OZGID, err)
		}
		// The template escaped every string in it.
		fragments[i] = template.HTML(buf.String()) //nolint:gosec
	}
	return fragments, nil
}

func newServiceView(doc *portaldata.Document, svc *portaldata.Service) serviceView {
	v := serviceView{
		Service:    svc,
		StateLabel: stateLabel(svc.State),
		StateClass: stateClasses[svc.State],
		Contact:    doc.Administration.DisplayName,
		PagePath:   servicePagePath(svc.OZGID),
	}
	if svc.Maturity != nil {
		v.MaturityLabel = maturityLabel(*svc.Maturity)
	}
	v.Href, v.IsEfA = svc.LinkURL()
	for i := range svc.Leistungen {
		l := leistungView{Leistung: &svc.Leistungen[i]}
		if r := svc.ResponsibleFor(l.Leistung); r != svc.Responsible && r != nil {
			l.Responsible, l.ResponsibleURL = responsibleLabel(r), r.PortalURL
		}
		v.LeiKa = append(v.LeiKa, l)
	}
	if r := svc.Responsible; r != nil {
		v.Responsible = responsibleLabel(r)
		if r.Level != portaldata.LevelUnknown && !svc.Own(doc) {
			v.Contact, v.ContactURL = contactLabel(r), r.PortalURL
		}
	}
	return v
}
