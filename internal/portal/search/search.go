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
	"cmp"
	"context"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// Entry is what the index knows of one service.
type Entry struct {
	// Name is the OZG service's name.
	Name string
	// ID is its OZG-ID, found when typed exactly.
	ID string
	// Leistungen are the LeiKa services it bundles.
	Leistungen []Leistung
	// Lebenslage and Themenfeld place it in the catalogue.
	Lebenslage, Themenfeld string
	// State is the implementation state of whoever is responsible, for
	// filtering.
	State string
	// Near tells that the portal's own administration or its Kreis is
	// responsible: such services come first among equally good matches.
	Near bool
}

// texts are the entry's name and its LeiKa services' names.
func (e *Entry) texts() []string {
	texts := []string{e.Name}
	for _, l := range e.Leistungen {
		texts = append(texts, l.Name)
	}
	return texts
}

// Leistung is a LeiKa service of an entry.
type Leistung struct {
	Name string
	// Key is the LeiKa key, found when typed exactly; empty outside the
	// LeiKa.
	Key string
}

// The index holds a document for each service (its name in the name
// field, Lebenslage, Themenfeld, OZG-ID) and one for each of its LeiKa
// services (the LeiKa name in the name field, the service's name in the
// service field, the LeiKa key): a service ranks by its best document,
// so that a bundle of 200 LeiKa services is found by one of them as well
// as a service of one (scored as one text, the bundle's length would
// bury every word in it).

// batchSize bounds the documents analysed at once while building: the
// analysis of a batch is held until its segment is built. A single batch
// of all 5,800 documents took the portal to a peak of 90-95 MiB resident,
// batches of 2,000 to 57 MiB (BenchmarkPortalRSS, VmHWM). Each batch is a
// segment (Scorch merges none in memory), and a search costs about a
// tenth more per segment.
const batchSize = 2000

// Field boosts, measured with make search-eval: a word of a name (a
// service's or a LeiKa service's) counts fully. The name of the service a
// LeiKa service belongs to counts half, or else every LeiKa service of
// "Zulassung zum Börsenhandel" would beat "Kraftfahrzeug Zulassung" for
// "Kfz-Zulassung". The Lebenslage and Themenfeld count a quarter, and an
// exact key says everything.
const (
	boostName    = 1
	boostService = 0.5
	boostContext = 0.25
	boostKeys    = 20
	// boostParts weighs a word's parts against the word as written.
	boostParts = 0.5
)

// fuzziness is how many typos a word of the query may have, by its
// length: none up to 4 letters (Kfz, Pkw, Hund are words, not typos of
// KfW, Pfw, Bund), one up to 7, two beyond. The first letter must match
// (people rarely mistype it, and without it "anmelden" would match
// "melden").
func fuzziness(term string) int {
	switch n := utf8.RuneCountInString(term); {
	case n <= 4:
		return 0
	case n <= 7:
		return 1
	}
	return 2
}

// Index is the search index of one document's services. It is safe for
// concurrent use and read-only once built.
type Index struct {
	index   bleve.Index
	mapping *mapping.IndexMappingImpl
	// docs counts the documents: services and LeiKa services.
	docs int
	// entryOf maps a document's internal number to its entry's position,
	// -1 for a document that is no service's.
	entryOf []int
	// near tells, by position, which entries are near; it has one
	// element per entry.
	near []bool
	// display maps the texts' words, lower case, to one spelling the
	// texts use, for suggestions.
	display  map[string]string
	synonyms []Synonym
	// synonymLines maps a synonym's target term to its lines;
	// synonymTerms holds every term of the synonym list.
	synonymLines map[string][]int
	synonymTerms map[string]bool
}

