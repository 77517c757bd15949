// Package search is the full-text search of a portal's services: a Bleve
// index in memory, built when the portal loads its document, that reads
// German as citizens type it (stemming, umlauts folded, compounds split,
// synonyms, spelling mistakes tolerated by word length) and ranks by
// BM25.
//
// Bleve is the full-text engine written in Go (Lucene's model: analysers,
// an inverted index, BM25, fuzzy automata, synonyms): it runs inside the
// portal process, with no service beside the pod, and ships the German
// analysis the portal needs. The ranking is the engine's; this package
// only says which fields count how much and breaks exact ties.
package search

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"
)

// Entry is what the index knows of one service.
type Entry struct {
	// Name is the OZG service's name.
	Name string
	// Leistungen are the names of the LeiKa services it bundles.
	Leistungen []string
	// Keys are its OZG-ID and LeiKa keys, found when typed exactly.
	Keys []string
	// Lebenslage and Themenfeld place it in the catalogue.
	Lebenslage, Themenfeld string
	// Near tells that the portal's own administration or its Kreis is
	// responsible: such services come first among equally good matches.
	Near bool
}

// The index holds a document for each service (its name, Lebenslage,
// Themenfeld, OZG-ID) and one for each of its LeiKa services (the LeiKa
// name, the service's name, the LeiKa key): a service ranks by its best
// document, so that a bundle of 200 LeiKa services is found by one of
// them as well as a service of one (scored as one text, the bundle's
// length would bury every word in it).
//
// Field boosts: a word in the service's name says more than one in a
// LeiKa name or in the name of the service a LeiKa service belongs to,
// which say more than its Lebenslage or Themenfeld; an exact key says
// everything.
const (
	boostName     = 1
	boostLeistung = 1
	boostService  = 1
	boostContext  = 0.25
	boostKeys     = 20
	// boostParts weighs a query's words split into their parts.
	boostParts = 0.5
)

// fuzziness is how many typos a word of the query may have, by its
// length: none up to 4 letters (Kfz, Pkw, Hund are words, not typos of
// KfW, Pfw, Bund), one up to 7, two beyond.
func fuzziness(term string) int {
	switch n := utf8.RuneCountInString(term); {
	case n <= 4:
		return 0
	case n <= 7:
		return 1
	}
	return 2
}

// fuzzyPrefix is how many leading letters a word with a typo must share:
// people rarely mistype the first letter, and without it "anmelden"
// would match "melden" (two edits).
const fuzzyPrefix = 1

// Index is the search index of one document's services. It is safe for
// concurrent use and read-only once built.
type Index struct {
	index   bleve.Index
	mapping *mapping.IndexMappingImpl
	size    int
	// docs counts the documents: services and LeiKa services.
	docs int
	// display maps the texts' words, lower case, to one spelling the
	// texts use, for suggestions.
	display  map[string]string
	synonyms []Synonym
	// synonymLines maps a synonym's target term to its lines.
	synonymLines map[string][]int
}

// New indexes entries; a hit names an entry by its position.
func New(entries []Entry) (*Index, error) {
	synonyms, err := Synonyms()
	if err != nil {
		return nil, err
	}
	var texts []string
	for _, e := range entries {
		texts = append(texts, e.Name)
		texts = append(texts, e.Leistungen...)
	}
	m, err := newMapping(compoundParts(texts))
	if err != nil {
		return nil, err
	}
	// No path: Scorch keeps the index in memory and runs no merger or
	// persister, only the goroutine that introduces the one batch below.
	idx, err := bleve.NewUsing("", m, scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("creating the search index: %w", err)
	}
	x := &Index{index: idx, mapping: m, size: len(entries), display: map[string]string{}, synonyms: synonyms}
	if err := x.fill(entries); err != nil {
		_ = idx.Close()
		return nil, err
	}
	x.indexSynonymLines()
	// Scorch runs a goroutine until the index is closed; close it once
	// nobody holds x any more (a reload replaces the portal's snapshot,
	// and with it the index, while requests may still use the old one).
	runtime.AddCleanup(x, func(idx bleve.Index) { _ = idx.Close() }, idx)
	return x, nil
}

