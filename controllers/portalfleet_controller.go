package controllers

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/rollout"
)

// PortalFleetReconciler owns one ServicePortal per selected Administration
// and rolls template changes out wave by wave.
type PortalFleetReconciler struct {
	client.Client
	// Now is the clock; tests may replace it.
	Now func() time.Time

	events *eventRecorder
	// writes are the fleets' status writes.
	writes cacheExpectations
	// portalWrites are the portal writes, one set per fleet, so that a
	// fleet waits only for the cache to show its own.
	portalWrites fleetPortalWrites
}

// +kubebuilder:rbac:groups=ozg.dev,resources=portalfleets,verbs=get;list;watch
// +kubebuilder:rbac:groups=ozg.dev,resources=portalfleets/status,verbs=get;patch;update
// +kubebuilder:rbac:groups=ozg.dev,resources=portalfleets/finalizers,verbs=update
// +kubebuilder:rbac:groups=ozg.dev,resources=serviceportals,verbs=get;list;watch;create;update;patch;delete

// SetupWithManager registers the controller and its watches.
func (r *PortalFleetReconciler) SetupWithManager(mgr ctrl.Manager) error {
	if r.Now == nil {
		r.Now = time.Now
	}
	return ctrl.NewControllerManagedBy(mgr).
		// No generation filter: when a reconcile read a stale cached status
		// and so skipped a write, the cache catching up with our own last
		// status write brings the object back for a second look.
		For(&ozgv1.PortalFleet{}).
		// Portal status drives the rollout.
		Owns(&ozgv1.ServicePortal{}).
		// Which administrations a fleet selects depends on their labels.
		Watches(&ozgv1.Administration{}, handler.EnqueueRequestsFromMapFunc(r.fleetsOfAdministration),
			builder.WithPredicates(predicate.Or[client.Object](predicate.LabelChangedPredicate{}, specChanged), afterInitialList)).
		// Whose namespace it is decides whose administrations it may select.
		Watches(&corev1.Namespace{}, handler.EnqueueRequestsFromMapFunc(r.fleetsOfNamespace),
			builder.WithPredicates(predicate.LabelChangedPredicate{})).
		Complete(r)
}

func (r *PortalFleetReconciler) fleetsOfNamespace(ctx context.Context, o client.Object) []reconcile.Request {
	return requestsForList(ctx, r.Client, &ozgv1.PortalFleetList{}, client.InNamespace(o.GetName()))
}

// fleetsOfAdministration enqueues every fleet: a label change may add or
// remove the administration anywhere, and fleets are few.
func (r *PortalFleetReconciler) fleetsOfAdministration(ctx context.Context, _ client.Object) []reconcile.Request {
	return requestsForList(ctx, r.Client, &ozgv1.PortalFleetList{})
}

// Reconcile converges the fleet's portals one step and writes the status
// when it changed.
func (r *PortalFleetReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	fleet := &ozgv1.PortalFleet{}
	gone := func() { r.portalWrites.forget(req.NamespacedName) }
	if ok, err := fetch(ctx, r.Client, &r.writes, req.NamespacedName, fleet, gone); !ok {
		return ctrl.Result{}, err
	}
	if !fleet.DeletionTimestamp.IsZero() {
		r.events.forget(fleet.UID)
		return ctrl.Result{}, nil
	}
	v, err := r.observe(ctx, fleet)
	if errors.Is(err, errCacheBehind) {
		return cacheBehind, nil
	}
	if err != nil {
		return ctrl.Result{}, err
	}
	before := fleet.Status.DeepCopy()
	status := fleet.Status.DeepCopy()
	status.ObservedGeneration = fleet.Generation
	var result ctrl.Result
	switch {
	case v.invalid != "":
		setFleetReadiness(status, invalidSpec(v.invalid))
	default:
		if err = r.act(ctx, fleet, v); errors.Is(err, errCacheBehind) {
			return cacheBehind, nil
		}
		if err != nil {
			setFleetReadiness(status, applyFailed(err))
			break
		}
		fleetStatus(fleet, status, v.selection, v.hash, v.plan)
		// A timer for the progress deadline, not a poll: portal events
		// usually come first.
		result.RequeueAfter = v.plan.requeueAfter
	}
	version := fleet.ResourceVersion
	if werr := updateStatusIfChanged(ctx, r.Client, &r.writes, fleet, &fleet.Status, status); werr != nil {
		return ctrl.Result{}, errors.Join(err, werr)
	}
	if fleet.ResourceVersion != version {
		// Only a stored transition is one: a write that conflicted is
		// tried again, with the same transition.
		recordFleetEvents(r.events, fleet, before, v.plan)
	}
	return result, err
}

