// Package browser_test drives the portal server in a real, headless
// Chromium: search and filter with JavaScript off, follow a service link,
// check every page with axe-core, and run Lighthouse's SEO, accessibility
// and best-practices audits.
//
// It needs Debian's chromium, node and the npm packages of this directory;
// test/browser/setup.sh installs them. Without them the test skips, unless
// OZG_REQUIRE_BROWSER=1, when it fails instead (for CI).
package browser_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ozg-operator/ozg-operator/internal/portal"
	"github.com/ozg-operator/ozg-operator/internal/portaldata"
)

// report is what e2e.mjs prints.
type report struct {
	Steps []map[string]any `json:"steps"`
	Axe   []struct {
		Path       string `json:"path"`
		AxeVersion string `json:"axeVersion"`
		Passes     int    `json:"passes"`
		Incomplete []struct {
			ID     string `json:"id"`
			Impact string `json:"impact"`
			Nodes  int    `json:"nodes"`
		} `json:"incomplete"`
		Violations []struct {
			ID     string `json:"id"`
			Impact string `json:"impact"`
			Help   string `json:"help"`
			Nodes  []struct {
				Target  string `json:"target"`
				Summary string `json:"summary"`
			} `json:"nodes"`
		} `json:"violations"`
	} `json:"axe"`
	Dialogs       []map[string]string `json:"dialogs"`
	ConsoleErrors []struct {
		Page string `json:"page"`
		Text string `json:"text"`
	} `json:"consoleErrors"`
	FailedRequests []map[string]string `json:"failedRequests"`
}

