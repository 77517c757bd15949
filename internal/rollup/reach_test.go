package rollup

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/testsupport/recount"
)

// TestViewReachFollowsEvents plays random events of every input of the
// reach (administrations with Kreis, population, size class, overrides and
// profile; portals going on- and offline; catalogue entries with and
// without EfA and typisierung; profiles changing; municipalities whose
// parent is a kreisfreie Stadt; administrations deleted and recreated in a
// watch gap, which the view sees as an update of the same generation with
// another UID) and checks after each one
// that the view's reach equals a brute-force recount, and that every
// roll-up whose reach changed was asked for.
func TestViewReachFollowsEvents(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 12))
	c := newClock()
	v, admQueue, svcQueue := started(t, c)
	adms := map[string]*ozgv1.Administration{}
	portals := map[types.NamespacedName]*ozgv1.ServicePortal{}
	catalog := map[string]*ozgv1.OZGService{}
	profiles := map[string]*ozgv1.ResponsibilityProfile{}

	kreise := []string{"kreis-lippe", "kreis-herford"}
	municipalities := []string{"detmold", "lemgo", "augustdorf", "herford", "bielefeld"}
	admNames := append(append([]string{}, kreise...), municipalities...)
	serviceNames := make([]string, 10)
	for i := range serviceNames {
		serviceNames[i] = fmt.Sprintf("ozg-%d", 10400+i)
	}
	levels := []ozgv1.Level{ozgv1.LevelBund, ozgv1.LevelLand, ozgv1.LevelKreis, ozgv1.LevelGemeinde, ozgv1.LevelUnknown}
	states := []ozgv1.ServiceState{"", ozgv1.StateOpen, ozgv1.StateInProgress, ozgv1.StateLive}
	generation := int64(0)
	next := func() int64 { generation++; return generation }
	// uids are the administrations' UIDs; a recreated one gets a new one.
	uids := map[string]types.UID{}

	randomAdministration := func(name string) *ozgv1.Administration {
		a := administration(name, next())
		if uids[name] == "" {
			uids[name] = types.UID(name + "-1")
		}
		a.UID = uids[name]
		switch {
		case name == "bielefeld":
			a.Spec.Type = ozgv1.TypeKreisfreieStadt
		case name == "kreis-lippe" || name == "kreis-herford":
			a.Spec.Type = ozgv1.TypeKreis
		default:
			a.Spec.Type = ozgv1.TypeKreisangehoerigeGemeinde
			// A Kreis, or (the API allows it) the kreisfreie Stadt.
			a.Spec.Parent = append(slices.Clone(kreise), "bielefeld")[rng.IntN(len(kreise)+1)]
			a.Spec.SizeClass = []ozgv1.SizeClass{"", ozgv1.SizeClassGemeinde, ozgv1.SizeClassMittlere, ozgv1.SizeClassGrosse}[rng.IntN(4)]
		}
		if rng.IntN(4) > 0 {
			a.Spec.Population = new(int64(1000 + rng.IntN(300000)))
		}
		if rng.IntN(5) > 0 {
			a.Spec.Responsibility = &ozgv1.AdministrationResponsibility{Profile: []string{"nrw", "other"}[rng.IntN(2)]}
			if rng.IntN(3) == 0 {
				a.Spec.Responsibility.Overrides = []ozgv1.ResponsibilityOverride{
					{Service: serviceNames[rng.IntN(len(serviceNames))], Level: levels[rng.IntN(4)]},
				}
			}
		}
		for _, i := range rng.Perm(len(serviceNames))[:rng.IntN(len(serviceNames))] {
			a.Spec.Services = append(a.Spec.Services, service(serviceNames[i], states[rng.IntN(len(states))]))
		}
		return a
	}
	randomProfile := func(name string) *ozgv1.ResponsibilityProfile {
		p := &ozgv1.ResponsibilityProfile{ObjectMeta: metav1.ObjectMeta{Name: name, Generation: next()}}
		p.Spec.Typisierung = []ozgv1.TypisierungRule{{Typisierung: "1", Level: ozgv1.LevelBund}, {Typisierung: "5", Level: levels[rng.IntN(4)]}}
		for _, i := range rng.Perm(len(serviceNames))[:rng.IntN(len(serviceNames))] {
			e := ozgv1.ServiceResponsibility{Service: serviceNames[i], Placement: ozgv1.Placement{Level: levels[rng.IntN(len(levels))]}}
			if e.Level == ozgv1.LevelKreis && rng.IntN(2) == 0 {
				e.HeldBy = []ozgv1.SizeClass{ozgv1.SizeClassGrosse, ozgv1.SizeClassMittlere}[:1+rng.IntN(2)]
			}
			p.Spec.Services = append(p.Spec.Services, e)
		}
		return p
	}
	randomService := func(name string) *ozgv1.OZGService {
		s := &ozgv1.OZGService{ObjectMeta: metav1.ObjectMeta{Name: name, Generation: next()}}
		if rng.IntN(4) == 0 {
			s.Spec.EfA = &ozgv1.EfAService{Provider: "Hessen", URL: "https://efa.example.de/" + name}
		}
		s.Spec.Leistungen = []ozgv1.LeiKaLeistung{{Name: "x", Typisierung: [][]string{{"1"}, {"5"}, {"4"}, nil}[rng.IntN(4)]}}
		return s
	}

	// The events must reach the interesting cases, or the test proves little.
	var sawOnline, sawOwnLive, sawMunicipalReach, sawCityParent, recreated int
	for step := range 4000 {
		beforeAdm := map[string]AdministrationReach{}
		for _, name := range admNames {
			beforeAdm[name] = v.reachOf(name)
		}
		beforeSvc := map[string]ServiceCounts{}
		for _, name := range serviceNames {
			beforeSvc[name], _, _ = v.Service(name, false)
		}
		admQueue.reset()
		svcQueue.reset()

		var event string
		switch op := rng.IntN(21); {
		case op == 20:
			// Deleted and recreated while the watch was down: the relist
			// delivers an update at the old object's generation (a new
			// object starts at 1 again; here the same number), another UID
			// and another spec.
			name := admNames[rng.IntN(len(admNames))]
			if old := adms[name]; old != nil {
				uids[name] = types.UID(fmt.Sprintf("%s-%d", name, step+2))
				a := randomAdministration(name)
				a.Generation = old.Generation
				adms[name], event = a, "recreate "+name
				v.UpsertAdministration(a)
				recreated++
			}
		case op < 5:
			name := admNames[rng.IntN(len(admNames))]
			a := randomAdministration(name)
			adms[name], event = a, "administration "+name
			v.UpsertAdministration(a)
		case op < 6:
			name := admNames[rng.IntN(len(admNames))]
			if a := adms[name]; a != nil {
				delete(adms, name)
				v.DeleteAdministration(a)
				event = "delete " + name
			}
		case op < 12:
			name := admNames[rng.IntN(len(admNames))]
			key := types.NamespacedName{Namespace: "krz", Name: name}
			p := portal(name, name, 1, 1, [][]string{nil, {ozgv1.ReadyCondition}, {ozgv1.ReadyCondition, ozgv1.PublishedCondition}}[rng.IntN(3)]...)
			portals[key], event = p, fmt.Sprintf("portal %s %v", name, p.Status.Conditions)
			v.UpsertPortal(p)
		case op < 13:
			for key, p := range portals {
				delete(portals, key)
				v.DeletePortal(p)
				event = "delete portal " + key.Name
				break
			}
		case op < 16:
			name := serviceNames[rng.IntN(len(serviceNames))]
			event = replaceOrDelete(rng, catalog, name, "catalogue entry", randomService, v.UpsertService, v.DeleteService)
		case op < 17:
			// A status write: nothing to re-evaluate.
			for _, s := range catalog {
				w := s.DeepCopy()
				w.Status.Portals++
				catalog[s.Name], event = w, "status of "+s.Name
				v.UpsertService(w)
				break
			}
		default:
			name := []string{"nrw", "other"}[rng.IntN(2)]
			event = replaceOrDelete(rng, profiles, name, "profile", randomProfile, v.UpsertProfile, v.DeleteProfile)
		}
		c.advance(time.Duration(rng.IntN(3000)) * time.Millisecond)

		want := recount.RecountReach(values(portals), values(adms), values(catalog), values(profiles))
		for name, w := range want.Administrations {
			if w.Own.Live > 0 {
				sawOwnLive++
			}
			if a := adms[name]; a != nil && a.Spec.Parent != "" && w.Reachable > 0 {
				sawMunicipalReach++
				if a.Spec.Parent == "bielefeld" {
					sawCityParent++
				}
			}
		}
		for _, n := range want.Online {
			if n > 0 {
				sawOnline++
			}
		}
		for _, name := range admNames {
			got := v.reachOf(name)
			w := want.Administrations[name]
			if adms[name] != nil && (got.Own != w.Own || got.Reachable != w.Reachable) {
				t.Fatalf("step %d (%s): %s reach %+v, recount %+v", step, event, name, got, w)
			}
			if _, asked := admQueue.asked(name); adms[name] != nil && got != beforeAdm[name] && !asked {
				t.Fatalf("step %d (%s): the reach of %s changed, but its roll-up was not asked for", step, event, name)
			}
		}
		for _, name := range serviceNames {
			got, _, _ := v.Service(name, false)
			if catalog[name] != nil && (got.PopulationOnline != want.Online[name] || got.PopulationTotal != want.PopulationTotal) {
				t.Fatalf("step %d (%s): %s population %d of %d, recount %d of %d", step, event, name,
					got.PopulationOnline, got.PopulationTotal, want.Online[name], want.PopulationTotal)
			}
			if _, asked := svcQueue.asked(name); catalog[name] != nil && got != beforeSvc[name] && !asked {
				t.Fatalf("step %d (%s): the population of %s changed, but its roll-up was not asked for", step, event, name)
			}
		}
	}
	if sawOnline < 1000 || sawOwnLive < 1000 || sawMunicipalReach < 1000 || sawCityParent < 100 || recreated < 100 {
		t.Errorf("the events rarely reached the interesting cases: online %d, own live %d, municipalities with reach %d (%d of a kreisfreie Stadt), recreated %d",
			sawOnline, sawOwnLive, sawMunicipalReach, sawCityParent, recreated)
	}
	// Nothing is kept of what is gone.
	for name, e := range v.adms {
		if e.obj == nil && len(e.portals) == 0 {
			t.Errorf("the view keeps %s, which is gone", name)
		}
	}
}

