package tenancy

// Where one IT provider's rights end (docs/tenancy.md): each test here
// acts as a provider with exactly the rights the documentation tells a
// cluster admin to grant, and tries to reach another provider's
// municipalities, portals or hostnames.

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/testsupport/tenancy"
	"github.com/ozg-operator/ozg-operator/internal/testsupport/testenv"
)

// aggregateEdit does what kube-controller-manager's clusterrole-aggregation
// controller does in a real cluster (envtest runs none): the ClusterRole
// edit gets the rules of every ClusterRole labelled aggregate-to-edit,
// ozg-operator-edit and ozg-operator-view among them.
func aggregateEdit(t *testing.T, c client.Client) {
	t.Helper()
	ctx := context.Background()
	var roles rbacv1.ClusterRoleList
	must(t, c.List(ctx, &roles, client.MatchingLabels{"rbac.authorization.k8s.io/aggregate-to-edit": "true"}))
	edit := &rbacv1.ClusterRole{}
	must(t, c.Get(ctx, client.ObjectKey{Name: "edit"}, edit))
	edit.Rules = nil
	for _, r := range roles.Items {
		edit.Rules = append(edit.Rules, r.Rules...)
	}
	must(t, c.Update(ctx, edit))
}

// TestIngressMayNotTakeAnotherProvidersHostname: docs/tenancy.md binds a
// provider's group to Kubernetes' edit role in its namespace (the
// RoleBinding krz-edit; config/gitops/flux/tenants.yaml binds Flux's
// account the same way), which may write Ingresses. On a shared ingress
// controller (ingress-nginx merges the rules of one host across
// namespaces) an Ingress of krz for aachen.regioit.example.de/login would
// serve that path of regio iT's portal from krz's pods: the policy
// portal-hostname guards Ingresses' hosts as it guards portals'.
func TestIngressMayNotTakeAnotherProvidersHostname(t *testing.T) {
	cluster, admin := tenancyCluster(t)
	ctx := context.Background()
	aggregateEdit(t, admin)
	for _, p := range []string{"krz", "regio-it"} {
		group := tenancy.Group("ozg.dev:provider:" + p)
		must(t, tenancy.SetUpProvider(ctx, admin, p, group))
		// As docs/tenancy.md's example: a RoleBinding of edit.
		must(t, tenancy.Bind(ctx, admin, p, "edit", group))
	}
	must(t, admin.Create(ctx, administration("detmold", "05766020", "krz")))
	must(t, admin.Create(ctx, administration("aachen", "05334002", "regio-it")))
	must(t, admin.Create(ctx, portal("regio-it", "aachen", "aachen", "aachen.regioit.example.de")))
	anna := as(t, cluster, "anna", "ozg.dev:provider:krz")

	// The policy is active: the hostname on a portal is refused.
	refusedOnceActive(t, admin, anna.c, "portal-hostname to refuse regio iT's hostname on a krz portal",
		func() client.Object { return portal("krz", "detmold", "detmold", "aachen.regioit.example.de") })

	prefix := networkingv1.PathTypePrefix
	ingress := &networkingv1.Ingress{
		ObjectMeta: metav1.ObjectMeta{Name: "aachen-login", Namespace: "krz"},
		Spec: networkingv1.IngressSpec{Rules: []networkingv1.IngressRule{{
			Host: "aachen.regioit.example.de",
			IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{{
				Path: "/login", PathType: &prefix,
				Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{
					Name: "phish", Port: networkingv1.ServiceBackendPort{Number: 80}}},
			}}}},
		}}},
	}
	err := anna.c.Create(ctx, ingress)
	if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), "hostname aachen.regioit.example.de is held by IT provider regio-it") {
		t.Errorf("krz (edit in its namespace, as docs/tenancy.md binds it) created an Ingress for regio iT's hostname aachen.regioit.example.de: %v, want Forbidden", err)
	}

	// Its TLS hosts count too (the certificate a shared controller serves
	// for the host), and a host of its own domains stays allowed.
	ingress.Spec.Rules[0].Host = "detmold.krz.example.de"
	ingress.Spec.TLS = []networkingv1.IngressTLS{{Hosts: []string{"detmold.krz.example.de", "aachen.regioit.example.de"}, SecretName: "tls"}}
	if err := anna.c.Create(ctx, ingress); !apierrors.IsForbidden(err) {
		t.Errorf("krz created an Ingress with regio iT's hostname among its TLS hosts: %v, want Forbidden", err)
	}
	ingress.Spec.TLS[0].Hosts = ingress.Spec.TLS[0].Hosts[:1]
	if err := anna.c.Create(ctx, ingress); err != nil {
		t.Errorf("krz may write an Ingress for its own hostname detmold.krz.example.de: %v", err)
	}
	ingress.Spec.Rules[0].Host = "detmold.example.org"
	if err := anna.c.Update(ctx, ingress); !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), "outside the domains of IT provider krz") {
		t.Errorf("krz changed its Ingress to detmold.example.org, outside its domains: %v, want Forbidden", err)
	}
}

