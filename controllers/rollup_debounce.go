package controllers

import (
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// The roll-ups (Administration and OZGService status) see their inputs
// change in bursts: a fleet coming up flips dozens of portals within
// seconds, and every flip touches the administration and a few hundred
// catalogue entries. Writing a catalogue entry after each flip would
// rewrite it for every one of its ~150 administrations, and every write
// costs the API server the encoding and validation of the whole object.
// The debouncer makes a roll-up wait until its inputs have been quiet for
// a moment, the longer the more events the burst brought, yet never longer
// than a bound, so that a long rollout still shows its progress. A single
// change is rolled up after rollupQuietStep, or after rollupSettledQuiet
// once every portal has settled (rollup_settling.go).
const (
	// rollupQuietStep is how long a roll-up waits after the last event of
	// a burst, per event of the burst...
	rollupQuietStep = time.Second
	// ...up to rollupQuietMax.
	rollupQuietMax = 5 * time.Second
	// rollupMaxDelay bounds how long a roll-up lags the first event of a
	// burst that does not end.
	rollupMaxDelay = 30 * time.Second
	// rollupSettledQuiet is the quiet time of a burst whose inputs have
	// settled (see rollupSettling): no more events are on their way, only
	// those of the same change may still be arriving.
	rollupSettledQuiet = 500 * time.Millisecond
)

type rollupQueue = workqueue.TypedRateLimitingInterface[reconcile.Request]

// rollupDebouncer tracks, per cluster-scoped object, the burst of events
// that has not yet been taken in by a reconcile.
type rollupDebouncer struct {
	now func() time.Time

	mu     sync.Mutex
	bursts map[string]burst
	// queue is the workqueue the events were enqueued to, for flush.
	queue rollupQueue
}

// burst is the events not yet taken in: when the first and the last
// arrived, and how many there were.
type burst struct {
	first, last time.Time
	events      int
}

// quiet is how long the burst must have been quiet to count as over.
func (b burst) quiet() time.Duration {
	return min(time.Duration(b.events)*rollupQuietStep, rollupQuietMax)
}

// due is when the roll-up of the burst goes ahead; settled tells whether
// its inputs have settled.
func (b burst) due(settled bool) time.Time {
	quiet := b.quiet()
	if settled {
		quiet = min(quiet, rollupSettledQuiet)
	}
	due := b.last.Add(quiet)
	if deadline := b.first.Add(rollupMaxDelay); deadline.Before(due) {
		return deadline
	}
	return due
}

func newRollupDebouncer(now func() time.Time) *rollupDebouncer {
	return &rollupDebouncer{now: now, bursts: map[string]burst{}}
}

// enqueue records an event for name and asks for a reconcile once the
// burst may be over (settled: as for burst.due). The workqueue keeps one
// entry per object, at the earliest time asked for; the reconcile asks
// wait whether to go on.
func (d *rollupDebouncer) enqueue(q rollupQueue, name string, settled bool) {
	d.mu.Lock()
	d.queue = q
	now := d.now()
	b, ok := d.bursts[name]
	if !ok {
		b.first = now
	}
	b.last = now
	b.events++
	d.bursts[name] = b
	d.mu.Unlock()
	q.AddAfter(rollupRequest(name), b.due(settled).Sub(now))
}

func rollupRequest(name string) reconcile.Request {
	return reconcile.Request{NamespacedName: types.NamespacedName{Name: name}}
}

// wait tells how much longer the roll-up of name should wait for its
// burst to be over (see burst.due). Zero means reconcile now: the burst
// counts as taken in. With urgent (a spec change, or an object that has
// no status yet), it is zero at once.
func (d *rollupDebouncer) wait(name string, urgent, settled bool) time.Duration {
	d.mu.Lock()
	defer d.mu.Unlock()
	b, ok := d.bursts[name]
	if !ok {
		return 0
	}
	if now, due := d.now(), b.due(settled); !urgent && now.Before(due) {
		return due.Sub(now)
	}
	delete(d.bursts, name)
	return 0
}

// flush asks for the roll-up of every open burst as soon as it is over
// with settled inputs: they were scheduled for the end of their full
// quiet time.
func (d *rollupDebouncer) flush() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.queue == nil {
		return
	}
	now := d.now()
	for name, b := range d.bursts {
		d.queue.AddAfter(rollupRequest(name), max(0, b.due(true).Sub(now)))
	}
}

// idle tells whether every event has been taken in by a reconcile.
func (d *rollupDebouncer) idle() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.bursts) == 0
}

// forget drops the burst of an object that is gone (events of an
// administration can name a service the catalogue lacks).
func (d *rollupDebouncer) forget(name string) {
	d.mu.Lock()
	delete(d.bursts, name)
	d.mu.Unlock()
}

// needsStatusNow tells whether a roll-up must be written without waiting
// for its burst to end: its status does not yet say Ready (kstatus and
// `kubectl wait` need the condition from the first reconcile on) or was
// computed for an older generation of the spec.
func needsStatusNow(generation int64, status ozgv1.ConditionsHolder) bool {
	return status.StatusObservedGeneration() != generation || meta.FindStatusCondition(*status.StatusConditions(), ozgv1.ReadyCondition) == nil
}
