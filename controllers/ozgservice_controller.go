package controllers

import (
	"context"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// OZGServiceReconciler rolls the administrations' states and their portals
// up into each catalogue entry: "online in 16 of 36 portals".
type OZGServiceReconciler struct {
	client.Client

	debounce *rollupDebouncer
}

// +kubebuilder:rbac:groups=ozg.dev,resources=ozgservices,verbs=get;list;watch
// +kubebuilder:rbac:groups=ozg.dev,resources=ozgservices/status,verbs=get;patch;update

// SetupWithManager registers the controller and its watches.
func (r *OZGServiceReconciler) SetupWithManager(mgr ctrl.Manager) error {
	r.debounce = newRollupDebouncer(time.Now)
	return ctrl.NewControllerManagedBy(mgr).
		Named("ozgservice").
		// No generation filter: when a reconcile read a stale cached status
		// and so skipped a write, the cache catching up with our own last
		// status write brings the object back for a second look.
		For(&ozgv1.OZGService{}).
		// Administrations carry both the service states and, in their status,
		// their portal's readiness: one watch sees every input.
		Watches(&ozgv1.Administration{}, contributionHandler{debounce: r.debounce}).
		Complete(r)
}

// contribution is what one administration adds to one service's status.
type contribution struct {
	state        ozgv1.ServiceState
	portal, live bool
}

func contributionOf(adm *ozgv1.Administration, s *ozgv1.ServiceImplementation) contribution {
	p := adm.Status.Portal
	state := s.State
	if state == "" {
		state = ozgv1.StateOpen
	}
	return contribution{state: state, portal: p != nil, live: p != nil && p.Ready && p.Published && state == ozgv1.StateLive}
}

// contributions maps each service adm tracks to what it adds to the
// service's status.
func contributions(adm *ozgv1.Administration) map[string]contribution {
	m := make(map[string]contribution, len(adm.Spec.Services))
	for i := range adm.Spec.Services {
		m[adm.Spec.Services[i].Service] = contributionOf(adm, &adm.Spec.Services[i])
	}
	return m
}

// contributionHandler enqueues only the services whose contribution an
// administration event changed, so that one municipality's change touches
// a handful of catalogue entries, not all of them.
type contributionHandler struct{ debounce *rollupDebouncer }

func (h contributionHandler) enqueueServices(q rollupQueue, names map[string]contribution) {
	for name := range names {
		h.debounce.enqueue(q, name)
	}
}

func (h contributionHandler) Create(_ context.Context, e event.CreateEvent, q rollupQueue) {
	h.enqueueServices(q, contributions(e.Object.(*ozgv1.Administration)))
}

func (h contributionHandler) Update(_ context.Context, e event.UpdateEvent, q rollupQueue) {
	before := contributions(e.ObjectOld.(*ozgv1.Administration))
	after := contributions(e.ObjectNew.(*ozgv1.Administration))
	for name, c := range after {
		if old, ok := before[name]; !ok || old != c {
			h.debounce.enqueue(q, name)
		}
	}
	for name := range before {
		if _, ok := after[name]; !ok {
			h.debounce.enqueue(q, name)
		}
	}
}

func (h contributionHandler) Delete(_ context.Context, e event.DeleteEvent, q rollupQueue) {
	h.enqueueServices(q, contributions(e.Object.(*ozgv1.Administration)))
}

func (h contributionHandler) Generic(_ context.Context, e event.GenericEvent, q rollupQueue) {
	h.enqueueServices(q, contributions(e.Object.(*ozgv1.Administration)))
}

var _ handler.EventHandler = contributionHandler{}

// Reconcile recounts the service from the administrations that track it and
// writes the status when it changed.
func (r *OZGServiceReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	svc := &ozgv1.OZGService{}
	if err := r.Get(ctx, req.NamespacedName, svc); err != nil {
		if apierrors.IsNotFound(err) {
			r.debounce.forget(req.Name)
		}
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if wait := r.debounce.wait(svc.Name, needsStatusNow(svc.Generation, &svc.Status)); wait > 0 {
		return ctrl.Result{RequeueAfter: wait}, nil
	}
	// The administrations are only read: without copies, a reconcile does
	// not duplicate the hundreds of service entries of each of them.
	var adms ozgv1.AdministrationList
	if err := r.List(ctx, &adms, client.MatchingFields{indexAdministrationService: svc.Name}, client.UnsafeDisableDeepCopy); err != nil {
		return ctrl.Result{}, err
	}
	status := serviceStatus(svc, adms.Items)
	return ctrl.Result{}, updateStatusIfChanged(ctx, r.Client, svc, &svc.Status, status)
}

// serviceStatus computes svc's status from the administrations tracking it.
func serviceStatus(svc *ozgv1.OZGService, adms []ozgv1.Administration) *ozgv1.OZGServiceStatus {
	status := svc.Status.DeepCopy()
	status.ObservedGeneration = svc.Generation
	status.Administrations = ozgv1.StateCounts{}
	status.Portals, status.OnlinePortals = 0, 0
	for i := range adms {
		impl := findService(&adms[i], svc.Name)
		if impl == nil {
			continue
		}
		c := contributionOf(&adms[i], impl)
		switch c.state {
		case ozgv1.StateLive:
			status.Administrations.Live++
		case ozgv1.StateInProgress:
			status.Administrations.InProgress++
		default:
			status.Administrations.Open++
		}
		if c.portal {
			status.Portals++
		}
		if c.live {
			status.OnlinePortals++
		}
	}
	setCondition(status, ozgv1.ReadyCondition, metav1.ConditionTrue, ozgv1.ReasonSucceeded,
		fmt.Sprintf("online in %d of %d portals", status.OnlinePortals, status.Portals))
	return status
}

// findService returns adm's entry for the named service, or nil.
func findService(adm *ozgv1.Administration, name string) *ozgv1.ServiceImplementation {
	for i := range adm.Spec.Services {
		if adm.Spec.Services[i].Service == name {
			return &adm.Spec.Services[i]
		}
	}
	return nil
}
