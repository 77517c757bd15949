package search

import (
	"fmt"
	"strings"
)

// Synonym is one line of the synonym list: Input are also searched as
// Words; without Input, each of Words is searched as all the others.
type Synonym struct {
	Input []string
	Words []string
}

// Synonyms returns the shipped synonym list (data/synonyms.txt).
func Synonyms() ([]Synonym, error) { return parseSynonyms(synonymsFile) }

// parseSynonyms reads a synonym list in the format of Solr's synonym
// files, which most search engines read: "a, b, c" makes the words
// equivalent, "a, b => c" searches a and b also as c. Words are single
// words: the engine looks synonyms up word by word.
func parseSynonyms(file []byte) ([]Synonym, error) {
	var out []Synonym
	for i, line := range strings.Split(string(file), "\n") {
		line, _, _ = strings.Cut(line, "#")
		if strings.TrimSpace(line) == "" {
			continue
		}
		left, right, explicit := strings.Cut(line, "=>")
		var s Synonym
		var err error
		if explicit {
			if s.Input, err = synonymWords(left); err == nil {
				s.Words, err = synonymWords(right)
			}
		} else if s.Words, err = synonymWords(left); err == nil && len(s.Words) < 2 {
			err = fmt.Errorf("a group needs two words at least")
		}
		if err != nil {
			return nil, fmt.Errorf("synonyms line %d %q: %w", i+1, strings.TrimSpace(line), err)
		}
		out = append(out, s)
	}
	return out, nil
}

func synonymWords(list string) ([]string, error) {
	var words []string
	for _, w := range strings.Split(list, ",") {
		w = strings.TrimSpace(w)
		if w == "" {
			return nil, fmt.Errorf("empty word")
		}
		if strings.ContainsFunc(w, func(r rune) bool { return r == ' ' || r == '\t' }) {
			return nil, fmt.Errorf("%q is more than one word", w)
		}
		words = append(words, w)
	}
	return words, nil
}
