package coverage

import (
	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/percent"
	"github.com/ozg-operator/ozg-operator/internal/responsibility"
)

// Reach is coverage counted for citizens: of every inhabitant's need of
// every catalogue service, the share that is online for them. A service is
// online for the inhabitants of a municipality when the administration
// responsible for it there (by the municipality's responsibility profile:
// the municipality itself, its Kreis) has it Live in a Ready, published
// portal, or when an EfA service covers it. Kreise have no inhabitants of
// their own: theirs are their municipalities'.
type Reach struct {
	// Population is the inhabitants counted.
	Population int64 `json:"population"`
	// PopulationReach is the share, rounded to four digits; null where no
	// inhabitants are counted.
	PopulationReach *float64 `json:"populationReach"`

	// reached sums inhabitants × services online for them, possible
	// inhabitants × services.
	reached, possible float64
}

// Share is the population-weighted share online, and false where no
// inhabitants are counted.
func (r Reach) Share() (float64, bool) {
	if r.possible == 0 {
		return 0, false
	}
	return r.reached / r.possible, true
}

func (r *Reach) add(population int64, online, services int) {
	r.reached += float64(population) * float64(online)
	r.possible += float64(population) * float64(services)
}

func (r *Reach) merge(o Reach) {
	r.Population += o.Population
	r.reached += o.reached
	r.possible += o.possible
}

// finish rounds the share for machine output.
func (r *Reach) finish() {
	r.PopulationReach = nil
	if s, ok := r.Share(); ok {
		s, _ = percent.Fraction(s)
		r.PopulationReach = &s
	}
}

// reachEvaluator answers, for one municipality and service, whether the
// service is online for its inhabitants.
type reachEvaluator struct {
	byName   map[string]*ozgv1.Administration
	profiles map[string]*responsibility.Profile
}

func newReachEvaluator(all []ozgv1.Administration, profiles []ozgv1.ResponsibilityProfile) *reachEvaluator {
	e := &reachEvaluator{byName: map[string]*ozgv1.Administration{}, profiles: map[string]*responsibility.Profile{}}
	for i := range all {
		e.byName[all[i].Name] = &all[i]
	}
	for i := range profiles {
		e.profiles[profiles[i].Name] = responsibility.Compile(&profiles[i])
	}
	return e
}

// online lists, for adm's inhabitants, whether each service is online
// (responsibility.Citizens, as the roll-up counts it).
func (e *reachEvaluator) online(adm *ozgv1.Administration, services []ozgv1.OZGService) []bool {
	var profile *responsibility.Profile
	if r := adm.Spec.Responsibility; r != nil {
		profile = e.profiles[r.Profile]
	}
	citizens := responsibility.NewCitizens(adm, e.byName[adm.Spec.Parent], profile)
	out := make([]bool, len(services))
	for i := range services {
		out[i] = citizens.Answer(&services[i]).Online
	}
	return out
}
