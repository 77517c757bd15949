package portal

import (
	"encoding/json"
	"github.com/ozg-operator/ozg-operator/internal/testsupport/monitoring"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/ozg-operator/ozg-operator/internal/portaldata"
)

// page is the parsed HTML of a response with the bits the tests look at.
type page struct {
	root *html.Node
}

func parsePage(t *testing.T, body string) page {
	t.Helper()
	root, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parsing HTML: %v", err)
	}
	return page{root: root}
}

func (p page) all(match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for n := range p.root.Descendants() {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
	}
	return out
}

func (p page) tag(name string) []*html.Node {
	return p.all(func(n *html.Node) bool { return n.Data == name })
}

// scripts are the page's <script> elements but the JSON-LD data blocks in
// its <head>, which browsers do not run.
func (p page) scripts() []*html.Node {
	return p.all(func(n *html.Node) bool {
		if n.Data != "script" {
			return false
		}
		typ, _ := attr(n, "type")
		return typ != "application/ld+json" || n.Parent == nil || n.Parent.Data != "head"
	})
}

// structuredData decodes the page's JSON-LD data blocks.
func (p page) structuredData(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, n := range p.all(func(n *html.Node) bool {
		typ, _ := attr(n, "type")
		return n.Data == "script" && typ == "application/ld+json"
	}) {
		var ld map[string]any
		if err := json.Unmarshal([]byte(text(n)), &ld); err != nil {
			t.Fatalf("JSON-LD does not parse: %v\n%s", err, text(n))
		}
		out = append(out, ld)
	}
	return out
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func text(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

func texts(nodes []*html.Node) []string {
	var out []string
	for _, n := range nodes {
		out = append(out, text(n))
	}
	return out
}

// serviceNames are the h4 headings of the listed services.
func (p page) serviceNames() []string { return texts(p.tag("h4")) }

func TestPageStructureIsAccessible(t *testing.T) {
	s := newLoadedServer(t, sampleDocument())
	p := parsePage(t, getOK(t, s.Handler(), "/", "text/html; charset=utf-8").body)

	if htmlEl := p.tag("html"); len(htmlEl) != 1 || func() string { v, _ := attr(htmlEl[0], "lang"); return v }() != "de" {
		t.Errorf(`<html> must have lang="de"`)
	}
	if title := texts(p.tag("title")); len(title) != 1 || !strings.Contains(title[0], "Stadt Musterstadt") {
		t.Errorf("title = %q, want the municipality's name", title)
	}
	for _, landmark := range []string{"header", "nav", "main", "footer"} {
		if len(p.tag(landmark)) == 0 {
			t.Errorf("no <%s>", landmark)
		}
	}
	if h1 := p.tag("h1"); len(h1) != 1 {
		t.Errorf("got %d <h1>, want exactly one", len(h1))
	}

	// Headings never skip a level on the way down.
	last := 0
	for _, h := range p.all(func(n *html.Node) bool {
		return len(n.Data) == 2 && n.Data[0] == 'h' && n.Data[1] >= '1' && n.Data[1] <= '6'
	}) {
		level := int(h.Data[1] - '0')
		if level > last+1 {
			t.Errorf("heading %q is h%d after h%d", text(h), level, last)
		}
		last = level
	}

	// The first link skips to the main content.
	links := p.tag("a")
	if href, _ := attr(links[0], "href"); href != "#inhalt" {
		t.Errorf("first link goes to %q, want the skip link to #inhalt", href)
	}
	if id, _ := attr(p.tag("main")[0], "id"); id != "inhalt" {
		t.Errorf("<main> id = %q, want inhalt", id)
	}

	// Every form control has a label.
	labels := map[string]bool{}
	for _, l := range p.tag("label") {
		if f, ok := attr(l, "for"); ok {
			labels[f] = true
		}
	}
	for _, c := range p.all(func(n *html.Node) bool { return n.Data == "input" || n.Data == "select" }) {
		if id, _ := attr(c, "id"); !labels[id] {
			t.Errorf("<%s id=%q> has no <label for>", c.Data, id)
		}
	}

	// The form works without JavaScript: a plain GET to the page itself.
	form := p.tag("form")[0]
	if m, _ := attr(form, "method"); m != "get" {
		t.Errorf("form method = %q, want get", m)
	}
	if len(p.scripts()) != 0 {
		t.Errorf("page contains <script>; it must work without JavaScript")
	}
}

func TestPageGroupsByThemenfeld(t *testing.T) {
	s := newLoadedServer(t, sampleDocument())
	p := parsePage(t, get(t, s.Handler(), "/").body)

	groups := texts(p.tag("h3"))
	want := []string{"Bauen & Wohnen (2)", "Ein- und Auswanderung (2)", "Recht & Ordnung (2)"}
	if !slices.Equal(groups, want) {
		t.Errorf("Themenfelder = %q, want %q", groups, want)
	}
	names := p.serviceNames()
	wantNames := []string{"Baugenehmigung", "Wohngeld", "Änderung der Meldeadresse", "Personalausweis", xssAttr, xssScript}
	if !slices.Equal(names, wantNames) {
		t.Errorf("services = %q, want %q", names, wantNames)
	}

	assertPageHas(t, get(t, s.Handler(), "/").body,
		`<span class="state state-live">Online</span>`,
		`<span class="state state-in-progress">In Arbeit</span>`,
		`<span class="state state-open">Offen</span>`,
		`<div><dt>Reifegrad</dt><dd>3 – Online-Leistung (Antrag samt Nachweisen vollständig online)</dd></div>`,
		`href="https://musterstadt.example/wohngeld"`,
		// No own URL: the EfA service is linked and named.
		`href="https://efa.example/ummeldung"`,
		`bereitgestellt von Hamburg`,
		`<summary>Enthaltene Verwaltungsleistungen (2)</summary>`,
		`LeiKa-Schlüssel 99107001000000, Typ 2/3`,
		`Für diese Leistung gibt es noch keinen Online-Dienst`,
		`href="https://wirtschaft.example"`,
	)
}

func TestPageFilters(t *testing.T) {
	s := newLoadedServer(t, sampleDocument())
	tests := []struct {
		query string
		// want are the services listed; for a search, the first ones
		// listed (the search ranks, package search tests how).
		want []string
	}{
		{"", []string{"Baugenehmigung", "Wohngeld", "Änderung der Meldeadresse", "Personalausweis", xssAttr, xssScript}},
		{"q=wohngeld", []string{"Wohngeld"}},
		// Searches LeiKa names, folds case and umlauts.
		{"q=LASTENZUSCHUSS", []string{"Wohngeld"}},
		{"q=anderung+meldeadresse", []string{"Änderung der Meldeadresse"}},
		{"q=%C3%A4nderung", []string{"Änderung der Meldeadresse"}},
		{"q=10200", []string{"Personalausweis"}},
		// Every word counts on its own: one that matches nothing does
		// not empty the result.
		{"q=wohngeld+xylofon", []string{"Wohngeld"}},
		{"q=xylofon", nil},
		{"themenfeld=Bauen+%26+Wohnen", []string{"Baugenehmigung", "Wohngeld"}},
		{"state=Live", []string{"Wohngeld", "Änderung der Meldeadresse"}},
		{"state=Live&themenfeld=Bauen+%26+Wohnen", []string{"Wohngeld"}},
		{"state=Open&q=personalausweis", []string{"Personalausweis"}},
		{"state=Live&q=personalausweis", nil},
		{"themenfeld=Unbekannt", nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			resp := get(t, s.Handler(), "/?"+tt.query)
			if resp.code != http.StatusOK {
				t.Fatalf("code = %d", resp.code)
			}
			p := parsePage(t, resp.body)
			got := p.serviceNames()
			if strings.Contains(tt.query, "q=") && len(got) > len(tt.want) {
				got = got[:len(tt.want)]
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("services = %q, want %q", p.serviceNames(), tt.want)
			}
			if tt.want == nil && !strings.Contains(resp.body, "Keine Leistung gefunden") {
				t.Errorf("empty result does not say so")
			}
		})
	}

	// The form shows the active filter.
	assertPageHas(t, get(t, s.Handler(), "/?q=wohn&state=Live&themenfeld=Bauen+%26+Wohnen").body,
		`value="wohn"`,
		`<option value="Live" selected>Online</option>`,
		`<option value="Bauen &amp; Wohnen" selected>Bauen &amp; Wohnen</option>`,
		`<title>Suchergebnisse (1) – Serviceportal Stadt Musterstadt</title>`,
	)
}

func TestPageRejectsInvalidFilters(t *testing.T) {
	s := newLoadedServer(t, sampleDocument())
	for _, q := range []string{"state=Done", "q=" + strings.Repeat("x", maxQueryLength+1), "q=%ff"} {
		resp := get(t, s.Handler(), "/?"+q)
		if resp.code != http.StatusBadRequest {
			t.Errorf("GET /?%.20s… = %d, want 400", q, resp.code)
		}
		if !strings.Contains(resp.body, `role="alert"`) {
			t.Errorf("GET /?%.20s… does not explain the error", q)
		}
	}
}

func TestEscaping(t *testing.T) {
	doc := sampleDocument()
	doc.Administration.DisplayName = `Musterstadt </title><script>alert(2)</script>`
	s := newLoadedServer(t, doc)

	assertNoInjection(t, s.Handler(), []string{"/", "/?q=alert", "/nicht-da", "/leistungen/10300", "/leistungen/10301"},
		[]string{xssScript, xssAttr, `<script>alert(2)`, `<img`}, "script", "img")
	assertPageHas(t, get(t, s.Handler(), "/").body,
		`&lt;script&gt;alert(1)&lt;/script&gt;`,
		`&#34;&gt;&lt;img src=x onerror=alert(1)&gt;`,
		`<title>Online-Dienste – Serviceportal Musterstadt &lt;/title&gt;&lt;script&gt;alert(2)&lt;/script&gt;</title>`,
	)

	got := getServices(t, s.Handler(), "/api/v1/services?q=alert")
	var names []string
	for _, svc := range got.Services {
		names = append(names, svc.Name)
	}
	if !slices.Equal(names, []string{xssAttr, xssScript}) {
		t.Errorf("API names = %q, want the exact hostile strings", names)
	}
}

func TestAPI(t *testing.T) {
	s := newLoadedServer(t, sampleDocument())

	got := getServices(t, s.Handler(), "/api/v1/services?state=Live")
	if got.Total != 6 || got.Count != 2 || len(got.Services) != 2 {
		t.Errorf("total, count, len = %d, %d, %d; want 6, 2, 2", got.Total, got.Count, len(got.Services))
	}
	if got.Administration.Key != "05999000" {
		t.Errorf("administration.key = %q", got.Administration.Key)
	}
	wohngeld := got.Services[0]
	if wohngeld.OZGID != "10110" || wohngeld.URL == "" || len(wohngeld.Leistungen) != 2 || *wohngeld.Maturity != 3 {
		t.Errorf("first service = %+v, want Wohngeld in full", wohngeld)
	}

	resp := get(t, s.Handler(), "/api/v1/services?q=nichts")
	if !strings.Contains(resp.body, `"services":[]`) {
		t.Errorf("no match should give an empty list, got %s", resp.body)
	}

	resp = get(t, s.Handler(), "/api/v1/services?state=Done")
	var e ErrorResponse
	if resp.code != http.StatusBadRequest || json.Unmarshal([]byte(resp.body), &e) != nil || e.Error == "" {
		t.Errorf("invalid filter: %d %s, want 400 with an error", resp.code, resp.body)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	vol := newConfigMapVolume(t)
	s, err := New(Options{DataPath: vol.path(), ServeOps: true})
	must(t, err)
	h := s.Handler()

	// Without data the process is alive but not ready.
	if err := s.Reload(); err == nil {
		t.Fatal("Reload without a file succeeded")
	}
	for target, want := range map[string]int{
		"/healthz": 200, "/readyz": 503, "/": 503, "/api/v1/services": 503,
	} {
		if code := get(t, h, target).code; code != want {
			t.Errorf("before load: GET %s = %d, want %d", target, code, want)
		}
	}

	vol.write(t, marshal(t, sampleDocument()))
	must(t, s.Reload())
	for target, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/": 200} {
		if code := get(t, h, target).code; code != want {
			t.Errorf("after load: GET %s = %d, want %d", target, code, want)
		}
	}

	s.Drain()
	if code := get(t, h, "/readyz").code; code != 503 {
		t.Errorf("while draining: /readyz = %d, want 503", code)
	}
	if code := get(t, h, "/").code; code != 200 {
		t.Errorf("while draining: / = %d, want 200", code)
	}
}

func TestOnlyGetAndHead(t *testing.T) {
	s := newLoadedServer(t, sampleDocument())
	h := s.Handler()
	for _, method := range []string{"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND"} {
		for _, target := range []string{"/", "/api/v1/services", "/static/portal.css", "/healthz", "/gibt-es-nicht"} {
			resp := do(t, h, method, target)
			if resp.code != http.StatusMethodNotAllowed {
				t.Errorf("%s %s = %d, want 405", method, target, resp.code)
			}
			if allow := resp.header.Get("Allow"); allow != "GET, HEAD" {
				t.Errorf("%s %s: Allow = %q", method, target, allow)
			}
		}
	}

	resp := do(t, h, http.MethodHead, "/")
	if resp.code != http.StatusOK || resp.header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("HEAD / = %d %q", resp.code, resp.header.Get("Content-Type"))
	}
}

