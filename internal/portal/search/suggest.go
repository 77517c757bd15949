package search

import (
	"cmp"
	"runtime"
	"slices"
	"strings"
	"unicode/utf8"

	index "github.com/blevesearch/bleve_index_api"
)

// minSuggestLength is the shortest query word suggestions are looked for:
// shorter words are near too many others to suggest anything useful.
const minSuggestLength = 3

// Suggest returns up to n words of the portal's texts that are near the
// words of text, for a search that found nothing: first the words within
// the edits a typo of the word's length may have, one at least (nearest
// and most used first), then, when there are none, the words that begin
// like it (four letters, or three for a short word). They are spelled as
// the texts spell them.
func (x *Index) Suggest(text string, n int) ([]string, error) {
	r, err := x.reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	fuzzy, ok := r.(index.IndexReaderFuzzy)
	if !ok {
		return nil, nil
	}
	defer runtime.KeepAlive(x)
	query := x.mapping.AnalyzerNamed(analyzerQueryWords)
	var out []string
	seen := map[string]bool{}
	for _, w := range splitWords(strings.ToLower(text)) {
		if utf8.RuneCountInString(w) < minSuggestLength {
			continue
		}
		// As many edits as a typo of its length may have, one at least.
		d, err := fuzzy.FieldDictFuzzy(fieldWords, w, max(1, fuzziness(w)), "")
		if err != nil {
			return nil, err
		}
		near, err := dictEntries(d)
		if err != nil {
			return nil, err
		}
		if len(near) == 0 {
			prefix := string([]rune(w)[:min(4, utf8.RuneCountInString(w))])
			if d, err = r.FieldDictPrefix(fieldWords, []byte(prefix)); err != nil {
				return nil, err
			}
			if near, err = dictEntries(d); err != nil {
				return nil, err
			}
		}
		for _, e := range near {
			// A word the search drops (beantragen, melden) finds nothing;
			// a short one (IA, EU) says nothing.
			if utf8.RuneCountInString(e.Term) < minSuggestLength || len(query.Analyze([]byte(e.Term))) == 0 {
				continue
			}
			if word := x.display[e.Term]; word != "" && !seen[e.Term] && e.Term != w {
				seen[e.Term] = true
				out = append(out, word)
			}
			if len(out) == n {
				return out, nil
			}
		}
	}
	return out, nil
}

// dictEntries reads a term dictionary, nearest and most used terms first.
func dictEntries(d index.FieldDict) ([]index.DictEntry, error) {
	defer d.Close()
	var out []index.DictEntry
	for {
		e, err := d.Next()
		if err != nil || e == nil {
			slices.SortStableFunc(out, func(a, b index.DictEntry) int {
				return cmp.Or(cmp.Compare(a.EditDistance, b.EditDistance), cmp.Compare(b.Count, a.Count), strings.Compare(a.Term, b.Term))
			})
			return out, err
		}
		out = append(out, *e)
	}
}

// Keywords returns the synonyms that a text (a LeiKa service's name) is
// found by besides its own words: for each synonym line whose target
// words the text contains (after the analysis the index applies: folded,
// split, stemmed), the words that lead to them. The Portalverbund feed
// publishes them as the service's keywords.
func (x *Index) Keywords(text string) []string {
	var out []string
	seen := map[string]bool{}
	have := map[string]bool{}
	tokens := x.mapping.AnalyzerNamed(analyzerText).Analyze([]byte(text))
	for _, t := range tokens {
		have[string(t.Term)] = true
	}
	for _, t := range tokens {
		for _, line := range x.synonymLines[string(t.Term)] {
			for _, w := range x.synonymInputs(line) {
				if k := x.term(w); !seen[k] && !have[k] {
					seen[k] = true
					out = append(out, w)
				}
			}
		}
	}
	return out
}

// synonymInputs are the words that lead to a synonym line's words: its
// input, or for a group all of its words.
func (x *Index) synonymInputs(line int) []string {
	if s := x.synonyms[line]; s.Input != nil {
		return s.Input
	}
	return x.synonyms[line].Words
}

// term is w as the synonym source analyses it: one term.
func (x *Index) term(w string) string {
	tokens := x.mapping.AnalyzerNamed(analyzerTerm).Analyze([]byte(w))
	if len(tokens) != 1 {
		return ""
	}
	return string(tokens[0].Term)
}

// indexSynonymLines maps each synonym line's target words, analysed, to
// the line, for Keywords, and notes every word of the list, analysed,
// for corrections.
func (x *Index) indexSynonymLines() {
	x.synonymLines = map[string][]int{}
	x.synonymTerms = map[string]bool{}
	for i, s := range x.synonyms {
		for _, w := range append(slices.Clone(s.Input), s.Words...) {
			x.synonymTerms[x.term(w)] = true
		}
		for _, w := range s.Words {
			if t := x.term(w); t != "" && !slices.Contains(x.synonymLines[t], i) {
				x.synonymLines[t] = append(x.synonymLines[t], i)
			}
		}
	}
}
