package search

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"

	"github.com/ozg-operator/ozg-operator/internal/importer"
	"github.com/ozg-operator/ozg-operator/internal/importer/importertest"
)

// entries are services as the catalogue names them, a few LeiKa names
// each: enough for the analysis to show, small enough to read.
var entries = []Entry{
	{Name: "Personalausweis", Leistungen: []Leistung{{Name: "Personalausweis Ausstellung", Key: "99088001000000"}, {Name: "Personalausweis Ausstellung neu wegen Namensänderung bei Heirat"}}, ID: "10119", Near: true},
	{Name: "Sozialversicherungsausweis/Rentenversicherungsnummer", Leistungen: []Leistung{{Name: "Sozialversicherungsausweis Ausstellung"}}, ID: "10072"},
	{Name: "Kraftfahrzeugzulassung, -um- und Abmeldung", Leistungen: []Leistung{{Name: "Kraftfahrzeug Zulassung"}, {Name: "Kraftfahrzeug Abmeldung"}}, ID: "10439", Near: true},
	{Name: "Kindertagesbetreuung", Leistungen: []Leistung{{Name: "Kindertagesstätte Aufnahme"}}, ID: "10019", Near: true},
	{Name: "Parkausweise und Zufahrtsberechtigungen", Leistungen: []Leistung{{Name: "Bewohnerparkausweis Erteilung"}}, ID: "10173", Near: true},
	{Name: "Eheschließung und -beurkundung", Leistungen: []Leistung{{Name: "Eheschließung Anmeldung"}}, ID: "10026", Near: true},
	{Name: "Unternehmensanmeldung und -genehmigung", Leistungen: []Leistung{{Name: "Gewerbe Anmeldung"}, {Name: "Gewerbe Abmeldung"}}, ID: "10294", Near: true},
	{Name: "Mängel melden", ID: "10136", Near: true},
	{Name: "Wohngeld", Leistungen: []Leistung{{Name: "Wohngeld Bewilligung"}}, ID: "10092"},
	{Name: "Arbeitslosengeld", Leistungen: []Leistung{{Name: "Arbeitslosengeld Bewilligung"}}, ID: "10073"},
	{Name: "Hundehaltung", Leistungen: []Leistung{{Name: "Hundesteuer Festsetzung"}, {Name: "Hundehaltung Anmeldung"}}, ID: "10160", Near: true},
}

