package controllers

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"reflect"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/labels"
	appsv1ac "k8s.io/client-go/applyconfigurations/apps/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	networkingv1ac "k8s.io/client-go/applyconfigurations/networking/v1"
	policyv1ac "k8s.io/client-go/applyconfigurations/policy/v1"
	toolscache "k8s.io/client-go/tools/cache"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/admservices"
)

// The manager's cache keeps what the reconcilers read and no more (issue
// 17: at Germany scale the cache held managedFields of every object, the
// rendered content of every portal ConfigMap and millions of copies of the
// same short strings):
//   - No object keeps its managedFields. The children's managedFields were
//     read for one thing, whether the fields the operator owns equal what it
//     would apply (applyIfChanged); the transform answers that question
//     once per event and keeps the answer, a digest, in the annotation
//     ownedDigestAnnotation of the cached copy.
//   - A ConfigMap keeps no data and the other children no spec (a
//     Deployment its replicas, which the kubelet stand-in reads): nothing
//     reads them back, the digest covers them. A Deployment's status and
//     generation are what the portal's readiness is read from. At Germany's
//     scale the specs of 48,696 children were some 50 MiB of the cache.
//   - An Administration keeps its service entries compact, in the
//     annotation admservices.Annotation; every reader reads them with
//     admservices.Of or All.
//
// Nothing writes a child from a cached copy (they are applied from their
// desired state), so the digest never reaches the API server; the status
// writes drop the services' annotation.

// cacheTransformErrors counts the children whose owned fields a transform
// could not digest, by kind. Each is kept whole in the cache (see
// childTransform); many mean an API server whose objects the operator's
// client types do not describe.
var cacheTransformErrors = registerCounter("ozg_cache_transform_errors_total",
	"Children (ConfigMap, Deployment, ...) whose fields owned by the operator the manager's cache could not digest; they are cached whole and compared by their managed fields.",
	"kind")

var transformLog = ctrl.Log.WithName("cache-transform")

// ownedDigestAnnotation holds, on cached children only, the SHA-256 of the
// fields the operator's field owner owns, as applyIfChanged compares them.
const ownedDigestAnnotation = "ozg.dev/cache-owned-fields-digest"

// cacheByObject selects the children by the label managed and sets the
// transforms of the kinds that have one of their own.
func cacheByObject(managed labels.Selector) map[client.Object]cache.ByObject {
	child := func(transform toolscache.TransformFunc) cache.ByObject {
		return cache.ByObject{Label: managed, Transform: transform}
	}
	return map[client.Object]cache.ByObject{
		&corev1.ConfigMap{}: child(childTransform(corev1ac.ExtractConfigMap, func(cm *corev1.ConfigMap) {
			cm.Data, cm.BinaryData = nil, nil
		})),
		&corev1.Service{}: child(childTransform(corev1ac.ExtractService, func(s *corev1.Service) {
			s.Spec = corev1.ServiceSpec{}
		})),
		&appsv1.Deployment{}: child(childTransform(appsv1ac.ExtractDeployment, func(d *appsv1.Deployment) {
			d.Spec = appsv1.DeploymentSpec{Replicas: d.Spec.Replicas}
		})),
		&networkingv1.Ingress{}: child(childTransform(networkingv1ac.ExtractIngress, func(i *networkingv1.Ingress) {
			i.Spec = networkingv1.IngressSpec{}
		})),
		&networkingv1.NetworkPolicy{}: child(childTransform(networkingv1ac.ExtractNetworkPolicy, func(np *networkingv1.NetworkPolicy) {
			np.Spec = networkingv1.NetworkPolicySpec{}
		})),
		&policyv1.PodDisruptionBudget{}: child(childTransform(policyv1ac.ExtractPodDisruptionBudget, func(pdb *policyv1.PodDisruptionBudget) {
			pdb.Spec = policyv1.PodDisruptionBudgetSpec{}
		})),
		&ozgv1.Administration{}: {Transform: transformAdministration},
		// Portal pods are the ReplicaSets', not ours: selected by the
		// label every portal pod has (serviceportal_pods.go).
		&corev1.Pod{}: {Label: portalPodSelector, Transform: trimPod},
	}
}

// stripManagedFields is the transform of every other kind.
func stripManagedFields(obj any) (any, error) {
	if o, ok := obj.(client.Object); ok {
		o.SetManagedFields(nil)
	}
	return obj, nil
}

// childTransform digests what the operator owns of a child, then drops
// the managed fields and, with trim, what nothing reads. An object without
// managed fields (already transformed) is left as it is. One it cannot
// digest is logged, counted and kept whole: applyIfChanged then compares
// its managed fields itself, where a stripped copy would differ from the
// desired state and be applied on every reconcile.
func childTransform[O client.Object, A any](extract func(O, string) (A, error), trim func(O)) toolscache.TransformFunc {
	return func(obj any) (any, error) {
		o, ok := obj.(O)
		if !ok || len(o.GetManagedFields()) == 0 {
			return obj, nil
		}
		owned, err := extract(o, FieldOwner)
		var digest string
		if err == nil {
			digest, err = ownedDigest(owned)
		}
		if err != nil {
			kind := reflect.TypeOf(o).Elem().Name()
			cacheTransformErrors.WithLabelValues(kind).Inc()
			transformLog.Error(err, "cannot digest the operator's fields of a child; caching it whole",
				"kind", kind, "namespace", o.GetNamespace(), "name", o.GetName())
			return o, nil
		}
		a := o.GetAnnotations()
		if a == nil {
			a = map[string]string{}
		}
		a[ownedDigestAnnotation] = digest
		o.SetAnnotations(a)
		o.SetManagedFields(nil)
		if trim != nil {
			trim(o)
		}
		return o, nil
	}
}

// ownedDigest is the digest of an apply configuration as JSON: equal
// digests, equal fields.
func ownedDigest(ac any) (string, error) {
	data, err := json.Marshal(ac)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}

// transformAdministration drops the managed fields and keeps the service
// entries compact (admservices): 11,000 administrations track 2.2 million
// of them, which as the API type were half of the manager's live heap.
func transformAdministration(obj any) (any, error) {
	adm, ok := obj.(*ozgv1.Administration)
	if !ok {
		return obj, nil
	}
	adm.ManagedFields = nil
	admservices.Compact(adm)
	return adm, nil
}
