package controllers

import (
	"context"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// ResponsibilityProfileReconciler reports how each profile places the
// catalogue: services by level, and table entries the catalogue lacks.
type ResponsibilityProfileReconciler struct {
	client.Client

	writes cacheExpectations
}

// +kubebuilder:rbac:groups=ozg.dev,resources=responsibilityprofiles,verbs=get;list;watch
// +kubebuilder:rbac:groups=ozg.dev,resources=responsibilityprofiles/status,verbs=get;patch;update

// SetupWithManager registers the controller and its watches.
func (r *ResponsibilityProfileReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		Named("responsibilityprofile").
		For(&ozgv1.ResponsibilityProfile{}).
		// A catalogue entry's spec (its LeiKa services' typisierung) moves
		// its placement; its status writes do not.
		Watches(&ozgv1.OZGService{}, handler.EnqueueRequestsFromMapFunc(r.allProfiles),
			builder.WithPredicates(specChanged, afterInitialList)).
		Complete(r)
}

// allProfiles asks for every profile: there are a few, one per Land.
func (r *ResponsibilityProfileReconciler) allProfiles(ctx context.Context, _ client.Object) []ctrl.Request {
	return requestsForList(ctx, r.Client, &ozgv1.ResponsibilityProfileList{})
}

// Reconcile recomputes the profile's status and writes it when it changed.
func (r *ResponsibilityProfileReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	profile := &ozgv1.ResponsibilityProfile{}
	if ok, err := fetch(ctx, r.Client, &r.writes, req.NamespacedName, profile, nil); !ok {
		return ctrl.Result{}, err
	}
	// profileStatus only reads the catalogue: the cache's objects need no copy.
	catalogue := &ozgv1.OZGServiceList{}
	if err := r.List(ctx, catalogue, client.UnsafeDisableDeepCopy); err != nil {
		return ctrl.Result{}, err
	}
	return ctrl.Result{}, updateStatusIfChanged(ctx, r.Client, &r.writes, profile, &profile.Status, profileStatus(profile, catalogue.Items))
}