// TestPortalClaimedBeforeTheMunicipalityIsNotItsPortal: the policy
// portal-administration checks the Administration a portal names only if
// it exists, so krz may create a portal for a municipality that regio iT
// has not imported yet. Once regio iT creates it, the operator stalls
// krz's portal (AdministrationOfAnotherProvider), and regio iT's
// Administration does not count it as its portal (before, its
// status.portal named krz's portal, which serves nothing of it).
func TestPortalClaimedBeforeTheMunicipalityIsNotItsPortal(t *testing.T) {
	cluster, admin, anna := krzAndRegioIT(t)
	ctx := context.Background()
	ben := as(t, cluster, "ben", "ozg.dev:provider:regio-it")
	refusedOnceActive(t, admin, anna.c, "portal-administration to refuse a krz portal for regio iT's Aachen",
		func() client.Object { return portal("krz", "probe", "aachen", "") })

	startManager(t, cluster)

	// krz, first: a portal for Stolberg, which regio iT has not imported.
	must(t, anna.c.Create(ctx, portal("krz", "stolberg", "stolberg", "stolberg.krz.example.de")))
	// regio iT imports its municipality.
	must(t, ben.c.Create(ctx, administration("stolberg", "05334036", "regio-it")))

	g := gomega.NewWithT(t)
	g.Eventually(func(g gomega.Gomega) {
		p := &ozgv1.ServicePortal{}
		g.Expect(admin.Get(ctx, client.ObjectKey{Namespace: "krz", Name: "stolberg"}, p)).To(gomega.Succeed())
		stalled := meta.FindStatusCondition(p.Status.Conditions, ozgv1.StalledCondition)
		g.Expect(stalled).NotTo(gomega.BeNil())
		g.Expect(stalled.Reason).To(gomega.Equal(ozgv1.ReasonAdministrationOfAnotherProvider))
	}).WithTimeout(60*time.Second).WithPolling(200*time.Millisecond).Should(gomega.Succeed(),
		"the operator stalls krz's portal for regio iT's Stolberg")

	g.Eventually(func(g gomega.Gomega) {
		adm := &ozgv1.Administration{}
		g.Expect(admin.Get(ctx, client.ObjectKey{Name: "stolberg"}, adm)).To(gomega.Succeed())
		g.Expect(adm.Status.ObservedGeneration).To(gomega.Equal(adm.Generation))
		ready := meta.FindStatusCondition(adm.Status.Conditions, ozgv1.ReadyCondition)
		g.Expect(ready).NotTo(gomega.BeNil())
		g.Expect(ready.Status).To(gomega.Equal(metav1.ConditionTrue), ready.Message)
		g.Expect(adm.Status.Portal).To(gomega.BeNil(),
			"regio iT's Stolberg has no portal, but its status names krz's stalled portal %+v (Ready: %q)", adm.Status.Portal, ready.Message)
	}).WithTimeout(60 * time.Second).WithPolling(500 * time.Millisecond).Should(gomega.Succeed())
}

// krzAndRegioIT starts a cluster with the tenancy objects, the providers
// krz and regio-it, and regio iT's Aachen; anna is of krz.
func krzAndRegioIT(t *testing.T) (*testenv.Cluster, client.Client, *person) {
	t.Helper()
	cluster, admin := tenancyCluster(t)
	for _, p := range []string{"krz", "regio-it"} {
		must(t, tenancy.SetUpProvider(context.Background(), admin, p, tenancy.Group("ozg.dev:provider:"+p)))
	}
	must(t, admin.Create(context.Background(), administration("aachen", "05334002", "regio-it")))
	return cluster, admin, as(t, cluster, "anna", "ozg.dev:provider:krz")
}

// TestAdministrationsStayTheirProvidersWithoutTheProvidersConfigMap: the
// policy administration-provider reads the providers' accounts from the
// ConfigMap ozg-operator-providers. Deleted by mistake, it must not let
// every provider change every Administration: the policy fails closed.
func TestAdministrationsStayTheirProvidersWithoutTheProvidersConfigMap(t *testing.T) {
	_, admin, anna := krzAndRegioIT(t)
	ctx := context.Background()
	refusedOnceActive(t, admin, anna.c, "administration-provider to refuse krz an Administration of regio iT",
		func() client.Object { return administration("stolberg", "05334036", "regio-it") })

	must(t, admin.Delete(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "ozg-system", Name: "ozg-operator-providers"}}))
	// Once the policy sees the ConfigMap gone, krz may not even create its
	// own Administration (before, anything went).
	eventually(t, "administration-provider to refuse every change without the providers ConfigMap", func() bool {
		// The API server answers 422: "failed to configure binding: no
		// params found".
		refused := func(err error) bool { return err != nil && strings.Contains(err.Error(), "no params found") }
		err := anna.c.Create(ctx, administration("lage", "05766040", "krz"))
		if err == nil {
			// Created just before the policy saw the ConfigMap gone; the
			// policy may refuse the clean-up already, for everyone.
			if err := admin.Delete(ctx, administration("lage", "", "")); err != nil && !refused(err) {
				t.Fatal(err)
			}
		}
		return refused(err)
	})
	err := anna.c.Delete(ctx, administration("aachen", "", ""))
	if err == nil || apierrors.IsNotFound(err) {
		t.Errorf("without the providers ConfigMap, krz deleted regio iT's Aachen: %v, want refused", err)
	}
	if err := admin.Get(ctx, client.ObjectKey{Name: "aachen"}, &ozgv1.Administration{}); err != nil {
		t.Errorf("regio iT's Aachen: %v", err)
	}
}
