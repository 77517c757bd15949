package controllers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/waves"
)

// PortalFleetReconciler owns one ServicePortal per selected Administration
// and rolls template changes out wave by wave.
type PortalFleetReconciler struct {
	client.Client
	// Now is the clock; tests may replace it.
	Now func() time.Time

	events       *eventRecorder
	expectations expectations
	writes       cacheExpectations
}

// +kubebuilder:rbac:groups=ozg.dev,resources=portalfleets,verbs=get;list;watch
// +kubebuilder:rbac:groups=ozg.dev,resources=portalfleets/status,verbs=get;patch;update
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
			builder.WithPredicates(predicate.Or(predicate.LabelChangedPredicate{}, predicate.GenerationChangedPredicate{}))).
		Complete(r)
}

// fleetsOfAdministration enqueues every fleet: a label change may add or
// remove the administration anywhere, and fleets are few.
func (r *PortalFleetReconciler) fleetsOfAdministration(ctx context.Context, _ client.Object) []reconcile.Request {
	var fleets ozgv1.PortalFleetList
	if err := r.List(ctx, &fleets); err != nil {
		log.FromContext(ctx).Error(err, "listing fleets")
		return nil
	}
	reqs := make([]reconcile.Request, len(fleets.Items))
	for i, f := range fleets.Items {
		reqs[i] = reconcile.Request{NamespacedName: types.NamespacedName{Namespace: f.Namespace, Name: f.Name}}
	}
	return reqs
}

