package rollup

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// An object deleted and recreated while the watch was down comes back as
// one update, at the same generation (1) but with a new UID: the view must
// take it in as the new object it is, not skip it as a status update.
func TestViewTakesInRecreatedObjects(t *testing.T) {
	v, adms, _ := started(t, newClock())
	v.UpsertService(&ozgv1.OZGService{ObjectMeta: metav1.ObjectMeta{Name: "ozg-1", Generation: 1, UID: "s1"}})
	v.UpsertService(&ozgv1.OZGService{ObjectMeta: metav1.ObjectMeta{Name: "ozg-2", Generation: 1, UID: "s2"}})
	profile := func(uid types.UID, level ozgv1.Level) *ozgv1.ResponsibilityProfile {
		p := nrwProfile(placed("ozg-1", level), placed("ozg-2", level))
		p.UID = uid
		return p
	}
	lemgo := func(uid types.UID, population int64, services ...ozgv1.ServiceImplementation) *ozgv1.Administration {
		a := administration("lemgo", 1, services...)
		a.UID = uid
		a.Spec.Type = ozgv1.TypeKreisfreieStadt
		a.Spec.Population = &population
		a.Spec.Responsibility = &ozgv1.AdministrationResponsibility{Profile: "nrw"}
		return a
	}
	v.UpsertProfile(profile("p1", ozgv1.LevelGemeinde))
	v.UpsertAdministration(lemgo("a1", 40000, service("ozg-1", ozgv1.StateLive)))
	v.UpsertPortal(portal("lemgo", "lemgo", 1, 1, ozgv1.ReadyCondition, ozgv1.PublishedCondition))

	// Recreated with other services and another population, same generation.
	adms.reset()
	v.UpsertAdministration(lemgo("a2", 30000, service("ozg-2", ozgv1.StateInProgress)))
	if got, _, _ := v.Service("ozg-1", true); got != (ServiceCounts{PopulationTotal: 30000, Generation: 1, UID: "s1"}) {
		t.Errorf("ozg-1 after lemgo was recreated without it: %+v, want nothing but the new population total", got)
	}
	want := ServiceCounts{Administrations: ozgv1.StateCounts{InProgress: 1}, Portals: 1, PopulationTotal: 30000, Generation: 1, UID: "s2"}
	if got, _, _ := v.Service("ozg-2", true); got != want {
		t.Errorf("ozg-2 after lemgo was recreated with it: %+v, want %+v", got, want)
	}
	if in, _, _ := v.Administration("lemgo", true); in.Reach.Own != (ozgv1.StateCounts{Open: 1, InProgress: 1}) || in.Reach.Reachable != 0 || in.UID != "a2" {
		t.Errorf("lemgo after it was recreated: reach %+v of UID %s, want own Open 1, InProgress 1, nothing reachable, of a2", in.Reach, in.UID)
	}
	if _, asked := adms.asked("lemgo"); !asked {
		t.Error("the recreated administration's roll-up was not asked for")
	}

	// The profile, recreated at the same generation, places both services
	// at the Bund: lemgo answers for neither.
	adms.reset()
	v.UpsertProfile(profile("p2", ozgv1.LevelBund))
	if in, _, _ := v.Administration("lemgo", true); in.Reach.Own != (ozgv1.StateCounts{}) {
		t.Errorf("lemgo's reach after its profile was recreated: %+v, want it responsible for nothing", in.Reach)
	}
	if _, asked := adms.asked("lemgo"); !asked {
		t.Error("lemgo's roll-up was not asked for when its profile was recreated")
	}
}
