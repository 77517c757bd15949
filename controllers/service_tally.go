package controllers

import (
	"sync"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// serviceTally keeps, for every catalogue entry, the sum of what the
// administrations tracking it contribute, up to date with the
// administration events the OZGService controller receives. A roll-up then
// reads one sum instead of recounting the entry's administrations: at
// Germany scale an entry has thousands of them with ~200 services each, and
// the recount was the manager's hot path.
//
// The sums are as right as the event stream: an informer hands each handler
// every change of an object in order, with the version the handler saw last
// as the old object (a relist included: objects gone meanwhile arrive as
// deletes of their last known version), and replays every existing object
// as a create when the handler is added; the controller starts its workers
// only once the handler has had that replay, so even the first roll-ups
// see every administration.
type serviceTally struct {
	mu   sync.Mutex
	sums map[string]serviceSum
}

// serviceSum is what the administrations tracking one service add up to.
type serviceSum struct {
	administrations        ozgv1.StateCounts
	portals, onlinePortals int32
}

// add adds c to the sum, or takes it away with sign -1.
func (s *serviceSum) add(c contribution, sign int32) {
	countState(&s.administrations, c.state, sign)
	if c.portal {
		s.portals += sign
	}
	if c.live {
		s.onlinePortals += sign
	}
}

func newServiceTally() *serviceTally {
	return &serviceTally{sums: map[string]serviceSum{}}
}

// change replaces an administration's contributions before with after
// (either may be nil for a created or deleted administration) and returns
// the services whose sums changed.
func (t *serviceTally) change(before, after map[string]contribution) []string {
	var changed []string
	t.mu.Lock()
	defer t.mu.Unlock()
	for name, c := range after {
		old, had := before[name]
		if had && old == c {
			continue
		}
		sum := t.sums[name]
		if had {
			sum.add(old, -1)
		}
		sum.add(c, 1)
		t.set(name, sum)
		changed = append(changed, name)
	}
	for name, old := range before {
		if _, kept := after[name]; kept {
			continue
		}
		sum := t.sums[name]
		sum.add(old, -1)
		t.set(name, sum)
		changed = append(changed, name)
	}
	return changed
}

// set stores sum, dropping sums back at zero so that services no
// administration tracks any more take no memory.
func (t *serviceTally) set(name string, sum serviceSum) {
	if sum == (serviceSum{}) {
		delete(t.sums, name)
		return
	}
	t.sums[name] = sum
}

// sum returns the sum for the named service.
func (t *serviceTally) sum(name string) serviceSum {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.sums[name]
}