func TestPortalInChromium(t *testing.T) {
	chromium, node := browserTools(t)

	// The "online service" a portal entry links to. It records the
	// Referer it receives: the portal's Referrer-Policy must suppress it.
	var mu sync.Mutex
	var referers []string
	onlineService := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/wohngeld/antrag" {
			http.NotFound(w, r) // e.g. the browser's /favicon.ico
			return
		}
		mu.Lock()
		referers = append(referers, r.Header.Get("Referer"))
		mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!DOCTYPE html><html lang="de"><head><title>Wohngeld-Antrag</title></head>`+
			`<body><main><h1>Wohngeld beantragen</h1></main></body></html>`)
	}))
	defer onlineService.Close()
	serviceURL := onlineService.URL + "/wohngeld/antrag"

	portalURL := startPortal(t, serviceURL)

	artifacts := os.Getenv("OZG_BROWSER_ARTIFACTS")
	if artifacts == "" {
		artifacts = t.TempDir()
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "e2e.mjs")
	cmd.Env = append(os.Environ(),
		"PORTAL_URL="+portalURL,
		"SERVICE_URL="+serviceURL,
		"CHROMIUM="+chromium,
		"ARTIFACTS_DIR="+artifacts,
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("browser run failed: %v\n%s", err, stderr.String())
	}
	t.Logf("browser run took %s; screenshots in %s", time.Since(start).Round(time.Millisecond), artifacts)

	var r report
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		t.Fatalf("decoding the browser report: %v\n%s", err, stdout.String())
	}
	for _, s := range r.Steps {
		t.Logf("step %v: %v", s["step"], s)
	}

	if len(r.Dialogs) > 0 {
		t.Errorf("injected script ran and opened dialogs: %v", r.Dialogs)
	}
	for _, c := range r.ConsoleErrors {
		if strings.Contains(c.Text, "Content Security Policy") {
			t.Errorf("CSP violation on the %s page: %s", c.Page, c.Text)
		}
	}
	for _, f := range r.FailedRequests {
		// ERR_ABORTED is a subresource (the favicon) cancelled by the next
		// navigation, not a failure of the portal.
		if f["error"] == "net::ERR_ABORTED" {
			continue
		}
		t.Errorf("request failed: %v", f)
	}

	mu.Lock()
	if len(referers) == 0 {
		t.Errorf("the online service was never visited")
	}
	for _, ref := range referers {
		if ref != "" {
			t.Errorf("online service received Referer %q, want none (Referrer-Policy: no-referrer)", ref)
		}
	}
	mu.Unlock()

	if len(r.Axe) == 0 {
		t.Fatal("axe did not run")
	}
	for _, a := range r.Axe {
		t.Logf("axe %s on %s: %d rules passed, %d violations, %d need review %v",
			a.AxeVersion, a.Path, a.Passes, len(a.Violations), len(a.Incomplete), a.Incomplete)
		for _, v := range a.Violations {
			msg := fmt.Sprintf("axe %s on %s: %s (%s) at %v", v.Impact, a.Path, v.ID, v.Help, v.Nodes)
			if v.Impact == "serious" || v.Impact == "critical" {
				t.Error(msg)
			} else {
				t.Log(msg)
			}
		}
	}
}

// startPortal serves sampleDocument(serviceURL) with the production
// timeouts and limits on 127.0.0.1 until the test ends, and returns its
// URL, which is also the document's public URL: canonical links and the
// sitemap point at the server under test.
func startPortal(t *testing.T, serviceURL string) string {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	portalURL := "http://" + ts.Listener.Addr().String()
	doc := sampleDocument(serviceURL)
	doc.PublicURL = portalURL
	dataPath := filepath.Join(t.TempDir(), portaldata.ConfigMapKey)
	data, err := portaldata.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dataPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	srv, err := portal.New(portal.Options{DataPath: dataPath})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Reload(); err != nil {
		t.Fatal(err)
	}
	ts.Config = portal.NewHTTPServer(srv.Handler(), nil)
	ts.Start()
	t.Cleanup(ts.Close)
	return portalURL
}

// lighthouseReport is what lighthouse.mjs prints.
type lighthouseReport struct {
	Runs []struct {
		Path              string             `json:"path"`
		LighthouseVersion string             `json:"lighthouseVersion"`
		RuntimeError      string             `json:"runtimeError"`
		Scores            map[string]float64 `json:"scores"`
		Failing           []struct {
			Category    string   `json:"category"`
			ID          string   `json:"id"`
			Title       string   `json:"title"`
			Score       float64  `json:"score"`
			Explanation string   `json:"explanation"`
			Items       []string `json:"items"`
		} `json:"failing"`
	} `json:"runs"`
}

// lighthousePages are the start page and a service page, where search
// results and the Portalverbund land.
var lighthousePages = []string{"/", "/leistungen/10110"}

// TestLighthouse runs Lighthouse's SEO, accessibility and best-practices
// audits on the start page and a service page: every audit that counts
// must pass, for a score of 1 in each category.
func TestLighthouse(t *testing.T) {
	chromium, node := browserTools(t)
	portalURL := startPortal(t, "https://online.example.invalid/wohngeld")

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "lighthouse.mjs")
	cmd.Env = append(os.Environ(), "PORTAL_URL="+portalURL, "PAGES="+strings.Join(lighthousePages, " "), "CHROMIUM="+chromium)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("lighthouse run failed: %v\n%s", err, stderr.String())
	}
	t.Logf("lighthouse on %d pages took %s", len(lighthousePages), time.Since(start).Round(time.Millisecond))

	var r lighthouseReport
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		t.Fatalf("decoding the lighthouse report: %v\n%s", err, stdout.String())
	}
	if len(r.Runs) != len(lighthousePages) {
		t.Fatalf("lighthouse audited %d pages, want %d", len(r.Runs), len(lighthousePages))
	}
	for _, run := range r.Runs {
		if run.RuntimeError != "" {
			t.Errorf("lighthouse %s on %s: %s", run.LighthouseVersion, run.Path, run.RuntimeError)
			continue
		}
		t.Logf("lighthouse %s on %s: %v", run.LighthouseVersion, run.Path, run.Scores)
		for _, category := range []string{"seo", "accessibility", "best-practices"} {
			if score, ok := run.Scores[category]; !ok || score != 1 {
				t.Errorf("%s: %s score %v, want 1", run.Path, category, score)
			}
		}
		for _, f := range run.Failing {
			t.Errorf("%s: %s audit %s (%s) scores %v: %s %v", run.Path, f.Category, f.ID, f.Title, f.Score, f.Explanation, f.Items)
		}
	}
}

// browserTools returns the Chromium and node executables, or skips (fails
// with OZG_REQUIRE_BROWSER=1) when something is missing.
func browserTools(t *testing.T) (chromium, node string) {
	t.Helper()
	var missing []string
	candidates := []string{"/usr/bin/chromium", "chromium", "chromium-browser"}
	if c := os.Getenv("OZG_CHROMIUM"); c != "" {
		candidates = []string{c}
	}
	for _, name := range candidates {
		if p, err := exec.LookPath(name); err == nil {
			chromium = p
			break
		}
	}
	if chromium == "" {
		missing = append(missing, "chromium (apt-get install chromium, or set OZG_CHROMIUM)")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing = append(missing, "node")
	}
	for _, f := range []string{"node_modules/playwright-core/package.json", "node_modules/axe-core/axe.min.js", "node_modules/lighthouse/package.json"} {
		if _, err := os.Stat(f); err != nil {
			missing = append(missing, "test/browser/"+f+" (npm ci)")
		}
	}
	if len(missing) > 0 {
		msg := "browser test needs " + strings.Join(missing, ", ") + "; run test/browser/setup.sh"
		if os.Getenv("OZG_REQUIRE_BROWSER") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg + " (set OZG_REQUIRE_BROWSER=1 to fail instead of skipping)")
	}
	return chromium, node
}

func ptr[T any](v T) *T { return &v }

// sampleDocument is a portal as the operator renders it, with services in
// every state, EfA links, LeiKa details and two hostile names. Wohngeld
// links to serviceURL; the other links are never followed.
func sampleDocument(serviceURL string) *portaldata.Document {
	kreis := &portaldata.Responsible{Level: portaldata.LevelKreis, Administration: "kreis-musterkreis", DisplayName: "Kreis Musterkreis",
		PortalURL: "https://kreis.example.invalid/"}
	bund := &portaldata.Responsible{Level: portaldata.LevelBund, DisplayName: "Bund"}
	doc := &portaldata.Document{
		SchemaVersion: portaldata.SchemaVersion,
		Administration: portaldata.Administration{
			Name: "stadt-musterstadt", Key: "05999004", ARS: "059990004004", DisplayName: "Stadt Musterstadt", Type: "KreisangehoerigeStadt", Parent: "kreis-musterkreis",
			Address: portaldata.Address{Recipient: "Stadt Musterstadt", Street: "Markt 1", PostalCode: "59999", City: "Musterstadt"},
		},
		Services: []portaldata.Service{
			// The Kreis's services, linked to its online service or, while
			// there is none, to the Kreis as the body to contact.
			{OZGID: "10439", Name: "Kfz-Zulassung", Themenfeld: "Mobilität & Reisen", State: portaldata.StateLive,
				URL: "https://kfz.kreis.example.invalid/", Responsible: kreis},
			{OZGID: "10169", Name: "Führerschein", Themenfeld: "Mobilität & Reisen", State: portaldata.StateOpen, Responsible: kreis},
			{OZGID: "10096", Name: "Rentenversicherungskonto", Themenfeld: "Arbeit & Ruhestand", Responsible: bund},
			{OZGID: "10110", Name: "Wohngeld", Themenfeld: "Bauen & Wohnen", Lebenslage: "Wohnen", State: portaldata.StateLive,
				Maturity: ptr[int32](3), URL: serviceURL, Tool: "Formularserver",
				Leistungen: []portaldata.Leistung{
					{Key: "99107001000000", Name: "Wohngeld Mietzuschuss Bewilligung", Typisierung: []string{"2/3"}},
					{Key: "99107002000000", Name: "Wohngeld Lastenzuschuss Bewilligung", Typisierung: []string{"2/3"}},
				}},
			{OZGID: "10001", Name: "Baugenehmigung", Themenfeld: "Bauen & Wohnen", Lebenslage: "Bauen",
				State: portaldata.StateInProgress, Maturity: ptr[int32](2),
				Leistungen: []portaldata.Leistung{{Key: "99104001000000", Name: "Baugenehmigung Erteilung", Typisierung: []string{"4"}}}},
			{OZGID: "10045", Name: "Änderung der Meldeadresse", Themenfeld: "Ein- und Auswanderung", Lebenslage: "Umzug",
				State: portaldata.StateLive, Maturity: ptr[int32](4),
				EfA: &portaldata.EfA{Provider: "Freie und Hansestadt Hamburg", URL: "https://efa.example.invalid/ummeldung"}},
			{OZGID: "10200", Name: "Personalausweis", Themenfeld: "Ein- und Auswanderung", State: portaldata.StateOpen, Maturity: ptr[int32](1)},
			{OZGID: "10330", Name: "Elterngeld", Themenfeld: "Familie & Kind", State: portaldata.StateLive, Maturity: ptr[int32](3),
				URL: "https://elterngeld.example.invalid/", Leistungen: []portaldata.Leistung{{Name: "Elterngeld Bewilligung", Typisierung: []string{"2/3"}}}},
			{OZGID: "10331", Name: "Kita-Platz", Themenfeld: "Familie & Kind", State: portaldata.StateInProgress},
			{OZGID: "10500", Name: "Hundesteuer", Themenfeld: "Steuern & Zoll", State: portaldata.StateOpen, Maturity: ptr[int32](0),
				Leistungen: []portaldata.Leistung{{Key: "99036001000000", Name: "Hundesteuer Anmeldung", Typisierung: []string{"5"}}}},
			{OZGID: "10900", Name: "<script>alert(1)</script>", Themenfeld: "Recht & Ordnung", State: portaldata.StateOpen},
			{OZGID: "10901", Name: `"><img src=x onerror=alert(1)>`, Themenfeld: "Recht & Ordnung", State: portaldata.StateOpen,
				Leistungen: []portaldata.Leistung{{Name: "<script>alert(1)</script>"}}},
		},
		Links: []portaldata.Link{
			{Name: "Wirtschaftsserviceportal NRW", URL: "https://wsp.example.invalid/"},
			{Name: "Kreis Musterkreis", URL: "https://kreis.example.invalid/"},
		},
		Authentication: &portaldata.Authentication{Provider: "Servicekonto", IssuerURL: "https://login.example.invalid", ClientID: "musterstadt"},
		Payment:        &portaldata.Payment{Provider: "ePayBL"},
	}
	own := &portaldata.Responsible{Level: portaldata.LevelGemeinde, Administration: "stadt-musterstadt", DisplayName: "Stadt Musterstadt"}
	for i := range doc.Services {
		if doc.Services[i].Responsible == nil {
			doc.Services[i].Responsible = own
		}
	}
	return doc
}