// replaceOrDelete deletes the object of that name one time in four, if
// there is one, and otherwise gives the view a new random one in its place;
// it returns the event, for failures.
func replaceOrDelete[T any](rng *rand.Rand, objs map[string]*T, name, what string, random func(string) *T, upsert, del func(*T)) string {
	if old := objs[name]; old != nil && rng.IntN(4) == 0 {
		delete(objs, name)
		del(old)
		return "delete " + what + " " + name
	}
	obj := random(name)
	objs[name] = obj
	upsert(obj)
	return what + " " + name
}

// The API lets a municipality's spec.parent name an administration of any
// type; the reach reads that parent's states and portal whatever its type,
// so it must follow the parent's changes whatever its type too.
func TestViewFollowsAParentThatIsNoKreis(t *testing.T) {
	v, adms, _ := started(t, newClock())
	v.UpsertService(&ozgv1.OZGService{ObjectMeta: metav1.ObjectMeta{Name: "ozg-1", Generation: 1, UID: "s1"}})
	p := nrwProfile(placed("ozg-1", ozgv1.LevelKreis))
	p.UID = "p1"
	v.UpsertProfile(p)
	parent := func(generation int64, state ozgv1.ServiceState) *ozgv1.Administration {
		a := administration("bielefeld", generation, service("ozg-1", state))
		a.Spec.Type = ozgv1.TypeKreisfreieStadt
		a.Spec.Responsibility = &ozgv1.AdministrationResponsibility{Profile: "nrw"}
		return a
	}
	v.UpsertAdministration(parent(1, ozgv1.StateLive))
	lemgo := gemeinde("lemgo", "bielefeld", 1)
	lemgo.Spec.Population = new(int64(40000))
	v.UpsertAdministration(lemgo)
	expect := func(step string, reachable int32, population int64) {
		t.Helper()
		if in, _, _ := v.Administration("lemgo", true); in.Reach.Reachable != reachable {
			t.Errorf("%s: lemgo reaches %d services, want %d", step, in.Reach.Reachable, reachable)
		}
		if got, _, _ := v.Service("ozg-1", true); got.PopulationOnline != population {
			t.Errorf("%s: ozg-1 online for %d inhabitants, want %d", step, got.PopulationOnline, population)
		}
	}
	expect("parent without portal", 0, 0)

	adms.reset()
	v.UpsertPortal(portal("bielefeld", "bielefeld", 1, 1, ozgv1.ReadyCondition, ozgv1.PublishedCondition))
	expect("parent online", 1, 40000)
	if _, asked := adms.asked("lemgo"); !asked {
		t.Error("lemgo's roll-up was not asked for when its parent's portal went online")
	}

	adms.reset()
	v.UpsertAdministration(parent(2, ozgv1.StateInProgress))
	expect("parent's service no longer Live", 0, 0)
	if _, asked := adms.asked("lemgo"); !asked {
		t.Error("lemgo's roll-up was not asked for when its parent's spec changed")
	}
}