// Reconcile converges the fleet's portals one step and writes the status
// when it changed.
func (r *PortalFleetReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	fleet := &ozgv1.PortalFleet{}
	if err := r.Get(ctx, req.NamespacedName, fleet); err != nil {
		if client.IgnoreNotFound(err) == nil {
			r.expectations.forget(req.NamespacedName)
			r.writes.forget(req.NamespacedName)
		}
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !fleet.DeletionTimestamp.IsZero() || !r.writes.satisfied(client.ObjectKeyFromObject(fleet), fleet) {
		return ctrl.Result{}, nil
	}
	status := fleet.Status.DeepCopy()
	status.ObservedGeneration = fleet.Generation
	result, err := r.reconcile(ctx, fleet, status)
	if errors.Is(err, errCacheBehind) {
		// Our last writes are not in the cache yet; their watch events
		// bring the fleet back.
		return ctrl.Result{}, nil
	}
	if perr := updateStatusIfChanged(ctx, r.Client, &r.writes, fleet, &fleet.Status, status); perr != nil {
		return ctrl.Result{}, perr
	}
	return result, err
}

var errCacheBehind = errors.New("cache has not seen the fleet's last writes")

// member is one selected administration with its portal.
type member struct {
	adm      *ozgv1.Administration
	name     string // portal name
	hostname string
	publish  bool
	portal   *ozgv1.ServicePortal // nil if it does not exist yet
}

func (r *PortalFleetReconciler) reconcile(ctx context.Context, fleet *ozgv1.PortalFleet, status *ozgv1.PortalFleetStatus) (ctrl.Result, error) {
	key := client.ObjectKeyFromObject(fleet)
	selector, err := metav1.LabelSelectorAsSelector(&fleet.Spec.AdministrationSelector)
	if err != nil {
		setFleetStalled(status, ozgv1.ReasonInvalidSpec, "administrationSelector: "+err.Error())
		return ctrl.Result{}, nil
	}
	publish, err := publishMatcher(fleet.Spec.Publish)
	if err != nil {
		setFleetStalled(status, ozgv1.ReasonInvalidSpec, "publish.selector: "+err.Error())
		return ctrl.Result{}, nil
	}

	var adms ozgv1.AdministrationList
	if err := r.List(ctx, &adms, client.MatchingLabelsSelector{Selector: selector}); err != nil {
		return ctrl.Result{}, err
	}
	var portals ozgv1.ServicePortalList
	if err := r.List(ctx, &portals, client.InNamespace(fleet.Namespace)); err != nil {
		return ctrl.Result{}, err
	}
	byName := make(map[string]*ozgv1.ServicePortal, len(portals.Items))
	for i := range portals.Items {
		byName[portals.Items[i].Name] = &portals.Items[i]
	}
	if !r.expectations.satisfied(key, byName) {
		return ctrl.Result{}, errCacheBehind
	}

	// Collect the members; administrations that cannot get a portal are
	// reported, the others proceed.
	var members []*member
	var problems []string
	selected := map[string]bool{}
	sort.Slice(adms.Items, func(i, j int) bool { return adms.Items[i].Name < adms.Items[j].Name })
	for i := range adms.Items {
		adm := &adms.Items[i]
		name, err := portalNameFor(adm)
		if err == nil {
			selected[name] = true
		}
		var hostname string
		if err == nil {
			hostname, err = hostnameFor(fleet.Spec.Template.HostnamePattern, adm)
		}
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		m := &member{adm: adm, name: name, hostname: hostname, publish: publish(adm), portal: byName[name]}
		if p := m.portal; p != nil {
			if owner := metav1.GetControllerOf(p); owner != nil && owner.UID != fleet.UID {
				problems = append(problems, fmt.Sprintf("ServicePortal %s is controlled by %s %s", p.Name, owner.Kind, owner.Name))
				continue
			}
		}
		members = append(members, m)
	}

	hash := templateHash(fleet.Spec.Template.PortalSettings)
	plan, err := r.planRollout(fleet, members, hash)
	if err != nil {
		setFleetStalled(status, ozgv1.ReasonInvalidSpec, "rollout.waves: "+err.Error())
		return ctrl.Result{}, nil
	}

	var written []*ozgv1.ServicePortal
	for _, m := range members {
		desired := r.desiredPortal(fleet, m, hash, plan.update[m.name])
		if m.portal != nil && portalUpToDate(m.portal, desired) {
			continue
		}
		applied, err := r.applyPortal(ctx, desired)
		if err != nil {
			return ctrl.Result{}, fmt.Errorf("applying ServicePortal %s: %w", desired.Name, err)
		}
		written = append(written, applied)
	}
	removed, err := r.releaseUnselected(ctx, fleet, portals.Items, selected)
	if err != nil {
		return ctrl.Result{}, err
	}
	r.expectations.expect(key, written, removed)

	fleetStatus(fleet, status, members, hash, plan, problems)
	if plan.requeueAfter > 0 {
		// A timer for the progress deadline, not a poll: portal events
		// usually come first.
		return ctrl.Result{RequeueAfter: plan.requeueAfter}, nil
	}
	return ctrl.Result{}, nil
}

// publishMatcher reports whether an administration's portal is online.
func publishMatcher(p ozgv1.FleetPublish) (func(*ozgv1.Administration) bool, error) {
	sel := labels.Nothing()
	if p.Selector != nil {
		s, err := metav1.LabelSelectorAsSelector(p.Selector)
		if err != nil {
			return nil, err
		}
		sel = s
	}
	return func(adm *ozgv1.Administration) bool {
		return sel.Matches(labels.Set(adm.Labels)) || slices.Contains(p.Administrations, adm.Name)
	}, nil
}

// rolloutPlan is the outcome of one rollout step.
type rolloutPlan struct {
	update       map[string]bool // portals to move to the current template now
	currentWave  string
	waveMax      int // maxUnavailable of the current wave
	stalled      []string
	requeueAfter time.Duration
}

func portalReady(p *ozgv1.ServicePortal) bool {
	return p.Status.ObservedGeneration == p.Generation && meta.IsStatusConditionTrue(p.Status.Conditions, ozgv1.ReadyCondition)
}

func portalUpdated(p *ozgv1.ServicePortal, hash string) bool {
	return p.Annotations[templateHashAnnotation] == hash
}

// planRollout finds the first wave that is not done (every portal updated
// and Ready) and picks which of its old portals to update now, within its
// maxUnavailable. Later waves wait. New portals start on the current
// template at once: there is no old version of them to keep available.
func (r *PortalFleetReconciler) planRollout(fleet *ozgv1.PortalFleet, members []*member, hash string) (*rolloutPlan, error) {
	adms := make([]*ozgv1.Administration, len(members))
	byAdm := make(map[string]*member, len(members))
	for i, m := range members {
		adms[i] = m.adm
		byAdm[m.adm.Name] = m
	}
	plannedWaves, err := waves.Plan(fleet.Spec.Rollout, adms)
	if err != nil {
		return nil, err
	}
	plan := &rolloutPlan{update: map[string]bool{}}
	deadline := 600 * time.Second
	if d := fleet.Spec.Rollout.ProgressDeadlineSeconds; d != nil {
		deadline = time.Duration(*d) * time.Second
	}
	now := r.Now()

	for _, w := range plannedWaves {
		done, unavailable := true, 0
		var oldReady, oldUnready []string
		for _, name := range w.Members {
			m := byAdm[name]
			p := m.portal
			switch {
			case p == nil:
				done = false
				unavailable++
			case !portalUpdated(p, hash):
				done = false
				if portalReady(p) {
					oldReady = append(oldReady, m.name)
				} else {
					oldUnready = append(oldUnready, m.name)
					unavailable++
				}
			case !portalReady(p):
				done = false
				unavailable++
				if since, err := time.Parse(time.RFC3339, p.Annotations[updatedAtAnnotation]); err == nil {
					if left := since.Add(deadline).Sub(now); left <= 0 {
						plan.stalled = append(plan.stalled, m.name)
					} else if plan.requeueAfter == 0 || left < plan.requeueAfter {
						plan.requeueAfter = left
					}
				}
			}
		}
		if done {
			continue
		}
		plan.currentWave, plan.waveMax = w.Name, w.MaxUnavailable
		if fleet.Spec.Rollout.Paused || len(plan.stalled) > 0 {
			break
		}
		// Updating a portal that is down anyway costs no availability.
		for _, name := range oldUnready {
			plan.update[name] = true
		}
		for _, name := range oldReady[:min(len(oldReady), max(0, w.MaxUnavailable-unavailable))] {
			plan.update[name] = true
		}
		break
	}
	return plan, nil
}

// desiredPortal is the portal the fleet wants for m. A portal keeps its
// settings until the rollout reaches it; hostname and publish apply at once.
func (r *PortalFleetReconciler) desiredPortal(fleet *ozgv1.PortalFleet, m *member, hash string, update bool) *ozgv1.ServicePortal {
	settings := fleet.Spec.Template.PortalSettings
	portalHash, updatedAt := hash, r.Now().UTC().Format(time.RFC3339)
	if p := m.portal; p != nil {
		switch {
		case portalUpdated(p, hash):
			updatedAt = p.Annotations[updatedAtAnnotation]
		case !update:
			settings = p.Spec.PortalSettings
			portalHash, updatedAt = p.Annotations[templateHashAnnotation], p.Annotations[updatedAtAnnotation]
		}
	}
	desired := &ozgv1.ServicePortal{
		TypeMeta: metav1.TypeMeta{APIVersion: ozgv1.GroupVersion.String(), Kind: "ServicePortal"},
		ObjectMeta: metav1.ObjectMeta{
			Name:      m.name,
			Namespace: fleet.Namespace,
			Labels:    map[string]string{ozgv1.LabelFleet: fleet.Name, ozgv1.LabelAdministration: m.adm.Name},
			Annotations: map[string]string{
				templateHashAnnotation: portalHash,
				updatedAtAnnotation:    updatedAt,
			},
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(fleet, ozgv1.GroupVersion.WithKind("PortalFleet"))},
		},
		Spec: ozgv1.ServicePortalSpec{
			AdministrationRef: ozgv1.LocalObjectReference{Name: m.adm.Name},
			Hostname:          m.hostname,
			Publish:           m.publish,
			PortalSettings:    *settings.DeepCopy(),
		},
	}
	defaultPortalSpec(&desired.Spec)
	return desired
}

