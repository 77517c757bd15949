package controllers_test

import (
	"maps"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// setLabel sets a label of the object named like obj, as a cluster admin
// does.
func setLabel(obj client.Object, label, value string) {
	GinkgoHelper()
	Eventually(func() error {
		if err := k8sClient.Get(ctx, client.ObjectKeyFromObject(obj), obj); err != nil {
			return err
		}
		labels := obj.GetLabels()
		if labels == nil {
			labels = map[string]string{}
		}
		labels[label] = value
		obj.SetLabels(labels)
		return k8sClient.Update(ctx, obj)
	}).Should(Succeed())
}

// labelNamespace makes ns the IT provider's.
func labelNamespace(ns, provider string) {
	GinkgoHelper()
	setLabel(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, ozgv1.LabelITProvider, provider)
}

// moveAdministration makes the Administration adm the IT provider's.
func moveAdministration(adm, provider string) {
	GinkgoHelper()
	setLabel(&ozgv1.Administration{ObjectMeta: metav1.ObjectMeta{Name: adm}}, ozgv1.LabelITProvider, provider)
}

// Objects that predate the admission policies (docs/tenancy.md), or that a
// cluster admin wrote: the operator itself keeps each IT provider's
// portals and fleets to its own municipalities.
// createProviderNamespace creates the namespace ns of an IT provider,
// whose pods the kubelet player runs.
func createProviderNamespace(ns, provider string) {
	GinkgoHelper()
	Expect(k8sClient.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns,
		Labels: map[string]string{kubeletLabel: "auto", ozgv1.LabelITProvider: provider}}})).To(Succeed())
}

// createProviderAdministration creates an Administration of an IT
// provider.
func createProviderAdministration(name, key string, typ ozgv1.AdministrationType, provider string) {
	GinkgoHelper()
	Expect(k8sClient.Create(ctx, &ozgv1.Administration{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{ozgv1.LabelITProvider: provider}},
		Spec:       ozgv1.AdministrationSpec{Key: key, DisplayName: name, Type: typ},
	})).To(Succeed())
}

// createPublishedPortal creates the published portal "portal" of adm in
// ns on hostname.
func createPublishedPortal(ns, adm, hostname string) client.ObjectKey {
	GinkgoHelper()
	p := newPortal(ns, "portal", adm)
	p.Spec.Hostname, p.Spec.Publish = hostname, true
	Expect(k8sClient.Create(ctx, p)).To(Succeed())
	return client.ObjectKeyFromObject(p)
}

