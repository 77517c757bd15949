package controllers

import (
	"context"
	"fmt"

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

	tally    *serviceTally
	debounce *rollupDebouncer
	// settling tells whether the portals and administrations have settled.
	settling *rollupSettling
	writes   cacheExpectations
}

// +kubebuilder:rbac:groups=ozg.dev,resources=ozgservices,verbs=get;list;watch
// +kubebuilder:rbac:groups=ozg.dev,resources=ozgservices/status,verbs=get;patch;update

// SetupWithManager registers the controller and its watches.
func (r *OZGServiceReconciler) SetupWithManager(mgr ctrl.Manager) error {
	r.tally = newServiceTally()
	return ctrl.NewControllerManagedBy(mgr).
		Named("ozgservice").
		// No generation filter: when a reconcile read a stale cached status
		// and so skipped a write, the cache catching up with our own last
		// status write brings the object back for a second look.
		For(&ozgv1.OZGService{}).
		// Administrations carry both the service states and, in their status,
		// their portal's readiness: one watch sees every input.
		Watches(&ozgv1.Administration{}, contributionHandler{tally: r.tally, debounce: r.debounce, settling: r.settling}).
		Complete(r)
}

// contribution is what one administration adds to one service's status.
type contribution struct {
	state        ozgv1.ServiceState
	portal, live bool
}

// portalPart is what an administration's portal adds to each of its
// services: whether there is one, and whether it is published and Ready.
type portalPart struct{ present, online bool }

func portalContribution(adm *ozgv1.Administration) portalPart {
	p := adm.Status.Portal
	return portalPart{present: p != nil, online: p != nil && p.Ready && p.Published}
}

func contributionOf(portal portalPart, s *ozgv1.ServiceImplementation) contribution {
	state := s.State
	if state == "" {
		state = ozgv1.StateOpen
	}
	return contribution{state: state, portal: portal.present, live: portal.online && state == ozgv1.StateLive}
}

// contributions maps each service adm tracks to what it adds to the
// service's status.
func contributions(adm *ozgv1.Administration) map[string]contribution {
	portal := portalContribution(adm)
	m := make(map[string]contribution, len(adm.Spec.Services))
	for i := range adm.Spec.Services {
		m[adm.Spec.Services[i].Service] = contributionOf(portal, &adm.Spec.Services[i])
	}
	return m
}

// contributionHandler keeps the tally up to date with every administration
// event and enqueues only the services whose sums the event changed, so
// that one municipality's change touches a handful of catalogue entries,
// not all of them.
type contributionHandler struct {
	tally    *serviceTally
	debounce *rollupDebouncer
	settling *rollupSettling
}

func (h contributionHandler) change(q rollupQueue, before, after map[string]contribution) {
	changed := h.tally.change(before, after)
	if len(changed) == 0 {
		return
	}
	settled := h.settling.settled()
	for _, name := range changed {
		h.debounce.enqueue(q, name, settled)
	}
}

func (h contributionHandler) Create(_ context.Context, e event.CreateEvent, q rollupQueue) {
	h.change(q, nil, contributions(e.Object.(*ozgv1.Administration)))
}

func (h contributionHandler) Update(_ context.Context, e event.UpdateEvent, q rollupQueue) {
	oldAdm, newAdm := e.ObjectOld.(*ozgv1.Administration), e.ObjectNew.(*ozgv1.Administration)
	// Most updates are status writes that leave the services and what the
	// portal adds to them as they were (and resyncs change nothing at all).
	if oldAdm.Generation == newAdm.Generation && portalContribution(oldAdm) == portalContribution(newAdm) {
		return
	}
	h.change(q, contributions(oldAdm), contributions(newAdm))
}

func (h contributionHandler) Delete(_ context.Context, e event.DeleteEvent, q rollupQueue) {
	h.change(q, contributions(e.Object.(*ozgv1.Administration)), nil)
}

// Generic events carry no change, only a request to look again.
func (h contributionHandler) Generic(_ context.Context, e event.GenericEvent, q rollupQueue) {
	settled := h.settling.settled()
	for _, s := range e.Object.(*ozgv1.Administration).Spec.Services {
		h.debounce.enqueue(q, s.Service, settled)
	}
}

var _ handler.EventHandler = contributionHandler{}

// Reconcile writes the service's status from the tally of the
// administrations that track it, when it changed.
func (r *OZGServiceReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	svc := &ozgv1.OZGService{}
	if err := r.Get(ctx, req.NamespacedName, svc); err != nil {
		if apierrors.IsNotFound(err) {
			r.debounce.forget(req.Name)
			r.writes.forget(req.NamespacedName)
		}
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !r.writes.satisfied(client.ObjectKeyFromObject(svc), svc) {
		return ctrl.Result{}, nil
	}
	if wait := r.debounce.wait(svc.Name, needsStatusNow(svc.Generation, &svc.Status), r.settling.settled()); wait > 0 {
		return ctrl.Result{RequeueAfter: wait}, nil
	}
	status := serviceStatus(svc, r.tally.sum(svc.Name))
	return ctrl.Result{}, updateStatusIfChanged(ctx, r.Client, &r.writes, svc, &svc.Status, status)
}

// serviceStatus computes svc's status from the sum of its administrations.
func serviceStatus(svc *ozgv1.OZGService, sum serviceSum) *ozgv1.OZGServiceStatus {
	status := svc.Status.DeepCopy()
	status.ObservedGeneration = svc.Generation
	status.Administrations = sum.administrations
	status.Portals, status.OnlinePortals = sum.portals, sum.onlinePortals
	setCondition(status, ozgv1.ReadyCondition, metav1.ConditionTrue, ozgv1.ReasonSucceeded,
		fmt.Sprintf("online in %d of %d portals", status.OnlinePortals, status.Portals))
	return status
}
