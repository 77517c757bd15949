package controllers

import (
	"context"
	"fmt"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	appsv1ac "k8s.io/client-go/applyconfigurations/apps/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	networkingv1ac "k8s.io/client-go/applyconfigurations/networking/v1"
	policyv1ac "k8s.io/client-go/applyconfigurations/policy/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/rollup"
)

// maxContentBytes keeps the rendered document below the 1 MiB object limit
// of a ConfigMap, with room for metadata.
const maxContentBytes = 900 * 1024

// ServicePortalReconciler turns a ServicePortal into its children and
// reports their readiness.
type ServicePortalReconciler struct {
	client.Client
	Defaults PortalDefaults

	events   *eventRecorder
	writes   cacheExpectations
	profiles profileCache
	// catalog is the catalogue shared with the catalogue's reconciles.
	catalog *catalogCache
	// contents remembers what each portal's ConfigMap holds, by UID, so
	// that a reconcile renders only when the content's sources changed
	// (serviceportal_rendered.go).
	contents appliedContents
	// online remembers, per portal UID, whether the last event said the
	// portal went online, so that a rollout (Published False while the new
	// pods start) is no Unpublished/Published pair in its events.
	online sync.Map
	// uids remembers the UID of each portal reconciled, by name, so that
	// what is kept per UID (online, the event limiters) is forgotten when
	// the portal is gone: without a finalizer a deleted portal comes back
	// only as NotFound, and one recreated under its name has a new UID.
	uids sync.Map
}

// remember notes portal's UID under its name; a portal of the same name
// seen before with another UID was deleted and is forgotten.
func (r *ServicePortalReconciler) remember(portal *ozgv1.ServicePortal) {
	if old, loaded := r.uids.Swap(client.ObjectKeyFromObject(portal), portal.UID); loaded && old != portal.UID {
		r.forgetUID(old.(types.UID))
	}
}

// forget drops what is kept of the portal at key.
func (r *ServicePortalReconciler) forget(key client.ObjectKey) {
	if uid, ok := r.uids.LoadAndDelete(key); ok {
		r.forgetUID(uid.(types.UID))
	}
}

func (r *ServicePortalReconciler) forgetUID(uid types.UID) {
	r.events.forget(uid)
	r.online.Delete(uid)
	r.contents.forget(uid)
}

// +kubebuilder:rbac:groups=ozg.dev,resources=serviceportals,verbs=get;list;watch
// +kubebuilder:rbac:groups=ozg.dev,resources=serviceportals/status,verbs=get;patch;update
// Children block their portal's deletion (blockOwnerDeletion), which the
// OwnerReferencesPermissionEnforcement admission plugin (OpenShift,
// hardened clusters) allows only with update on the owner's finalizers.
// +kubebuilder:rbac:groups=ozg.dev,resources=serviceportals/finalizers,verbs=update
// +kubebuilder:rbac:groups=ozg.dev,resources=administrations;ozgservices;responsibilityprofiles,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=configmaps;services,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups="",resources=pods,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=namespaces,verbs=get;list;watch
// +kubebuilder:rbac:groups=apps,resources=deployments,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=networking.k8s.io,resources=ingresses;networkpolicies,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=policy,resources=poddisruptionbudgets,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// SetupWithManager registers the controller and its watches.
func (r *ServicePortalReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		// No generation filter: when a reconcile read a stale cached status
		// and so skipped a write, the cache catching up with our own last
		// status write brings the object back for a second look.
		For(&ozgv1.ServicePortal{}).
		Owns(&corev1.ConfigMap{}).
		Owns(&appsv1.Deployment{}).
		Owns(&corev1.Service{}).
		Owns(&networkingv1.Ingress{}).
		Owns(&networkingv1.NetworkPolicy{}).
		Owns(&policyv1.PodDisruptionBudget{}).
		// The watches below map an object to other portals; none takes
		// the initial list (afterInitialList), whose portals come with
		// their own creates.
		// Content changes re-render only the portals they affect; status
		// updates of the roll-up do not change content. A Kreis's state
		// (the parent's, whatever its type) is part of its municipalities'
		// portals, and so is whether its portal is online.
		// Its labels name its IT provider, which decides whose portals may
		// serve it, as the namespace's label does.
		Watches(&ozgv1.Administration{}, handler.EnqueueRequestsFromMapFunc(r.portalsOfAdministrationAndMunicipalities),
			builder.WithPredicates(predicate.Or[client.Object](specChanged, predicate.LabelChangedPredicate{}), afterInitialList)).
		Watches(&corev1.Namespace{}, handler.EnqueueRequestsFromMapFunc(r.portalsOfNamespace),
			builder.WithPredicates(predicate.LabelChangedPredicate{}, afterInitialList)).
		Watches(&ozgv1.ServicePortal{}, handler.EnqueueRequestsFromMapFunc(r.portalsOfKreisPortal),
			builder.WithPredicates(onlineURLChanged, afterInitialList)).
		// Every portal lists the whole catalogue, placed by its profile;
		// both change rarely (an import, a GitOps commit).
		Watches(&ozgv1.OZGService{}, handler.EnqueueRequestsFromMapFunc(r.catalog.invalidating(r.allPortals)),
			builder.WithPredicates(specChanged, afterInitialList)).
		Watches(&ozgv1.ResponsibilityProfile{}, handler.EnqueueRequestsFromMapFunc(r.allPortals),
			builder.WithPredicates(specChanged, afterInitialList)).
		// A portal that lost its hostname to another one takes it over when
		// that one lets it go.
		Watches(&ozgv1.ServicePortal{}, handler.EnqueueRequestsFromMapFunc(r.portalsOfHostname),
			builder.WithPredicates(predicate.Or[client.Object](specChanged, hostnameClaimChanged), afterInitialList)).
		// Why a pod does not serve (a failed pull, a crash loop) goes into
		// Ready; the Deployment's status does not say it.
		Watches(&corev1.Pod{}, handler.EnqueueRequestsFromMapFunc(portalOfPod),
			builder.WithPredicates(podProblemChanged)).
		Complete(r)
}

