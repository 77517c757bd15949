package controllers

import (
	"context"
	"crypto/sha256"
	"slices"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/render"
	"github.com/ozg-operator/ozg-operator/internal/responsibility"
	"github.com/ozg-operator/ozg-operator/internal/rollup"
)

// contentSources is what a portal's content is rendered from besides the
// portal.
type contentSources struct {
	render.Inputs
	// profile is the object Inputs.Profile was compiled from.
	profile *ozgv1.ResponsibilityProfile
	// profileMissing names a profile the administration selects that does
	// not exist; the content is then rendered as without one.
	profileMissing string
	// catalogFingerprint identifies Inputs.Catalog (catalogFingerprint).
	catalogFingerprint [sha256.Size]byte
}

// contentInputs gathers what adm's portal content depends on besides the
// portal: the catalogue, the responsibility profile, the Kreis and whether
// the Kreis's portal is online.
func (r *ServicePortalReconciler) contentInputs(ctx context.Context, adm *ozgv1.Administration) (src contentSources, err error) {
	src.Administration = adm
	if src.Catalog, src.catalogFingerprint, err = r.catalog.get(ctx, r.Client); err != nil {
		return src, err
	}
	if name := profileOf(adm); name != "" {
		profile := &ozgv1.ResponsibilityProfile{}
		switch err := r.Get(ctx, client.ObjectKey{Name: name}, profile, client.UnsafeDisableDeepCopy); {
		case apierrors.IsNotFound(err):
			src.profileMissing = name
		case err != nil:
			return src, err
		default:
			src.profile, src.Profile = profile, r.profiles.compiled(profile)
		}
	}
	if adm.Spec.Parent == "" || !responsibility.Kreisangehoerig(adm) {
		return src, nil
	}
	kreis := &ozgv1.Administration{}
	switch err := r.Get(ctx, client.ObjectKey{Name: adm.Spec.Parent}, kreis, client.UnsafeDisableDeepCopy); {
	case apierrors.IsNotFound(err):
		return src, nil
	case err != nil:
		return src, err
	}
	src.Kreis = kreis
	src.KreisPortalURL, err = r.onlinePortalURL(ctx, kreis.Name)
	return src, err
}

func profileOf(adm *ozgv1.Administration) string {
	if adm.Spec.Responsibility == nil {
		return ""
	}
	return adm.Spec.Responsibility.Profile
}

// onlinePortalURL is the URL of a published, Ready portal of the
// administration named adm, "" if it has none. Of several, the first by
// namespace and name speaks for it, so that every reconcile agrees.
func (r *ServicePortalReconciler) onlinePortalURL(ctx context.Context, adm string) (string, error) {
	var portals ozgv1.ServicePortalList
	if err := r.List(ctx, &portals, client.MatchingFields{indexPortalAdministration: adm}, client.UnsafeDisableDeepCopy); err != nil {
		return "", err
	}
	var best *ozgv1.ServicePortal
	for i := range portals.Items {
		p := &portals.Items[i]
		if onlineURL(p) == "" {
			continue
		}
		if best == nil || p.Namespace+"/"+p.Name < best.Namespace+"/"+best.Name {
			best = p
		}
	}
	if best == nil {
		return "", nil
	}
	return onlineURL(best), nil
}

// onlineURL is where citizens reach p: its URL once it is published and
// Ready, else "".
func onlineURL(p *ozgv1.ServicePortal) string {
	if !p.DeletionTimestamp.IsZero() ||
		!meta.IsStatusConditionTrue(p.Status.Conditions, ozgv1.PublishedCondition) ||
		!meta.IsStatusConditionTrue(p.Status.Conditions, ozgv1.ReadyCondition) {
		return ""
	}
	return p.Status.URL
}