// defaultPortalSpec applies the CRD defaults, so that a desired spec
// compares equal to what the API server stored.
func defaultPortalSpec(spec *ozgv1.ServicePortalSpec) {
	if spec.Replicas == nil {
		spec.Replicas = ptr.To[int32](1)
	}
	if a := spec.Authentication; a != nil && a.Provider == "" {
		a.Provider = "Servicekonto"
	}
}

// portalUpToDate reports whether live already is what the fleet wants;
// labels and annotations others add do not count.
func portalUpToDate(live, desired *ozgv1.ServicePortal) bool {
	for k, v := range desired.Labels {
		if live.Labels[k] != v {
			return false
		}
	}
	for k, v := range desired.Annotations {
		if live.Annotations[k] != v {
			return false
		}
	}
	owner := metav1.GetControllerOf(live)
	return owner != nil && owner.UID == desired.OwnerReferences[0].UID && equality.Semantic.DeepEqual(live.Spec, desired.Spec)
}

// applyPortal server-side applies the fleet's fields of a portal.
func (r *PortalFleetReconciler) applyPortal(ctx context.Context, desired *ozgv1.ServicePortal) (*ozgv1.ServicePortal, error) {
	content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(desired)
	if err != nil {
		return nil, err
	}
	delete(content, "status")
	unstructured.RemoveNestedField(content, "metadata", "creationTimestamp")
	u := &unstructured.Unstructured{Object: content}
	ac := client.ApplyConfigurationFromUnstructured(u)
	if err := r.Apply(ctx, ac, client.FieldOwner(FieldOwner+"-fleet"), client.ForceOwnership); err != nil {
		return nil, err
	}
	applied := &ozgv1.ServicePortal{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, applied); err != nil {
		return nil, err
	}
	return applied, nil
}

