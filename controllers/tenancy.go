package controllers

import (
	"context"
	"slices"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// The manager authenticates and authorizes the scrapers of its metrics
// (--metrics-secure) with the API server.
// +kubebuilder:rbac:groups=authentication.k8s.io,resources=tokenreviews,verbs=create
// +kubebuilder:rbac:groups=authorization.k8s.io,resources=subjectaccessreviews,verbs=create

// namespaceProvider is the IT provider the namespace belongs to (its label
// ozg.dev/it-provider), "" if none: such a namespace is the cluster
// admins'.
func namespaceProvider(ctx context.Context, c client.Reader, namespace string) (string, error) {
	ns := &corev1.Namespace{}
	if err := c.Get(ctx, client.ObjectKey{Name: namespace}, ns); err != nil {
		return "", client.IgnoreNotFound(err)
	}
	return ns.Labels[ozgv1.LabelITProvider], nil
}

// selectorPins tells whether s selects only administrations of provider,
// as the admission policy fleet-provider requires.
func selectorPins(s *metav1.LabelSelector, provider string) bool {
	if s.MatchLabels[ozgv1.LabelITProvider] == provider {
		return true
	}
	return slices.ContainsFunc(s.MatchExpressions, func(e metav1.LabelSelectorRequirement) bool {
		return e.Key == ozgv1.LabelITProvider && e.Operator == metav1.LabelSelectorOpIn &&
			!slices.ContainsFunc(e.Values, func(v string) bool { return v != provider })
	})
}
