package controllers

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/event"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// TestServiceTallyFollowsEvents plays a random history of administration
// events (created, services and states changed, portals coming and going,
// deleted) through the OZGService controller's event handler and checks
// after every event that the tally equals a recount of the administrations
// as they now are, and that exactly the services whose sums changed were
// enqueued.
func TestServiceTallyFollowsEvents(t *testing.T) {
	rng := rand.New(rand.NewPCG(2023, 5))
	debounce := newRollupDebouncer(time.Now)
	h := contributionHandler{tally: newServiceTally(), debounce: debounce, settling: newRollupSettling(newRollupDebouncer(time.Now), debounce)}
	ctx := context.Background()
	adms := map[string]*ozgv1.Administration{}
	states := []ozgv1.ServiceState{"", ozgv1.StateOpen, ozgv1.StateInProgress, ozgv1.StateLive}

	randomServices := func() []ozgv1.ServiceImplementation {
		var out []ozgv1.ServiceImplementation
		for _, i := range rng.Perm(12)[:rng.IntN(8)] {
			out = append(out, ozgv1.ServiceImplementation{Service: fmt.Sprintf("ozg-%05d", 10000+i), State: states[rng.IntN(len(states))]})
		}
		return out
	}
	randomPortal := func() *ozgv1.AdministrationPortalStatus {
		if rng.IntN(3) == 0 {
			return nil
		}
		return &ozgv1.AdministrationPortalStatus{Name: "portal", Namespace: "krz", Ready: rng.IntN(2) == 0, Published: rng.IntN(2) == 0}
	}

	before := recount(adms)
	for step := range 2000 {
		q := &recordingQueue{}
		name := fmt.Sprintf("adm-%d", rng.IntN(10))
		old, exists := adms[name]
		var what string
		switch op := rng.IntN(10); {
		case !exists:
			adm := &ozgv1.Administration{ObjectMeta: metav1.ObjectMeta{Name: name, Generation: 1}, Spec: ozgv1.AdministrationSpec{Services: randomServices()}}
			adm.Status.Portal = randomPortal()
			adms[name] = adm
			h.Create(ctx, event.CreateEvent{Object: adm}, q)
			what = "create"
		case op == 0:
			delete(adms, name)
			h.Delete(ctx, event.DeleteEvent{Object: old}, q)
			what = "delete"
		case op < 4: // a status write: the portal summary changes, or not
			adm := old.DeepCopy()
			adm.Status.Portal = randomPortal()
			adms[name] = adm
			h.Update(ctx, event.UpdateEvent{ObjectOld: old, ObjectNew: adm}, q)
			what = "status update"
		case op < 8: // a spec change: one state changes, or the whole list
			adm := old.DeepCopy()
			adm.Generation++
			if len(adm.Spec.Services) > 0 && op < 6 {
				adm.Spec.Services[rng.IntN(len(adm.Spec.Services))].State = states[rng.IntN(len(states))]
			} else {
				adm.Spec.Services = randomServices()
			}
			adms[name] = adm
			h.Update(ctx, event.UpdateEvent{ObjectOld: old, ObjectNew: adm}, q)
			what = "spec update"
		default: // a resync: the same object again
			h.Update(ctx, event.UpdateEvent{ObjectOld: old, ObjectNew: old}, q)
			what = "resync"
		}

		after := recount(adms)
		if !maps.Equal(h.tally.sums, after) {
			t.Fatalf("step %d (%s of %s): tally %v, recount %v", step, what, name, h.tally.sums, after)
		}
		var changed []string
		for svc := range mergeKeys(before, after) {
			if before[svc] != after[svc] {
				changed = append(changed, svc)
			}
		}
		slices.Sort(changed)
		enqueued := slices.Sorted(slices.Values(q.names))
		if !slices.Equal(enqueued, changed) {
			t.Fatalf("step %d (%s of %s): enqueued %v, want the changed services %v", step, what, name, enqueued, changed)
		}
		before = after
	}
}

// recount sums up adms from scratch, leaving out services no
// administration tracks.
func recount(adms map[string]*ozgv1.Administration) map[string]serviceSum {
	sums := map[string]serviceSum{}
	for _, adm := range adms {
		p := adm.Status.Portal
		for _, impl := range adm.Spec.Services {
			s := sums[impl.Service]
			switch impl.State {
			case ozgv1.StateLive:
				s.administrations.Live++
			case ozgv1.StateInProgress:
				s.administrations.InProgress++
			default:
				s.administrations.Open++
			}
			if p != nil {
				s.portals++
				if p.Ready && p.Published && impl.State == ozgv1.StateLive {
					s.onlinePortals++
				}
			}
			sums[impl.Service] = s
		}
	}
	return sums
}

func mergeKeys(a, b map[string]serviceSum) map[string]struct{} {
	keys := map[string]struct{}{}
	for k := range a {
		keys[k] = struct{}{}
	}
	for k := range b {
		keys[k] = struct{}{}
	}
	return keys
}