// errCacheBehind stops a reconcile that would decide on a cache that has
// not shown the fleet's last writes; their watch events bring it back, or,
// for a write whose event never comes, cacheBehind's timer once its
// expectation expired.
var errCacheBehind = errors.New("the cache has not shown the fleet's last writes")

var cacheBehind = ctrl.Result{RequeueAfter: expectationTTL}

// fleetView is what a reconcile decides on.
type fleetView struct {
	// invalid says why the spec cannot be realised at all; the rest is
	// then unset.
	invalid   string
	publish   func(*ozgv1.Administration) bool
	portals   []ozgv1.ServicePortal // in the fleet's namespace
	selection *rollout.Selection
	hash      string
	plan      *rolloutPlan
	now       time.Time
	writes    *cacheExpectations // the fleet's portal writes
}

// observe reads the fleet's administrations and portals from the cache and
// plans the step, or returns errCacheBehind.
func (r *PortalFleetReconciler) observe(ctx context.Context, fleet *ozgv1.PortalFleet) (*fleetView, error) {
	selector, err := metav1.LabelSelectorAsSelector(&fleet.Spec.AdministrationSelector)
	if err != nil {
		return &fleetView{invalid: "administrationSelector: " + err.Error()}, nil
	}
	// A fleet in an IT provider's namespace selects only its
	// administrations: the admission policy refuses other selectors, this
	// stops fleets that predate it (docs/tenancy.md).
	provider, err := namespaceProvider(ctx, r.Client, fleet.Namespace)
	if err != nil {
		return nil, err
	}
	if provider != "" && !selectorPins(&fleet.Spec.AdministrationSelector, provider) {
		return &fleetView{invalid: fmt.Sprintf("administrationSelector must select only Administrations of IT provider %s, whose namespace %s is: add %s: %s to its matchLabels",
			provider, fleet.Namespace, ozgv1.LabelITProvider, provider)}, nil
	}
	v := &fleetView{hash: rollout.TemplateHash(fleet.Spec.Template.PortalSettings), now: r.Now()}
	if v.publish, err = publishMatcher(fleet.Spec.Publish); err != nil {
		return &fleetView{invalid: "publish.selector: " + err.Error()}, nil
	}
	var adms ozgv1.AdministrationList
	if err := r.List(ctx, &adms, client.MatchingLabelsSelector{Selector: selector}); err != nil {
		return nil, err
	}
	var portals ozgv1.ServicePortalList
	if err := r.List(ctx, &portals, client.InNamespace(fleet.Namespace)); err != nil {
		return nil, err
	}
	v.portals = portals.Items
	byName := rollout.PortalsByName(v.portals)
	v.writes = r.portalWrites.of(client.ObjectKeyFromObject(fleet))
	if !cacheShowsWrites(v.writes, fleet.Namespace, byName) {
		return nil, errCacheBehind
	}
	candidates := make([]*ozgv1.Administration, len(adms.Items))
	for i := range adms.Items {
		candidates[i] = &adms.Items[i]
	}
	if v.selection, err = rollout.Select(fleet, candidates, byName); err != nil {
		return &fleetView{invalid: "administrationSelector: " + err.Error()}, nil
	}
	if v.plan, err = planRollout(fleet, v.selection.Members, v.hash, v.now); err != nil {
		return &fleetView{invalid: "rollout.waves: " + err.Error()}, nil
	}
	return v, nil
}