func TestRequestBodyIsBounded(t *testing.T) {
	s := newLoadedServer(t, sampleDocument())
	req, err := http.NewRequest(http.MethodGet, "/", strings.NewReader(strings.Repeat("x", 2*maxBodyBytes)))
	must(t, err)
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("GET with a large body = %d, want 413", rec.Code)
	}
}

func TestSecurityHeaders(t *testing.T) {
	s := newLoadedServer(t, sampleDocument())
	want := map[string]string{
		"Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
		"X-Frame-Options":         "DENY",
	}
	for _, r := range []struct{ method, target string }{
		{"GET", "/"}, {"GET", "/?state=Done"}, {"GET", "/api/v1/services"}, {"GET", "/static/portal.css"},
		{"GET", "/healthz"}, {"GET", "/metrics"}, {"GET", "/nicht-da"}, {"POST", "/"},
	} {
		resp := do(t, s.Handler(), r.method, r.target)
		for k, v := range want {
			if got := resp.header.Get(k); got != v {
				t.Errorf("%s %s: %s = %q, want %q", r.method, r.target, k, got, v)
			}
		}
	}
	metricsResp := do(t, s.OpsHandler(), "GET", "/metrics")
	if metricsResp.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("metrics listener lacks security headers")
	}
}

func TestStatic(t *testing.T) {
	s := newLoadedServer(t, sampleDocument())
	h := s.Handler()

	// The page links the stylesheet under a content-versioned URL.
	body := get(t, h, "/").body
	cssURL := assetURL("portal.css")
	if !strings.Contains(body, `href="`+cssURL+`"`) {
		t.Fatalf("page does not link %s", cssURL)
	}
	resp := get(t, h, cssURL)
	if resp.code != 200 || resp.header.Get("Content-Type") != "text/css; charset=utf-8" || !strings.Contains(resp.body, ":focus-visible") {
		t.Fatalf("GET %s = %d %q", cssURL, resp.code, resp.header.Get("Content-Type"))
	}
	etag := resp.header.Get("ETag")
	req, _ := http.NewRequest(http.MethodGet, cssURL, nil)
	req.Header.Set("If-None-Match", etag)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified {
		t.Errorf("conditional GET = %d, want 304", rec.Code)
	}

	if resp := get(t, h, "/static/favicon.svg"); resp.code != 200 || resp.header.Get("Content-Type") != "image/svg+xml" {
		t.Errorf("favicon: %d %q", resp.code, resp.header.Get("Content-Type"))
	}
	for _, target := range []string{"/static/", "/static/nope.css", "/assets/static/portal.css", "/static/../static/"} {
		if code := get(t, h, target).code; code == http.StatusOK {
			t.Errorf("GET %s = 200, want no content", target)
		}
	}
}