func (r *ServicePortalReconciler) portalsOfNamespace(ctx context.Context, o client.Object) []reconcile.Request {
	return requestsForList(ctx, r.Client, &ozgv1.ServicePortalList{}, client.InNamespace(o.GetName()))
}

func (r *ServicePortalReconciler) portalsOfAdministration(ctx context.Context, o client.Object) []reconcile.Request {
	return requestsForList(ctx, r.Client, &ozgv1.ServicePortalList{}, client.MatchingFields{indexPortalAdministration: o.GetName()})
}

// portalsOfAdministrationAndMunicipalities maps an administration to its
// portals and those of the municipalities naming it their parent: whatever
// its type (the API does not insist on a Kreis), their content reads it.
func (r *ServicePortalReconciler) portalsOfAdministrationAndMunicipalities(ctx context.Context, o client.Object) []reconcile.Request {
	return append(r.portalsOfAdministration(ctx, o), r.portalsOfMunicipalities(ctx, o.GetName())...)
}

func (r *ServicePortalReconciler) portalsOfHostname(ctx context.Context, o client.Object) []reconcile.Request {
	h := o.(*ozgv1.ServicePortal).Spec.Hostname
	if h == "" {
		return nil
	}
	return requestsForList(ctx, r.Client, &ozgv1.ServicePortalList{}, client.MatchingFields{indexPortalHostname: h})
}

// Reconcile applies the portal's children and writes its status when it changed.
func (r *ServicePortalReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	portal := &ozgv1.ServicePortal{}
	gone := func() { r.forget(req.NamespacedName) }
	if ok, err := fetch(ctx, r.Client, &r.writes, req.NamespacedName, portal, gone); !ok {
		return ctrl.Result{}, err
	}
	if !portal.DeletionTimestamp.IsZero() {
		// Owner references let the garbage collector remove the children.
		r.forget(req.NamespacedName)
		return ctrl.Result{}, nil
	}
	r.remember(portal)
	obs, err := r.observe(ctx, portal)
	if err != nil {
		return ctrl.Result{}, err
	}
	before := portal.Status.DeepCopy()
	status := portalStatus(portal, obs)
	if err := updateStatusIfChanged(ctx, r.Client, &r.writes, portal, &portal.Status, status); err != nil {
		return ctrl.Result{}, err
	}
	r.recordTransitions(portal, before, status)
	if apierrors.IsInvalid(obs.applyErr) {
		// Stalled: a change of the portal brings it back, no retry will.
		return ctrl.Result{}, nil
	}
	return ctrl.Result{}, obs.applyErr
}

