package controllers

import (
	"fmt"
	"sync"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	"k8s.io/client-go/util/flowcontrol"
)

// Events are recorded on transitions only (a portal going online, a wave
// starting), never once per reconcile, and each object and reason has a
// token bucket on top: a portal that flaps between two states, or a fleet
// whose waves cycle, fills `kubectl describe` with at most eventBurst events
// and then one per five minutes.
const (
	eventBurst = 5
	// eventQPS is one event per five minutes, as the old event correlator's
	// spam filter allows.
	eventQPS = 1.0 / 300
)

// eventRecorder records Kubernetes Events (events.k8s.io/v1) for the
// objects the controllers manage. A nil *eventRecorder records nothing, so
// that reconcilers under unit test need none.
type eventRecorder struct {
	rec events.EventRecorder

	mu       sync.Mutex
	limiters map[eventKey]flowcontrol.RateLimiter
}

type eventKey struct {
	uid    types.UID
	reason string
}

func newEventRecorder(rec events.EventRecorder) *eventRecorder {
	if rec == nil {
		return nil
	}
	return &eventRecorder{rec: rec, limiters: map[eventKey]flowcontrol.RateLimiter{}}
}

// normal records an informational event: reason is one of the Event*
// constants of the API, action what the controller did (CamelCase).
func (r *eventRecorder) normal(obj runtime.Object, reason, action, note string, args ...any) {
	r.record(obj, corev1.EventTypeNormal, reason, action, note, args...)
}

// warning records an event that needs a person's attention.
func (r *eventRecorder) warning(obj runtime.Object, reason, action, note string, args ...any) {
	r.record(obj, corev1.EventTypeWarning, reason, action, note, args...)
}

func (r *eventRecorder) record(obj runtime.Object, typ, reason, action, note string, args ...any) {
	if r == nil || !r.allow(obj, reason) {
		return
	}
	r.rec.Eventf(obj, nil, typ, reason, action, "%s", eventNote(fmt.Sprintf(note, args...)))
}

// eventNoteLimit is the longest note the API server takes in an Event;
// a condition message listing long hostnames can exceed it.
const eventNoteLimit = 1024

// eventNote cuts message to eventNoteLimit bytes, on a character boundary.
func eventNote(message string) string {
	if len(message) <= eventNoteLimit {
		return message
	}
	const more = "..."
	cut := eventNoteLimit - len(more)
	for cut > 0 && !utf8.RuneStart(message[cut]) {
		cut--
	}
	return message[:cut] + more
}

// allow takes a token from the bucket of obj and reason.
func (r *eventRecorder) allow(obj runtime.Object, reason string) bool {
	accessor, err := meta.Accessor(obj)
	if err != nil {
		return false
	}
	key := eventKey{uid: accessor.GetUID(), reason: reason}
	r.mu.Lock()
	defer r.mu.Unlock()
	l, ok := r.limiters[key]
	if !ok {
		l = flowcontrol.NewTokenBucketRateLimiter(eventQPS, eventBurst)
		r.limiters[key] = l
	}
	return l.TryAccept()
}

// forget drops the buckets of an object that is gone.
func (r *eventRecorder) forget(uid types.UID) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for key := range r.limiters {
		if key.uid == uid {
			delete(r.limiters, key)
		}
	}
}
