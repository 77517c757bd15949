package portal

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/ozg-operator/ozg-operator/internal/portal/search"
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
	// Query is searched in the services' names, LeiKa names, Lebenslage,
	// Themenfeld and keys by the full-text index (package search), which
	// ranks the matches.
	Query string
	// Themenfeld selects one Themenfeld exactly.
	Themenfeld string
	// State selects one state.
	State portaldata.State
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

// maxHits bounds the services a search lists: the best matches; the
// page says when more match and how to narrow the search.
const maxHits = 20

// maxSuggestions bounds the words suggested when a search finds nothing.
const maxSuggestions = 5

// selection is what a filter selects of a snapshot.
type selection struct {
	// Services are the positions of the services to list, in order: by
	// relevance when the filter has a query (at most maxHits of them),
	// else in catalogue order.
	Services []int
	// More tells that a search matches more services than the best
	// maxHits it lists.
	More bool
	// Ranked tells that Services are ordered by relevance.
	Ranked bool
	// Suggestions are words of the portal near the query's, when the
	// query found nothing.
	Suggestions []string
}

// apply returns what f selects of the snapshot's services.
func (f filter) apply(ctx context.Context, s *snapshot) (selection, error) {
	keep := func(i int) bool {
		svc := &s.doc.Services[i]
		return (f.Themenfeld == "" || svc.Themenfeld == f.Themenfeld) && (f.State == "" || svc.State == f.State)
	}
	var sel selection
	if f.Query == "" {
		for i := range s.doc.Services {
			if keep(i) {
				sel.Services = append(sel.Services, i)
			}
		}
		return sel, nil
	}
	res, err := s.index.Find(ctx, search.Request{Text: f.Query, Themenfeld: f.Themenfeld, State: string(f.State), Limit: maxHits})
	if err != nil {
		return sel, err
	}
	sel.Ranked, sel.Services, sel.More = true, res.Services, res.More
	if len(sel.Services) == 0 {
		sel.Suggestions, err = s.index.Suggest(f.Query, maxSuggestions)
	}
	return sel, err
}
