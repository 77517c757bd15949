package controllers

import (
	"context"
	"fmt"
	"sort"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// AdministrationReconciler rolls an administration's portal and service
// states up into its status.
type AdministrationReconciler struct {
	client.Client

	debounce *rollupDebouncer
	// settling learns from the portal events, and is checked after each
	// status write, whether the catalogue's inputs have settled.
	settling *rollupSettling
	writes   cacheExpectations
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
		Watches(&ozgv1.ServicePortal{}, portalSummaryHandler{debounce: r.debounce, settling: r.settling}).
		Complete(r)
}

// portalSummaryHandler enqueues the administrations whose portal summary a
// portal event changes, old and new reference alike, and tells settling
// how far the portal is. The administration is enqueued first, so that
// its open burst keeps the catalogue from counting the portal's change as
// settled before the administration's status shows it.
type portalSummaryHandler struct {
	debounce *rollupDebouncer
	settling *rollupSettling
}

func (h portalSummaryHandler) Create(_ context.Context, e event.CreateEvent, q rollupQueue) {
	h.portalSeen(q, e.Object.(*ozgv1.ServicePortal))
}

func (h portalSummaryHandler) Update(_ context.Context, e event.UpdateEvent, q rollupQueue) {
	oldP, newP := e.ObjectOld.(*ozgv1.ServicePortal), e.ObjectNew.(*ozgv1.ServicePortal)
	settled := portalSettled(newP)
	switch {
	case oldP.Spec.AdministrationRef != newP.Spec.AdministrationRef:
		h.debounce.enqueue(q, oldP.Spec.AdministrationRef.Name, settled)
		h.debounce.enqueue(q, newP.Spec.AdministrationRef.Name, settled)
	case portalSummary(oldP) != portalSummary(newP):
		h.debounce.enqueue(q, newP.Spec.AdministrationRef.Name, settled)
	}
	h.observe(newP)
}

func (h portalSummaryHandler) Delete(_ context.Context, e event.DeleteEvent, q rollupQueue) {
	p := e.Object.(*ozgv1.ServicePortal)
	h.debounce.enqueue(q, p.Spec.AdministrationRef.Name, true)
	h.settling.forget(p)
	h.settling.check()
}

func (h portalSummaryHandler) Generic(_ context.Context, e event.GenericEvent, q rollupQueue) {
	h.portalSeen(q, e.Object.(*ozgv1.ServicePortal))
}

// portalSeen enqueues the administration of a portal that an event shows
// without its earlier version, and records the portal.
func (h portalSummaryHandler) portalSeen(q rollupQueue, p *ozgv1.ServicePortal) {
	h.debounce.enqueue(q, p.Spec.AdministrationRef.Name, portalSettled(p))
	h.observe(p)
}

func (h portalSummaryHandler) observe(p *ozgv1.ServicePortal) {
	h.settling.observe(p)
	h.settling.check()
}

var _ handler.EventHandler = portalSummaryHandler{}

// portalSummary is what an administration's status says of a portal.
func portalSummary(p *ozgv1.ServicePortal) ozgv1.AdministrationPortalStatus {
	return ozgv1.AdministrationPortalStatus{
		Name:      p.Name,
		Namespace: p.Namespace,
		URL:       p.Status.URL,
		Ready:     meta.IsStatusConditionTrue(p.Status.Conditions, ozgv1.ReadyCondition),
		Published: meta.IsStatusConditionTrue(p.Status.Conditions, ozgv1.PublishedCondition),
	}
}

// Reconcile recomputes the administration's status and writes it when it changed.
func (r *AdministrationReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	adm := &ozgv1.Administration{}
	if err := r.Get(ctx, req.NamespacedName, adm); err != nil {
		if apierrors.IsNotFound(err) {
			r.debounce.forget(req.Name)
			r.writes.forget(req.NamespacedName)
		}
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !r.writes.satisfied(client.ObjectKeyFromObject(adm), adm) {
		return ctrl.Result{}, nil
	}
	var portals ozgv1.ServicePortalList
	if err := r.List(ctx, &portals, client.MatchingFields{indexPortalAdministration: adm.Name}); err != nil {
		return ctrl.Result{}, err
	}
	if wait := r.debounce.wait(adm.Name, needsStatusNow(adm.Generation, &adm.Status), portalsSettled(portals.Items)); wait > 0 {
		return ctrl.Result{RequeueAfter: wait}, nil
	}
	status := administrationStatus(adm, portals.Items)
	err := updateStatusIfChanged(ctx, r.Client, &r.writes, adm, &adm.Status, status)
	r.settling.check()
	return ctrl.Result{}, err
}

// administrationStatus computes the status of adm served by portals.
func administrationStatus(adm *ozgv1.Administration, portals []ozgv1.ServicePortal) *ozgv1.AdministrationStatus {
	status := adm.Status.DeepCopy()
	status.ObservedGeneration = adm.Generation
	status.Services = countStates(adm.Spec.Services)
	status.Portal = choosePortal(portals)
	status.Online = 0
	if p := status.Portal; p != nil && p.Ready && p.Published {
		status.Online = status.Services.Live
	}

	total := int32(len(adm.Spec.Services))
	msg := fmt.Sprintf("%d of %d services online", status.Online, total)
	if status.Portal == nil {
		msg += "; no portal"
	} else if len(portals) > 1 {
		msg += fmt.Sprintf("; %d portals serve this administration, status shows %s/%s", len(portals), status.Portal.Namespace, status.Portal.Name)
	}
	setCondition(status, ozgv1.ReadyCondition, metav1.ConditionTrue, ozgv1.ReasonSucceeded, msg)
	return status
}

func countStates(services []ozgv1.ServiceImplementation) ozgv1.StateCounts {
	var c ozgv1.StateCounts
	for _, s := range services {
		countState(&c, s.State, 1)
	}
	return c
}

// countState adds n to the count of state in c; an unset state counts as
// Open, the API's default.
func countState(c *ozgv1.StateCounts, state ozgv1.ServiceState, n int32) {
	switch state {
	case ozgv1.StateLive:
		c.Live += n
	case ozgv1.StateInProgress:
		c.InProgress += n
	default:
		c.Open += n
	}
}

// choosePortal picks the portal to report: the most advanced one (published
// before ready before neither), ties broken by namespace and name so that
// the choice is stable.
func choosePortal(portals []ozgv1.ServicePortal) *ozgv1.AdministrationPortalStatus {
	if len(portals) == 0 {
		return nil
	}
	summaries := make([]ozgv1.AdministrationPortalStatus, 0, len(portals))
	for i := range portals {
		if portals[i].DeletionTimestamp.IsZero() {
			summaries = append(summaries, portalSummary(&portals[i]))
		}
	}
	if len(summaries) == 0 {
		return nil
	}
	rank := func(s ozgv1.AdministrationPortalStatus) int {
		switch {
		case s.Published && s.Ready:
			return 0
		case s.Ready:
			return 1
		}
		return 2
	}
	sort.Slice(summaries, func(i, j int) bool {
		a, b := summaries[i], summaries[j]
		if rank(a) != rank(b) {
			return rank(a) < rank(b)
		}
		return a.Namespace+"/"+a.Name < b.Namespace+"/"+b.Name
	})
	return &summaries[0]
}
