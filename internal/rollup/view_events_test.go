package rollup

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/testsupport/recount"
)

// TestViewFollowsEvents plays random informer events (creates, updates,
// deletes, administrations moving between portals, portals being deleted,
// status-only updates) and checks after each one that the view equals a
// brute-force recount of the objects (the shared test oracle), and that
// exactly the roll-ups whose inputs changed were asked for.
func TestViewFollowsEvents(t *testing.T) {
	rng := rand.New(rand.NewPCG(2023, 36))
	c := newClock()
	v, admQueue, svcQueue := started(t, c)
	adms := map[string]*ozgv1.Administration{}
	portals := map[types.NamespacedName]*ozgv1.ServicePortal{}
	admNames := []string{"detmold", "lemgo", "blomberg", "lage", "augustdorf", "kreis-lippe"}
	serviceNames := make([]string, 12)
	for i := range serviceNames {
		serviceNames[i] = fmt.Sprintf("ozg-%d", 10100+i)
	}
	states := []ozgv1.ServiceState{"", ozgv1.StateOpen, ozgv1.StateInProgress, ozgv1.StateLive}
	conditions := [][]string{nil, {ozgv1.ReadyCondition}, {ozgv1.ReadyCondition, ozgv1.PublishedCondition}, {ozgv1.StalledCondition}}

	randomServices := func() []ozgv1.ServiceImplementation {
		var out []ozgv1.ServiceImplementation
		for _, i := range rng.Perm(len(serviceNames))[:rng.IntN(len(serviceNames))] {
			out = append(out, service(serviceNames[i], states[rng.IntN(len(states))]))
		}
		return out
	}

	for step := range 3000 {
		before := maps.Clone(v.sums)
		beforeAdms := map[string]AdministrationInputs{}
		for _, name := range admNames {
			beforeAdms[name] = v.administrationInputs(name)
		}
		admQueue.reset()
		svcQueue.reset()

		// respecified is the administration whose new spec the view takes
		// in: its roll-up is asked for at once, to write the new
		// observedGeneration.
		var event, respecified string
		switch op := rng.IntN(10); {
		case op < 3: // an administration is created, changes its services, or only its status
			name := admNames[rng.IntN(len(admNames))]
			a := adms[name]
			switch {
			case a == nil:
				a = administration(name, 1, randomServices()...)
				event, respecified = "create "+name, name
			case rng.IntN(2) == 0:
				a = administration(name, a.Generation+1, randomServices()...)
				event, respecified = "spec change of "+name, name
			default:
				a = a.DeepCopy()
				a.Status.Online = rng.Int32N(5)
				event = "status write of " + name
			}
			adms[name] = a
			v.UpsertAdministration(a)
		case op < 4:
			name := admNames[rng.IntN(len(admNames))]
			if a := adms[name]; a != nil {
				delete(adms, name)
				v.DeleteAdministration(a)
				event = "delete " + name
			}
		case op < 9: // a portal appears, reports, moves or starts terminating
			key := types.NamespacedName{Namespace: []string{"krz", "test"}[rng.IntN(2)], Name: admNames[rng.IntN(len(admNames))]}
			adm := key.Name
			if rng.IntN(5) == 0 {
				adm = admNames[rng.IntN(len(admNames))] // points elsewhere
			}
			gen := int64(1 + rng.IntN(3))
			p := portal(key.Name, adm, gen, gen-int64(rng.IntN(2)), conditions[rng.IntN(len(conditions))]...)
			p.Namespace = key.Namespace
			if rng.IntN(10) == 0 {
				p.DeletionTimestamp = &metav1.Time{Time: c.now()}
			}
			portals[key] = p
			v.UpsertPortal(p)
			event = fmt.Sprintf("portal %s for %s %v", key, adm, p.Status.Conditions)
		default:
			for key, p := range portals {
				delete(portals, key)
				v.DeletePortal(p)
				event = "delete portal " + key.String()
				break
			}
		}
		c.advance(time.Duration(rng.IntN(3000)) * time.Millisecond)

		want := recount.Recount(values(portals), values(adms))
		// A roll-up whose portals settled is asked for anew if its burst is
		// open (it is due sooner now).
		expectAsked := func(kind Kind, name string, changed, asked bool, what string) {
			t.Helper()
			_, open := v.bursts[kind][name]
			if changed && !asked || asked && !changed && !(open && v.settled(kind, name)) {
				t.Fatalf("step %d (%s): %s %s changed %v, but asked for: %v", step, event, name, what, changed, asked)
			}
		}
		for _, name := range serviceNames {
			w := want.Services[name]
			got := v.sums[name]
			if got.Administrations != w.Administrations || got.Portals != w.Portals || got.OnlinePortals != w.OnlinePortals {
				t.Fatalf("step %d (%s): %s = %+v, recount %+v", step, event, name, got, w)
			}
			_, asked := svcQueue.asked(name)
			expectAsked(Services, name, got != before[name], asked, "counts")
		}
		for _, name := range admNames {
			in := v.administrationInputs(name)
			if w, ok := want.Administrations[name]; ok {
				switch {
				case (len(in.Portals) > 0) != w.Portal:
					t.Fatalf("step %d (%s): %s has portals %+v, recount says portal %v", step, event, name, in.Portals, w.Portal)
				case w.Portal && (in.Portals[0].Ready != w.PortalReady || in.Portals[0].Published != w.PortalPublished):
					t.Fatalf("step %d (%s): %s shows %+v, recount %+v", step, event, name, in.Portals[0], w)
				}
			}
			d, asked := admQueue.asked(name)
			if name == respecified && (!asked || d != 0) {
				t.Fatalf("step %d (%s): %s asked for %v after %v, want at once", step, event, name, asked, d)
			}
			expectAsked(Administrations, name, !slices.Equal(in.Portals, beforeAdms[name].Portals) || name == respecified, asked, "portals or spec")
		}
		// What the catalogue waits for: every portal still settling.
		unsettled := 0
		for _, p := range portals {
			if !Settled(p) {
				unsettled++
			}
		}
		if v.unsettled != unsettled {
			t.Fatalf("step %d (%s): %d portals settling, want %d", step, event, v.unsettled, unsettled)
		}
		// Nothing is kept of what is gone.
		for name := range v.sums {
			if _, ok := want.Services[name]; !ok {
				t.Fatalf("step %d (%s): the view keeps a sum for %s, which no administration tracks", step, event, name)
			}
		}
	}
	if len(v.portals) != len(portals) {
		t.Fatalf("the view knows %d portals; the cluster has %d", len(v.portals), len(portals))
	}
}

func values[K comparable, V any](m map[K]*V) []V {
	out := make([]V, 0, len(m))
	for _, v := range m {
		out = append(out, *v)
	}
	return out
}