func TestMetrics(t *testing.T) {
	s := newLoadedServer(t, sampleDocument())
	h := s.Handler()
	get(t, h, "/")
	get(t, h, "/")
	do(t, h, "POST", "/")
	do(t, h, "BREW", "/")

	body := get(t, h, "/metrics").body
	for series, want := range map[string]string{
		`ozg_portal_http_requests_total{code="200",handler="page",method="get"}`:     "2",
		`ozg_portal_http_requests_total{code="405",handler="page",method="post"}`:    "1",
		`ozg_portal_http_requests_total{code="405",handler="page",method="unknown"}`: "1",
		`ozg_portal_data_reloads_total{result="success"}`:                            "1",
		`ozg_portal_data_reloads_total{result="failure"}`:                            "0",
		`ozg_portal_services{state="Live"}`:                                          "2",
		`ozg_portal_services{state="InProgress"}`:                                    "1",
		`ozg_portal_services{state="Open"}`:                                          "3",
	} {
		if got := metricValue(body, series); got != want {
			t.Errorf("%s = %q, want %q", series, got, want)
		}
	}
	if !strings.Contains(body, `ozg_portal_http_request_duration_seconds_count{handler="page",method="get"} 2`) {
		t.Errorf("no request duration histogram for the page")
	}
	if !strings.Contains(body, `ozg_build_info{commit=`) || !strings.Contains(body, `component="portal"`) {
		t.Errorf("no ozg_build_info of the portal")
	}
	// The alert rules (config/monitoring/rules.yaml) read the portal's.
	names, err := monitoring.Metrics()
	must(t, err)
	for _, name := range names {
		if strings.HasPrefix(name, "ozg_portal_") && !strings.Contains(body, "\n"+name) {
			t.Errorf("the alert rules use %s, which the portal does not expose", name)
		}
	}

	// Health and metrics move to their own listener, away from the
	// Ingress: the portal's handler answers them as any unknown path.
	s2, err := New(Options{DataPath: s.catalog.path})
	must(t, err)
	must(t, s2.Reload())
	for _, target := range []string{"/metrics", "/healthz", "/readyz"} {
		if code := get(t, s2.Handler(), target).code; code != http.StatusNotFound {
			t.Errorf("%s on the portal handler without ServeOps = %d, want 404", target, code)
		}
		if code := get(t, s2.OpsHandler(), target).code; code != http.StatusOK {
			t.Errorf("OpsHandler %s = %d", target, code)
		}
	}
}

func TestNotFound(t *testing.T) {
	s := newLoadedServer(t, sampleDocument())
	resp := get(t, s.Handler(), "/gibt-es-nicht?x=1")
	if resp.code != http.StatusNotFound || !strings.Contains(resp.body, "<h1>Seite nicht gefunden</h1>") {
		t.Errorf("GET /gibt-es-nicht = %d\n%s", resp.code, resp.body)
	}
}

func TestFilterQueryRoundTrip(t *testing.T) {
	v := url.Values{paramQuery: {"  Wohngeld  "}, paramThemenfeld: {"Bauen & Wohnen"}, paramState: {"Live"}}
	f, err := parseFilter(v)
	must(t, err)
	if f.Query != "Wohngeld" || f.Themenfeld != "Bauen & Wohnen" || f.State != portaldata.StateLive || !f.Active() {
		t.Errorf("parseFilter = %+v", f)
	}
}