var _ = Describe("Two IT providers in one cluster", func() {
	It("serves neither provider's municipalities from the other's namespace, and keeps both fleets' statuses exact", func() {
		a, b := newFleetFixture(1), newFleetFixture(1)
		labelNamespace(a.namespace, a.provider)
		labelNamespace(b.namespace, b.provider)
		Expect(k8sClient.Create(ctx, a.fleet())).To(Succeed())
		Expect(k8sClient.Create(ctx, b.fleet())).To(Succeed())

		By("a fleet in b's namespace that does not pin its provider: refused, nothing of a's is selected")
		greedy := b.fleet()
		greedy.Name = b.provider + "-all"
		greedy.Spec.AdministrationSelector = metav1.LabelSelector{MatchLabels: map[string]string{ozgv1.LabelKreis: krzKreise[0]}}
		greedy.Spec.Template.HostnamePattern = "$(name).all." + b.provider + ".example.de"
		Expect(k8sClient.Create(ctx, greedy)).To(Succeed())
		Eventually(func(g Gomega) {
			f := getFleet(client.ObjectKeyFromObject(greedy))(g)
			g.Expect(condition(&f.Status, ozgv1.ReadyCondition)).To(conditionWith(metav1.ConditionFalse, ozgv1.ReasonInvalidSpec,
				ContainSubstring("must select only Administrations of IT provider "+b.provider)))
		}).Should(Succeed())

		By("a portal in a's namespace for b's municipality: stalled, with no content")
		foreign := newPortal(a.namespace, "foreign", b.adms[0])
		Expect(k8sClient.Create(ctx, foreign)).To(Succeed())
		Eventually(func(g Gomega) {
			p := getPortal(client.ObjectKeyFromObject(foreign))(g)
			g.Expect(condition(&p.Status, ozgv1.StalledCondition)).To(conditionWith(metav1.ConditionTrue, ozgv1.ReasonAdministrationOfAnotherProvider,
				ContainSubstring("belongs to IT provider "+b.provider+", not to "+a.provider)))
		}).Should(Succeed())
		Expect(apierrors.IsNotFound(k8sClient.Get(ctx, client.ObjectKeyFromObject(foreign), &corev1.ConfigMap{}))).To(BeTrue())

		By("each fleet serving exactly its own provider's municipalities, Ready")
		Eventually(fleetReady(client.ObjectKey{Namespace: a.namespace, Name: a.provider}, len(a.adms))).WithTimeout(60 * time.Second).Should(Succeed())
		Eventually(fleetReady(client.ObjectKey{Namespace: b.namespace, Name: b.provider}, len(b.adms))).WithTimeout(60 * time.Second).Should(Succeed())
		for _, adm := range b.adms {
			Eventually(func(g Gomega) {
				x := &ozgv1.Administration{}
				g.Expect(k8sClient.Get(ctx, client.ObjectKey{Name: adm}, x)).To(Succeed())
				g.Expect(x.Status.Portal).NotTo(BeNil())
				g.Expect(x.Status.Portal.Namespace).To(Equal(b.namespace), "%s's portal is its provider's", adm)
			}).WithTimeout(rollupTimeout).Should(Succeed())
		}

		By("the metrics alerts read: each fleet's portals by state, the foreign portal not Ready")
		Eventually(func(g Gomega) {
			g.Expect(gauge(g, "ozg_portalfleet_portals", map[string]string{"namespace": a.namespace, "portalfleet": a.provider, "state": "ready"})).
				To(BeEquivalentTo(len(a.adms)))
			g.Expect(gauge(g, "ozg_portalfleet_stalled", map[string]string{"namespace": a.namespace, "portalfleet": a.provider})).To(BeZero())
			g.Expect(gauge(g, "ozg_serviceportal_ready", map[string]string{"namespace": a.namespace, "serviceportal": "foreign"})).To(BeZero())
			g.Expect(gauge(g, "ozg_portalfleet_stalled", map[string]string{"namespace": b.namespace, "portalfleet": greedy.Name})).To(BeEquivalentTo(1))
		}).Should(Succeed())

		By("the municipality moving to a (a cluster admin relabels it): the portal in a's namespace serves it")
		moveAdministration(b.adms[0], a.provider)
		Eventually(func(g Gomega) {
			p := getPortal(client.ObjectKeyFromObject(foreign))(g)
			g.Expect(condition(&p.Status, ozgv1.StalledCondition).Status).NotTo(Equal(metav1.ConditionTrue))
			g.Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(foreign), &corev1.ConfigMap{})).To(Succeed())
		}).Should(Succeed())
	})

	It("takes a municipality's portal off its hostname when a cluster admin moves the municipality to another provider, and back", func() {
		suffix := rand.String(6)
		ns, adm, provider := "move-"+suffix, "gemeinde-move-"+suffix, "alt-"+suffix
		createProviderNamespace(ns, provider)
		createProviderAdministration(adm, "05766040", ozgv1.TypeKreisangehoerigeGemeinde, provider)
		portal := newPortal(ns, "portal", adm)
		portal.Spec.Publish = true
		Expect(k8sClient.Create(ctx, portal)).To(Succeed())
		key := client.ObjectKeyFromObject(portal)
		Eventually(readyAndNotStalled(key)).Should(Succeed())
		Eventually(k8sClient.Get).WithArguments(ctx, key, &networkingv1.Ingress{}).Should(Succeed())

		moveAdministration(adm, "neu-"+suffix)
		Eventually(func(g Gomega) {
			g.Expect(condition(&getPortal(key)(g).Status, ozgv1.StalledCondition).Reason).To(Equal(ozgv1.ReasonAdministrationOfAnotherProvider))
			g.Expect(apierrors.IsNotFound(k8sClient.Get(ctx, key, &networkingv1.Ingress{}))).To(BeTrue(), "the old provider's portal still serves the municipality publicly")
		}).Should(Succeed())

		moveAdministration(adm, provider)
		Eventually(readyAndNotStalled(key)).Should(Succeed())
		Eventually(k8sClient.Get).WithArguments(ctx, key, &networkingv1.Ingress{}).Should(Succeed())
	})

	// A municipality moves from IT provider old to IT provider new (a
	// cluster admin relabels it, and moves its hostname's domain to the new
	// provider's domains). The old provider's portal, off the hostname,
	// lets it go: before, it kept status.hostname, and the new provider's
	// portal was Stalled HostnameConflict for as long as the old provider
	// kept its dead portal.
	It("lets the new provider's portal publish a moved municipality's hostname, which the old provider's stalled portal no longer serves", func() {
		suffix := rand.String(6)
		oldNS, newNS := "alt-"+suffix, "neu-"+suffix
		oldProvider, newProvider := "alt-"+suffix, "neu-"+suffix
		adm := "stadt-" + suffix
		hostname := "serviceportal." + adm + ".example.de"
		createProviderNamespace(oldNS, oldProvider)
		createProviderNamespace(newNS, newProvider)
		createProviderAdministration(adm, "05334036", ozgv1.TypeKreisangehoerigeStadt, oldProvider)

		By("the old provider's portal holds the municipality's hostname")
		oldKey := createPublishedPortal(oldNS, adm, hostname)
		// Stalled for good once the municipality moved: other specs expect
		// every portal of the cluster to come Ready.
		DeferCleanup(k8sClient.Delete, ctx, &ozgv1.ServicePortal{ObjectMeta: metav1.ObjectMeta{Namespace: oldKey.Namespace, Name: oldKey.Name}})
		Eventually(func(g Gomega) {
			readyAndNotStalled(oldKey)(g)
			g.Expect(getPortal(oldKey)(g).Status.Hostname).To(Equal(hostname))
		}).Should(Succeed())

		By("a cluster admin moves the municipality: the old portal is stalled and offline")
		moveAdministration(adm, newProvider)
		Eventually(func(g Gomega) {
			stalledWith(g, oldKey, ozgv1.ReasonAdministrationOfAnotherProvider)
			g.Expect(apierrors.IsNotFound(k8sClient.Get(ctx, oldKey, &networkingv1.Ingress{}))).To(BeTrue())
		}).Should(Succeed())

		By("the new provider's portal for its municipality, on the municipality's hostname")
		newKey := createPublishedPortal(newNS, adm, hostname)
		Eventually(func(g Gomega) {
			p := getPortal(newKey)(g)
			g.Expect(p.Status.ObservedGeneration).To(Equal(p.Generation))
			stalled := condition(&p.Status, ozgv1.StalledCondition)
			g.Expect(stalled.Status).NotTo(Equal(metav1.ConditionTrue),
				"the new provider's portal of %s is Stalled %s: %s", adm, stalled.Reason, stalled.Message)
			g.Expect(condition(&p.Status, ozgv1.PublishedCondition).Status).To(Equal(metav1.ConditionTrue))
			g.Expect(p.Status.Hostname).To(Equal(hostname))
			g.Expect(k8sClient.Get(ctx, newKey, &networkingv1.Ingress{})).To(Succeed())
		}).Should(Succeed())
	})
})

// gauge reads the manager's gauge name with exactly labels; it fails when
// there is none.
func gauge(g Gomega, name string, labels map[string]string) float64 {
	families, err := ctrlmetrics.Registry.Gather()
	g.Expect(err).NotTo(HaveOccurred())
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			have := map[string]string{}
			for _, l := range m.GetLabel() {
				have[l.GetName()] = l.GetValue()
			}
			if maps.Equal(have, labels) {
				return m.GetGauge().GetValue()
			}
		}
	}
	g.Expect(labels).To(BeNil(), "no %s with these labels", name)
	return 0
}
