package controllers

import (
	"context"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// cacheExpectations is the one answer of this package to "the cache has not
// seen my own write yet". A controller reads from an informer cache, which
// learns of a write only when its watch event arrives. A reconcile that
// starts before (another event woke it) would decide on the version its
// own write replaced: a status write would conflict, a fleet could exceed
// maxUnavailable or create a portal twice.
//
// For every object a controller writes (its own status, a child it applies
// or deletes), the expectation is the resourceVersion the write replaced,
// or "" for an object the write created. The cache has caught up once it
// shows any other version (an update or a delete that left the object
// terminating) or, for an update or delete, no object at all. Comparing
// resourceVersions only for equality keeps them opaque, as the API
// conventions ask.
//
// An expectation expires after expectationTTL, as the expectations of
// Kubernetes' own controllers do: an object created and deleted before the
// cache showed it (both events between two reconciles, or lost to a
// relist) is never seen, and waiting for it would freeze the controller.
//
// It is safe for concurrent reconciles; the zero value is ready to use.
type cacheExpectations struct {
	mu       sync.Mutex
	replaced map[client.ObjectKey]expectation
	// now is the clock; nil is time.Now.
	now func() time.Time
}

// expectationTTL is how long a write's expectation is waited for.
const expectationTTL = 5 * time.Minute

type expectation struct {
	replaced string
	at       time.Time
}

func (e *cacheExpectations) clock() time.Time {
	if e.now != nil {
		return e.now()
	}
	return time.Now()
}

// expect records that a write replaced version replaced of the object at
// key ("" when the write created it).
func (e *cacheExpectations) expect(key client.ObjectKey, replaced string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.replaced == nil {
		e.replaced = map[client.ObjectKey]expectation{}
	}
	e.replaced[key] = expectation{replaced: replaced, at: e.clock()}
}

// satisfied tells whether the cache has caught up with the last write to
// key; cached is the object as the cache has it, or nil when it has none.
// Once it has, or the expectation expired, the expectation is dropped.
func (e *cacheExpectations) satisfied(key client.ObjectKey, cached client.Object) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	x, ok := e.replaced[key]
	if !ok {
		return true
	}
	expired := e.clock().Sub(x.at) >= expectationTTL
	switch {
	case expired:
	case cached == nil && x.replaced == "":
		return false // created, not yet seen
	case cached != nil && cached.GetResourceVersion() == x.replaced:
		return false
	}
	delete(e.replaced, key)
	return true
}

// pending returns the keys in namespace whose writes the cache may not have
// seen yet, for a controller that must also wait for objects it created.
func (e *cacheExpectations) pending(namespace string) []client.ObjectKey {
	e.mu.Lock()
	defer e.mu.Unlock()
	var keys []client.ObjectKey
	for key := range e.replaced {
		if key.Namespace == namespace {
			keys = append(keys, key)
		}
	}
	return keys
}

// forget drops the expectation of an object that is gone.
func (e *cacheExpectations) forget(key client.ObjectKey) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.replaced, key)
}

// fetch reads the object at key from the cache into obj for a reconcile.
// It returns false when there is nothing to do now: the object is gone
// (its expectation is dropped and gone, if set, is called), or the cache
// has not yet seen the controller's own last write to it (the write's
// watch event brings the object back).
func fetch(ctx context.Context, c client.Reader, writes *cacheExpectations, key client.ObjectKey, obj client.Object, gone func()) (bool, error) {
	if err := c.Get(ctx, key, obj); err != nil {
		if !apierrors.IsNotFound(err) {
			return false, err
		}
		writes.forget(key)
		if gone != nil {
			gone()
		}
		return false, nil
	}
	return writes.satisfied(key, obj), nil
}
