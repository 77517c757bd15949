// Package recount is the test oracle for the roll-up statuses: it counts
// from the ServicePortals and Administrations alone, by brute force and
// without any of the controllers' indexes or caches, what every
// Administration and OZGService status must show, and compares stored
// statuses with that. Tests and benchmarks in several packages share it so
// that they all hold the controllers to the same rules.
package recount

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// Expected is what a brute-force recount from the portals and
// administrations says every roll-up status must show.
type Expected struct {
	// Administrations is by Administration name, every administration given.
	Administrations map[string]Administration
	// Services is by OZGService name; a service no administration tracks
	// is absent (all zero).
	Services map[string]Service
}

// Administration is what an Administration's status must show.
type Administration struct {
	// Services is its spec.services by state (unset state counts as Open).
	Services ozgv1.StateCounts
	// Online counts its Live services, if its portal is Ready and Published.
	Online int32
	// Portal says that some portal not being deleted serves it.
	Portal bool
	// PortalReady says that the chosen portal's Ready condition is True.
	PortalReady bool
	// PortalPublished says that the chosen portal's Published condition is True.
	PortalPublished bool
}

// Service is what an OZGService's status must show.
type Service struct {
	// Administrations counts the administrations tracking it, by the state
	// they give it.
	Administrations ozgv1.StateCounts
	// Portals counts the administrations tracking it that have a portal.
	Portals int32
	// OnlinePortals counts the administrations tracking it whose portal is
	// Ready and Published and that have it Live.
	OnlinePortals int32
	// Tools are the five most used tools of its Live implementations as
	// "name=count,..." (see ToolsString), the most used first.
	Tools string
}

// ToolsString writes tool uses as Service.Tools does.
func ToolsString(uses []ozgv1.ToolUse) string {
	parts := make([]string, len(uses))
	for i, u := range uses {
		parts[i] = fmt.Sprintf("%s=%d", u.Name, u.Live)
	}
	return strings.Join(parts, ",")
}

// recountTools counts the tools of the Live implementations of each
// service by brute force: names equal without case and spaces are one
// tool, named by its most frequent spelling (ties: the first in byte
// order).
func recountTools(adms []ozgv1.Administration) map[string]string {
	spellings := map[string]map[string]map[string]int32{} // service, key, spelling
	for i := range adms {
		for _, impl := range adms[i].Spec.Services {
			key := strings.ToLower(strings.Join(strings.Fields(impl.Tool), ""))
			if impl.State != ozgv1.StateLive || key == "" {
				continue
			}
			if spellings[impl.Service] == nil {
				spellings[impl.Service] = map[string]map[string]int32{}
			}
			if spellings[impl.Service][key] == nil {
				spellings[impl.Service][key] = map[string]int32{}
			}
			spellings[impl.Service][key][impl.Tool]++
		}
	}
	out := map[string]string{}
	for service, byKey := range spellings {
		var uses []ozgv1.ToolUse
		for _, s := range byKey {
			names := slices.Sorted(maps.Keys(s))
			best, total := names[0], int32(0)
			for _, n := range names {
				total += s[n]
				if s[n] > s[best] {
					best = n
				}
			}
			uses = append(uses, ozgv1.ToolUse{Name: strings.TrimSpace(best), Live: total})
		}
		sort.Slice(uses, func(i, j int) bool {
			if uses[i].Live != uses[j].Live {
				return uses[i].Live > uses[j].Live
			}
			return uses[i].Name < uses[j].Name
		})
		out[service] = ToolsString(uses[:min(len(uses), ozgv1.MaxServiceTools)])
	}
	return out
}

// Recount computes Expected from the objects alone. Portals being deleted
// do not count, nor portals stalled because their Administration is
// another IT provider's. Of several portals serving one administration the most
// advanced is chosen: Ready and Published before Ready before neither,
// ties broken by "namespace/name" ascending. Ready and Published are the
// portal's conditions, regardless of their observedGeneration. The
// objects are only read.
func Recount(portals []ozgv1.ServicePortal, adms []ozgv1.Administration) Expected {
	chosen := make(map[string]*ozgv1.ServicePortal, len(portals))
	for i := range portals {
		p := &portals[i]
		if !p.DeletionTimestamp.IsZero() || ofAnotherProvider(p) {
			continue
		}
		adm := p.Spec.AdministrationRef.Name
		if best, ok := chosen[adm]; !ok || moreAdvanced(p, best) {
			chosen[adm] = p
		}
	}

	want := Expected{
		Administrations: make(map[string]Administration, len(adms)),
		Services:        map[string]Service{},
	}
	for i := range adms {
		a := &adms[i]
		var w Administration
		if p, ok := chosen[a.Name]; ok {
			w.Portal = true
			w.PortalReady, w.PortalPublished = portalState(p)
		}
		online := w.PortalReady && w.PortalPublished
		for _, impl := range a.Spec.Services {
			s := want.Services[impl.Service]
			count(&w.Services, impl.State)
			count(&s.Administrations, impl.State)
			if w.Portal {
				s.Portals++
			}
			if online && impl.State == ozgv1.StateLive {
				w.Online++
				s.OnlinePortals++
			}
			want.Services[impl.Service] = s
		}
		want.Administrations[a.Name] = w
	}
	for service, tools := range recountTools(adms) {
		s := want.Services[service]
		s.Tools = tools
		want.Services[service] = s
	}
	return want
}

// count adds one implementation in state to c; an unset state is Open,
// the API's default.
func count(c *ozgv1.StateCounts, state ozgv1.ServiceState) {
	switch state {
	case ozgv1.StateLive:
		c.Live++
	case ozgv1.StateInProgress:
		c.InProgress++
	default:
		c.Open++
	}
}

