package portal

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/ozg-operator/ozg-operator/internal/portaldata"
)

// Query parameters of the page and the JSON API.
const (
	paramQuery      = "q"
	paramThemenfeld = "themenfeld"
	paramState      = "state"
)

// maxQueryLength bounds the search text; the form's input enforces the same.
const maxQueryLength = 200

// filter selects services by search text, Themenfeld and state. The zero
// filter selects everything.
type filter struct {
	// Query is matched, case-insensitively and with umlauts folded, against
	// the name, OZG-ID, Lebenslage and LeiKa names; every word must occur.
	Query string
	// Themenfeld selects one Themenfeld exactly.
	Themenfeld string
	// State selects one state.
	State portaldata.State

	terms []string
}

// parseFilter reads a filter from query parameters.
func parseFilter(v url.Values) (filter, error) {
	f := filter{
		Query:      strings.TrimSpace(v.Get(paramQuery)),
		Themenfeld: strings.TrimSpace(v.Get(paramThemenfeld)),
		State:      portaldata.State(v.Get(paramState)),
	}
	if !utf8.ValidString(f.Query) || !utf8.ValidString(f.Themenfeld) {
		return filter{}, errors.New("die Suchanfrage enthält ungültige Zeichen")
	}
	if utf8.RuneCountInString(f.Query) > maxQueryLength {
		return filter{}, fmt.Errorf("der Suchbegriff ist länger als %d Zeichen", maxQueryLength)
	}
	if utf8.RuneCountInString(f.Themenfeld) > 128 {
		return filter{}, errors.New("unbekanntes Themenfeld")
	}
	if f.State != "" && !f.State.Valid() {
		// The value is not echoed: it is arbitrary client input.
		return filter{}, errors.New("unbekannter Stand; erlaubt sind Live (Online), InProgress (In Arbeit) und Open (Offen)")
	}
	f.terms = strings.Fields(portaldata.FoldGerman(f.Query))
	return f, nil
}

// Active reports whether the filter selects less than everything.
func (f filter) Active() bool {
	return f.Query != "" || f.Themenfeld != "" || f.State != ""
}

// key identifies the page the filter selects: the query as typed (the
// search field shows it), the Themenfeld and the state.
func (f filter) key() string {
	return f.Query + "\x00" + f.Themenfeld + "\x00" + string(f.State)
}

// apply returns the indexes of the snapshot's services the filter selects.
func (f filter) apply(s *snapshot) []int {
	var idx []int
	for i := range s.doc.Services {
		svc := &s.doc.Services[i]
		if f.Themenfeld != "" && svc.Themenfeld != f.Themenfeld {
			continue
		}
		if f.State != "" && svc.State != f.State {
			continue
		}
		if !containsAll(s.searchText[i], f.terms) {
			continue
		}
		idx = append(idx, i)
	}
	return idx
}

func containsAll(text string, terms []string) bool {
	for _, t := range terms {
		if !strings.Contains(text, t) {
			return false
		}
	}
	return true
}