// New indexes entries; a hit names an entry by its position.
func New(entries []Entry) (*Index, error) {
	synonyms, err := Synonyms()
	if err != nil {
		return nil, err
	}
	var texts []string
	for i := range entries {
		texts = append(texts, entries[i].texts()...)
	}
	m, err := newMapping(compoundParts(texts))
	if err != nil {
		return nil, err
	}
	// No path: Scorch keeps the index in memory and runs no merger or
	// persister, only the goroutine that introduces the batches below.
	idx, err := bleve.NewUsing("", m, scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("creating the search index: %w", err)
	}
	x := &Index{index: idx, mapping: m, near: make([]bool, len(entries)), display: map[string]string{}, synonyms: synonyms}
	if err := x.fill(entries); err != nil {
		_ = idx.Close()
		return nil, err
	}
	if err := x.mapDocuments(); err != nil {
		_ = idx.Close()
		return nil, fmt.Errorf("building the search index: %w", err)
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
		if b.Size() >= batchSize {
			if err := x.index.Batch(b); err != nil {
				return fmt.Errorf("building the search index: %w", err)
			}
			b.Reset()
		}
		return nil
	}
	for i, e := range entries {
		x.near[i] = e.Near
		words := e.texts()
		for _, t := range words {
			for _, w := range splitWords(t) {
				if lw := strings.ToLower(w); x.display[lw] == "" {
					x.display[lw] = w
				}
			}
		}
		pos := strconv.Itoa(i)
		x.docs++
		if err := add(pos, map[string]any{
			fieldName: e.Name, fieldContext: e.Lebenslage + "\n" + e.Themenfeld, fieldKeys: e.ID,
			fieldWords: strings.Join(words, "\n"), fieldThemenfeld: e.Themenfeld, fieldState: e.State,
		}); err != nil {
			return err
		}
		for j, l := range e.Leistungen {
			doc := map[string]any{fieldName: l.Name, fieldService: e.Name, fieldKeys: l.Key, fieldThemenfeld: e.Themenfeld, fieldState: e.State}
			if err := add(pos+"/"+strconv.Itoa(j), doc); err != nil {
				return err
			}
			x.docs++
		}
	}
	for i, s := range x.synonyms {
		if err := b.IndexSynonym(synonymIDPrefix+strconv.Itoa(i), synonymCollection, &bleve.SynonymDefinition{Input: s.Input, Synonyms: s.Words}); err != nil {
			return fmt.Errorf("indexing synonyms %v: %w", s.Words, err)
		}
	}
	if err := x.index.Batch(b); err != nil {
		return fmt.Errorf("building the search index: %w", err)
	}
	return nil
}

// synonymIDPrefix starts the IDs of the synonym definitions, which are
// documents of the index too.
const synonymIDPrefix = "synonym-"

// Request is a search: the text, the filters, and how many services to
// return.
type Request struct {
	Text string
	// Themenfeld and State, when set, keep only the services with them.
	Themenfeld, State string
	// Limit bounds the services returned; 0 returns all that match.
	Limit int
}

// Result is what a search found.
type Result struct {
	// Services are the positions of the entries found, best first.
	Services []int
	// More tells that more services match than Services lists.
	More bool
}

// Find searches: by the engine's BM25 score, then the near services,
// then in entry order. A word matches with as many typos as its length
// allows, every word counts on its own, and more matching words rank
// higher. A service ranks where its best document does; with a limit, the
// services are the first of that ranking, and More tells that it goes on.
func (x *Index) Find(ctx context.Context, req Request) (Result, error) {
	defer runtime.KeepAlive(x)
	text := strings.TrimSpace(req.Text)
	if text == "" || len(x.near) == 0 {
		return Result{}, nil
	}
	r, err := x.reader()
	if err != nil {
		return Result{}, err
	}
	defer r.Close()
	q, err := x.query(r, text)
	if err != nil {
		return Result{}, fmt.Errorf("searching %q: %w", text, err)
	}
	if filter := filters(req); filter != nil {
		b := bleve.NewBooleanQuery()
		b.AddMust(q)
		b.AddFilter(filter)
		q = b
	}
	best, err := x.bestScores(ctx, q)
	if err != nil {
		return Result{}, fmt.Errorf("searching %q: %w", text, err)
	}
	var services []int
	for i, score := range best {
		if score > 0 {
			services = append(services, i)
		}
	}
	// Equal scores: near services first, then catalogue order.
	slices.SortFunc(services, func(a, b int) int {
		return cmp.Or(cmp.Compare(best[b], best[a]), compareBool(x.near[b], x.near[a]), cmp.Compare(a, b))
	})
	if req.Limit > 0 && len(services) > req.Limit {
		return Result{Services: services[:req.Limit], More: true}, nil
	}
	return Result{Services: services}, nil
}