// act applies what the fleet wants of its members' portals and releases
// those of administrations it no longer selects.
func (r *PortalFleetReconciler) act(ctx context.Context, fleet *ozgv1.PortalFleet, v *fleetView) error {
	for _, m := range v.selection.Members {
		desired := desiredPortal(fleet, m, v.publish(m.Administration), v.hash, v.plan.update[m.Name], v.now)
		if m.Portal != nil && portalUpToDate(m.Portal, desired) {
			continue
		}
		if err := r.applyPortal(ctx, v.writes, desired, m.Portal); err != nil {
			return err
		}
	}
	return r.releaseUnselected(ctx, v.writes, fleet, v.portals, v.selection.Keep)
}

// cacheShowsWrites checks every portal write of the fleet against the cache
// (cached portals by name) and reports whether the cache shows them all.
// A decision on a view without them could exceed maxUnavailable or create
// a portal twice.
func cacheShowsWrites(writes *cacheExpectations, namespace string, cached map[string]*ozgv1.ServicePortal) bool {
	shows := true
	for _, key := range writes.pending(namespace) {
		var obj client.Object // nil, not a nil *ServicePortal, for a portal the cache lacks
		if p := cached[key.Name]; p != nil {
			obj = p
		}
		if !writes.satisfied(key, obj) {
			shows = false
		}
	}
	return shows
}

// fleetPortalWrites keeps a cacheExpectations of portal writes per fleet.
// Two fleets in one namespace thus never wait for each other's portals,
// whose watch events would not bring them back.
type fleetPortalWrites struct {
	mu      sync.Mutex
	byFleet map[types.NamespacedName]*cacheExpectations
}

func (w *fleetPortalWrites) of(fleet types.NamespacedName) *cacheExpectations {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.byFleet == nil {
		w.byFleet = map[types.NamespacedName]*cacheExpectations{}
	}
	e, ok := w.byFleet[fleet]
	if !ok {
		e = &cacheExpectations{}
		w.byFleet[fleet] = e
	}
	return e
}

func (w *fleetPortalWrites) forget(fleet types.NamespacedName) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.byFleet, fleet)
}

// recordFleetEvents records the transitions between the status before the
// reconcile and the one it wrote (fleet.Status): a wave finishing, a wave
// starting (not while paused), the rollout stalling on an invalid spec or
// the progress deadline. plan is the reconcile's, nil when it had none.
func recordFleetEvents(rec *eventRecorder, fleet *ozgv1.PortalFleet, before *ozgv1.PortalFleetStatus, plan *rolloutPlan) {
	after := &fleet.Status
	if plan != nil {
		if w := before.CurrentWave; w != "" && w != after.CurrentWave && plan.finished[w] {
			rec.normal(fleet, ozgv1.EventWaveFinished, "RollOut", "every portal of wave %s runs the template and is Ready", w)
		}
		if w := activeWave(after); w != "" && w != activeWave(before) {
			rec.normal(fleet, ozgv1.EventWaveStarted, "RollOut", "rolling the template out to wave %s: %d portals, maxUnavailable %d", w, plan.waveSize, plan.waveMax)
		}
	}
	if c, stalled := stalledBy(after); stalled && !sameStall(before, c.Reason) {
		switch c.Reason {
		case ozgv1.ReasonProgressDeadlineExceeded:
			rec.warning(fleet, ozgv1.EventProgressDeadlineExceeded, "RollOut", "%s", c.Message)
		default:
			rec.warning(fleet, ozgv1.EventRolloutStalled, "RollOut", "%s", c.Message)
		}
	}
}

// activeWave is the wave the fleet updates portals in: the current one,
// unless the rollout is paused.
func activeWave(s *ozgv1.PortalFleetStatus) string {
	if meta.IsStatusConditionTrue(s.Conditions, ozgv1.PausedCondition) {
		return ""
	}
	return s.CurrentWave
}

func stalledBy(s *ozgv1.PortalFleetStatus) (*metav1.Condition, bool) {
	c := meta.FindStatusCondition(s.Conditions, ozgv1.StalledCondition)
	return c, c != nil && c.Status == metav1.ConditionTrue
}

func sameStall(s *ozgv1.PortalFleetStatus, reason string) bool {
	c, stalled := stalledBy(s)
	return stalled && c.Reason == reason
}
