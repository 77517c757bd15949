package portal

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"

	"github.com/ozg-operator/ozg-operator/internal/portalverbund"
)

var textBody = bodyKind{contentType: "text/plain; charset=utf-8", failure: "rendering robots.txt", errorText: "internal error"}
var xmlBody = bodyKind{contentType: "application/xml; charset=utf-8", failure: "encoding sitemap", errorText: "internal error"}

// serveRobots answers /robots.txt: crawlers may read the start page and
// the service pages, which the sitemap lists, but not the endless
// combinations of search filters nor the JSON API.
func (s *Server) serveRobots(w http.ResponseWriter, r *http.Request) {
	snap := s.catalog.snapshot()
	if snap == nil {
		writeText(w, http.StatusServiceUnavailable, "no valid portal data loaded")
		return
	}
	b, err := snap.robots.get(func() ([]byte, error) {
		var buf bytes.Buffer
		// The name on one line: a line break in it must not start a directive.
		name := strings.Join(strings.Fields(snap.doc.Administration.DisplayName), " ")
		fmt.Fprintf(&buf, "# Serviceportal %s\nUser-agent: *\nAllow: /\nDisallow: /?\nDisallow: /api/\n", name)
		if snap.baseURL != "" {
			fmt.Fprintf(&buf, "\nSitemap: %s\n", snap.absURL("/sitemap.xml"))
		}
		return buf.Bytes(), nil
	})
	s.respond(w, r, http.StatusOK, textBody, b, err)
}

type sitemapURLSet struct {
	XMLName xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapURL struct {
	Loc string `xml:"loc"`
}

// serveSitemap answers /sitemap.xml with the start page and every
// service's page. A sitemap needs absolute URLs: while the portal does not
// know its public URL there is none.
func (s *Server) serveSitemap(w http.ResponseWriter, r *http.Request) {
	snap := s.catalog.snapshot()
	switch {
	case snap == nil:
		writeText(w, http.StatusServiceUnavailable, "no valid portal data loaded")
		return
	case snap.baseURL == "":
		writeText(w, http.StatusNotFound, "the portal has no public URL, so there is no sitemap")
		return
	}
	b, err := snap.sitemap.get(func() ([]byte, error) {
		set := sitemapURLSet{URLs: make([]sitemapURL, 0, len(snap.doc.Services)+1)}
		set.URLs = append(set.URLs, sitemapURL{Loc: snap.absURL("/")})
		for i := range snap.doc.Services {
			set.URLs = append(set.URLs, sitemapURL{Loc: snap.absURL(servicePagePath(snap.doc.Services[i].OZGID))})
		}
		var buf bytes.Buffer
		buf.WriteString(xml.Header)
		enc := xml.NewEncoder(&buf)
		if err := enc.Encode(set); err != nil {
			return nil, err
		}
		buf.WriteByte('\n')
		return buf.Bytes(), nil
	})
	s.respond(w, r, http.StatusOK, xmlBody, b, err)
}

// servePortalverbund answers /api/v1/portalverbund with the portal's feed
// for the Portalverbund (package portalverbund).
func (s *Server) servePortalverbund(w http.ResponseWriter, r *http.Request) {
	snap := s.catalog.snapshot()
	if snap == nil {
		s.writeJSON(w, r, http.StatusServiceUnavailable, ErrorResponse{Error: "no valid portal data loaded"})
		return
	}
	b, err := snap.feed.get(func() ([]byte, error) {
		feed := portalverbund.FromDocument(snap.doc, snap.baseURL)
		feed.AddKeywords(snap.index.Keywords)
		return portalverbund.Marshal(feed, false)
	})
	s.respond(w, r, http.StatusOK, jsonBody, b, err)
}