// bestScores scores every document q matches and returns, by entry, the
// best score of its documents; 0 where none matches (BM25 scores a match
// above 0). A service with 200 LeiKa services matching takes one place,
// not 200: the engine's collector, which keeps the best documents, would
// need more documents the more a bundle's LeiKa services fill them, and
// reading a hit's ID back from the index costs more than scoring it. So
// the hits go to a handler of ours (the engine's hook for collecting
// otherwise) that keeps each entry's best, by the documents' internal
// numbers.
func (x *Index) bestScores(ctx context.Context, q query.Query) ([]float64, error) {
	best := make([]float64, len(x.near))
	keepBest := func(sctx *search.SearchContext) (search.DocumentMatchHandler, bool, error) {
		return func(d *search.DocumentMatch) error {
			if d == nil {
				return nil
			}
			if n := d.IndexInternalID.Value(); n < uint64(len(x.entryOf)) {
				if i := x.entryOf[n]; i >= 0 && d.Score > best[i] {
					best[i] = d.Score
				}
			}
			sctx.DocumentMatchPool.Put(d)
			return nil
		}, false, nil
	}
	ctx = context.WithValue(ctx, search.MakeDocumentMatchHandlerKey, search.MakeDocumentMatchHandler(keepBest))
	if _, err := x.index.SearchInContext(ctx, bleve.NewSearchRequestOptions(q, 0, 0, false)); err != nil {
		return nil, err
	}
	return best, nil
}

// maxDocumentNumber bounds the internal numbers mapDocuments accepts: the
// engine numbers a snapshot's documents from 0 without gaps.
const maxDocumentNumber = 1 << 24

// mapDocuments maps each document's internal number to its entry's
// position (the part of its ID before the slash).
func (x *Index) mapDocuments() error {
	r, err := x.reader()
	if err != nil {
		return err
	}
	defer r.Close()
	ids, err := r.DocIDReaderAll()
	if err != nil {
		return err
	}
	defer ids.Close()
	x.entryOf = nil
	for {
		id, err := ids.Next()
		if err != nil || id == nil {
			return err
		}
		ext, err := r.ExternalID(id)
		if err != nil {
			return err
		}
		if strings.HasPrefix(ext, synonymIDPrefix) {
			continue
		}
		entry, _, _ := strings.Cut(ext, "/")
		i, err := strconv.Atoi(entry)
		if err != nil || i < 0 || i >= len(x.near) {
			return fmt.Errorf("search document %q names no service", ext)
		}
		n := id.Value()
		if n >= maxDocumentNumber {
			return fmt.Errorf("search document %q has the internal number %d", ext, n)
		}
		for uint64(len(x.entryOf)) <= n {
			x.entryOf = append(x.entryOf, -1)
		}
		x.entryOf[n] = i
	}
}

// reader opens the index's term dictionaries, which the engine's search
// API does not reach: corrections and suggestions read them.
func (x *Index) reader() (index.IndexReader, error) {
	adv, err := x.index.Advanced()
	if err != nil {
		return nil, err
	}
	return adv.Reader()
}

