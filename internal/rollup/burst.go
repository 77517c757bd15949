package rollup

import (
	"time"

	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// burst is the events of one roll-up not yet taken in: when the first and
// the last arrived. first starts the MaxDelay bound and moves on when a
// write is forced at it. since is when the status fell behind: it moves on
// to a forced write's read (at read) only once that write is stored, so
// that writes that fail show in the pending age.
type burst struct {
	first, last time.Time
	since, read time.Time
}

// over is when the burst of a roll-up of kind counts as over; settled
// tells whether every portal the roll-up counts has settled (see the
// timing constants).
func (b burst) over(kind Kind, settled bool) time.Time {
	if settled {
		return b.last.Add(SettledQuiet)
	}
	return b.last.Add(kind.MaxDelay())
}

// due is when the roll-up of the burst goes ahead: when it is over, or
// the kind's MaxDelay after its first event.
func (b burst) due(kind Kind, settled bool) time.Time {
	due := b.over(kind, settled)
	if bound := b.first.Add(kind.MaxDelay()); bound.Before(due) {
		return bound
	}
	return due
}

func request(name string) reconcile.Request {
	return reconcile.Request{NamespacedName: types.NamespacedName{Name: name}}
}

// settled tells (with the lock held) whether every portal that the named
// roll-up counts has settled: an administration's own and, since its reach
// counts them, its Kreis's; for a catalogue entry every portal.
func (v *View) settled(kind Kind, name string) bool {
	if kind == Services {
		return v.unsettled == 0
	}
	e := v.adms[name]
	if e == nil {
		return true
	}
	k := v.kreisOf(e.obj)
	return !e.part.settling && (k == nil || !k.part.settling)
}

// touch records an event for the named roll-up (with the lock held) and
// returns the reconcile to ask for at the burst's end. The workqueue keeps
// one entry per object, at the earliest time asked for; the reconcile asks
// take whether to go on.
func (v *View) touch(kind Kind, name string, now time.Time) []scheduled {
	b, open := v.bursts[kind][name]
	if !open {
		b.first, b.since = now, now
	}
	b.last = now
	v.bursts[kind][name] = b
	return v.schedule(kind, name, now)
}

// schedule asks (with the lock held) for the reconcile of an open burst at
// its due time; a burst whose portals just settled is due sooner.
func (v *View) schedule(kind Kind, name string, now time.Time) []scheduled {
	b, open := v.burst(kind, name)
	q := v.queues[kind]
	if !open || q == nil {
		return nil // no burst, or the controller has not started: its source schedules the bursts then
	}
	return []scheduled{{q: q, req: request(name), after: max(0, b.due(kind, v.settled(kind, name)).Sub(now))}}
}

// scheduleKind asks for the reconcile of every open burst of kind (with the
// lock held), when its controller's source starts.
func (v *View) scheduleKind(kind Kind, now time.Time) []scheduled {
	var asks []scheduled
	for name := range v.bursts[kind] {
		asks = append(asks, v.schedule(kind, name, now)...)
	}
	return asks
}

// take answers a roll-up's read (with the lock held; see View.Administration).
// A burst is taken in only when it is over, and stays pending (taken)
// until the roll-up says its status is written (View.Written); a write it
// forces earlier (urgent, or MaxDelay after its first event) leaves it
// open, with MaxDelay counted anew, so that the roll-up writes once more
// when it is over.
func (v *View) take(kind Kind, name string, urgent bool) (wait, recheck time.Duration) {
	b, ok := v.burst(kind, name)
	if !ok {
		return 0, 0
	}
	now, settled := v.now(), v.settled(kind, name)
	if !now.Before(b.over(kind, settled)) {
		delete(v.bursts[kind], name)
		if t, had := v.taken[kind][name]; had && t.since.Before(b.since) {
			b.since = t.since // a write of an earlier burst failed: it is pending since then
		}
		v.taken[kind][name] = b
		return 0, 0
	}
	due := b.due(kind, settled)
	if !urgent && now.Before(due) {
		return due.Sub(now), 0
	}
	if !now.Before(due) {
		b.first = now // MaxDelay reached: count it anew for what follows
		b.read = now  // and once this read is written, the status is behind only since now
		v.bursts[kind][name] = b
	}
	// The burst is not over, so the recheck is after now.
	return 0, b.due(kind, settled).Sub(now)
}

// burst returns the named roll-up's open burst (with the lock held). The
// catalogue's bursts end together: its inputs are the whole fleet, so each
// counts as last touched when any catalogue entry was.
func (v *View) burst(kind Kind, name string) (burst, bool) {
	b, ok := v.bursts[kind][name]
	if ok && kind == Services && v.catalogueLast.After(b.last) {
		b.last = v.catalogueLast
	}
	return b, ok
}
