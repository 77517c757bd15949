package portal

import (
	"html/template"
	"sync"

	"github.com/ozg-operator/ozg-operator/internal/portaldata"
)

// formOptions are the search form's options rendered for every selection
// once per document: every page shows them, and executing the template
// for them cost more than a search's results.
type formOptions struct {
	once       sync.Once
	themenfeld map[string]template.HTML
	state      map[portaldata.State]template.HTML
	err        error
}

// options returns the Themenfeld and state options with f's selected; a
// value the document does not know selects none.
func (s *snapshot) options(f filter) (themenfeld, state template.HTML, err error) {
	o := &s.formOptions
	o.once.Do(func() {
		if o.themenfeld, o.err = renderSelections(s.themenfelder, func(t string) string { return t }); o.err == nil {
			o.state, o.err = renderSelections(portaldata.States, stateLabel)
		}
	})
	if o.err != nil {
		return "", "", o.err
	}
	themenfeld, ok := o.themenfeld[f.Themenfeld]
	if !ok {
		themenfeld = o.themenfeld[""]
	}
	return themenfeld, o.state[f.State], nil
}

// renderSelections renders values as options once with none selected
// (key "") and once with each selected.
func renderSelections[T ~string](values []T, label func(T) string) (map[T]template.HTML, error) {
	out := make(map[T]template.HTML, len(values)+1)
	for _, selected := range append([]T{""}, values...) {
		opts := make([]option, len(values))
		for i, v := range values {
			opts[i] = option{Value: string(v), Label: label(v), Selected: v == selected}
		}
		var err error
		if out[selected], err = renderOptions(opts); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func renderOptions(opts []option) (template.HTML, error) {
	b, err := executeTemplate("options", opts)
	// The template escaped every value in it.
	return template.HTML(b), err //nolint:gosec
}
