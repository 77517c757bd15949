package portal

import (
	"encoding/xml"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/ozg-operator/ozg-operator/internal/portaldata"
	"github.com/ozg-operator/ozg-operator/internal/portalverbund/portalverbundtest"
)

const publicURL = "https://detmold.serviceportal.example.de"

// publicDocument is sampleDocument with the public URL, regional keys and
// addresses the Portalverbund needs, and one service of the Kreis.
func publicDocument() *portaldata.Document {
	doc := sampleDocument()
	doc.SchemaVersion = portaldata.SchemaVersion
	doc.PublicURL = publicURL
	doc.Administration = portaldata.Administration{
		Name: "detmold", Key: "05766020", ARS: "057660020020", DisplayName: "Detmold", Type: "KreisangehoerigeStadt", Parent: "kreis-lippe",
		Address: portaldata.Address{Recipient: "Stadt Detmold", Street: "Marktplatz 5", PostalCode: "32756", City: "Detmold"},
	}
	own := portaldata.Responsible{Level: portaldata.LevelGemeinde, Administration: "detmold", DisplayName: "Detmold", Key: "05766020", ARS: "057660020020",
		Address: doc.Administration.Address}
	kreis := portaldata.Responsible{Level: portaldata.LevelKreis, Administration: "kreis-lippe", DisplayName: "Kreis Lippe", Key: "05766", ARS: "057660000000",
		Address: portaldata.Address{Street: "Felix-Fechenbach-Straße 5", PostalCode: "32756", City: "Detmold"}, PortalURL: "https://kreis-lippe.example.de"}
	doc.Authorities = map[portaldata.Level]portaldata.Responsible{
		portaldata.LevelGemeinde: own, portaldata.LevelKreis: kreis,
		portaldata.LevelLand:    {Level: portaldata.LevelLand, DisplayName: "Land Nordrhein-Westfalen", ARS: "050000000000"},
		portaldata.LevelBund:    {Level: portaldata.LevelBund, DisplayName: "Bund"},
		portaldata.LevelUnknown: {Level: portaldata.LevelUnknown},
	}
	for i := range doc.Services {
		r := own
		doc.Services[i].Responsible = &r
	}
	wohngeld := &doc.Services[0]
	wohngeld.TrustLevel = portaldata.TrustLevelSubstantial
	doc.Services = append(doc.Services, portaldata.Service{
		OZGID: "10439", Name: "Kfz-Zulassung", Themenfeld: "Mobilität & Reisen", Responsible: &kreis, State: portaldata.StateLive,
		Maturity: ptr[int32](3), URL: "https://kreis-lippe.example.de/kfz",
		Leistungen: []portaldata.Leistung{{Key: "99036012104000", Name: "Fahrzeugzulassung"}, {Key: "99036012104001", Name: "Fahrzeugabmeldung"}},
	})
	return doc
}

// serviceLD returns the GovernmentService of a service page.
func serviceLD(t *testing.T, s *Server, ozgID string) map[string]any {
	t.Helper()
	p := parsePage(t, getOK(t, s.Handler(), "/leistungen/"+ozgID, "text/html; charset=utf-8").body)
	lds := p.structuredData(t)
	if len(lds) != 1 {
		t.Fatalf("/leistungen/%s has %d JSON-LD blocks, want 1", ozgID, len(lds))
	}
	return lds[0]
}

