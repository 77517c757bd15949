// Package reuse answers OZG-connect's question: who has built an OZG
// service, how far, with which tool, so that an administration can ask
// them for it instead of building it again.
package reuse

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/admservices"
)

// Nearness says how close an administration is to the one asking (--near).
type Nearness int

const (
	// SameKreis: both belong to the same Kreis (the first five digits of
	// their keys, AdministrationSpec.KreisKey).
	SameKreis Nearness = iota
	// SamePeer: the same type and size class, and the same IT provider.
	SamePeer
	// Other: neither.
	Other
)

func (n Nearness) String() string {
	switch n {
	case SameKreis:
		return "same Kreis"
	case SamePeer:
		return "same size class and provider"
	default:
		return ""
	}
}

// Implementation is one administration's implementation of the service.
type Implementation struct {
	Name        string             `json:"name"`
	DisplayName string             `json:"displayName"`
	State       ozgv1.ServiceState `json:"state"`
	Maturity    *int32             `json:"maturity"`
	Tool        string             `json:"tool"`
	URL         string             `json:"url"`
	// Online: Live, and the administration's portal is Ready and published.
	Online bool `json:"online"`

	// Near is how near it is to the administration the list is ranked
	// for; Document writes it as String does.
	Near Nearness `json:"-"`
}

// Result lists the administrations tracking a service.
type Result struct {
	Service         string           `json:"service"`
	Administrations []Implementation `json:"administrations"`
	// near is the administration the list is ranked for, if any.
	near string
}

// Find lists every administration in adms that tracks service, Live first,
// then In progress, then Open, each by maturity (highest first, none
// last), then by name. With near, the administrations of near's Kreis come
// first, then those of its type and size class with its IT provider, each
// group ordered as above; near itself is left out.
func Find(service string, adms []ozgv1.Administration, near *ozgv1.Administration) Result {
	r := Result{Service: service, Administrations: []Implementation{}}
	if near != nil {
		r.near = near.Name
	}
	for i := range adms {
		a := &adms[i]
		if near != nil && a.Name == near.Name {
			continue
		}
		for _, s := range admservices.Of(a) {
			if s.Service != service {
				continue
			}
			state := s.State
			if state == "" {
				state = ozgv1.DefaultServiceState
			}
			r.Administrations = append(r.Administrations, Implementation{
				Name: a.Name, DisplayName: a.Spec.DisplayName, State: state, Maturity: s.Maturity, Tool: strings.TrimSpace(s.Tool), URL: s.URL,
				Online: state == ozgv1.StateLive && a.Status.Portal.Online(),
				Near:   nearness(a, near),
			})
			break
		}
	}
	slices.SortFunc(r.Administrations, compare)
	return r
}

func nearness(a, near *ozgv1.Administration) Nearness {
	switch {
	case near == nil:
		return Other
	case a.Spec.KreisKey() == near.Spec.KreisKey():
		return SameKreis
	case a.Spec.Type == near.Spec.Type && a.Spec.SizeClass == near.Spec.SizeClass &&
		a.Spec.ITProvider != "" && a.Spec.ITProvider == near.Spec.ITProvider:
		return SamePeer
	default:
		return Other
	}
}

var stateRank = map[ozgv1.ServiceState]int{ozgv1.StateLive: 0, ozgv1.StateInProgress: 1, ozgv1.StateOpen: 2}

func compare(a, b Implementation) int {
	if c := cmp.Compare(a.Near, b.Near); c != 0 {
		return c
	}
	if c := cmp.Compare(stateRank[a.State], stateRank[b.State]); c != 0 {
		return c
	}
	if c := cmp.Compare(maturity(b.Maturity), maturity(a.Maturity)); c != 0 {
		return c
	}
	return cmp.Compare(a.Name, b.Name)
}

func maturity(m *int32) int32 {
	if m == nil {
		return -1
	}
	return *m
}

// Grid is the table of the administrations; ranked for an administration,
// it says how near each one is. CSV has the display names too, unset
// values empty.
func (r Result) Grid(csv bool) ([]string, [][]string, error) {
	header, rows := r.grid(csv)
	return header, rows, nil
}

// Document is {"service": ..., "administrations": [...]}; ranked for an
// administration, the document names it ("near") and each administration
// says how near it is ("near": "same Kreis", "same size class and
// provider" or ""), as the table and CSV do.
func (r Result) Document() (any, error) {
	type administration struct {
		Implementation
		Near *string `json:"near,omitempty"`
	}
	doc := struct {
		Service         string           `json:"service"`
		Near            string           `json:"near,omitempty"`
		Administrations []administration `json:"administrations"`
	}{Service: r.Service, Near: r.near, Administrations: make([]administration, 0, len(r.Administrations))}
	for _, a := range r.Administrations {
		row := administration{Implementation: a}
		if r.near != "" {
			row.Near = new(a.Near.String())
		}
		doc.Administrations = append(doc.Administrations, row)
	}
	return doc, nil
}

func (r Result) grid(csv bool) ([]string, [][]string) {
	header := []string{"NAME", "STATE", "MATURITY", "TOOL", "ONLINE", "URL"}
	if csv {
		header = []string{"name", "display_name", "state", "maturity", "tool", "online", "url"}
	}
	if r.near != "" {
		header = append(header, map[bool]string{false: "NEAR", true: "near"}[csv])
	}
	none := map[bool]string{false: "-", true: ""}[csv]
	rows := make([][]string, 0, len(r.Administrations))
	for _, a := range r.Administrations {
		m, tool, url := none, cmp.Or(a.Tool, none), cmp.Or(a.URL, none)
		if a.Maturity != nil {
			m = strconv.Itoa(int(*a.Maturity))
		}
		row := []string{a.Name, string(a.State), m, tool, strconv.FormatBool(a.Online), url}
		if csv {
			row = []string{a.Name, a.DisplayName, string(a.State), m, tool, strconv.FormatBool(a.Online), url}
		}
		if r.near != "" {
			row = append(row, cmp.Or(a.Near.String(), none))
		}
		rows = append(rows, row)
	}
	return header, rows
}
