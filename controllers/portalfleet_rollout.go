package controllers

import (
	"context"
	"fmt"
	"slices"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/rollout"
)

// The fleet's writes to its portals: what it wants of each, and the
// applies, deletes and orphanings that get it there.

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

// desiredPortal is the portal the fleet wants for m. A portal keeps its
// settings until the rollout reaches it; hostname and publish apply at once.
func desiredPortal(fleet *ozgv1.PortalFleet, m *rollout.Member, publish bool, hash string, update bool, now time.Time) *ozgv1.ServicePortal {
	settings := fleet.Spec.Template.PortalSettings
	portalHash, updatedAt := hash, now.UTC().Format(time.RFC3339)
	if p := m.Portal; p != nil {
		switch {
		case rollout.PortalUpdated(p, hash):
			updatedAt = p.Annotations[rollout.UpdatedAtAnnotation]
		case !update:
			settings = p.Spec.PortalSettings
			portalHash, updatedAt = p.Annotations[rollout.TemplateHashAnnotation], p.Annotations[rollout.UpdatedAtAnnotation]
		}
	}
	desired := &ozgv1.ServicePortal{
		TypeMeta: metav1.TypeMeta{APIVersion: ozgv1.GroupVersion.String(), Kind: "ServicePortal"},
		ObjectMeta: metav1.ObjectMeta{
			Name:      m.Name,
			Namespace: fleet.Namespace,
			Labels:    map[string]string{ozgv1.LabelFleet: fleet.Name, ozgv1.LabelAdministration: m.Administration.Name},
			Annotations: map[string]string{
				rollout.TemplateHashAnnotation: portalHash,
				rollout.UpdatedAtAnnotation:    updatedAt,
			},
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(fleet, ozgv1.GroupVersion.WithKind("PortalFleet"))},
		},
		Spec: ozgv1.ServicePortalSpec{
			AdministrationRef: ozgv1.LocalObjectReference{Name: m.Administration.Name},
			Hostname:          m.Hostname,
			Publish:           publish,
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
		spec.Replicas = ptr.To(ozgv1.DefaultReplicas)
	}
	if a := spec.Authentication; a != nil && a.Provider == "" {
		a.Provider = ozgv1.DefaultAuthenticationProvider
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

// applyPortal server-side applies the fleet's fields of a portal and
// records the write in writes. A portal the fleet controls already is
// applied on top of the version the fleet decided on (its resourceVersion
// is a precondition): had the apply replaced a newer version the cache has
// not shown yet, the cache showing that version would pass for having seen
// the apply. A conflict is errCacheBehind: the newer version's watch event
// brings the fleet back.
func (r *PortalFleetReconciler) applyPortal(ctx context.Context, writes *cacheExpectations, desired, cached *ozgv1.ServicePortal) error {
	replaced := ""
	if cached != nil {
		replaced = cached.ResourceVersion
		if owner := metav1.GetControllerOf(cached); owner != nil && owner.UID == desired.OwnerReferences[0].UID {
			desired.ResourceVersion = replaced
		}
	}
	content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(desired)
	if err != nil {
		return err
	}
	delete(content, "status")
	unstructured.RemoveNestedField(content, "metadata", "creationTimestamp")
	u := &unstructured.Unstructured{Object: content}
	err = r.Apply(ctx, client.ApplyConfigurationFromUnstructured(u), client.FieldOwner(FieldOwner+"-fleet"), client.ForceOwnership)
	if apierrors.IsConflict(err) {
		return errCacheBehind
	}
	if err != nil {
		return fmt.Errorf("applying ServicePortal %s: %w", desired.Name, err)
	}
	// An apply that changes nothing stored sends no watch event.
	if u.GetResourceVersion() != replaced {
		writes.expect(client.ObjectKeyFromObject(desired), replaced)
	}
	return nil
}

// releaseUnselected deletes or orphans the fleet's portals whose
// administration the fleet no longer selects, by the fleet's removalPolicy,
// and records the writes in writes.
func (r *PortalFleetReconciler) releaseUnselected(ctx context.Context, writes *cacheExpectations, fleet *ozgv1.PortalFleet, portals []ozgv1.ServicePortal, keep map[string]bool) error {
	for i := range portals {
		p := &portals[i]
		owner := metav1.GetControllerOf(p)
		if owner == nil || owner.UID != fleet.UID || keep[p.Name] || !p.DeletionTimestamp.IsZero() {
			continue
		}
		key, replaced := client.ObjectKeyFromObject(p), p.ResourceVersion
		if fleet.Spec.RemovalPolicy == ozgv1.RemovalPolicyOrphan {
			base := p.DeepCopy()
			p.OwnerReferences = slices.DeleteFunc(p.OwnerReferences, func(o metav1.OwnerReference) bool { return o.UID == fleet.UID })
			delete(p.Labels, ozgv1.LabelFleet)
			err := r.Patch(ctx, p, client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{}))
			if apierrors.IsConflict(err) {
				return errCacheBehind
			}
			if err != nil {
				return fmt.Errorf("orphaning ServicePortal %s: %w", p.Name, err)
			}
			writes.expect(key, replaced)
			continue
		}
		err := r.Delete(ctx, p, client.Preconditions{UID: &p.UID})
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("deleting ServicePortal %s: %w", p.Name, err)
		}
		writes.expect(key, replaced)
	}
	return nil
}
