package controllers

import (
	"context"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/rollup"
)

// AdministrationReconciler rolls an administration's portals and service
// states up into its status. Its inputs come from the roll-up view, which
// also tells it when a burst of portal events is over.
type AdministrationReconciler struct {
	client.Client

	view   *rollup.View
	writes cacheExpectations
}

// +kubebuilder:rbac:groups=ozg.dev,resources=administrations,verbs=get;list;watch
// +kubebuilder:rbac:groups=ozg.dev,resources=administrations/status,verbs=get;patch;update

// SetupWithManager registers the controller and its watches.
func (r *AdministrationReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		Named("administration").
		// No generation filter: when a reconcile read a stale cached status
		// and so skipped a write, the cache catching up with our own last
		// status write brings the object back for a second look.
		For(&ozgv1.Administration{}).
		WatchesRawSource(r.view.Source(rollup.Administrations)).
		Complete(r)
}

// Reconcile recomputes the administration's status and writes it when it changed.
func (r *AdministrationReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	adm := &ozgv1.Administration{}
	if err := r.Get(ctx, req.NamespacedName, adm); err != nil {
		if client.IgnoreNotFound(err) == nil {
			r.writes.forget(req.NamespacedName)
		}
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !r.writes.satisfied(req.NamespacedName, adm) {
		return ctrl.Result{}, nil
	}
	in, wait, recheck := r.view.Administration(adm.Name, needsStatusNow(adm.Generation, &adm.Status))
	if wait > 0 {
		return ctrl.Result{RequeueAfter: wait}, nil
	}
	// A status written before its burst is over says so, and is looked at again.
	err := updateStatusIfChanged(ctx, r.Client, &r.writes, adm, &adm.Status, administrationStatus(adm, in, recheck == 0))
	return ctrl.Result{RequeueAfter: recheck}, err
}