// filters is the engine filter of req's Themenfeld and State, nil if it
// has none.
func filters(req Request) query.Query {
	var qs []query.Query
	for _, f := range []struct{ field, value string }{{fieldThemenfeld, req.Themenfeld}, {fieldState, req.State}} {
		if f.value != "" {
			q := bleve.NewTermQuery(f.value)
			q.SetField(f.field)
			qs = append(qs, q)
		}
	}
	if len(qs) == 0 {
		return nil
	}
	return bleve.NewConjunctionQuery(qs...)
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// maxCorrections bounds the words of the portal a mistyped word is
// searched as: the nearest, most used first.
const maxCorrections = 4

// maxQueryWords bounds the words of a query that are searched, and so
// what one request can cost: citizens type two or three.
const maxQueryWords = 10

// query is the engine query for text: one clause a word of it, so that
// the engine's coordination ranks a service by how many of the words it
// matches, then by how well. A word matches in any field, as written and
// split into its parts; synonyms apply in every field that has them. A
// word the portal does not use is also searched as the portal's words
// within the typos its length allows (Bleve's Levenshtein automaton over
// the vocabulary, once a word), each counting less the more it differs.
func (x *Index) query(r index.IndexReader, text string) (query.Query, error) {
	whole := x.mapping.AnalyzerNamed(analyzerQueryWords)
	parts := x.mapping.AnalyzerNamed(analyzerQuery)
	typed := splitWords(text)
	if len(typed) > maxQueryWords {
		typed = typed[:maxQueryWords]
	}
	// Each word, and each pair of neighbours joined, so that "Hunde
	// Steuer" also finds the Hundesteuer.
	candidates := slices.Clone(typed)
	for i := 1; i < len(typed); i++ {
		candidates = append(candidates, typed[i-1]+typed[i])
	}
	var words []query.Query
	for i, w := range candidates {
		joined := i >= len(typed)
		var clauses []query.Query
		add := func(term, field string, boost float64) {
			q := bleve.NewTermQuery(term)
			q.SetField(field)
			q.SetBoost(boost)
			clauses = append(clauses, q)
		}
		split := parts.Analyze([]byte(w))
		for _, t := range whole.Analyze([]byte(w)) {
			terms := []correction{{term: string(t.Term)}}
			// A word made entirely of the dictionary's parts ("Kitaplatz")
			// has no typo to look for ("Personalausweiss" has one).
			if !joined && !composed(split, utf8.RuneCountInString(fold(w))) {
				more, err := x.corrections(r, w, string(t.Term))
				if err != nil {
					return nil, err
				}
				terms = append(terms, more...)
			}
			for _, f := range textFields {
				for _, c := range terms {
					add(c.term, f.field, f.boost/float64(1+c.distance))
				}
			}
		}
		for _, t := range split {
			for _, f := range textFields {
				if f.parts {
					add(string(t.Term), f.field+partsSuffix, f.boost*boostParts)
				}
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
	return bleve.NewDisjunctionQuery(words...), nil
}

// composed tells that the parts the decompounder found in a word of n
// letters (the tokens after the word itself, with their offsets in it)
// cover every letter of it.
func composed(tokens analysis.TokenStream, n int) bool {
	if len(tokens) < 2 {
		return false
	}
	covered := make([]bool, n)
	for _, t := range tokens[1:] {
		for i := max(t.Start, 0); i < min(t.End, n); i++ {
			covered[i] = true
		}
	}
	return !slices.Contains(covered, false)
}

// correction is a word of the portal a query's word may mean.
type correction struct {
	term     string
	distance uint8
}

// corrections returns what the portal's words within the typos its
// length allows of a word typed (the first letter must match) are
// searched as, when the portal does not use the word (term, as analysed)
// itself. The typed word is compared as written, not stemmed: a typo can
// make the stemmer cut a word short ("Sterbeurkunge" to "sterbeurk").
func (x *Index) corrections(r index.IndexReader, typed, term string) ([]correction, error) {
	fuzz := fuzziness(typed)
	if fuzz == 0 || x.synonymTerms[term] || !strings.ContainsFunc(typed, unicode.IsLetter) {
		// Numbers (an OZG-ID, a LeiKa key) are no words with typos.
		return nil, nil
	}
	if c, ok := r.(index.IndexReaderContains); ok {
		// The name field holds every name, its words as the query's.
		d, err := c.FieldDictContains(fieldName)
		if err != nil {
			return nil, err
		}
		if known, err := d.Contains([]byte(term)); err != nil || known {
			return nil, err
		}
	}
	fuzzy, ok := r.(index.IndexReaderFuzzy)
	if !ok {
		return nil, nil
	}
	typed = strings.ToLower(typed)
	prefix, _ := utf8.DecodeRuneInString(typed)
	// One edit first: most typos are one, and its automaton costs a
	// fraction of two edits'.
	var entries []index.DictEntry
	for f := 1; f <= fuzz && len(entries) == 0; f++ {
		d, err := fuzzy.FieldDictFuzzy(fieldWords, typed, f, string(prefix))
		if err != nil {
			return nil, err
		}
		if entries, err = dictEntries(d); err != nil {
			return nil, err
		}
	}
	whole := x.mapping.AnalyzerNamed(analyzerWholeWords)
	var out []correction
	for _, e := range entries[:min(maxCorrections, len(entries))] {
		for _, t := range whole.Analyze([]byte(e.Term)) {
			out = append(out, correction{term: string(t.Term), distance: e.EditDistance})
		}
	}
	return out, nil
}

// textFields are the text fields searched, their boosts, and whether
// they are indexed with compounds split too (see newMapping).
var textFields = []struct {
	field string
	boost float64
	parts bool
}{{fieldName, boostName, true}, {fieldService, boostService, false}, {fieldContext, boostContext, false}}
