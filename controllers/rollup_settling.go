package controllers

import (
	"sync"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/types"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// A roll-up waits for the burst of its input events to end (see
// rollupDebouncer), because while a rollout goes on more events are on
// their way. Once every portal has settled, none are: the last portal of
// a rollout reaches its administration and the catalogue after a short
// quiet time, not after the full one.

// portalSettled tells whether nothing more will change in what the
// roll-ups read of p until something it depends on changes (its spec, its
// administration, its children: each an event of its own): its status is
// current and either Ready or Stalled (an error that retrying will not fix). A portal being deleted has left
// the roll-ups already (see choosePortal).
func portalSettled(p *ozgv1.ServicePortal) bool {
	if !p.DeletionTimestamp.IsZero() {
		return true
	}
	return p.Status.ObservedGeneration == p.Generation &&
		(meta.IsStatusConditionTrue(p.Status.Conditions, ozgv1.ReadyCondition) ||
			meta.IsStatusConditionTrue(p.Status.Conditions, ozgv1.StalledCondition))
}

// portalsSettled tells whether every one of portals has settled.
func portalsSettled(portals []ozgv1.ServicePortal) bool {
	for i := range portals {
		if !portalSettled(&portals[i]) {
			return false
		}
	}
	return true
}

// rollupSettling tells the catalogue roll-up whether its inputs have
// settled: every portal has (see portalSettled), and the Administration
// roll-up has taken in every portal event. When they settle, it has the
// catalogue entries with open bursts rolled up at once.
//
// A portal that never settles (its Deployment never becomes available)
// leaves the catalogue with the full quiet time, as before it existed.
type rollupSettling struct {
	mu        sync.Mutex
	unsettled map[types.NamespacedName]struct{}

	// administrations is the Administration roll-up's debouncer: its open
	// bursts are portal events whose roll-up has not been written yet.
	administrations *rollupDebouncer
	// catalogue is the OZGService roll-up's debouncer, flushed when the
	// inputs settle.
	catalogue *rollupDebouncer
}

func newRollupSettling(administrations, catalogue *rollupDebouncer) *rollupSettling {
	return &rollupSettling{unsettled: map[types.NamespacedName]struct{}{}, administrations: administrations, catalogue: catalogue}
}

// observe records the state of p as an event showed it.
func (s *rollupSettling) observe(p *ozgv1.ServicePortal) {
	key := types.NamespacedName{Namespace: p.Namespace, Name: p.Name}
	s.mu.Lock()
	if portalSettled(p) {
		delete(s.unsettled, key)
	} else {
		s.unsettled[key] = struct{}{}
	}
	s.mu.Unlock()
}

// forget drops a portal that is gone.
func (s *rollupSettling) forget(p *ozgv1.ServicePortal) {
	s.mu.Lock()
	delete(s.unsettled, types.NamespacedName{Namespace: p.Namespace, Name: p.Name})
	s.mu.Unlock()
}

// settled tells whether no input of the catalogue roll-up is on its way.
func (s *rollupSettling) settled() bool {
	s.mu.Lock()
	portals := len(s.unsettled) == 0
	s.mu.Unlock()
	return portals && s.administrations.idle()
}

// check flushes the catalogue's open bursts if the inputs have settled.
// It is called after each event that may settle them: a portal event (after
// its administration was enqueued) and the end of an Administration
// reconcile (after its status write, so that the write's event reaches the
// catalogue tally within the short quiet time).
func (s *rollupSettling) check() {
	if s.settled() {
		s.catalogue.flush()
	}
}