func newIndex(t testing.TB, entries []Entry) *Index {
	t.Helper()
	x, err := New(entries)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// Search is Find without filters or limit: every entry that matches, best
// first.
func (x *Index) Search(ctx context.Context, text string) ([]int, error) {
	res, err := x.Find(ctx, Request{Text: text})
	return res.Services, err
}

// catalogEntries are the services of the reference catalogue, with their
// LeiKa services.
func catalogEntries(t *testing.T) []Entry {
	t.Helper()
	cat, err := importer.ReadCatalog(importertest.CatalogDir(t))
	if err != nil {
		t.Fatal(err)
	}
	var all []Entry
	for _, s := range cat.Services {
		e := Entry{Name: s.Spec.Name, ID: s.Spec.OZGID, Themenfeld: string(s.Spec.Themenfeld)}
		for _, l := range s.Spec.Leistungen {
			e.Leistungen = append(e.Leistungen, Leistung{Name: l.Name, Key: l.Key})
		}
		all = append(all, e)
	}
	return all
}

func names(x []int, entries []Entry) []string {
	var out []string
	for _, i := range x {
		out = append(out, entries[i].Name)
	}
	return out
}

func TestSearchReadsGermanAsCitizensTypeIt(t *testing.T) {
	x := newIndex(t, entries)
	tests := []struct {
		why, query, first string
	}{
		{"inflection", "Personalausweise", "Personalausweis"},
		{"compound split by a hyphen, abbreviation", "Kfz-Zulassung", "Kraftfahrzeugzulassung, -um- und Abmeldung"},
		{"compound typed as one word, colloquial part", "Kitaplatz", "Kindertagesbetreuung"},
		{"compound against its words", "Anwohnerparkausweis", "Parkausweise und Zufahrtsberechtigungen"},
		{"joined words", "Hunde Steuer", "Hundehaltung"},
		{"colloquial verb", "heiraten", "Eheschließung und -beurkundung"},
		{"abbreviation", "Perso", "Personalausweis"},
		{"one letter too many", "Personalausweiss", "Personalausweis"},
		{"one letter missing", "Wohngld", "Wohngeld"},
		{"filler verb dropped", "Wohngeld beantragen", "Wohngeld"},
		{"verb that is the point", "Gewerbe anmelden", "Unternehmensanmeldung und -genehmigung"},
		{"umlaut typed as ae", "Maengel melden", "Mängel melden"},
		{"OZG-ID", "10092", "Wohngeld"},
		{"LeiKa key", "99088001000000", "Personalausweis"},
		{"everyday word for the catalogue's", "Hartz", "Arbeitslosengeld"},
	}
	for _, tt := range tests {
		t.Run(tt.why, func(t *testing.T) {
			hits, err := x.Search(context.Background(), tt.query)
			if err != nil {
				t.Fatal(err)
			}
			if got := names(hits, entries); len(got) == 0 || got[0] != tt.first {
				t.Errorf("%q: first %q, want %q", tt.query, got, tt.first)
			}
		})
	}
}

func TestSearchRanksByRelevanceNotCatalogueOrder(t *testing.T) {
	x := newIndex(t, entries)
	hits, err := x.Search(context.Background(), "Ausweis")
	if err != nil {
		t.Fatal(err)
	}
	got := names(hits, entries)
	if len(got) < 2 || got[0] != "Personalausweis" {
		t.Fatalf("Ausweis: %q, want the Personalausweis first", got)
	}
	// Every word counts on its own; a word that matches nothing does not
	// empty the result.
	hits, err = x.Search(context.Background(), "Wohngeld Xylofon")
	if err != nil || len(hits) == 0 || entries[hits[0]].Name != "Wohngeld" {
		t.Fatalf("Wohngeld Xylofon: %q, %v", names(hits, entries), err)
	}
	// More matching words rank higher.
	hits, _ = x.Search(context.Background(), "Kraftfahrzeug Abmeldung")
	if got := names(hits, entries); got[0] != "Kraftfahrzeugzulassung, -um- und Abmeldung" {
		t.Errorf("Kraftfahrzeug Abmeldung: %q", got)
	}
}

func TestSearchBreaksTiesByNearness(t *testing.T) {
	// Two services that match alike: the one the town or its Kreis
	// answers for comes first, whatever the catalogue order.
	tied := []Entry{
		{Name: "Beglaubigung", ID: "10001"},
		{Name: "Beglaubigung", ID: "10002", Near: true},
	}
	x := newIndex(t, tied)
	hits, err := x.Search(context.Background(), "Beglaubigung")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(hits, []int{1, 0}) {
		t.Errorf("hits = %v, want the near one first", hits)
	}
}

// With a limit, ties count as without one: of 400 services that match
// alike, the 8 near ones come first wherever they are in the catalogue
// (the engine cuts equal scores in an order of its own).
func TestSearchWithALimitBreaksTiesAsWithout(t *testing.T) {
	var tied []Entry
	var near []int
	for i := range 400 {
		tied = append(tied, Entry{Name: "Beglaubigung", ID: fmt.Sprintf("%05d", 10000+i), Near: i%50 == 49})
		if i%50 == 49 {
			near = append(near, i)
		}
	}
	x := newIndex(t, tied)
	res, err := x.Find(context.Background(), Request{Text: "Beglaubigung", Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Services) != 20 || !slices.Equal(res.Services[:len(near)], near) || !res.More {
		t.Errorf("services %v (more %v), want 20, the near %v first, and more", res.Services, res.More, near)
	}
}

// Find ranks services by their best document as the engine's own
// collector scores the documents: for the citizen queries of search-eval,
// over the whole catalogue, every service the engine finds, in the order
// of its best document's score, then near, then catalogue order, and with
// that score. (Find collects the matches itself; this is the engine
// collecting them all.)
func TestSearchRanksServicesAsTheEngineRanksTheirDocuments(t *testing.T) {
	all := catalogEntries(t)
	for i := range all {
		all[i].Near = i%7 == 0
	}
	x := newIndex(t, all)
	data, err := os.ReadFile(filepath.Join("testdata", "queries.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	var queries []string
	for _, line := range strings.Split(string(data), "\n")[1:] {
		if q, _, _ := strings.Cut(line, "\t"); q != "" && !strings.HasPrefix(q, "#") {
			queries = append(queries, q)
		}
	}
	if len(queries) < 200 {
		t.Fatalf("%d queries read, want the 239 of search-eval", len(queries))
	}
	r, err := x.reader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, text := range append(queries, "Bewilligung", "Antrag", "99088001000000") {
		q, err := x.query(r, text)
		if err != nil {
			t.Fatal(err)
		}
		res, err := x.index.Search(bleve.NewSearchRequestOptions(q, x.docs, 0, false))
		if err != nil {
			t.Fatal(err)
		}
		best := map[int]float64{}
		for _, h := range res.Hits {
			entry, _, _ := strings.Cut(h.ID, "/")
			i, err := strconv.Atoi(entry)
			if err != nil {
				t.Fatalf("hit %q", h.ID)
			}
			best[i] = max(best[i], h.Score)
		}
		want := slices.Collect(maps.Keys(best))
		slices.SortFunc(want, func(a, b int) int {
			return cmp.Or(cmp.Compare(best[b], best[a]), compareBool(all[b].Near, all[a].Near), cmp.Compare(a, b))
		})
		got, err := x.Find(context.Background(), Request{Text: text})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Services, want) {
			t.Errorf("%q: Find ranks %d services %v, the engine's documents %d %v", text, len(got.Services), got.Services[:min(5, len(got.Services))], len(want), want[:min(5, len(want))])
			continue
		}
		scores, err := x.bestScores(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range want {
			if scores[i] != best[i] {
				t.Errorf("%q: %s scores %v, its best document %v", text, all[i].Name, scores[i], best[i])
			}
		}
	}
}

func TestSearchFindsNothingAndSuggests(t *testing.T) {
	x := newIndex(t, entries)
	hits, err := x.Search(context.Background(), "Xylofon")
	if err != nil || len(hits) != 0 {
		t.Fatalf("Xylofon: %v, %v", hits, err)
	}
	if hits, _ := x.Search(context.Background(), "beantragen"); len(hits) != 0 {
		t.Errorf("a filler verb alone finds %v", names(hits, entries))
	}
	// "Wohngeltzuschus" is three edits from anything; its nearest words
	// are the portal's.
	got, err := x.Suggest("Hundehaltungx Wohngelt", 5)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(got, "Hundehaltung") || !slices.Contains(got, "Wohngeld") {
		t.Errorf("suggestions = %q, want Hundehaltung and Wohngeld", got)
	}
	got, _ = x.Suggest("Arbeitsplatz", 5)
	if !slices.Contains(got, "Arbeitslosengeld") {
		t.Errorf("suggestions by prefix = %q, want Arbeitslosengeld", got)
	}
	if got, _ := x.Suggest("xy", 5); len(got) != 0 {
		t.Errorf("a two-letter word suggests %q", got)
	}
	// "Mängel melden" holds the word "melden", which searches drop.
	if got, _ := x.Suggest("meldem", 5); slices.Contains(got, "melden") {
		t.Errorf("suggestions %q hold a word the search drops", got)
	}
}

func TestKeywordsAreTheSynonymsThatLeadToAName(t *testing.T) {
	x := newIndex(t, entries)
	got := x.Keywords("Kraftfahrzeug Zulassung")
	for _, want := range []string{"kfz", "auto", "pkw"} {
		if !slices.ContainsFunc(got, func(k string) bool { return strings.EqualFold(k, want) }) {
			t.Errorf("keywords of Kraftfahrzeug Zulassung = %q, want %s", got, want)
		}
	}
	if slices.ContainsFunc(got, func(k string) bool { return strings.EqualFold(k, "kraftfahrzeug") }) {
		t.Errorf("keywords %q repeat the name's own word", got)
	}
	if got := x.Keywords("Personalausweis Ausstellung"); !slices.Contains(got, "perso") {
		t.Errorf("keywords of Personalausweis = %q, want perso", got)
	}
	if got := x.Keywords("Tiergehege Anzeige"); len(got) != 0 {
		t.Errorf("keywords of a name no synonym leads to = %q", got)
	}
}

func TestParseSynonymsRejectsBadLines(t *testing.T) {
	for _, bad := range []string{"kfz", "kfz, => auto", "zwei worte, auto", "=> auto", "kfz =>"} {
		if _, err := parseSynonyms([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	got, err := parseSynonyms([]byte("# comment\nkfz, auto\nperso => personalausweis # why\n"))
	if err != nil || len(got) != 2 || got[1].Input[0] != "perso" || got[0].Input != nil {
		t.Errorf("parsed %+v, %v", got, err)
	}
}

// TestSynonymsReachTheCatalogue checks the shipped list against the
// catalogue: every word is one term for the engine (it drops the others
// silently), and every word a line leads to occurs in an OZG or LeiKa
// name, else the line finds nothing.
func TestSynonymsReachTheCatalogue(t *testing.T) {
	all := catalogEntries(t)
	x := newIndex(t, all)
	vocabulary := map[string]bool{}
	text := x.mapping.AnalyzerNamed(analyzerText)
	for _, e := range all {
		names := []string{e.Name}
		for _, l := range e.Leistungen {
			names = append(names, l.Name)
		}
		for _, name := range names {
			for _, tok := range text.Analyze([]byte(name)) {
				vocabulary[string(tok.Term)] = true
			}
		}
	}
	for _, s := range x.synonyms {
		for _, w := range append(slices.Clone(s.Input), s.Words...) {
			if x.term(w) == "" {
				t.Errorf("synonym %q is not one term", w)
			}
		}
		if s.Input == nil {
			continue
		}
		for _, w := range s.Words {
			if !vocabulary[x.term(w)] {
				t.Errorf("synonym line %v => %v: %q occurs in no catalogue name", s.Input, s.Words, w)
			}
		}
	}
}

func TestComposedWordsNeedNoCorrection(t *testing.T) {
	x := newIndex(t, entries)
	parts := x.mapping.AnalyzerNamed(analyzerQuery)
	for word, want := range map[string]bool{
		"Kitaplatz":           true,  // kita + platz
		"Anwohnerparkausweis": true,  // anwohner + park + ausweis
		"Personalausweiss":    false, // the last s is no part: a typo
		"Wohngld":             false, // no part at all
	} {
		got := composed(parts.Analyze([]byte(word)), utf8.RuneCountInString(fold(word)))
		if got != want {
			t.Errorf("composed(%s) = %v, want %v", word, got, want)
		}
	}
}

func TestLongQueriesAreBounded(t *testing.T) {
	x := newIndex(t, entries)
	filler := strings.Repeat("Xylofon ", maxQueryWords)
	if hits, err := x.Search(context.Background(), filler+"Wohngeld"); err != nil || len(hits) != 0 {
		t.Errorf("the word after the first %d was searched: %v, %v", maxQueryWords, names(hits, entries), err)
	}
	if hits, err := x.Search(context.Background(), "Wohngeld "+filler); err != nil || len(hits) == 0 || entries[hits[0]].Name != "Wohngeld" {
		t.Errorf("Wohngeld and filler: %v, %v", names(hits, entries), err)
	}
}
