package rollup

import (
	"time"

	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// burst is the events of one roll-up not yet taken in: when the first and
// the last arrived, and how many there were.
type burst struct {
	first, last time.Time
	events      int
}

// over is when the burst counts as over: its events have been quiet long
// enough (settled: no portal is still settling, see the timing constants).
func (b burst) over(settled bool) time.Time {
	quiet := min(time.Duration(b.events)*QuietStep, QuietMax)
	if settled {
		quiet = min(quiet, SettledQuiet)
	}
	return b.last.Add(quiet)
}

// due is when the roll-up of the burst goes ahead: when it is over, or
// MaxDelay after its first event.
func (b burst) due(settled bool) time.Time {
	due := b.over(settled)
	if bound := b.first.Add(MaxDelay); bound.Before(due) {
		return bound
	}
	return due
}

func request(name string) reconcile.Request {
	return reconcile.Request{NamespacedName: types.NamespacedName{Name: name}}
}

// touch records an event for the named roll-up (with the lock held) and
// returns the reconcile to ask for at the burst's end. The workqueue keeps
// one entry per object, at the earliest time asked for; the reconcile asks
// take whether to go on.
func (v *View) touch(kind Kind, name string, now time.Time) []scheduled {
	b := v.bursts[kind][name]
	if b.events == 0 {
		b.first = now
	}
	b.last = now
	b.events++
	v.bursts[kind][name] = b
	q := v.queues[kind]
	if q == nil {
		return nil // the controller has not started: its source schedules the bursts then
	}
	return []scheduled{{q: q, req: request(name), after: b.due(v.settling == 0).Sub(now)}}
}

// scheduleAll asks for the reconcile of every open burst at its due time
// (with the lock held), after the last portal settled or a source started.
func (v *View) scheduleAll(now time.Time) []scheduled {
	var asks []scheduled
	for k := range v.bursts {
		asks = append(asks, v.scheduleKind(Kind(k), now)...)
	}
	return asks
}

func (v *View) scheduleKind(kind Kind, now time.Time) []scheduled {
	q := v.queues[kind]
	if q == nil {
		return nil
	}
	settled := v.settling == 0
	asks := make([]scheduled, 0, len(v.bursts[kind]))
	for name, b := range v.bursts[kind] {
		asks = append(asks, scheduled{q: q, req: request(name), after: max(0, b.due(settled).Sub(now))})
	}
	return asks
}

// take answers a roll-up's read (with the lock held; see View.Administration).
// A burst is taken in only when it is over; a write it forces earlier (urgent,
// or MaxDelay after the first event) leaves it open, with MaxDelay counted
// anew, so that the roll-up writes once more when it is over.
func (v *View) take(kind Kind, name string, urgent bool) (wait, recheck time.Duration) {
	b, ok := v.bursts[kind][name]
	if !ok {
		return 0, 0
	}
	now, settled := v.now(), v.settling == 0
	if !now.Before(b.over(settled)) {
		delete(v.bursts[kind], name)
		return 0, 0
	}
	due := b.due(settled)
	if !urgent && now.Before(due) {
		return due.Sub(now), 0
	}
	if !now.Before(due) {
		b.first = now // MaxDelay reached: count it anew for what follows
		v.bursts[kind][name] = b
	}
	// The burst is not over, so the recheck is after now.
	return 0, b.due(settled).Sub(now)
}
