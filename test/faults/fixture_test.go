package faults

import (
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// kreise are four Kreise of North Rhine-Westphalia, in rollout order.
var kreise = []string{"05766", "05758", "05770", "05754"}

// fleetFixture is a namespace and, for an IT provider of its own, perKreis
// administrations in each of the first n Kreise. Everything it makes is
// removed when the spec ends, so that later scenarios' managers do not
// reconcile it.
type fleetFixture struct {
	namespace, provider string
	kreise              []string
	adms                []string
	kreisOf             map[string]string
}

func newFleetFixture(scenario string, nKreise, perKreis int) *fleetFixture {
	GinkgoHelper()
	f := &fleetFixture{provider: "p" + rand.String(6), kreise: kreise[:nKreise], kreisOf: map[string]string{}}
	f.namespace = scenario + "-" + f.provider
	Expect(k8sClient.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: f.namespace}})).To(Succeed())
	DeferCleanup(f.cleanup)
	for k, kreis := range f.kreise {
		for i := range perKreis {
			name := fmt.Sprintf("%s-%d-%02d", f.provider, k, i)
			Expect(k8sClient.Create(ctx, &ozgv1.Administration{
				ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{
					ozgv1.LabelITProvider: f.provider, ozgv1.LabelKreis: kreis,
				}},
				Spec: ozgv1.AdministrationSpec{
					Key: fmt.Sprintf("%s%03d", kreis, 100+i), DisplayName: name, Type: ozgv1.TypeKreisangehoerigeGemeinde,
					Services: []ozgv1.ServiceImplementation{
						{Service: "ozg-10110", State: ozgv1.StateLive},
						{Service: "ozg-10224", State: ozgv1.StateInProgress},
					},
				},
			})).To(Succeed())
			f.adms = append(f.adms, name)
			f.kreisOf[name] = kreis
		}
	}
	return f
}

// waveName is the name of a Kreis' rollout wave.
func waveName(kreis string) string { return "kreis-" + kreis }

// fleet is a fleet over the fixture's administrations, rolled out Kreis by
// Kreis with maxUnavailable per wave.
func (f *fleetFixture) fleet(version string, maxUnavailable intstr.IntOrString) *ozgv1.PortalFleet {
	waves := make([]ozgv1.RolloutWave, len(f.kreise))
	for i, kreis := range f.kreise {
		waves[i] = ozgv1.RolloutWave{
			Name:           waveName(kreis),
			Selector:       metav1.LabelSelector{MatchLabels: map[string]string{ozgv1.LabelKreis: kreis}},
			MaxUnavailable: ptr.To(maxUnavailable),
		}
	}
	return &ozgv1.PortalFleet{
		ObjectMeta: metav1.ObjectMeta{Name: f.provider, Namespace: f.namespace},
		Spec: ozgv1.PortalFleetSpec{
			AdministrationSelector: metav1.LabelSelector{MatchLabels: map[string]string{ozgv1.LabelITProvider: f.provider}},
			Template: ozgv1.PortalTemplate{
				HostnamePattern: "$(name).serviceportal.example.de",
				PortalSettings:  ozgv1.PortalSettings{Version: version},
			},
			Rollout: ozgv1.FleetRollout{Waves: waves},
		},
	}
}

// cleanup removes the fixture's objects. envtest runs no garbage collector
// and no namespace controller, so the children go explicitly and the
// namespace stays.
func (f *fleetFixture) cleanup() {
	in := client.InNamespace(f.namespace)
	for _, obj := range []client.Object{
		&ozgv1.PortalFleet{}, &ozgv1.ServicePortal{},
		&corev1.ConfigMap{}, &appsv1.Deployment{}, &corev1.Service{},
		&networkingv1.NetworkPolicy{}, &networkingv1.Ingress{}, &policyv1.PodDisruptionBudget{},
	} {
		if _, ok := obj.(*corev1.Service); ok {
			// Services do not support deletecollection.
			var list corev1.ServiceList
			Expect(k8sClient.List(ctx, &list, in)).To(Succeed())
			for i := range list.Items {
				Expect(client.IgnoreNotFound(k8sClient.Delete(ctx, &list.Items[i]))).To(Succeed())
			}
			continue
		}
		Expect(k8sClient.DeleteAllOf(ctx, obj, in)).To(Succeed())
	}
	Expect(k8sClient.DeleteAllOf(ctx, &ozgv1.Administration{}, client.MatchingLabels{ozgv1.LabelITProvider: f.provider})).To(Succeed())
}

func getFleet(g Gomega, key client.ObjectKey) *ozgv1.PortalFleet {
	fl := &ozgv1.PortalFleet{}
	g.Expect(k8sClient.Get(ctx, key, fl)).To(Succeed())
	return fl
}

func updateFleet(key client.ObjectKey, change func(*ozgv1.PortalFleet)) *ozgv1.PortalFleet {
	GinkgoHelper()
	var fl *ozgv1.PortalFleet
	Eventually(func(g Gomega) {
		fl = getFleet(g, key)
		change(fl)
		g.Expect(k8sClient.Update(ctx, fl)).To(Succeed())
	}).Should(Succeed())
	return fl
}

// fleetReady checks that the fleet reports its current generation Ready
// with every one of its portals Ready and on the current template.
func fleetReady(key client.ObjectKey, portals int) func(Gomega) {
	return func(g Gomega) {
		fl := getFleet(g, key)
		g.Expect(fl.Status.ObservedGeneration).To(Equal(fl.Generation))
		ready := meta.FindStatusCondition(fl.Status.Conditions, ozgv1.ReadyCondition)
		g.Expect(ready).NotTo(BeNil())
		g.Expect(ready.Status).To(Equal(metav1.ConditionTrue), ready.Message)
		g.Expect(fl.Status.Portals).To(BeEquivalentTo(portals))
		g.Expect(fl.Status.ReadyPortals).To(BeEquivalentTo(portals))
		g.Expect(fl.Status.UpdatedPortals).To(BeEquivalentTo(portals))
	}
}

// portalReady is the fleet's notion of an available portal: its current
// generation is Ready.
func portalReady(p *ozgv1.ServicePortal) bool {
	return p.Status.ObservedGeneration == p.Generation && meta.IsStatusConditionTrue(p.Status.Conditions, ozgv1.ReadyCondition)
}

func listPortals(g Gomega, namespace string) []ozgv1.ServicePortal {
	var list ozgv1.ServicePortalList
	g.Expect(k8sClient.List(ctx, &list, client.InNamespace(namespace))).To(Succeed())
	return list.Items
}
