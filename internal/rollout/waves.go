package rollout

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// ImplicitWave is the name of the last wave, which collects the members no
// wave selects.
const ImplicitWave = "rest"

// Wave is one step of a rollout with the members it covers.
type Wave struct {
	Name string
	// MaxUnavailable is the wave's maxUnavailable resolved to a count.
	MaxUnavailable int
	// Members are in the order given to PlanWaves.
	Members []*Member
}

// PlanWaves assigns every member to the first wave whose selector matches
// its administration's labels; those matched by none form the last,
// implicit wave. The error is that of an invalid wave selector.
func PlanWaves(rollout ozgv1.FleetRollout, members []*Member) ([]Wave, error) {
	waves := make([]Wave, 0, len(rollout.Waves)+1)
	selectors := make([]labels.Selector, len(rollout.Waves))
	for i, w := range rollout.Waves {
		sel, err := metav1.LabelSelectorAsSelector(&w.Selector)
		if err != nil {
			return nil, err
		}
		selectors[i] = sel
		waves = append(waves, Wave{Name: w.Name})
	}
	waves = append(waves, Wave{Name: ImplicitWave})
	for _, m := range members {
		i := len(selectors)
		for j, sel := range selectors {
			if sel.Matches(labels.Set(m.Administration.Labels)) {
				i = j
				break
			}
		}
		waves[i].Members = append(waves[i].Members, m)
	}
	for i := range waves {
		var mu *intstr.IntOrString
		if i < len(rollout.Waves) {
			mu = rollout.Waves[i].MaxUnavailable
		}
		waves[i].MaxUnavailable = ResolveMaxUnavailable(mu, len(waves[i].Members))
	}
	return waves, nil
}

// ResolveMaxUnavailable turns a number or percentage of the wave into a
// count, rounding down like a Deployment but allowing at least one so that
// a rollout always progresses.
func ResolveMaxUnavailable(v *intstr.IntOrString, size int) int {
	if v == nil {
		return 1
	}
	n, err := intstr.GetScaledValueFromIntOrPercent(v, size, false)
	if err != nil || n < 1 {
		return 1
	}
	return n
}
