package controllers

import (
	"context"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/admservices"
)

// updateStatusIfChanged writes newStatus when it differs from the status obj
// was read with; an unchanged status costs no request. It records the
// write in writes (see cacheExpectations).
//
// It replaces the whole status (an update of the status subresource)
// rather than sending a merge patch of the difference: a counter that is
// zero from the start would be missing from such a patch, and stay missing
// from the stored object and the printer columns. The update carries obj's
// resourceVersion, so a concurrent writer makes it fail with a conflict
// instead of losing the other's conditions.
//
// Each kind's _status.go sets every condition once per reconcile through
// meta.SetStatusCondition, which keeps lastTransitionTime while the status
// stays: an unchanged status compares equal here and costs nothing.
//
// A conflict is no error worth logging: obj is older than the stored
// object, and the watch event of the newer version brings it back to be
// reconciled with fresh data.
func updateStatusIfChanged[S any, P interface {
	*S
	ozgv1.ConditionsHolder
}](ctx context.Context, c client.Client, writes *cacheExpectations, obj client.Object, current, newStatus P) error {
	_, err := writeStatus(ctx, c, writes, obj, current, newStatus)
	return err
}

// writeStatus is updateStatusIfChanged, and tells whether newStatus is
// stored now (written, or unchanged): false after a conflict.
func writeStatus[S any, P interface {
	*S
	ozgv1.ConditionsHolder
}](ctx context.Context, c client.Client, writes *cacheExpectations, obj client.Object, current, newStatus P) (stored bool, err error) {
	if equality.Semantic.DeepEqual(current, newStatus) {
		return true, nil
	}
	*current = *newStatus
	// The status subresource ignores metadata; the cache's own annotation
	// is not sent at all.
	admservices.Strip(obj)
	replaced := obj.GetResourceVersion()
	err = c.Status().Update(ctx, obj)
	if apierrors.IsConflict(err) {
		log.FromContext(ctx).V(1).Info("status write conflicted; the newer version's watch event brings the object back", "resourceVersion", replaced)
		return false, nil
	}
	// An update that changes nothing stored keeps the resourceVersion and
	// sends no watch event: there is nothing for the cache to catch up with.
	if err == nil && obj.GetResourceVersion() != replaced {
		writes.expect(client.ObjectKeyFromObject(obj), replaced)
	}
	return err == nil, err
}

// writeRollup follows the roll-up view's answer for obj (see
// rollup.View.Administration): wait > 0, nothing to write yet; otherwise
// write the status computed by status, which is current unless the view
// asks for a recheck, after which the roll-up is looked at again. Once the
// status is stored it calls written (rollup.View.Written), so that the
// roll-up counts as pending until then: after a failed or conflicting
// write the retry, or the newer version's event, brings it back.
func writeRollup[S any, P interface {
	*S
	ozgv1.ConditionsHolder
}](ctx context.Context, c client.Client, writes *cacheExpectations, obj client.Object, current P, wait, recheck time.Duration, status func(current bool) P, written func()) (ctrl.Result, error) {
	if wait > 0 {
		return ctrl.Result{RequeueAfter: wait}, nil
	}
	stored, err := writeStatus(ctx, c, writes, obj, current, status(recheck == 0))
	if stored {
		written()
	}
	return ctrl.Result{RequeueAfter: recheck}, err
}
