package controllers

import (
	"maps"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// recordingQueue records AddAfter; the debouncer uses nothing else.
type recordingQueue struct {
	rollupQueue
	added []time.Duration
	names []string
}

func (q *recordingQueue) AddAfter(req reconcile.Request, d time.Duration) {
	q.added = append(q.added, d)
	q.names = append(q.names, req.Name)
}

// TestRollupDebouncer pins when a roll-up goes ahead: after a quiet
// moment that grows with the burst, or after the bound when the events do
// not stop.
func TestRollupDebouncer(t *testing.T) {
	now := time.Date(2023, 1, 16, 9, 0, 0, 0, time.UTC)
	d := newRollupDebouncer(func() time.Time { return now })
	q := &recordingQueue{}
	advance := func(by time.Duration) { now = now.Add(by) }
	expectWait := func(name string, urgent bool, want time.Duration) {
		t.Helper()
		if got := d.wait(name, urgent, false); got != want {
			t.Fatalf("%v after the start the roll-up of %s waits %v, want %v", now.Sub(time.Date(2023, 1, 16, 9, 0, 0, 0, time.UTC)), name, got, want)
		}
	}

	expectWait("ozg-10001", false, 0)

	// A single change is rolled up after one quiet step.
	d.enqueue(q, "ozg-10001", false)
	if len(q.added) != 1 || q.added[0] != rollupQuietStep {
		t.Fatalf("enqueue asked for %v, want one reconcile after %v", q.added, rollupQuietStep)
	}
	advance(rollupQuietStep / 2)
	expectWait("ozg-10001", false, rollupQuietStep/2)
	advance(rollupQuietStep / 2)
	expectWait("ozg-10001", false, 0)
	expectWait("ozg-10001", false, 0) // the burst is taken in

	// A second event within the burst doubles the quiet time.
	d.enqueue(q, "ozg-10002", false)
	advance(rollupQuietStep / 2)
	d.enqueue(q, "ozg-10002", false)
	expectWait("ozg-10002", false, 2*rollupQuietStep)
	advance(2 * rollupQuietStep)
	expectWait("ozg-10002", false, 0)

	// An endless stream of events, one a second: the quiet time stops
	// growing at rollupQuietMax, and the roll-up goes ahead rollupMaxDelay
	// after the first event.
	start := now
	for now.Sub(start) < rollupMaxDelay {
		d.enqueue(q, "ozg-10003", false)
		want := min(rollupQuietMax, rollupMaxDelay-now.Sub(start))
		if now.Sub(start) < rollupQuietMax {
			want = min(time.Duration(now.Sub(start)/time.Second+1)*rollupQuietStep, rollupQuietMax)
		}
		expectWait("ozg-10003", false, want)
		advance(time.Second)
	}
	expectWait("ozg-10003", false, 0)

	// Urgent roll-ups (no status yet, a new generation) never wait, and
	// take the burst in.
	d.enqueue(q, "ozg-10004", false)
	expectWait("ozg-10004", true, 0)
	expectWait("ozg-10004", false, 0)

	// A burst of an object that is gone is forgotten.
	d.enqueue(q, "ozg-10005", false)
	d.forget("ozg-10005")
	expectWait("ozg-10005", false, 0)
	if !d.idle() {
		t.Fatal("the debouncer has open bursts after every one was taken in or forgotten")
	}

	// Once the inputs have settled, a burst is over after the short quiet
	// time, however many events it had...
	for range 4 {
		d.enqueue(q, "ozg-10006", false)
	}
	q.added = nil
	d.enqueue(q, "ozg-10006", true)
	if len(q.added) != 1 || q.added[0] != rollupSettledQuiet {
		t.Fatalf("enqueue with settled inputs asked for %v, want one reconcile after %v", q.added, rollupSettledQuiet)
	}
	if got := d.wait("ozg-10006", false, true); got != rollupSettledQuiet {
		t.Fatalf("with settled inputs the roll-up waits %v, want %v", got, rollupSettledQuiet)
	}
	if got := d.wait("ozg-10006", false, false); got != rollupQuietMax {
		t.Fatalf("with unsettled inputs the roll-up waits %v, want the full quiet time %v", got, rollupQuietMax)
	}

	// ...and flush brings every open burst forward to that time.
	d.enqueue(q, "ozg-10007", false)
	advance(rollupSettledQuiet)
	q.added, q.names = nil, nil
	d.flush()
	got := map[string]time.Duration{}
	for i, name := range q.names {
		got[name] = q.added[i]
	}
	if want := map[string]time.Duration{"ozg-10006": 0, "ozg-10007": 0}; !maps.Equal(got, want) {
		t.Fatalf("flush asked for %v, want %v", got, want)
	}
	expectWait("ozg-10006", false, rollupQuietMax-rollupSettledQuiet)
	if d.idle() {
		t.Fatal("the debouncer is idle with open bursts")
	}
}

func TestNeedsStatusNow(t *testing.T) {
	ready := []metav1.Condition{{Type: ozgv1.ReadyCondition, Status: metav1.ConditionTrue, Reason: ozgv1.ReasonSucceeded}}
	for _, tc := range []struct {
		name                 string
		generation, observed int64
		conditions           []metav1.Condition
		want                 bool
	}{
		{"no status yet", 1, 0, nil, true},
		{"new generation", 2, 1, ready, true},
		{"observed without Ready", 1, 1, nil, true},
		{"up to date", 3, 3, ready, false},
	} {
		status := &ozgv1.OZGServiceStatus{ObservedGeneration: tc.observed, Conditions: tc.conditions}
		if got := needsStatusNow(tc.generation, status); got != tc.want {
			t.Errorf("%s: needsStatusNow = %v, want %v", tc.name, got, tc.want)
		}
	}
}