// onlineURLChanged passes the portal updates that change where citizens
// reach the portal, which the portals of its municipalities link to.
var onlineURLChanged = predicate.Funcs{
	UpdateFunc: func(e event.UpdateEvent) bool {
		return onlineURL(e.ObjectOld.(*ozgv1.ServicePortal)) != onlineURL(e.ObjectNew.(*ozgv1.ServicePortal))
	},
	CreateFunc: func(e event.CreateEvent) bool { return onlineURL(e.Object.(*ozgv1.ServicePortal)) != "" },
	DeleteFunc: func(e event.DeleteEvent) bool { return onlineURL(e.Object.(*ozgv1.ServicePortal)) != "" },
}

// hostnameClaimChanged passes the portal updates that may free its
// hostname for another portal without a spec change: it lets the hostname
// go, or its municipality moved to another provider.
var hostnameClaimChanged = predicate.Funcs{
	UpdateFunc: func(e event.UpdateEvent) bool {
		before, after := e.ObjectOld.(*ozgv1.ServicePortal), e.ObjectNew.(*ozgv1.ServicePortal)
		return before.Status.Hostname != after.Status.Hostname || rollup.Foreign(before) != rollup.Foreign(after)
	},
	CreateFunc: func(event.CreateEvent) bool { return false },
	DeleteFunc: func(event.DeleteEvent) bool { return false },
}

// portalsOfMunicipalities returns the portals of the municipalities whose
// spec.parent names the administration parent (a Kreis, or whatever type
// the API let them name): its state and its portal are part of their
// content. A map function cannot return an error to be retried: a failed
// list (the cache is stopping) is logged, as requestsForList does.
func (r *ServicePortalReconciler) portalsOfMunicipalities(ctx context.Context, parent string) []reconcile.Request {
	var adms ozgv1.AdministrationList
	if err := r.List(ctx, &adms, client.MatchingFields{indexAdministrationParent: parent}, client.UnsafeDisableDeepCopy); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "listing the municipalities of an administration for a watch", "parent", parent)
		return nil
	}
	var reqs []reconcile.Request
	for i := range adms.Items {
		reqs = append(reqs, r.portalsOfAdministration(ctx, &adms.Items[i])...)
	}
	return reqs
}

// portalsOfKreisPortal maps a portal whose online URL changed to the
// portals of its administration's municipalities.
func (r *ServicePortalReconciler) portalsOfKreisPortal(ctx context.Context, o client.Object) []reconcile.Request {
	return r.portalsOfMunicipalities(ctx, o.(*ozgv1.ServicePortal).Spec.AdministrationRef.Name)
}

// allPortals maps a change that may touch every portal's content (the
// catalogue, a profile) to all portals.
func (r *ServicePortalReconciler) allPortals(ctx context.Context, _ client.Object) []reconcile.Request {
	return requestsForList(ctx, r.Client, &ozgv1.ServicePortalList{}, client.UnsafeDisableDeepCopy)
}

// profileCache keeps each ResponsibilityProfile compiled once per
// generation; the compiled form points into the cached object, which the
// cache replaces, never changes.
type profileCache struct {
	mu     sync.Mutex
	byName map[string]compiledProfile
}

type compiledProfile struct {
	uid        types.UID
	generation int64
	profile    *responsibility.Profile
}

func (c *profileCache) compiled(p *ozgv1.ResponsibilityProfile) *responsibility.Profile {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byName[p.Name]; ok && e.uid == p.UID && e.generation == p.Generation {
		return e.profile
	}
	if c.byName == nil {
		c.byName = map[string]compiledProfile{}
	}
	compiled := responsibility.Compile(p)
	c.byName[p.Name] = compiledProfile{uid: p.UID, generation: p.Generation, profile: compiled}
	return compiled
}

// elsewhereNote names up to a few tracked services the profile places with
// another body, for the portal's Ready message.
func elsewhereNote(names []string) []string {
	const shown = 5
	if len(names) <= shown {
		return names
	}
	return append(slices.Clone(names[:shown]), "...")
}
