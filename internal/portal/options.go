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
		o.themenfeld = map[string]template.HTML{}
		for _, selected := range append([]string{""}, s.themenfelder...) {
			var opts []option
			for _, t := range s.themenfelder {
				opts = append(opts, option{Value: t, Label: t, Selected: t == selected})
			}
			if o.themenfeld[selected], o.err = renderOptions(opts); o.err != nil {
				return
			}
		}
		o.state = map[portaldata.State]template.HTML{}
		for _, selected := range append([]portaldata.State{""}, portaldata.States...) {
			var opts []option
			for _, st := range portaldata.States {
				opts = append(opts, option{Value: string(st), Label: stateLabel(st), Selected: st == selected})
			}
			if o.state[selected], o.err = renderOptions(opts); o.err != nil {
				return
			}
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

func renderOptions(opts []option) (template.HTML, error) {
	b, err := executeTemplate("options", opts)
	// The template escaped every value in it.
	return template.HTML(b), err //nolint:gosec
}