func portalState(p *ozgv1.ServicePortal) (ready, published bool) {
	return meta.IsStatusConditionTrue(p.Status.Conditions, ozgv1.ReadyCondition),
		meta.IsStatusConditionTrue(p.Status.Conditions, ozgv1.PublishedCondition)
}

// advancement ranks a portal: 0 Ready and Published, 1 Ready, 2 neither.
func advancement(p *ozgv1.ServicePortal) int {
	switch ready, published := portalState(p); {
	case ready && published:
		return 0
	case ready:
		return 1
	}
	return 2
}

func moreAdvanced(p, than *ozgv1.ServicePortal) bool {
	if a, b := advancement(p), advancement(than); a != b {
		return a < b
	}
	return p.Namespace+"/"+p.Name < than.Namespace+"/"+than.Name
}

// Difference is one stored status that does not show what the recount
// expects.
type Difference struct {
	// Kind is "Administration" or "OZGService".
	Kind string
	// Name is the object's name.
	Name string
	// Problems says what differs, one phrase each.
	Problems []string
}

func (d Difference) String() string {
	return d.Kind + "/" + d.Name + ": " + strings.Join(d.Problems, "; ")
}

// Compare lists the administrations and services whose stored status
// differs from expected, one Difference per object, in the order given.
// Besides the counts, every status must be of the object's current
// generation and Ready. A service is compared with the all-zero status
// when expected lacks it; an administration that expected lacks is a
// difference of its own (it was not recounted).
func Compare(expected Expected, adms []ozgv1.Administration, services []ozgv1.OZGService) []Difference {
	var diffs []Difference
	for i := range adms {
		a := &adms[i]
		if problems := administrationProblems(expected, a); len(problems) > 0 {
			diffs = append(diffs, Difference{Kind: "Administration", Name: a.Name, Problems: problems})
		}
	}
	for i := range services {
		s := &services[i]
		if problems := serviceProblems(expected.Services[s.Name], s); len(problems) > 0 {
			diffs = append(diffs, Difference{Kind: "OZGService", Name: s.Name, Problems: problems})
		}
	}
	return diffs
}

// Diff is Compare as human-readable lines, "Kind/name: what differs".
func Diff(expected Expected, adms []ozgv1.Administration, services []ozgv1.OZGService) []string {
	diffs := Compare(expected, adms, services)
	lines := make([]string, len(diffs))
	for i, d := range diffs {
		lines[i] = d.String()
	}
	return lines
}

func administrationProblems(expected Expected, a *ozgv1.Administration) []string {
	want, ok := expected.Administrations[a.Name]
	if !ok {
		return []string{"not in the recount"}
	}
	got := &a.Status
	problems := current(a.Generation, got.ObservedGeneration, got.Conditions)
	if got.Services != want.Services {
		problems = append(problems, fmt.Sprintf("services %+v, recount %+v", got.Services, want.Services))
	}
	if got.Online != want.Online {
		problems = append(problems, fmt.Sprintf("online %d, recount %d", got.Online, want.Online))
	}
	switch {
	case (got.Portal != nil) != want.Portal:
		problems = append(problems, fmt.Sprintf("portal %+v, recount: has a portal %t", got.Portal, want.Portal))
	case want.Portal && (got.Portal.Ready != want.PortalReady || got.Portal.Published != want.PortalPublished):
		problems = append(problems, fmt.Sprintf("portal ready %t published %t, recount ready %t published %t",
			got.Portal.Ready, got.Portal.Published, want.PortalReady, want.PortalPublished))
	}
	return problems
}

func serviceProblems(want Service, s *ozgv1.OZGService) []string {
	got := &s.Status
	problems := current(s.Generation, got.ObservedGeneration, got.Conditions)
	if got.Administrations != want.Administrations {
		problems = append(problems, fmt.Sprintf("administrations %+v, recount %+v", got.Administrations, want.Administrations))
	}
	if got.Portals != want.Portals || got.OnlinePortals != want.OnlinePortals {
		problems = append(problems, fmt.Sprintf("portals %d online %d, recount portals %d online %d",
			got.Portals, got.OnlinePortals, want.Portals, want.OnlinePortals))
	}
	if tools := ToolsString(got.Tools); tools != want.Tools {
		problems = append(problems, fmt.Sprintf("tools %q, recount %q", tools, want.Tools))
	}
	return problems
}

// current lists what keeps a status from being the Ready status of the
// object's current generation.
func current(generation, observed int64, conditions []metav1.Condition) []string {
	var problems []string
	if observed != generation {
		problems = append(problems, fmt.Sprintf("observedGeneration %d, generation %d", observed, generation))
	}
	switch ready := meta.FindStatusCondition(conditions, ozgv1.ReadyCondition); {
	case ready == nil:
		problems = append(problems, "no Ready condition")
	case ready.Status != metav1.ConditionTrue:
		problems = append(problems, fmt.Sprintf("Ready %s (%s: %s)", ready.Status, ready.Reason, ready.Message))
	}
	return problems
}

// ofAnotherProvider tells that p's controller found its Administration to
// be another IT provider's (Stalled, AdministrationOfAnotherProvider).
func ofAnotherProvider(p *ozgv1.ServicePortal) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == ozgv1.StalledCondition {
			return c.Status == metav1.ConditionTrue && c.Reason == ozgv1.ReasonAdministrationOfAnotherProvider
		}
	}
	return false
}