// observe computes the desired children, applies them and returns what it
// found, for portalStatus. An error is returned only for what a retry may
// fix and the status need not show (a failed read).
func (r *ServicePortalReconciler) observe(ctx context.Context, portal *ozgv1.ServicePortal) (portalObservation, error) {
	obs := portalObservation{version: r.Defaults.version(portal), scheme: r.Defaults.scheme()}
	adm := &ozgv1.Administration{}
	if err := r.Get(ctx, client.ObjectKey{Name: portal.Spec.AdministrationRef.Name}, adm); err != nil {
		if !apierrors.IsNotFound(err) {
			return obs, err
		}
		// The Administration watch brings the portal back when it appears.
		obs.administrationMissing = true
		return obs, r.unpublish(ctx, portal)
	}
	// A portal serves only a municipality of the IT provider whose
	// namespace it is in; the admission policy refuses others, this keeps
	// portals that predate it from serving (docs/tenancy.md).
	other, err := r.otherProvider(ctx, portal, adm)
	if err != nil {
		return obs, err
	}
	if other != "" {
		obs.otherProvider = other
		return obs, r.unpublish(ctx, portal)
	}

	src, err := r.contentInputs(ctx, adm)
	if err != nil {
		return obs, err
	}
	obs.profileMissing = src.profileMissing
	if portal.Spec.Hostname != "" {
		// Set also before the portal is published, so that publishing it
		// does not change its content.
		src.PublicURL = obs.scheme + "://" + portal.Spec.Hostname
	}
	content, err := r.content(ctx, portal, src)
	if err != nil {
		obs.renderErr = err
		return obs, nil
	}
	obs.rendered = content.result

	if obs.conflict, err = r.hostnameOwner(ctx, portal); err != nil {
		return obs, err
	}
	obs.deployment, obs.applyErr = r.applyChildren(ctx, portal, content, portal.Spec.Publish && obs.conflict == nil)
	// Why a pod does not serve matters only while the portal is not
	// rolled out (portalStatus); a rolled-out portal lists no pods.
	if obs.applyErr == nil && !deploymentRolledOut(obs.deployment, replicas(portal)) {
		if obs.podProblem, err = r.podProblemOf(ctx, portal); err != nil {
			return obs, err
		}
	}
	return obs, nil
}

// otherProvider says why adm is not for portal's namespace: it belongs to
// another IT provider than the namespace ("" where it does not, or where
// the namespace belongs to no provider and so to the cluster admins).
func (r *ServicePortalReconciler) otherProvider(ctx context.Context, portal *ozgv1.ServicePortal, adm *ozgv1.Administration) (string, error) {
	provider, err := namespaceProvider(ctx, r.Client, portal.Namespace)
	if err != nil || provider == "" || adm.Labels[ozgv1.LabelITProvider] == provider {
		return "", err
	}
	theirs := adm.Labels[ozgv1.LabelITProvider]
	if theirs == "" {
		theirs = "none"
	}
	return fmt.Sprintf("Administration %q belongs to IT provider %s, not to %s, whose namespace %s is", adm.Name, theirs, provider, portal.Namespace), nil
}

// recordTransitions records the events of the portal's status changes:
// going online or offline, and losing its hostname to another portal. A
// published portal whose new pods are starting counts as still online.
func (r *ServicePortalReconciler) recordTransitions(portal *ozgv1.ServicePortal, before, after *ozgv1.ServicePortalStatus) {
	announced, _ := r.online.Load(portal.UID)
	wasOnline := announced == true || meta.IsStatusConditionTrue(before.Conditions, ozgv1.PublishedCondition)
	published := meta.FindStatusCondition(after.Conditions, ozgv1.PublishedCondition)
	isOnline := published != nil && (published.Status == metav1.ConditionTrue ||
		wasOnline && published.Reason == ozgv1.ReasonDeploymentNotAvailable)
	switch {
	case isOnline && !wasOnline:
		r.events.normal(portal, ozgv1.EventPublished, "Publish", "online at %s", after.URL)
	case !isOnline && wasOnline && published != nil:
		r.events.normal(portal, ozgv1.EventUnpublished, "Unpublish", "offline: %s", published.Message)
	}
	r.online.Store(portal.UID, isOnline)
	if hostnameConflict(after) && !hostnameConflict(before) {
		c := meta.FindStatusCondition(after.Conditions, ozgv1.StalledCondition)
		r.events.warning(portal, ozgv1.EventHostnameConflict, "ClaimHostname", "%s", c.Message)
	}
}

// hostnameOwner returns the portal that holds portal's hostname, or nil if
// portal holds it itself: the portal that holds it keeps it, else the
// portal created first gets it (see claimedBefore), so that every
// controller instance agrees.
func (r *ServicePortalReconciler) hostnameOwner(ctx context.Context, portal *ozgv1.ServicePortal) (*ozgv1.ServicePortal, error) {
	if portal.Spec.Hostname == "" {
		return nil, nil
	}
	var claims ozgv1.ServicePortalList
	if err := r.List(ctx, &claims, client.MatchingFields{indexPortalHostname: portal.Spec.Hostname}); err != nil {
		return nil, err
	}
	var owner *ozgv1.ServicePortal
	for i := range claims.Items {
		c := &claims.Items[i]
		if !c.DeletionTimestamp.IsZero() || rollup.Foreign(c) {
			// A portal of another provider's municipality serves nothing
			// there and has let its hostname go.
			continue
		}
		if owner == nil || claimedBefore(c, owner) {
			owner = c
		}
	}
	if owner == nil || owner.UID == portal.UID {
		return nil, nil
	}
	return owner, nil
}