// releaseUnselected deletes or orphans the fleet's portals whose
// administration the fleet no longer selects, by the fleet's removalPolicy.
func (r *PortalFleetReconciler) releaseUnselected(ctx context.Context, fleet *ozgv1.PortalFleet, portals []ozgv1.ServicePortal, selected map[string]bool) ([]string, error) {
	var removed []string
	for i := range portals {
		p := &portals[i]
		owner := metav1.GetControllerOf(p)
		if owner == nil || owner.UID != fleet.UID || selected[p.Name] || !p.DeletionTimestamp.IsZero() {
			continue
		}
		if fleet.Spec.RemovalPolicy == ozgv1.RemovalPolicyOrphan {
			base := p.DeepCopy()
			p.OwnerReferences = slices.DeleteFunc(p.OwnerReferences, func(o metav1.OwnerReference) bool { return o.UID == fleet.UID })
			delete(p.Labels, ozgv1.LabelFleet)
			if err := r.Patch(ctx, p, client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{})); err != nil {
				return removed, fmt.Errorf("orphaning ServicePortal %s: %w", p.Name, err)
			}
			continue
		}
		if err := r.Delete(ctx, p, client.Preconditions{UID: &p.UID}); client.IgnoreNotFound(err) != nil {
			return removed, fmt.Errorf("deleting ServicePortal %s: %w", p.Name, err)
		}
		removed = append(removed, p.Name)
	}
	return removed, nil
}

