package controllers

import (
	"context"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
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
// Conditions that end with the status they have in current keep its
// lastTransitionTime (see keepTransitionTimes).
//
// A conflict is no error worth logging: obj is older than the stored
// object, and the watch event of the newer version brings it back to be
// reconciled with fresh data.
func updateStatusIfChanged[S any, P interface {
	*S
	ozgv1.ConditionsHolder
}](ctx context.Context, c client.Client, writes *cacheExpectations, obj client.Object, current, newStatus P) error {
	keepTransitionTimes(*current.StatusConditions(), *newStatus.StatusConditions())
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
		writes.expect(client.ObjectKeyFromObject(obj), replaced)
	}
	return err
}

// keepTransitionTimes gives every condition that ends a reconcile with
// the status it had before the reconcile its earlier lastTransitionTime
// back. A reconcile may pass a condition through other statuses on the way
// (a conflicting portal's rolled-out Deployment first makes it Ready, then
// the conflict makes it not Ready), and those steps are no transitions:
// without this, each reconcile of such a portal rewrote its status with
// new times. Every status write goes through it, so that no reconciler
// has to remember.
func keepTransitionTimes(before, after []metav1.Condition) {
	for i := range after {
		if old := meta.FindStatusCondition(before, after[i].Type); old != nil && old.Status == after[i].Status {
			after[i].LastTransitionTime = old.LastTransitionTime
		}
	}
}