// claimedBefore tells whether a has the better claim to the hostname both
// name: a portal that holds it (status.hostname) keeps it, so that neither
// a newcomer nor an older portal changed to that hostname takes it from
// the portal serving it. Between portals that do not hold it, the one
// created first wins; within the same second (the resolution of
// creationTimestamp), namespace and name decide.
func claimedBefore(a, b *ozgv1.ServicePortal) bool {
	if aHolds, bHolds := holdsHostname(a), holdsHostname(b); aHolds != bHolds {
		return aHolds
	}
	if !a.CreationTimestamp.Equal(&b.CreationTimestamp) {
		return a.CreationTimestamp.Before(&b.CreationTimestamp)
	}
	return a.Namespace+"/"+a.Name < b.Namespace+"/"+b.Name
}

// holdsHostname tells whether an earlier reconcile gave p its hostname.
func holdsHostname(p *ozgv1.ServicePortal) bool {
	return p.Spec.Hostname != "" && p.Status.Hostname == p.Spec.Hostname
}

// unpublish takes a portal that has no content to show (its
// Administration is gone, or is another IT provider's) off its hostname:
// it keeps its other children, so that it serves again at once when the
// Administration comes back, but no citizen reaches what it served
// before.
func (r *ServicePortalReconciler) unpublish(ctx context.Context, portal *ozgv1.ServicePortal) error {
	if err := deleteIfExists(ctx, r.Client, client.ObjectKeyFromObject(portal), &networkingv1.Ingress{}); err != nil {
		return fmt.Errorf("deleting Ingress: %w", err)
	}
	return nil
}

// applyChildren brings every child to its desired state and returns the
// Deployment as last seen.
func (r *ServicePortalReconciler) applyChildren(ctx context.Context, portal *ozgv1.ServicePortal, content portalContent, publish bool) (*appsv1.Deployment, error) {
	key := client.ObjectKeyFromObject(portal)
	if err := r.applyContent(ctx, portal, content); err != nil {
		return nil, fmt.Errorf("applying ConfigMap: %w", err)
	}
	// The Deployment as the cache has it, or as the apply answered: its
	// status and generation tell the portal's readiness.
	deployment, desired := &appsv1.Deployment{}, desiredDeployment(portal, r.Defaults)
	applied, err := applyIfDiffers(ctx, r.Client, key, deployment, desired, "", appsv1ac.ExtractDeployment)
	if err == nil && applied {
		// The answer alone: a field it leaves out (a count of 0) is not
		// the cache's older value.
		deployment = &appsv1.Deployment{}
		err = applyAnswer(desired, deployment)
	}
	if err != nil {
		return nil, fmt.Errorf("applying Deployment: %w", err)
	}
	if err := applyIfChanged(ctx, r.Client, key, &corev1.Service{}, desiredService(portal), corev1ac.ExtractService); err != nil {
		return nil, fmt.Errorf("applying Service: %w", err)
	}
	if err := applyIfChanged(ctx, r.Client, key, &networkingv1.NetworkPolicy{}, desiredNetworkPolicy(portal, r.Defaults), networkingv1ac.ExtractNetworkPolicy); err != nil {
		return nil, fmt.Errorf("applying NetworkPolicy: %w", err)
	}
	if publish {
		if err := applyIfChanged(ctx, r.Client, key, &networkingv1.Ingress{}, desiredIngress(portal, r.Defaults), networkingv1ac.ExtractIngress); err != nil {
			return nil, fmt.Errorf("applying Ingress: %w", err)
		}
	} else if err := r.unpublish(ctx, portal); err != nil {
		return nil, err
	}
	if replicas(portal) > 1 {
		if err := applyIfChanged(ctx, r.Client, key, &policyv1.PodDisruptionBudget{}, desiredPodDisruptionBudget(portal), policyv1ac.ExtractPodDisruptionBudget); err != nil {
			return nil, fmt.Errorf("applying PodDisruptionBudget: %w", err)
		}
	} else if err := deleteIfExists(ctx, r.Client, key, &policyv1.PodDisruptionBudget{}); err != nil {
		return nil, fmt.Errorf("deleting PodDisruptionBudget: %w", err)
	}
	return deployment, nil
}
