// Package slug turns German names into Kubernetes object names and label
// values: "Bauen & Wohnen" becomes "bauen-und-wohnen", "Städteregion Aachen"
// becomes "staedteregion-aachen".
package slug

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// MaxLabelValue is the longest valid label value, and also the longest DNS
// label: object names made here must fit into one, because portal host
// names are built from them.
const MaxLabelValue = 63

// German umlauts have a conventional ASCII spelling; the generic
// decomposition below would turn "Münster" into "munster".
var german = strings.NewReplacer(
	"ä", "ae", "ö", "oe", "ü", "ue", "ß", "ss",
	"Ä", "Ae", "Ö", "Oe", "Ü", "Ue", "ẞ", "Ss",
	"&", " und ",
)

// Make returns s in lower case ASCII letters, digits and single hyphens,
// with no hyphen at either end. It may return "" for a name without
// letters or digits.
func Make(s string) string {
	s = german.Replace(s)
	// Other diacritics (é, ç, ...) lose their marks.
	s, _, _ = transform.String(transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC), s)

	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
			continue
		}
		hyphen = true
	}
	return b.String()
}

// Truncate shortens a slug to at most n bytes without leaving a hyphen at
// its end.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.TrimRight(s[:n], "-")
}

// LabelValue returns Make(s) shortened to a valid label value.
func LabelValue(s string) string {
	return Truncate(Make(s), MaxLabelValue)
}