func (x *Index) fill(entries []Entry) error {
	b := x.index.NewBatch()
	add := func(id string, doc map[string]any) error {
		if err := b.Index(id, doc); err != nil {
			return fmt.Errorf("indexing %s: %w", id, err)
		}
		return nil
	}
	for i, e := range entries {
		words := append([]string{e.Name}, e.Leistungen...)
		for _, t := range words {
			for _, w := range splitWords(t) {
				if lw := strings.ToLower(w); x.display[lw] == "" {
					x.display[lw] = w
				}
			}
		}
		near := 1
		if e.Near {
			near = 0
		}
		pos := strconv.Itoa(i)
		var ozgKeys []string
		if len(e.Keys) > 0 {
			ozgKeys = e.Keys[:1]
		}
		if err := add(pos, map[string]any{
			fieldName: e.Name, fieldContext: e.Lebenslage + "\n" + e.Themenfeld, fieldKeys: ozgKeys,
			fieldWords: strings.Join(words, "\n"), fieldNear: near, fieldPosition: i,
		}); err != nil {
			return err
		}
		for j, l := range e.Leistungen {
			doc := map[string]any{fieldLeistung: l, fieldService: e.Name, fieldNear: near, fieldPosition: i}
			if j+1 < len(e.Keys) {
				doc[fieldKeys] = e.Keys[j+1]
			}
			if err := add(pos+"/"+strconv.Itoa(j), doc); err != nil {
				return err
			}
		}
	}
	for i, s := range x.synonyms {
		if err := b.IndexSynonym("synonym-"+strconv.Itoa(i), synonymCollection, &bleve.SynonymDefinition{Input: s.Input, Synonyms: s.Words}); err != nil {
			return fmt.Errorf("indexing synonyms %v: %w", s.Words, err)
		}
	}
	if err := x.index.Batch(b); err != nil {
		return fmt.Errorf("building the search index: %w", err)
	}
	x.docs = len(entries)
	for _, e := range entries {
		x.docs += len(e.Leistungen)
	}
	return nil
}

// Search returns the positions of the entries that match text, best
// first: by the engine's BM25 score, then the near ones, then in entry
// order. A word matches with as many typos as its length allows
// (Bleve's auto fuzziness: none up to 2 letters, 1 up to 5, 2 beyond),
// every word counts on its own, and more matching words rank higher.
func (x *Index) Search(ctx context.Context, text string) ([]int, error) {
	text = strings.TrimSpace(text)
	if text == "" || x.size == 0 {
		return nil, nil
	}
	req := bleve.NewSearchRequestOptions(x.query(text), x.docs, 0, false)
	req.SortBy([]string{"-_score", fieldNear, fieldPosition})
	res, err := x.index.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("searching %q: %w", text, err)
	}
	// A service ranks where its best document does.
	hits := []int{}
	seen := make(map[int]bool)
	for _, h := range res.Hits {
		service, _, _ := strings.Cut(h.ID, "/")
		i, err := strconv.Atoi(service)
		if err != nil || i >= x.size {
			return nil, fmt.Errorf("search hit %q names no service", h.ID)
		}
		if !seen[i] {
			seen[i] = true
			hits = append(hits, i)
		}
	}
	runtime.KeepAlive(x)
	return hits, nil
}

// query is the engine query for text: one clause a word of it, so that
// the engine's coordination ranks a service by how many of the words it
// matches, then by how well. A word matches in any field, as written and
// split into its parts; synonyms apply in every field that has them.
func (x *Index) query(text string) query.Query {
	whole := x.mapping.AnalyzerNamed(analyzerQueryWords)
	parts := x.mapping.AnalyzerNamed(analyzerQuery)
	typed := splitWords(text)
	// Each word, and each pair of neighbours joined, so that "Hunde
	// Steuer" also finds the Hundesteuer.
	candidates := slices.Clone(typed)
	for i := 1; i < len(typed); i++ {
		candidates = append(candidates, typed[i-1]+typed[i])
	}
	var words []query.Query
	for i, w := range candidates {
		joined := max(0, i-len(typed)+1)
		var clauses []query.Query
		// A word may have as many typos as the length it was typed in
		// allows.
		add := func(term, field string, fuzz int, boost float64) {
			q := bleve.NewFuzzyQuery(term)
			q.SetField(field)
			q.SetFuzziness(fuzz)
			q.SetPrefix(fuzzyPrefix)
			q.SetBoost(boost)
			clauses = append(clauses, q)
		}
		for _, f := range textFields {
			// Typos are looked for in the words as written of the name
			// and the LeiKa names only: a fuzzy term costs a Levenshtein
			// automaton, and the other fields hold the same words or
			// parts of them. A joined pair must match as it is.
			fuzz := 0
			if f.fuzzy && joined == 0 {
				fuzz = fuzziness(w)
			}
			for _, t := range whole.Analyze([]byte(w)) {
				add(string(t.Term), f.field, fuzz, f.boost)
			}
			for _, t := range parts.Analyze([]byte(w)) {
				add(string(t.Term), f.field+partsSuffix, 0, f.boost*boostParts)
			}
		}
		if len(clauses) > 0 {
			words = append(words, bleve.NewDisjunctionQuery(clauses...))
		}
	}
	key := bleve.NewTermQuery(text)
	key.SetField(fieldKeys)
	key.SetBoost(boostKeys)
	words = append(words, key)
	return bleve.NewDisjunctionQuery(words...)
}

// textFields are the text fields searched and their boosts.
var textFields = []struct {
	field string
	boost float64
	fuzzy bool
}{{fieldName, boostName, true}, {fieldLeistung, boostLeistung, true}, {fieldService, boostService, true}, {fieldContext, boostContext, false}}