func TestServicePageStructuredDataWithOnlineService(t *testing.T) {
	s := newLoadedServer(t, publicDocument())
	ld := serviceLD(t, s, "10110")
	page := publicURL + "/leistungen/10110"
	for key, want := range map[string]any{
		"@context": "https://schema.org", "@type": "GovernmentService", "name": "Wohngeld", "url": page, "@id": page + "#leistung",
		"category": "Bauen & Wohnen",
	} {
		if ld[key] != want {
			t.Errorf("%s = %v, want %v", key, ld[key], want)
		}
	}
	ids := ld["identifier"].([]any)
	if !slices.Contains(ids, any("urn:de:fim:leika:leistung:99107001000000")) {
		t.Errorf("identifier %v lacks the LeiKa URN", ids)
	}
	// The LeiKa service without key has no URN; the OZG-ID is a PropertyValue.
	if len(ids) != 2 || ids[1].(map[string]any)["propertyID"] != "OZG-ID" || ids[1].(map[string]any)["value"] != "10110" {
		t.Errorf("identifier = %v, want the URN and the OZG-ID", ids)
	}
	provider := ld["provider"].(map[string]any)
	if provider["@type"] != "GovernmentOrganization" || provider["name"] != "Detmold" || provider["url"] != publicURL {
		t.Errorf("provider = %v", provider)
	}
	if got := propertyValues(provider["identifier"]); got["ARS"] != "057660020020" || got["AGS"] != "05766020" {
		t.Errorf("provider identifiers = %v", got)
	}
	addr := provider["address"].(map[string]any)
	if addr["@type"] != "PostalAddress" || addr["streetAddress"] != "Marktplatz 5" || addr["postalCode"] != "32756" ||
		addr["addressLocality"] != "Detmold" || addr["addressCountry"] != "DE" {
		t.Errorf("provider address = %v", addr)
	}
	areaServed := ld["areaServed"].(map[string]any)
	if areaServed["@type"] != "AdministrativeArea" || areaServed["name"] != "Detmold" || propertyValues(areaServed["identifier"])["ARS"] != "057660020020" {
		t.Errorf("areaServed = %v", areaServed)
	}
	channel, ok := ld["availableChannel"].(map[string]any)
	if !ok || channel["@type"] != "ServiceChannel" || channel["serviceUrl"] != "https://musterstadt.example/wohngeld" {
		t.Errorf("availableChannel = %v, want the online service", ld["availableChannel"])
	}
	if d, _ := ld["description"].(string); !strings.Contains(d, "Online-Dienst") {
		t.Errorf("description = %q", d)
	}
}

func TestServicePageStructuredDataWithoutOnlineService(t *testing.T) {
	s := newLoadedServer(t, publicDocument())
	// Baugenehmigung is in progress, Personalausweis open: neither is online.
	for _, id := range []string{"10001", "10200"} {
		ld := serviceLD(t, s, id)
		if _, ok := ld["availableChannel"]; ok {
			t.Errorf("%s: availableChannel = %v, want none without an online service", id, ld["availableChannel"])
		}
		if ld["@type"] != "GovernmentService" || ld["provider"] == nil || ld["areaServed"] == nil {
			t.Errorf("%s: JSON-LD lacks type, provider or areaServed: %v", id, ld)
		}
	}
	// Another body's service names that body as provider, with its keys.
	ld := serviceLD(t, s, "10439")
	provider := ld["provider"].(map[string]any)
	if provider["name"] != "Kreis Lippe" || propertyValues(provider["identifier"])["ARS"] != "057660000000" || provider["url"] != "https://kreis-lippe.example.de" {
		t.Errorf("provider = %v, want the Kreis", provider)
	}
	if ids := ld["identifier"].([]any); !slices.Contains(ids, any("urn:de:fim:leika:leistung:99036012104000")) || !slices.Contains(ids, any("urn:de:fim:leika:leistung:99036012104001")) {
		t.Errorf("identifier = %v, want both LeiKa URNs", ids)
	}
	// The EfA service is online, run by its provider.
	channel := serviceLD(t, s, "10045")["availableChannel"].(map[string]any)
	if channel["serviceUrl"] != "https://efa.example/ummeldung" || channel["provider"].(map[string]any)["name"] != "Hamburg" {
		t.Errorf("EfA channel = %v", channel)
	}
}

func propertyValues(v any) map[string]any {
	out := map[string]any{}
	list, _ := v.([]any)
	for _, e := range list {
		if pv, ok := e.(map[string]any); ok && pv["@type"] == "PropertyValue" {
			out[pv["propertyID"].(string)] = pv["value"]
		}
	}
	return out
}

