// Package waves assigns a PortalFleet's administrations to the waves of its
// rollout. The controller and `kubectl ozg rollout status` share it so that
// both tell the same story.
package waves

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// Implicit is the name of the last wave, which collects the administrations
// no wave selects.
const Implicit = "rest"

// Wave is one step of a rollout with the administrations it covers.
type Wave struct {
	Name string
	// MaxUnavailable is the wave's maxUnavailable resolved to a count.
	MaxUnavailable int
	// Members are administration names, in the order given.
	Members []string
}

// Plan assigns every administration to the first wave whose selector
// matches its labels; those matched by none form the last, implicit wave.
func Plan(rollout ozgv1.FleetRollout, adms []*ozgv1.Administration) ([]Wave, error) {
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
	waves = append(waves, Wave{Name: Implicit})
	for _, adm := range adms {
		i := len(selectors)
		for j, sel := range selectors {
			if sel.Matches(labels.Set(adm.Labels)) {
				i = j
				break
			}
		}
		waves[i].Members = append(waves[i].Members, adm.Name)
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
