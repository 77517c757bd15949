package controllers

import (
	"context"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/rollup"
)

// OZGServiceReconciler rolls the administrations' states and their portals
// up into each catalogue entry: "online in 16 of 36 portals". The counts
// come from the roll-up view, which sums them as events arrive, so a
// roll-up reads one sum instead of recounting thousands of administrations.
type OZGServiceReconciler struct {
	client.Client

	view   *rollup.View
	writes cacheExpectations
}

// +kubebuilder:rbac:groups=ozg.dev,resources=ozgservices,verbs=get;list;watch
// +kubebuilder:rbac:groups=ozg.dev,resources=ozgservices/status,verbs=get;patch;update

// SetupWithManager registers the controller and its watches.
func (r *OZGServiceReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		Named("ozgservice").
		// No generation filter, as for Administrations.
		For(&ozgv1.OZGService{}).
		WatchesRawSource(r.view.Source(rollup.Services)).
		Complete(r)
}

// Reconcile writes the service's status from the view's counts, when it changed.
func (r *OZGServiceReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	svc := &ozgv1.OZGService{}
	// Administrations may track a service the catalogue lacks: its burst goes.
	gone := func() { r.view.Discard(rollup.Services, req.Name) }
	if ok, err := fetch(ctx, r.Client, &r.writes, req.NamespacedName, svc, gone); !ok {
		return ctrl.Result{}, err
	}
	counts, wait, recheck := r.view.Service(svc.Name, needsStatusNow(svc.Generation, &svc.Status))
	if counts.Generation != svc.Generation || counts.UID != svc.UID {
		// As for an Administration: the view asks for this roll-up once it
		// has taken this spec in; writing now would count the old one.
		return ctrl.Result{}, nil
	}
	return writeRollup(ctx, r.Client, &r.writes, svc, &svc.Status, wait, recheck, func(current bool) *ozgv1.OZGServiceStatus {
		return serviceStatus(svc, counts, current)
	}, func() { r.view.Written(rollup.Services, svc.Name) })
}
