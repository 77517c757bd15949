package portal

import (
	"fmt"
	"net/http"
	"strings"
)

// servicePageView is the page of one service, where a search result or a
// link from the Portalverbund lands.
type servicePageView struct {
	layout
	Service serviceView
}

// serveServicePage answers /leistungen/{ozgId} with the service's own page.
func (s *Server) serveServicePage(w http.ResponseWriter, r *http.Request) {
	snap := s.catalog.snapshot()
	if snap == nil {
		s.servePage(w, r) // the "not yet available" page
		return
	}
	i, ok := snap.byID[r.PathValue("ozgId")]
	if !ok {
		s.renderMessage(w, r, http.StatusNotFound, snap, "Leistung nicht gefunden",
			"Diese Leistung bietet das Serviceportal nicht an. Auf der Startseite finden Sie alle Leistungen.")
		return
	}
	b, err := snap.servicePages[i].get(func() ([]byte, error) {
		v, err := servicePage(snap, i)
		if err != nil {
			return nil, err
		}
		return executeTemplate("service-page", v)
	})
	s.respond(w, r, http.StatusOK, htmlBody, b, err)
}

func servicePage(snap *snapshot, i int) (servicePageView, error) {
	doc := snap.doc
	svc := &doc.Services[i]
	sv := newServiceView(doc, svc)
	sv.Open = true
	v := servicePageView{layout: newLayout(snap), Service: sv}
	v.Title = svc.Name + " – Serviceportal " + doc.Administration.DisplayName
	v.Description = serviceDescription(sv, doc.Administration.DisplayName)
	page := snap.absURL(sv.PagePath)
	if snap.baseURL != "" {
		v.Canonical = page
	}
	var err error
	v.StructuredData, err = scriptJSON(governmentService(snap, svc, page, v.Description))
	return v, err
}

// serviceDescription is a service page's meta description: what it is,
// who answers for it and whether it can be done online.
func serviceDescription(v serviceView, portal string) string {
	var b strings.Builder
	b.WriteString(v.Name)
	if v.Responsible != "" {
		fmt.Fprintf(&b, ": zuständig ist %s.", v.Responsible)
	} else {
		b.WriteString(".")
	}
	switch {
	case v.OnlineURL() != "":
		b.WriteString(" Für die Leistung gibt es einen Online-Dienst.")
	default:
		b.WriteString(" Einen Online-Dienst gibt es noch nicht.")
	}
	fmt.Fprintf(&b, " OZG-ID %s, Serviceportal %s.", v.OZGID, portal)
	return b.String()
}
