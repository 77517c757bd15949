package search

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"strings"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/de"
	"github.com/blevesearch/bleve/v2/analysis/token/compound"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/stop"
	unicodetok "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/analysis/tokenmap"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"
)

// The word lists are data, reviewed like code: each file says where its
// entries come from.
var (
	//go:embed data/synonyms.txt
	synonymsFile []byte
	//go:embed data/compounds.txt
	compoundsFile []byte
	//go:embed data/query-stopwords.txt
	queryStopwordsFile []byte
)

// Names of the analysis components in an index's mapping.
const (
	// analyzerText analyses the indexed texts: Unicode words, lower case,
	// German stop words, umlauts folded (ä=ae=a, ß=ss), compounds split
	// into the parts the dictionary knows, Snowball's German stemmer.
	analyzerText = "ozg_de"
	// analyzerQuery is analyzerText that also drops the words nearly every
	// query carries (beantragen, online, ...): they would only add noise.
	analyzerQuery = "ozg_de_query"
	// analyzerWholeWords is analyzerText without splitting compounds, and
	// analyzerQueryWords analyzerQuery without: a word as written counts
	// more than the parts it is made of.
	analyzerWholeWords = "ozg_de_words"
	analyzerQueryWords = "ozg_de_query_words"
	// analyzerTerm analyses one synonym: analyzerText without splitting,
	// so that a compound stays one term as the engine's synonym source
	// requires.
	analyzerTerm = "ozg_de_term"
	// analyzerWords keeps words as written, lower case: the vocabulary
	// that suggestions come from.
	analyzerWords = "ozg_words"

	compoundDict      = "ozg_compound_dict"
	compoundFilter    = "ozg_decompound"
	queryStopDict     = "ozg_query_stop_dict"
	queryStopFilter   = "ozg_query_stop"
	synonymSource     = "ozg_synonyms"
	synonymCollection = "ozg_synonyms"
)

// Field names of the index's documents.
const (
	fieldName    = "name"
	fieldService = "service"
	fieldContext = "context"
	fieldKeys    = "keys"
	fieldWords   = "words"
	// fieldThemenfeld and fieldState filter, as keywords.
	fieldThemenfeld = "themenfeld"
	fieldState      = "state"

	// partsSuffix names the field that holds a text with its compounds
	// split.
	partsSuffix = "_parts"
)

// Decompounding bounds: words shorter than minCompound are not split;
// parts are 3 letters at least (Kfz, Bau, Amt) and come only from the
// dictionary. Catalogue words join the dictionary from minCatalogPart
// letters on, so that short function words do not split everything.
const (
	minCompound    = 6
	minPart        = 3
	maxPart        = 24
	minCatalogPart = 5
)

