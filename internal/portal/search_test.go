package portal

import (
	"encoding/json"
	"net/url"
	"path/filepath"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/ozg-operator/ozg-operator/internal/importer/importertest"
	"github.com/ozg-operator/ozg-operator/internal/portal/search"
	"github.com/ozg-operator/ozg-operator/internal/portal/searcheval"
	"github.com/ozg-operator/ozg-operator/internal/portaldata"
	"github.com/ozg-operator/ozg-operator/internal/portalverbund"
)

// nrwServer serves the portal of searcheval.Town as the operator renders
// it from the reference data.
func nrwServer(t testing.TB) (*Server, *portaldata.Document, string) {
	t.Helper()
	root, err := importertest.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := searcheval.NRWDocument(importertest.DataDir(t), filepath.Join(root, searcheval.ProfileFile), searcheval.Town)
	if err != nil {
		t.Fatal(err)
	}
	doc.PublicURL = "https://augustdorf.serviceportal.example.de"
	return newLoadedServer(t, doc), doc, root
}

func apiIDs(t testing.TB, s *Server, q string) []string {
	t.Helper()
	var ids []string
	for _, svc := range getServices(t, s.Handler(), "/api/v1/services?q="+url.QueryEscape(q)).Services {
		ids = append(ids, svc.OZGID)
	}
	return ids
}

// TestSearchQuality is make search-eval's gate in make test: the query
// set against Augustdorf's portal, through the API.
func TestSearchQuality(t *testing.T) {
	s, _, root := nrwServer(t)
	qs, err := searcheval.ReadQueries(filepath.Join(root, searcheval.QueriesFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) < 120 {
		t.Fatalf("%d queries, the set needs 120 at least", len(qs))
	}
	report, err := searcheval.Evaluate(qs, func(q string) ([]string, error) { return apiIDs(t, s, q), nil })
	if err != nil {
		t.Fatal(err)
	}
	if got := report.SuccessAt(3); got < searcheval.Threshold {
		t.Errorf("success@3 = %.1f%%, below %.0f%%; misses: %+v", 100*got, 100*searcheval.Threshold, report.Misses(3))
	}
}

func TestSearchPageListsTheAPIsOrder(t *testing.T) {
	s, doc, _ := nrwServer(t)
	byName := map[string]string{}
	for _, svc := range doc.Services {
		byName[svc.Name] = svc.OZGID
	}
	for _, q := range []string{"Kfz-Zulassung", "Ausweis", "Führerschein", "Gewerbe anmelden"} {
		api := apiIDs(t, s, q)
		var page []string
		for _, name := range parsePage(t, get(t, s.Handler(), "/?q="+url.QueryEscape(q)).body).serviceNames() {
			page = append(page, byName[name])
		}
		if len(api) == 0 || !slices.Equal(page, api) {
			t.Errorf("%q: page lists %v, API %v", q, page, api)
		}
		if len(api) > maxHits {
			t.Errorf("%q: %d services listed, at most %d", q, len(api), maxHits)
		}
	}
	// The examples: the car registration as citizens write it,
	// the Personalausweis before the Sozialversicherungsausweis, the
	// driving licence before the pilot's.
	if got := apiIDs(t, s, "Kfz-Zulassung"); got[0] != "10439" {
		t.Errorf("Kfz-Zulassung: first %s, want 10439 Kraftfahrzeugzulassung", got[0])
	}
	if got := apiIDs(t, s, "Ausweis"); got[0] != "10119" {
		t.Errorf("Ausweis: first %s, want 10119 Personalausweis", got[0])
	}
	if got := apiIDs(t, s, "Führerschein"); got[0] != "10169" {
		t.Errorf("Führerschein: first %s, want 10169 Führerschein", got[0])
	}
}

// A search lists the best maxHits services of the whole ranking, and says
// whether more match, however many LeiKa services of one bundle match
// first: "Reisepass" once listed only the Reisepass (the bundle's
// documents filled what the engine collected), "Zulassung" left out the
// Kraftfahrzeugzulassung, and "Perso" said more matched when none did.
func TestSearchListsTheBestOfTheWholeRanking(t *testing.T) {
	s, _, _ := nrwServer(t)
	idx := s.catalog.snapshot().index
	for _, q := range []string{"Personalausweis", "Reisepass", "Perso", "Ausweis", "Kfz", "Zulassung", "Antrag", "Genehmigung"} {
		limited, err := idx.Find(t.Context(), search.Request{Text: q, Limit: maxHits})
		if err != nil {
			t.Fatal(err)
		}
		all, err := idx.Find(t.Context(), search.Request{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		want := all.Services[:min(len(all.Services), maxHits)]
		if !slices.Equal(limited.Services, want) || limited.More != (len(all.Services) > maxHits) {
			t.Errorf("%q: lists %v (more %v), want %v (more %v) of the %d services that match",
				q, limited.Services, limited.More, want, len(all.Services) > maxHits, len(all.Services))
		}
	}
}

func TestSearchThatFindsNothingSuggests(t *testing.T) {
	s, _, _ := nrwServer(t)
	resp := getServices(t, s.Handler(), "/api/v1/services?q=Kiga")
	if resp.Count != 0 || len(resp.Suggestions) == 0 || resp.Suggestions[0] != "Kita" {
		t.Fatalf("count %d, suggestions %q, want Kita first", resp.Count, resp.Suggestions)
	}
	for _, w := range resp.Suggestions {
		if utf8.RuneCountInString(w) < 3 {
			t.Errorf("suggestions %q hold a word of fewer than 3 letters", resp.Suggestions)
		}
	}
	body := get(t, s.Handler(), "/?q=Kiga&state=Live").body
	assertPageHas(t, body, "Keine Leistung gefunden. Meinten Sie",
		`href="/?q=`+url.QueryEscape(resp.Suggestions[0])+`&amp;state=Live"`)
}

func TestFeedCarriesSynonymsAsKeywords(t *testing.T) {
	s, _, _ := nrwServer(t)
	var feed portalverbund.Feed
	if err := json.Unmarshal([]byte(get(t, s.Handler(), "/api/v1/portalverbund").body), &feed); err != nil {
		t.Fatal(err)
	}
	for _, l := range feed.Leistungen {
		if l.OZGID != "10439" {
			continue
		}
		for _, k := range l.LeiKaLeistungen {
			if k.Bezeichnung == "Kraftfahrzeug Zulassung" {
				if !slices.Contains(k.Schlagwoerter, "kfz") {
					t.Errorf("Schlagwoerter of %q = %q, want kfz", k.Bezeichnung, k.Schlagwoerter)
				}
				return
			}
		}
	}
	t.Fatal("no LeiKa service Kraftfahrzeug Zulassung in the feed")
}
