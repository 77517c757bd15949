package rollout

import (
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

func TestResolveMaxUnavailable(t *testing.T) {
	for value, want := range map[string][2]int{
		"50%": {4, 2}, "25%": {3, 1}, "1%": {10, 1}, "100%": {7, 7}, "3": {10, 3},
	} {
		v := intstr.Parse(value)
		if got := ResolveMaxUnavailable(&v, want[0]); got != want[1] {
			t.Errorf("ResolveMaxUnavailable(%s, %d) = %d, want %d", value, want[0], got, want[1])
		}
	}
	if got := ResolveMaxUnavailable(nil, 5); got != 1 {
		t.Errorf("the default is %d, want 1", got)
	}
}

// TestPlanWaves puts each member in the first wave that selects it and the
// rest in the implicit last wave, keeping the members' order.
func TestPlanWaves(t *testing.T) {
	kreis := func(k string) metav1.LabelSelector {
		return metav1.LabelSelector{MatchLabels: map[string]string{ozgv1.LabelKreis: k}}
	}
	pilot := metav1.LabelSelector{MatchLabels: map[string]string{"example.de/pilot": "true"}}
	half := intstr.FromString("50%")
	plan := ozgv1.FleetRollout{Waves: []ozgv1.RolloutWave{
		{Name: "pilot", Selector: pilot},
		{Name: "lippe", Selector: kreis("05766"), MaxUnavailable: &half},
	}}
	var members []*Member
	for _, m := range []struct{ name, kreis, pilot string }{
		{"augustdorf", "05766", "false"}, {"blomberg", "05766", "true"}, {"detmold", "05766", ""},
		{"herford", "05758", ""}, {"lemgo", "05766", ""}, {"lage", "05766", ""},
	} {
		adm := &ozgv1.Administration{ObjectMeta: metav1.ObjectMeta{Name: m.name, Labels: map[string]string{ozgv1.LabelKreis: m.kreis, "example.de/pilot": m.pilot}}}
		members = append(members, &Member{Administration: adm, Name: m.name})
	}
	waves, err := PlanWaves(plan, members)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	var order []string
	for _, w := range waves {
		order = append(order, w.Name)
		for _, m := range w.Members {
			got[w.Name] = append(got[w.Name], m.Name)
		}
	}
	if !slices.Equal(order, []string{"pilot", "lippe", ImplicitWave}) {
		t.Errorf("waves %v", order)
	}
	for wave, want := range map[string][]string{
		"pilot": {"blomberg"}, "lippe": {"augustdorf", "detmold", "lemgo", "lage"}, ImplicitWave: {"herford"},
	} {
		if !slices.Equal(got[wave], want) {
			t.Errorf("wave %s has %v, want %v", wave, got[wave], want)
		}
	}
	if waves[0].MaxUnavailable != 1 || waves[1].MaxUnavailable != 2 {
		t.Errorf("maxUnavailable %d and %d, want 1 (the default) and 2 (50%% of 4)", waves[0].MaxUnavailable, waves[1].MaxUnavailable)
	}

	plan.Waves[0].Selector.MatchExpressions = []metav1.LabelSelectorRequirement{{Key: "x", Operator: "Bogus"}}
	if _, err := PlanWaves(plan, members); err == nil {
		t.Error("an invalid wave selector planned")
	}
}
