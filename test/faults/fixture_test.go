package faults

import (
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/rand"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/testsupport/fleetfixture"
	"github.com/ozg-operator/ozg-operator/internal/testsupport/recount"
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
			adm := fleetfixture.Administration(fmt.Sprintf("%s-%d-%02d", f.provider, k, i), f.provider, kreis, i,
				ozgv1.ServiceImplementation{Service: "ozg-10110", State: ozgv1.StateLive},
				ozgv1.ServiceImplementation{Service: "ozg-10224", State: ozgv1.StateInProgress})
			Expect(k8sClient.Create(ctx, adm)).To(Succeed())
			f.adms = append(f.adms, adm.Name)
			f.kreisOf[adm.Name] = kreis
		}
	}
	return f
}

// fleet is a fleet over the fixture's administrations, rolled out Kreis by
// Kreis with maxUnavailable per wave.
func (f *fleetFixture) fleet(version string, maxUnavailable intstr.IntOrString) *ozgv1.PortalFleet {
	return fleetfixture.Fleet(f.namespace, f.provider, version, f.kreise, maxUnavailable)
}

// cleanup removes the fixture's objects. envtest runs no garbage collector
// and no namespace controller, so the children go explicitly and the
// namespace stays.
func (f *fleetFixture) cleanup() {
	in := client.InNamespace(f.namespace)
	Expect(k8sClient.DeleteAllOf(ctx, &ozgv1.PortalFleet{}, in)).To(Succeed())
	Expect(k8sClient.DeleteAllOf(ctx, &ozgv1.ServicePortal{}, in)).To(Succeed())
	for _, kind := range childKinds {
		deleteChildren(kind, f.namespace)
	}
	Expect(k8sClient.DeleteAllOf(ctx, &ozgv1.Administration{}, client.MatchingLabels{ozgv1.LabelITProvider: f.provider})).To(Succeed())
}

// deleteChildren deletes the children of kind in namespace.
func deleteChildren(kind childKind, namespace string) {
	GinkgoHelper()
	in := client.InNamespace(namespace)
	if kind.name != "Service" {
		Expect(k8sClient.DeleteAllOf(ctx, kind.obj, in)).To(Succeed())
		return
	}
	// Services do not support deletecollection.
	Expect(k8sClient.List(ctx, kind.list, in)).To(Succeed())
	items, err := meta.ExtractList(kind.list)
	Expect(err).NotTo(HaveOccurred())
	for _, item := range items {
		Expect(client.IgnoreNotFound(k8sClient.Delete(ctx, item.(client.Object)))).To(Succeed())
	}
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

// rollupDiff lists where the statuses of the fixture's administrations
// differ from a recount from them and the namespace's portals.
func (f *fleetFixture) rollupDiff(g Gomega) []string {
	var adms ozgv1.AdministrationList
	g.Expect(k8sClient.List(ctx, &adms, client.MatchingLabels{ozgv1.LabelITProvider: f.provider})).To(Succeed())
	g.Expect(adms.Items).To(HaveLen(len(f.adms)))
	return recount.Diff(recount.Recount(listPortals(g, f.namespace), adms.Items), adms.Items, nil)
}

func listPortals(g Gomega, namespace string) []ozgv1.ServicePortal {
	var list ozgv1.ServicePortalList
	g.Expect(k8sClient.List(ctx, &list, client.InNamespace(namespace))).To(Succeed())
	return list.Items
}