// fleetStatus fills the counts and conditions.
func fleetStatus(fleet *ozgv1.PortalFleet, status *ozgv1.PortalFleetStatus, members []*member, hash string, plan *rolloutPlan, problems []string) {
	status.Portals = int32(len(members) + len(problems))
	status.ReadyPortals, status.PublishedPortals, status.UpdatedPortals = 0, 0, 0
	versions := map[string]int32{}
	for _, m := range members {
		p := m.portal
		if p == nil {
			continue
		}
		if portalReady(p) {
			status.ReadyPortals++
		}
		if meta.IsStatusConditionTrue(p.Status.Conditions, ozgv1.PublishedCondition) {
			status.PublishedPortals++
		}
		if portalUpdated(p, hash) {
			status.UpdatedPortals++
		}
		if p.Status.Version != "" {
			versions[p.Status.Version]++
		}
	}
	status.Versions = nil
	for v, n := range versions {
		status.Versions = append(status.Versions, ozgv1.VersionCount{Version: v, Count: n})
	}
	sort.Slice(status.Versions, func(i, j int) bool { return status.Versions[i].Version < status.Versions[j].Version })
	status.CurrentWave = plan.currentWave

	rollingOut := plan.currentWave != ""
	progress := fmt.Sprintf("%d/%d ready, %d updated, %d online", status.ReadyPortals, status.Portals, status.UpdatedPortals, status.PublishedPortals)
	unavailable := int(status.Portals - status.ReadyPortals)
	if rollingOut && unavailable <= plan.waveMax || !rollingOut && unavailable == 0 {
		setCondition(status, ozgv1.AvailableCondition, metav1.ConditionTrue, ozgv1.ReasonSucceeded, progress)
	} else {
		setCondition(status, ozgv1.AvailableCondition, metav1.ConditionFalse, ozgv1.ReasonPortalsUnavailable, progress)
	}
	if fleet.Spec.Rollout.Paused {
		setCondition(status, ozgv1.PausedCondition, metav1.ConditionTrue, ozgv1.ReasonRolloutPaused, "spec.rollout.paused is true")
	} else {
		setCondition(status, ozgv1.PausedCondition, metav1.ConditionFalse, ozgv1.ReasonRolloutResumed, "the rollout proceeds")
	}

	switch {
	case len(problems) > 0:
		setFleetStalled(status, ozgv1.ReasonInvalidSpec, joinLimited(problems))
	case len(plan.stalled) > 0:
		setFleetStalled(status, ozgv1.ReasonProgressDeadlineExceeded, fmt.Sprintf(
			"wave %s: portals not Ready within the progress deadline: %s", plan.currentWave, joinLimited(plan.stalled)))
		setCondition(status, ozgv1.RollingOutCondition, metav1.ConditionTrue, ozgv1.ReasonProgressDeadlineExceeded, "wave "+plan.currentWave)
	case rollingOut && fleet.Spec.Rollout.Paused:
		meta.RemoveStatusCondition(&status.Conditions, ozgv1.StalledCondition)
		meta.RemoveStatusCondition(&status.Conditions, ozgv1.ReconcilingCondition)
		setCondition(status, ozgv1.RollingOutCondition, metav1.ConditionTrue, ozgv1.ReasonRolloutPaused, "wave "+plan.currentWave+": "+progress)
		setCondition(status, ozgv1.ReadyCondition, metav1.ConditionFalse, ozgv1.ReasonRolloutPaused, "paused in wave "+plan.currentWave+": "+progress)
	case rollingOut:
		meta.RemoveStatusCondition(&status.Conditions, ozgv1.StalledCondition)
		msg := "wave " + plan.currentWave + ": " + progress
		setCondition(status, ozgv1.RollingOutCondition, metav1.ConditionTrue, ozgv1.ReasonWaveInProgress, msg)
		setCondition(status, ozgv1.ReconcilingCondition, metav1.ConditionTrue, ozgv1.ReasonWaveInProgress, msg)
		setCondition(status, ozgv1.ReadyCondition, metav1.ConditionFalse, ozgv1.ReasonWaveInProgress, msg)
	default:
		meta.RemoveStatusCondition(&status.Conditions, ozgv1.StalledCondition)
		meta.RemoveStatusCondition(&status.Conditions, ozgv1.ReconcilingCondition)
		setCondition(status, ozgv1.RollingOutCondition, metav1.ConditionFalse, ozgv1.ReasonSucceeded, "every portal runs the current template")
		setCondition(status, ozgv1.ReadyCondition, metav1.ConditionTrue, ozgv1.ReasonSucceeded, progress)
	}
}

func setFleetStalled(status *ozgv1.PortalFleetStatus, reason, message string) {
	setCondition(status, ozgv1.StalledCondition, metav1.ConditionTrue, reason, message)
	setCondition(status, ozgv1.ReadyCondition, metav1.ConditionFalse, reason, message)
	meta.RemoveStatusCondition(&status.Conditions, ozgv1.ReconcilingCondition)
}

// joinLimited keeps condition messages readable for large fleets.
func joinLimited(items []string) string {
	const limit = 5
	if len(items) <= limit {
		return fmt.Sprint(items)
	}
	return fmt.Sprintf("%v and %d more", items[:limit], len(items)-limit)
}

// expectations remember the fleet's last writes until the cache shows them,
// so that a rollout step never decides on a stale view and exceeds
// maxUnavailable.
type expectations struct {
	mu      sync.Mutex
	pending map[types.NamespacedName]map[string]int64 // portal -> generation; -1: deleted
}

func (e *expectations) expect(fleet types.NamespacedName, written []*ozgv1.ServicePortal, deleted []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.pending == nil {
		e.pending = map[types.NamespacedName]map[string]int64{}
	}
	m := map[string]int64{}
	for _, p := range written {
		m[p.Name] = p.Generation
	}
	for _, name := range deleted {
		m[name] = -1
	}
	e.pending[fleet] = m
}

func (e *expectations) satisfied(fleet types.NamespacedName, cached map[string]*ozgv1.ServicePortal) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for name, gen := range e.pending[fleet] {
		p, ok := cached[name]
		switch {
		case gen < 0 && ok && p.DeletionTimestamp.IsZero():
			return false
		case gen >= 0 && (!ok || p.Generation < gen):
			return false
		}
	}
	delete(e.pending, fleet)
	return true
}

func (e *expectations) forget(fleet types.NamespacedName) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.pending, fleet)
}
