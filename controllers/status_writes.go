package controllers

import (
	"context"
	"sync"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
)

// ownWrites remembers, per object, the resourceVersion that a reconciler's
// last status write replaced. The cache learns of a write only when its
// watch event arrives; a reconcile that starts before (a child's event
// woke it) reads the replaced version, and its own write would conflict.
// Such a reconcile can stop at once: the watch event of the write brings
// the object back, and everything else it read from the cache is at least
// as new as it was. A portal rollout at NRW scale saw 159 such conflicts.
// The zero value is ready to use.
type ownWrites struct {
	mu       sync.Mutex
	replaced map[client.ObjectKey]string
}

// cacheBehind tells whether obj, as read from the cache, is the version
// that the last status write replaced. Any other version shows that the
// cache has caught up.
func (w *ownWrites) cacheBehind(obj client.Object) bool {
	key := client.ObjectKeyFromObject(obj)
	w.mu.Lock()
	defer w.mu.Unlock()
	replaced, ok := w.replaced[key]
	if ok && replaced == obj.GetResourceVersion() {
		return true
	}
	delete(w.replaced, key)
	return false
}

// wrote records that a status write replaced version replaced of obj.
func (w *ownWrites) wrote(obj client.Object, replaced string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.replaced == nil {
		w.replaced = map[client.ObjectKey]string{}
	}
	w.replaced[client.ObjectKeyFromObject(obj)] = replaced
}

// forget drops what is known of an object that is gone.
func (w *ownWrites) forget(key client.ObjectKey) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.replaced, key)
}

// updateStatusIfChanged writes newStatus when it differs from the status obj
// was read with; an unchanged status costs no request. It records the
// write in writes.
//
// It replaces the whole status (an update of the status subresource)
// rather than sending a merge patch of the difference: a counter that is
// zero from the start would be missing from such a patch, and stay missing
// from the stored object and the printer columns. The update carries obj's
// resourceVersion, so a concurrent writer makes it fail with a conflict
// instead of losing the other's conditions.
//
// A conflict is no error worth logging: obj is older than the stored
// object, and the watch event of the newer version brings it back to be
// reconciled with fresh data.
func updateStatusIfChanged[S any](ctx context.Context, c client.Client, writes *ownWrites, obj client.Object, current *S, newStatus *S) error {
	if equality.Semantic.DeepEqual(current, newStatus) {
		return nil
	}
	*current = *newStatus
	replaced := obj.GetResourceVersion()
	err := c.Status().Update(ctx, obj)
	if apierrors.IsConflict(err) {
		log.FromContext(ctx).V(1).Info("status write conflicted; the newer version's watch event brings the object back", "resourceVersion", replaced)
		return nil
	}
	// An update that changes nothing stored keeps the resourceVersion and
	// sends no watch event: there is nothing for the cache to catch up with.
	if err == nil && obj.GetResourceVersion() != replaced {
		writes.wrote(obj, replaced)
	}
	return err
}
