package controllers

import (
	"context"
	"time"

	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/programme"
)

// ServiceProgrammeReconciler counts each programme's progress from the
// administrations taking part and the catalogue.
type ServiceProgrammeReconciler struct {
	client.Client
	// Now is the clock, for the target dates; tests may replace it.
	Now func() time.Time

	writes cacheExpectations
}

// +kubebuilder:rbac:groups=ozg.dev,resources=serviceprogrammes,verbs=get;list;watch
// +kubebuilder:rbac:groups=ozg.dev,resources=serviceprogrammes/status,verbs=get;patch;update

// SetupWithManager registers the controller and its watches.
func (r *ServiceProgrammeReconciler) SetupWithManager(mgr ctrl.Manager) error {
	if r.Now == nil {
		r.Now = time.Now
	}
	// A programme counts the administrations' spec.services and the
	// catalogue's LeiKa services, and selects both by label: their status
	// writes change nothing it counts.
	specOrLabels := builder.WithPredicates(predicate.Or[client.Object](specChanged, predicate.LabelChangedPredicate{}))
	return ctrl.NewControllerManagedBy(mgr).
		Named("serviceprogramme").
		For(&ozgv1.ServiceProgramme{}).
		Watches(&ozgv1.Administration{}, r.coalesced(), specOrLabels).
		Watches(&ozgv1.OZGService{}, r.coalesced(), specOrLabels).
		Complete(r)
}

// programmeCoalesce is how long a programme waits after an
// administration's or catalogue entry's change before it recounts, taking
// in every change that comes meanwhile: a recount reads every
// administration (88 ms for 11,000 of them in BenchmarkComputeGermany), so
// an import or a fleet's rollout that changes thousands recounts each
// programme at most once per programmeCoalesce, not once per change.
const programmeCoalesce = 2 * time.Second

// coalesced asks for every programme programmeCoalesce after a change; the
// workqueue keeps the earliest time asked for, so the changes that come
// before then join that recount.
func (r *ServiceProgrammeReconciler) coalesced() handler.EventHandler {
	enqueue := func(ctx context.Context, q workqueue.TypedRateLimitingInterface[ctrl.Request]) {
		for _, req := range r.allProgrammes(ctx, nil) {
			q.AddAfter(req, programmeCoalesce)
		}
	}
	return handler.Funcs{
		CreateFunc: func(ctx context.Context, _ event.CreateEvent, q workqueue.TypedRateLimitingInterface[ctrl.Request]) {
			enqueue(ctx, q)
		},
		UpdateFunc: func(ctx context.Context, _ event.UpdateEvent, q workqueue.TypedRateLimitingInterface[ctrl.Request]) {
			enqueue(ctx, q)
		},
		DeleteFunc: func(ctx context.Context, _ event.DeleteEvent, q workqueue.TypedRateLimitingInterface[ctrl.Request]) {
			enqueue(ctx, q)
		},
		GenericFunc: func(ctx context.Context, _ event.GenericEvent, q workqueue.TypedRateLimitingInterface[ctrl.Request]) {
			enqueue(ctx, q)
		},
	}
}

// allProgrammes asks for every programme: a provider has a few, and one
// change may move an administration or service into or out of any.
func (r *ServiceProgrammeReconciler) allProgrammes(ctx context.Context, _ client.Object) []ctrl.Request {
	return requestsForList(ctx, r.Client, &ozgv1.ServiceProgrammeList{})
}

// Reconcile recomputes the programme's status and writes it when it
// changed; a target date still to come is a timer, since passing it may
// make a priority overdue.
func (r *ServiceProgrammeReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	prog := &ozgv1.ServiceProgramme{}
	if ok, err := fetch(ctx, r.Client, &r.writes, req.NamespacedName, prog, nil); !ok {
		return ctrl.Result{}, err
	}
	// programme.Compute only reads: the cache's objects need no copy.
	adms := &ozgv1.AdministrationList{}
	if err := r.List(ctx, adms, client.UnsafeDisableDeepCopy); err != nil {
		return ctrl.Result{}, err
	}
	catalogue := &ozgv1.OZGServiceList{}
	if err := r.List(ctx, catalogue, client.UnsafeDisableDeepCopy); err != nil {
		return ctrl.Result{}, err
	}
	now := r.Now()
	result, err := programme.Compute(&prog.Spec, adms.Items, catalogue.Items, now)
	status := programmeStatus(prog, result, err)
	var res ctrl.Result
	if result != nil && !result.Next.IsZero() {
		res.RequeueAfter = result.Next.Sub(now)
	}
	return res, updateStatusIfChanged(ctx, r.Client, &r.writes, prog, &prog.Status, status)
}
