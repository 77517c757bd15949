package recount

import (
	"fmt"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/responsibility"
)

// Reach is what the responsibility part of the roll-up statuses must show,
// counted by brute force: for every administration and catalogue service,
// who is responsible (responsibility.For, with the profile compiled afresh)
// and whether that administration has it Live in a published, Ready
// portal, or an EfA service covers it.
type Reach struct {
	// PopulationTotal sums the inhabitants of the municipalities (every
	// administration but the Kreise).
	PopulationTotal int64
	// Online is, by OZGService name, the inhabitants for whom it is online.
	Online map[string]int64
	// Administrations is by Administration name.
	Administrations map[string]AdministrationReach
}

// AdministrationReach is what an Administration's status.responsibility
// must show.
type AdministrationReach struct {
	// Own counts the services it is responsible for itself, by state
	// (untracked ones as Open).
	Own ozgv1.StateCounts
	// Reachable counts the services online for its citizens.
	Reachable int32
}

// RecountReach computes Reach from the objects alone; they are only read.
func RecountReach(portals []ozgv1.ServicePortal, adms []ozgv1.Administration, services []ozgv1.OZGService, profiles []ozgv1.ResponsibilityProfile) Reach {
	chosen := map[string]*ozgv1.ServicePortal{}
	for i := range portals {
		p := &portals[i]
		if !p.DeletionTimestamp.IsZero() || ofAnotherProvider(p) {
			continue
		}
		if best, ok := chosen[p.Spec.AdministrationRef.Name]; !ok || moreAdvanced(p, best) {
			chosen[p.Spec.AdministrationRef.Name] = p
		}
	}
	online := func(adm string) bool {
		p, ok := chosen[adm]
		if !ok {
			return false
		}
		ready, published := portalState(p)
		return ready && published
	}
	byName := map[string]*ozgv1.Administration{}
	for i := range adms {
		byName[adms[i].Name] = &adms[i]
	}
	compiled := map[string]*responsibility.Profile{}
	for i := range profiles {
		compiled[profiles[i].Name] = responsibility.Compile(&profiles[i])
	}
	stateOf := func(a *ozgv1.Administration, service string) (ozgv1.ServiceState, bool) {
		for _, s := range a.Spec.Services {
			if s.Service == service {
				if s.State == "" {
					return ozgv1.DefaultServiceState, true
				}
				return s.State, true
			}
		}
		return "", false
	}

	r := Reach{Online: map[string]int64{}, Administrations: map[string]AdministrationReach{}}
	for i := range adms {
		a := &adms[i]
		var pop int64
		if a.Spec.Type != ozgv1.TypeKreis && a.Spec.Population != nil {
			pop = *a.Spec.Population
		}
		r.PopulationTotal += pop
		var kreis *ozgv1.Administration
		if responsibility.Kreisangehoerig(a) {
			kreis = byName[a.Spec.Parent]
		}
		var profile *responsibility.Profile
		if a.Spec.Responsibility != nil {
			profile = compiled[a.Spec.Responsibility.Profile]
		}
		var w AdministrationReach
		for j := range services {
			svc := &services[j]
			var responsible string
			if profile != nil {
				responsible = responsibility.For(svc.Name, profile.Place(svc), a, kreis).Administration
			} else if _, tracked := stateOf(a, svc.Name); tracked {
				responsible = a.Name
			}
			live := false
			if responsible == a.Name {
				state, tracked := stateOf(a, svc.Name)
				if !tracked {
					state = ozgv1.StateOpen
				}
				count(&w.Own, state)
				live = state == ozgv1.StateLive && online(a.Name)
			} else if kreis != nil && responsible == kreis.Name {
				state, _ := stateOf(kreis, svc.Name)
				live = state == ozgv1.StateLive && online(kreis.Name)
			}
			if live || svc.Spec.EfA != nil {
				w.Reachable++
				r.Online[svc.Name] += pop
			}
		}
		r.Administrations[a.Name] = w
	}
	return r
}

// CompareReach lists the administrations and services whose stored
// status.responsibility or status.population differs from r.
func CompareReach(r Reach, adms []ozgv1.Administration, services []ozgv1.OZGService) []Difference {
	var diffs []Difference
	for i := range adms {
		a := &adms[i]
		want := r.Administrations[a.Name]
		got := a.Status.Responsibility
		if got == nil || got.Own != want.Own || got.Reachable != want.Reachable {
			diffs = append(diffs, Difference{Kind: "Administration", Name: a.Name,
				Problems: []string{fmt.Sprintf("responsibility %+v, recount %+v", got, want)}})
		}
	}
	for i := range services {
		s := &services[i]
		got := s.Status.Population
		want := ozgv1.ServicePopulation{Total: r.PopulationTotal, Online: r.Online[s.Name]}
		if want.Total > 0 {
			want.Percent = int32(want.Online * 100 / want.Total)
		}
		if (got == nil) != (want.Total == 0) || got != nil && *got != want {
			diffs = append(diffs, Difference{Kind: "OZGService", Name: s.Name,
				Problems: []string{fmt.Sprintf("population %+v, recount %+v", got, want)}})
		}
	}
	return diffs
}
