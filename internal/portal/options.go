package portal

import (
	"html/template"
	"sync"

	"github.com/ozg-operator/ozg-operator/internal/gzipjoin"
	"github.com/ozg-operator/ozg-operator/internal/portaldata"
)

// formOptions are the search form's options rendered, and compressed
// (gzipjoin), for every selection once per document: every page shows
// them, and executing the template for them cost more than a search's
// results.
type formOptions struct {
	once       sync.Once
	themenfeld map[string]renderedOptions
	state      map[portaldata.State]renderedOptions
	err        error
}

// renderedOptions are one selection's options, as HTML for the page
// template and compressed for a search's joined body, so that neither is
// converted per request.
type renderedOptions struct {
	html    template.HTML
	segment gzipjoin.Segment
}

// options returns the Themenfeld and state options with f's selected.
func (s *snapshot) options(f filter) (themenfeld, state template.HTML, err error) {
	t, st, err := s.selections(f)
	return t.html, st.html, err
}

// optionSegments returns the Themenfeld and state options with f's
// selected, compressed.
func (s *snapshot) optionSegments(f filter) (themenfeld, state gzipjoin.Segment, err error) {
	t, st, err := s.selections(f)
	return t.segment, st.segment, err
}

// selections returns the Themenfeld and state options with f's selected;
// a value the document does not know selects none.
func (s *snapshot) selections(f filter) (themenfeld, state renderedOptions, err error) {
	o := &s.formOptions
	o.once.Do(func() {
		if o.themenfeld, o.err = renderSelections(s.themenfelder, func(t string) string { return t }); o.err == nil {
			o.state, o.err = renderSelections(portaldata.States, stateLabel)
		}
	})
	if o.err != nil {
		return renderedOptions{}, renderedOptions{}, o.err
	}
	themenfeld, ok := o.themenfeld[f.Themenfeld]
	if !ok {
		themenfeld = o.themenfeld[""]
	}
	return themenfeld, o.state[f.State], nil
}

// renderSelections renders values as options once with none selected
// (key "") and once with each selected.
func renderSelections[T ~string](values []T, label func(T) string) (map[T]renderedOptions, error) {
	out := make(map[T]renderedOptions, len(values)+1)
	for _, selected := range append([]T{""}, values...) {
		opts := make([]option, len(values))
		for i, v := range values {
			opts[i] = option{Value: string(v), Label: label(v), Selected: v == selected}
		}
		b, err := executeTemplate("options", opts)
		if err != nil {
			return nil, err
		}
		// The template escaped every value in them.
		out[selected] = renderedOptions{html: template.HTML(b), segment: gzipjoin.Compress(b)} //nolint:gosec
	}
	return out, nil
}