// The pages search engines index say what they are and where they live;
// search results are not indexed.
func TestMetaDescriptionAndCanonicalLinks(t *testing.T) {
	s := newLoadedServer(t, publicDocument())
	for path, canonical := range map[string]string{"/": publicURL + "/", "/leistungen/10110": publicURL + "/leistungen/10110"} {
		p := parsePage(t, getOK(t, s.Handler(), path, "text/html; charset=utf-8").body)
		if got := linkHrefs(p, "canonical"); !slices.Equal(got, []string{canonical}) {
			t.Errorf("%s: canonical = %v, want %s", path, got, canonical)
		}
		if d := metaContent(p, "description"); len(d) < 50 || !strings.Contains(d, "Detmold") {
			t.Errorf("%s: meta description = %q", path, d)
		}
		if r := metaContent(p, "robots"); r != "" {
			t.Errorf("%s: robots = %q, want none", path, r)
		}
	}
	for _, path := range []string{"/?q=wohngeld", "/nicht-da", "/leistungen/99999"} {
		p := parsePage(t, get(t, s.Handler(), path).body)
		if metaContent(p, "robots") != "noindex" || len(linkHrefs(p, "canonical")) != 0 {
			t.Errorf("%s: robots %q, canonical %v; want noindex and no canonical", path, metaContent(p, "robots"), linkHrefs(p, "canonical"))
		}
	}
	if code := get(t, s.Handler(), "/leistungen/99999").code; code != http.StatusNotFound {
		t.Errorf("an unknown service's page = %d, want 404", code)
	}

	// The start page links every service's page and describes them.
	home := parsePage(t, get(t, s.Handler(), "/").body)
	for _, svc := range publicDocument().Services {
		if !slices.Contains(hrefs(home), "/leistungen/"+svc.OZGID) {
			t.Errorf("the start page does not link /leistungen/%s", svc.OZGID)
		}
	}
	lds := home.structuredData(t)
	if len(lds) != 1 {
		t.Fatalf("start page has %d JSON-LD blocks", len(lds))
	}
	graph := lds[0]["@graph"].([]any)
	list := graph[1].(map[string]any)
	if graph[0].(map[string]any)["@type"] != "GovernmentOrganization" || list["@type"] != "ItemList" || int(list["numberOfItems"].(float64)) != len(publicDocument().Services) {
		t.Errorf("start page JSON-LD = %v", lds[0])
	}

	// Without a public URL, the pages have no canonical link and the
	// structured data uses paths.
	doc := publicDocument()
	doc.PublicURL = ""
	s = newLoadedServer(t, doc)
	if got := linkHrefs(parsePage(t, get(t, s.Handler(), "/").body), "canonical"); len(got) != 0 {
		t.Errorf("canonical without public URL = %v", got)
	}
	if ld := serviceLD(t, s, "10110"); ld["url"] != "/leistungen/10110" {
		t.Errorf("url without public URL = %v", ld["url"])
	}
}

func TestSitemapListsEveryServicePage(t *testing.T) {
	doc := publicDocument()
	s := newLoadedServer(t, doc)
	resp := getOK(t, s.Handler(), "/sitemap.xml", "application/xml; charset=utf-8")
	var set struct {
		XMLName xml.Name
		URLs    []struct {
			Loc string `xml:"loc"`
		} `xml:"url"`
	}
	if err := xml.Unmarshal([]byte(resp.body), &set); err != nil {
		t.Fatalf("sitemap does not parse: %v\n%s", err, resp.body)
	}
	if set.XMLName.Space != "http://www.sitemaps.org/schemas/sitemap/0.9" || set.XMLName.Local != "urlset" {
		t.Errorf("root element = %v", set.XMLName)
	}
	var locs []string
	for _, u := range set.URLs {
		locs = append(locs, u.Loc)
	}
	want := []string{publicURL + "/"}
	for _, svc := range doc.Services {
		want = append(want, publicURL+"/leistungen/"+svc.OZGID)
	}
	slices.Sort(locs)
	slices.Sort(want)
	if !slices.Equal(locs, want) {
		t.Errorf("sitemap lists %v\nwant %v", locs, want)
	}
	// Every page it lists exists.
	for _, loc := range locs {
		if code := get(t, s.Handler(), strings.TrimPrefix(loc, publicURL)).code; code != http.StatusOK {
			t.Errorf("%s = %d", loc, code)
		}
	}

	doc.PublicURL = ""
	if code := get(t, newLoadedServer(t, doc).Handler(), "/sitemap.xml").code; code != http.StatusNotFound {
		t.Errorf("sitemap without public URL = %d, want 404", code)
	}
}

