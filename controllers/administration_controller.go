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
	// A portal may name an administration that does not exist: its burst goes.
	gone := func() { r.view.Discard(rollup.Administrations, req.Name) }
	if ok, err := fetch(ctx, r.Client, &r.writes, req.NamespacedName, adm, gone); !ok {
		return ctrl.Result{}, err
	}
	in, wait, recheck := r.view.Administration(adm.Name, needsStatusNow(adm.Generation, &adm.Status))
	if in.Generation != adm.Generation || in.UID != adm.UID {
		// The view has not taken this spec in yet (or the cache is behind
		// it): it asks for this roll-up when it has, the cache's event
		// when it catches up. Writing now would write a stale reach. What
		// the read took in stays pending until that write.
		return ctrl.Result{}, nil
	}
	return writeRollup(ctx, r.Client, &r.writes, adm, &adm.Status, wait, recheck, func(current bool) *ozgv1.AdministrationStatus {
		return administrationStatus(adm, in, current)
	}, func() { r.view.Written(rollup.Administrations, adm.Name) })
}