// newMapping returns the index mapping of a portal's services; parts are
// the compound dictionary: the curated list and the words the catalogue
// uses on their own.
func newMapping(parts []string) (*mapping.IndexMappingImpl, error) {
	m := bleve.NewIndexMapping()
	m.ScoringModel = index.BM25Scoring
	m.IndexDynamic = false
	m.StoreDynamic = false
	m.DocValuesDynamic = false
	steps := []struct {
		name   string
		add    func(string, map[string]any) error
		config map[string]any
	}{
		{compoundDict, m.AddCustomTokenMap, map[string]any{"type": tokenmap.Name, "tokens": toAny(parts)}},
		{compoundFilter, m.AddCustomTokenFilter, map[string]any{
			"type": compound.Name, "dict_token_map": compoundDict,
			"min_word_size": float64(minCompound), "min_subword_size": float64(minPart),
			"max_subword_size": float64(maxPart), "only_longest_match": false,
		}},
		{queryStopDict, m.AddCustomTokenMap, map[string]any{"type": tokenmap.Name, "tokens": toAny(lines(queryStopwordsFile))}},
		{queryStopFilter, m.AddCustomTokenFilter, map[string]any{"type": stop.Name, "stop_token_map": queryStopDict}},
		{analyzerText, m.AddCustomAnalyzer, analyzerConfig(lowercase.Name, de.StopName, de.NormalizeName, compoundFilter, de.SnowballStemmerName)},
		{analyzerQuery, m.AddCustomAnalyzer, analyzerConfig(lowercase.Name, de.StopName, queryStopFilter, de.NormalizeName, compoundFilter, de.SnowballStemmerName)},
		{analyzerWholeWords, m.AddCustomAnalyzer, analyzerConfig(lowercase.Name, de.StopName, de.NormalizeName, de.SnowballStemmerName)},
		{analyzerQueryWords, m.AddCustomAnalyzer, analyzerConfig(lowercase.Name, de.StopName, queryStopFilter, de.NormalizeName, de.SnowballStemmerName)},
		{analyzerTerm, m.AddCustomAnalyzer, analyzerConfig(lowercase.Name, de.NormalizeName, de.SnowballStemmerName)},
		{analyzerWords, m.AddCustomAnalyzer, analyzerConfig(lowercase.Name)},
		{synonymSource, m.AddSynonymSource, map[string]any{"collection": synonymCollection, "analyzer": analyzerTerm}},
	}
	for _, s := range steps {
		if err := s.add(s.name, s.config); err != nil {
			return nil, fmt.Errorf("search mapping %s: %w", s.name, err)
		}
	}

	// A text is indexed with its words as written and, where compounds
	// matter (names), again with its compounds split (field name +
	// partsSuffix).
	text := func(name string, synonyms, parts bool) []*mapping.FieldMapping {
		fields := []struct{ analyzer, name string }{{analyzerWholeWords, name}}
		if parts {
			fields = append(fields, struct{ analyzer, name string }{analyzerText, name + partsSuffix})
		}
		var out []*mapping.FieldMapping
		for _, a := range fields {
			f := bleve.NewTextFieldMapping()
			f.Name, f.Analyzer = a.name, a.analyzer
			f.Store, f.IncludeTermVectors, f.IncludeInAll, f.DocValues = false, false, false, false
			if synonyms {
				f.SynonymSource = synonymSource
			}
			out = append(out, f)
		}
		return out
	}
	keys := bleve.NewTextFieldMapping()
	keys.Analyzer = keyword.Name
	keys.Store, keys.IncludeTermVectors, keys.IncludeInAll, keys.DocValues = false, false, false, false
	words := bleve.NewTextFieldMapping()
	words.Analyzer = analyzerWords
	words.Store, words.IncludeTermVectors, words.IncludeInAll, words.DocValues = false, false, false, false

	doc := bleve.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt(fieldName, text(fieldName, true, true)...)
	doc.AddFieldMappingsAt(fieldService, text(fieldService, true, false)...)
	doc.AddFieldMappingsAt(fieldContext, text(fieldContext, false, false)...)
	doc.AddFieldMappingsAt(fieldKeys, keys)
	doc.AddFieldMappingsAt(fieldThemenfeld, keys)
	doc.AddFieldMappingsAt(fieldState, keys)
	doc.AddFieldMappingsAt(fieldWords, words)
	m.DefaultMapping = doc
	m.DefaultAnalyzer = analyzerText
	// The fields of split compounds (name_parts, ...) are no properties
	// of their own, so the engine finds their synonym source here.
	m.DefaultSynonymSource = synonymSource
	return m, nil
}

func analyzerConfig(filters ...string) map[string]any {
	return map[string]any{"type": custom.Name, "tokenizer": unicodetok.Name, "token_filters": toAny(filters)}
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// lines returns a word list's entries: one a line, "#" starts a comment.
func lines(file []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(file))
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// compoundParts returns the compound dictionary for texts: the curated
// parts and every noun of minCatalogPart letters or more that the texts
// use on its own, lower case with umlauts folded as the analyzer folds
// them (the dictionary is consulted after folding).
func compoundParts(texts []string) []string {
	seen := map[string]bool{}
	var parts []string
	add := func(w string) {
		w = fold(w)
		if !seen[w] {
			seen[w] = true
			parts = append(parts, w)
		}
	}
	for _, w := range lines(compoundsFile) {
		add(w)
	}
	stopwords := map[string]bool{}
	for _, w := range lines(queryStopwordsFile) {
		stopwords[fold(w)] = true
	}
	for _, t := range texts {
		for _, w := range splitWords(t) {
			// Nouns only (German writes them capitalised): a verb part
			// would split "anmelden" into "melden".
			if r := []rune(w); len(r) >= minCatalogPart && unicode.IsUpper(r[0]) && !stopwords[fold(w)] {
				add(w)
			}
		}
	}
	return parts
}

// splitWords splits text into its words: runs of letters and digits.
func splitWords(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// fold lower-cases w and folds it as the German normalisation does
// (ä, ae -> a; ö, oe -> o; ü, ue -> u; ß -> ss), by running that filter.
func fold(w string) string {
	tokens := de.NewGermanNormalizeFilter().Filter(analysis.TokenStream{{Term: []byte(strings.ToLower(w))}})
	return string(tokens[0].Term)
}