func TestRobotsPointsAtTheSitemap(t *testing.T) {
	s := newLoadedServer(t, publicDocument())
	body := getOK(t, s.Handler(), "/robots.txt", "text/plain; charset=utf-8").body
	lines := strings.Split(body, "\n")
	for _, want := range []string{"User-agent: *", "Sitemap: " + publicURL + "/sitemap.xml", "Disallow: /?", "Disallow: /api/"} {
		if !slices.Contains(lines, want) {
			t.Errorf("robots.txt lacks %q:\n%s", want, body)
		}
	}
	// Crawlers may read the start page and the service pages.
	for _, l := range lines {
		if l == "Disallow: /" || l == "Disallow: /leistungen" {
			t.Errorf("robots.txt blocks pages: %q", l)
		}
	}

	// A line break in the name stays in the comment.
	doc := publicDocument()
	doc.Administration.DisplayName = "Detmold\nDisallow: /"
	if body := get(t, newLoadedServer(t, doc).Handler(), "/robots.txt").body; !strings.HasPrefix(body, "# Serviceportal Detmold Disallow: /\n") ||
		slices.Contains(strings.Split(body, "\n"), "Disallow: /") {
		t.Errorf("robots.txt with a line break in the name:\n%s", body)
	}

	// The server's --public-url overrides the document's.
	vol := newConfigMapVolume(t)
	vol.writeFiles(t, sharedFiles(t, publicDocument()))
	srv, err := New(Options{DataPath: vol.path(), PublicURL: "https://portal.example.org/"})
	must(t, err)
	must(t, srv.Reload())
	if body := get(t, srv.Handler(), "/robots.txt").body; !strings.Contains(body, "Sitemap: https://portal.example.org/sitemap.xml\n") {
		t.Errorf("robots.txt with --public-url:\n%s", body)
	}
	if _, err := New(Options{DataPath: vol.path(), PublicURL: "https://portal.example.org/pfad"}); err == nil {
		t.Errorf("New accepted a public URL with a path")
	}
}

func TestPortalverbundFeedValidates(t *testing.T) {
	s := newLoadedServer(t, publicDocument())
	resp := getOK(t, s.Handler(), "/api/v1/portalverbund", "application/json; charset=utf-8")
	f := portalverbundtest.MustValidate(t, []byte(resp.body))
	if len(f.Gebiete) != 1 || f.Gebiete[0].ID != "057660020020" || f.Gebiete[0].Portal != publicURL {
		t.Errorf("gebiete = %+v", f.Gebiete)
	}
	if len(f.Leistungen) != len(publicDocument().Services) || len(f.Zustaendigkeiten) != len(f.Leistungen) {
		t.Errorf("%d Leistungen and %d Zuständigkeiten for %d services", len(f.Leistungen), len(f.Zustaendigkeiten), len(publicDocument().Services))
	}
	var wohngeld, kfz *struct{ org, url, trust string }
	for _, z := range f.Zustaendigkeiten {
		e := &struct{ org, url, trust string }{org: z.Organisationseinheit}
		if z.Onlinedienst != nil {
			e.url, e.trust = z.Onlinedienst.URL, z.Onlinedienst.Vertrauensniveau
		}
		switch z.Leistung {
		case "10110":
			wohngeld = e
		case "10439":
			kfz = e
		}
	}
	if wohngeld == nil || *wohngeld != (struct{ org, url, trust string }{"057660020020", "https://musterstadt.example/wohngeld", "substanziell"}) {
		t.Errorf("Wohngeld = %+v", wohngeld)
	}
	if kfz == nil || kfz.org != "057660000000" || kfz.url != "https://kreis-lippe.example.de/kfz" {
		t.Errorf("Kfz-Zulassung = %+v", kfz)
	}
}

func linkHrefs(p page, rel string) []string {
	var out []string
	for _, n := range p.tag("link") {
		if r, _ := attr(n, "rel"); r == rel {
			h, _ := attr(n, "href")
			out = append(out, h)
		}
	}
	return out
}

func metaContent(p page, name string) string {
	for _, n := range p.tag("meta") {
		if v, _ := attr(n, "name"); v == name {
			c, _ := attr(n, "content")
			return c
		}
	}
	return ""
}

func hrefs(p page) []string {
	var out []string
	for _, n := range p.tag("a") {
		h, _ := attr(n, "href")
		out = append(out, h)
	}
	return out
}
