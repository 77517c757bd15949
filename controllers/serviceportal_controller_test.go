package controllers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/controllers"
	"github.com/ozg-operator/ozg-operator/internal/portaldata"
)

const checksumAnnotation = "ozg.dev/content-checksum"

// testDigest is a well-formed sha256 digest.
var testDigest = "sha256:" + strings.Repeat("0123456789abcdef", 4)

var ctx = context.Background()

// readyPortal creates the portal "portal" of a fixture whose administration
// tracks one service in state, and waits until it is Ready.
func readyPortal(state ozgv1.ServiceState) (ns, adm string, key client.ObjectKey) {
	GinkgoHelper()
	ns, adm = fixture(ozgv1.ServiceImplementation{Service: "ozg-10110", State: state})
	portal := newPortal(ns, "portal", adm)
	Expect(k8sClient.Create(ctx, portal)).To(Succeed())
	key = client.ObjectKeyFromObject(portal)
	Eventually(func() error { return k8sClient.Get(ctx, key, &appsv1.Deployment{}) }).Should(Succeed())
	markDeploymentAvailable(key)
	Eventually(func(g Gomega) { g.Expect(readyStatus(g, key)).To(Equal(metav1.ConditionTrue)) }).Should(Succeed())
	return ns, adm, key
}

// fixture creates a namespace, catalogue entries and an administration with
// a unique name, and returns the administration's name.
func fixture(services ...ozgv1.ServiceImplementation) (namespace, adm string) {
	suffix := rand.String(6)
	namespace, adm = "ns-"+suffix, "gemeinde-"+suffix
	Expect(k8sClient.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}})).To(Succeed())
	createAdministration(adm, services...)
	return namespace, adm
}

func createCatalogEntry(id, name, themenfeld string) {
	svc := &ozgv1.OZGService{
		ObjectMeta: metav1.ObjectMeta{Name: "ozg-" + id, Labels: map[string]string{ozgv1.LabelOZGID: id}},
		Spec: ozgv1.OZGServiceSpec{OZGID: id, Name: name, Themenfeld: themenfeld,
			Leistungen: []ozgv1.LeiKaLeistung{{Key: "99000000000" + id[2:], Name: name, Typisierung: []string{"5"}}}},
	}
	if err := k8sClient.Create(ctx, svc); err != nil && !apierrors.IsAlreadyExists(err) {
		Expect(err).NotTo(HaveOccurred())
	}
}

func createAdministration(name string, services ...ozgv1.ServiceImplementation) {
	Expect(k8sClient.Create(ctx, &ozgv1.Administration{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: ozgv1.AdministrationSpec{
			Key: fmt.Sprintf("0576%04d", rand.IntnRange(0, 9999)), DisplayName: "Gemeinde " + name,
			Type: ozgv1.TypeKreisangehoerigeGemeinde, Services: services,
		},
	})).To(Succeed())
}

func newPortal(namespace, name, adm string) *ozgv1.ServicePortal {
	return &ozgv1.ServicePortal{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec: ozgv1.ServicePortalSpec{
			AdministrationRef: ozgv1.LocalObjectReference{Name: adm},
			Hostname:          name + "." + namespace + ".serviceportal.example.de",
			PortalSettings: ozgv1.PortalSettings{
				Authentication: &ozgv1.PortalAuthentication{
					IssuerURL: "https://servicekonto.nrw.de", ClientID: name,
					ClientSecretRef: ozgv1.SecretKeyReference{Name: "oidc", Key: "client-secret"},
				},
				Payment: &ozgv1.PortalPayment{Provider: "ePayBL", SecretRef: &ozgv1.SecretKeyReference{Name: "epay", Key: "token"}},
			},
		},
	}
}

func getPortal(key client.ObjectKey) func(Gomega) *ozgv1.ServicePortal {
	return get[ozgv1.ServicePortal](key)
}

func readyStatus(g Gomega, key client.ObjectKey) metav1.ConditionStatus {
	p := getPortal(key)(g)
	return condition(&p.Status, ozgv1.ReadyCondition).Status
}

// deleteChildAndAwaitRestore deletes the portal's child of obj's kind as
// a person would and waits until the operator has created it again.
func deleteChildAndAwaitRestore(key client.ObjectKey, obj client.Object) {
	Expect(k8sClient.Get(ctx, key, obj)).To(Succeed())
	deleted := obj.GetUID()
	Expect(k8sClient.Delete(ctx, obj)).To(Succeed())
	Eventually(func(g Gomega) {
		g.Expect(k8sClient.Get(ctx, key, obj)).To(Succeed())
		g.Expect(obj.GetUID()).NotTo(Equal(deleted))
	}).Should(Succeed())
}

func getDeployment(key client.ObjectKey) func(Gomega) *appsv1.Deployment {
	return get[appsv1.Deployment](key)
}

// portalWithBudget creates a portal of replicas pods in a new fixture and
// waits for its PodDisruptionBudget.
func portalWithBudget(replicas int32) (client.ObjectKey, *policyv1.PodDisruptionBudget) {
	GinkgoHelper()
	ns, adm := fixture()
	portal := newPortal(ns, "portal", adm)
	portal.Spec.Replicas = ptr.To(replicas)
	Expect(k8sClient.Create(ctx, portal)).To(Succeed())
	key := client.ObjectKeyFromObject(portal)
	pdb := &policyv1.PodDisruptionBudget{}
	Eventually(func() error { return k8sClient.Get(ctx, key, pdb) }).Should(Succeed())
	return key, pdb
}

var _ = Describe("ServicePortal controller", func() {
	BeforeEach(func() {
		createCatalogEntry("10110", "Abfallentsorgung", "Bauen & Wohnen")
		createCatalogEntry("10513", "Abbruchgenehmigung", "Bauen & Wohnen")
	})

	It("creates the children, becomes Ready, publishes and unpublishes", func() {
		ns, adm := fixture(
			ozgv1.ServiceImplementation{Service: "ozg-10110", State: ozgv1.StateLive, Maturity: ptr.To[int32](3), URL: "https://formulare.example.de/abfall"},
			ozgv1.ServiceImplementation{Service: "ozg-10513", State: ozgv1.StateInProgress},
		)
		portal := newPortal(ns, "portal", adm)
		Expect(k8sClient.Create(ctx, portal)).To(Succeed())
		key := client.ObjectKeyFromObject(portal)

		By("reporting Ready=False while the pods start, from the first reconcile on")
		Eventually(func(g Gomega) {
			p := getPortal(key)(g)
			g.Expect(p.Status.ObservedGeneration).To(Equal(p.Generation))
			g.Expect(condition(&p.Status, ozgv1.ReadyCondition).Status).To(Equal(metav1.ConditionFalse))
			g.Expect(condition(&p.Status, ozgv1.ReconcilingCondition).Status).To(Equal(metav1.ConditionTrue))
			g.Expect(p.Status.ServicesOffered).To(BeEquivalentTo(2))
			g.Expect(p.Status.ServicesLive).To(BeEquivalentTo(1))
		}).Should(Succeed())

		By("rendering the content joined with the catalogue, without secrets")
		cm := &corev1.ConfigMap{}
		Expect(k8sClient.Get(ctx, key, cm)).To(Succeed())
		doc, err := portaldata.Parse([]byte(cm.Data[portaldata.ConfigMapKey]))
		Expect(err).NotTo(HaveOccurred())
		Expect(doc.Administration.Name).To(Equal(adm))
		Expect(doc.Catalog).To(Equal(portaldata.CatalogFile))
		// Canonical links and the sitemap use the public URL, TLS
		// configured: https, before the portal is published, too.
		Expect(doc.PublicURL).To(Equal("https://" + portal.Spec.Hostname))
		// The catalogue part is the namespace's shared copy.
		Eventually(func(g Gomega) {
			catalog := &corev1.ConfigMap{}
			g.Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: key.Namespace, Name: controllers.CatalogConfigMapName}, catalog)).To(Succeed())
			parsed, err := portaldata.ParseCatalog(catalog.BinaryData[portaldata.CatalogFile])
			g.Expect(err).NotTo(HaveOccurred())
			joined, err := portaldata.Parse([]byte(cm.Data[portaldata.ConfigMapKey]))
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(joined.Join(parsed)).To(BeEmpty())
			doc = joined
		}).Should(Succeed())
		Expect(doc.Services).To(HaveLen(2))
		Expect(doc.Services[1].Name).To(Equal("Abfallentsorgung"))
		Expect(doc.Services[1].URL).To(Equal("https://formulare.example.de/abfall"))
		Expect(doc.Services[1].Leistungen).To(HaveLen(1))
		Expect(doc.Authentication.IssuerURL).To(Equal("https://servicekonto.nrw.de"))
		Expect(doc.Payment.Provider).To(Equal("ePayBL"))
		Expect(cm.Data[portaldata.ConfigMapKey]).NotTo(ContainSubstring("client-secret"))
		Expect(cm.OwnerReferences).To(ConsistOf(HaveField("UID", portal.UID)))

		By("running the portal server under the restricted pod security standard")
		d := &appsv1.Deployment{}
		Expect(k8sClient.Get(ctx, key, d)).To(Succeed())
		pod := d.Spec.Template.Spec
		Expect(pod.AutomountServiceAccountToken).To(HaveValue(BeFalse()))
		Expect(pod.SecurityContext.RunAsNonRoot).To(HaveValue(BeTrue()))
		Expect(pod.SecurityContext.SeccompProfile.Type).To(Equal(corev1.SeccompProfileTypeRuntimeDefault))
		c := pod.Containers[0]
		Expect(c.Image).To(Equal("registry.example.de/portal:1.4.0"))
		Expect(c.SecurityContext.AllowPrivilegeEscalation).To(HaveValue(BeFalse()))
		Expect(c.SecurityContext.ReadOnlyRootFilesystem).To(HaveValue(BeTrue()))
		Expect(c.SecurityContext.Capabilities.Drop).To(ConsistOf(corev1.Capability("ALL")))
		// Health and metrics on their own port, which neither the Service
		// nor the Ingress reaches.
		Expect(c.ReadinessProbe.HTTPGet.Path).To(Equal("/readyz"))
		Expect(c.LivenessProbe.HTTPGet.Path).To(Equal("/healthz"))
		Expect(c.ReadinessProbe.HTTPGet.Port.StrVal).To(Equal("metrics"))
		// Secrets nothing in the pod reads are not passed to it.
		Expect(c.Env).To(BeEmpty())
		// Content reaches the running pods through the projected volume:
		// its checksum is on the ConfigMap, not on the pod template.
		Expect(d.Spec.Template.Annotations).NotTo(HaveKey(checksumAnnotation))
		Expect(cm.Annotations).To(HaveKeyWithValue(checksumAnnotation, HaveLen(64)))
		Expect(d.Spec.Template.Labels).To(HaveKeyWithValue("ozg.dev/version", "1.4.0"))
		Expect(pod.Volumes).To(ContainElement(HaveField("Projected.Sources", ConsistOf(
			HaveField("ConfigMap.Name", portal.Name), HaveField("ConfigMap.Name", controllers.CatalogConfigMapName)))))

		Expect(k8sClient.Get(ctx, key, &corev1.Service{})).To(Succeed())
		np := &networkingv1.NetworkPolicy{}
		Expect(k8sClient.Get(ctx, key, np)).To(Succeed())
		Expect(np.Spec.Ingress).To(HaveLen(1))
		Expect(np.Spec.Ingress[0].Ports[0].Port.IntValue()).To(Equal(8080))
		Expect(apierrors.IsNotFound(k8sClient.Get(ctx, key, &networkingv1.Ingress{}))).To(BeTrue(), "no Ingress while unpublished")
		Expect(apierrors.IsNotFound(k8sClient.Get(ctx, key, &policyv1.PodDisruptionBudget{}))).To(BeTrue(), "no PDB for one replica")

		By("becoming Ready when the Deployment is available")
		markDeploymentAvailable(key)
		Eventually(func(g Gomega) {
			p := getPortal(key)(g)
			g.Expect(condition(&p.Status, ozgv1.ReadyCondition).Status).To(Equal(metav1.ConditionTrue))
			g.Expect(condition(&p.Status, ozgv1.AvailableCondition).Status).To(Equal(metav1.ConditionTrue))
			g.Expect(condition(&p.Status, ozgv1.PublishedCondition).Reason).To(Equal(ozgv1.ReasonNotPublished))
			g.Expect(p.Status.Version).To(Equal("1.4.0"))
			g.Expect(p.Status.URL).To(Equal("http://portal." + ns + ".svc"))
			g.Expect(p.Status.ReadyReplicas).To(BeEquivalentTo(1))
		}).Should(Succeed())

		By("publishing behind an Ingress")
		update(key, func(p *ozgv1.ServicePortal) { p.Spec.Publish = true })
		Eventually(func(g Gomega) {
			p := getPortal(key)(g)
			g.Expect(condition(&p.Status, ozgv1.PublishedCondition).Status).To(Equal(metav1.ConditionTrue))
			g.Expect(p.Status.URL).To(Equal("https://" + portal.Spec.Hostname))
		}).Should(Succeed())
		ing := &networkingv1.Ingress{}
		Expect(k8sClient.Get(ctx, key, ing)).To(Succeed())
		Expect(ing.Spec.Rules[0].Host).To(Equal(portal.Spec.Hostname))
		Expect(ing.Spec.TLS[0].SecretName).To(Equal("portal-tls"))

		By("removing the Ingress when unpublished")
		update(key, func(p *ozgv1.ServicePortal) { p.Spec.Publish = false })
		Eventually(func() bool { return apierrors.IsNotFound(k8sClient.Get(ctx, key, &networkingv1.Ingress{})) }).Should(BeTrue())
		Eventually(func(g Gomega) {
			g.Expect(condition(&getPortal(key)(g).Status, ozgv1.PublishedCondition).Status).To(Equal(metav1.ConditionFalse))
		}).Should(Succeed())

		By("recording both as events for kubectl describe")
		Eventually(eventReasons(key)).Should(ContainElements(
			eventOf(corev1.EventTypeNormal, ozgv1.EventPublished, "online at https://"+portal.Spec.Hostname),
			eventOf(corev1.EventTypeNormal, ozgv1.EventUnpublished, "offline: spec.publish is false")))
	})

	It("adds a PodDisruptionBudget for more than one replica", func() {
		key, _ := portalWithBudget(3)
		markDeploymentAvailable(key)
		Eventually(func(g Gomega) { g.Expect(readyStatus(g, key)).To(Equal(metav1.ConditionTrue)) }).Should(Succeed())
	})

	It("is Stalled while its administration is missing and recovers when it appears", func() {
		ns, _ := fixture()
		adm := "spaeter-" + rand.String(5)
		portal := newPortal(ns, "portal", adm)
		Expect(k8sClient.Create(ctx, portal)).To(Succeed())
		key := client.ObjectKeyFromObject(portal)
		Eventually(func(g Gomega) {
			p := getPortal(key)(g)
			g.Expect(condition(&p.Status, ozgv1.StalledCondition)).To(And(
				HaveField("Status", metav1.ConditionTrue), HaveField("Reason", ozgv1.ReasonAdministrationNotFound)))
			g.Expect(condition(&p.Status, ozgv1.ReadyCondition).Reason).To(Equal(ozgv1.ReasonAdministrationNotFound))
		}).Should(Succeed())

		createAdministration(adm, ozgv1.ServiceImplementation{Service: "ozg-10110", State: ozgv1.StateLive})
		Eventually(func() error { return k8sClient.Get(ctx, key, &appsv1.Deployment{}) }).Should(Succeed())
		markDeploymentAvailable(key)
		Eventually(func(g Gomega) {
			p := getPortal(key)(g)
			g.Expect(condition(&p.Status, ozgv1.ReadyCondition).Status).To(Equal(metav1.ConditionTrue))
			g.Expect(condition(&p.Status, ozgv1.StalledCondition).Status).To(BeEmpty())
			g.Expect(p.Status.ServicesLive).To(BeEquivalentTo(1))
		}).Should(Succeed())
	})

	It("lets the portal that claimed a hostname first keep it, also against an older portal changed to it", func() {
		ns, adm := fixture()
		// Older than the portal that comes to hold the hostname below.
		older := newPortal(ns, "aelter", adm)
		Expect(k8sClient.Create(ctx, older)).To(Succeed())
		// It ends in conflict, which the roll-up's recount would count.
		DeferCleanup(k8sClient.Delete, ctx, older)
		first := newPortal(ns, "erster", adm)
		first.Spec.Hostname, first.Spec.Publish = "konflikt-"+ns+".example.de", true
		Expect(k8sClient.Create(ctx, first)).To(Succeed())
		markDeploymentAvailable(client.ObjectKeyFromObject(first))
		Eventually(func() error { return k8sClient.Get(ctx, client.ObjectKeyFromObject(first), &networkingv1.Ingress{}) }).Should(Succeed())

		second := newPortal(ns, "zweiter", adm)
		second.Spec.Hostname, second.Spec.Publish = first.Spec.Hostname, true
		Expect(k8sClient.Create(ctx, second)).To(Succeed())
		key := client.ObjectKeyFromObject(second)
		Eventually(func(g Gomega) {
			p := getPortal(key)(g)
			g.Expect(condition(&p.Status, ozgv1.StalledCondition)).To(And(
				HaveField("Status", metav1.ConditionTrue), HaveField("Reason", ozgv1.ReasonHostnameConflict),
				HaveField("Message", ContainSubstring(ns+"/erster"))))
			g.Expect(condition(&p.Status, ozgv1.PublishedCondition).Status).To(Equal(metav1.ConditionFalse))
		}).Should(Succeed())
		Expect(apierrors.IsNotFound(k8sClient.Get(ctx, key, &networkingv1.Ingress{}))).To(BeTrue())
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(first), &networkingv1.Ingress{})).To(Succeed())
		Eventually(eventReasons(key)).Should(ContainElement(
			eventOf(corev1.EventTypeWarning, ozgv1.EventHostnameConflict, "is claimed by ServicePortal "+ns+"/erster")))

		By("keeping the status of the waiting portal as it is while nothing changes")
		markDeploymentAvailable(key)
		var settled *ozgv1.ServicePortal
		Eventually(func(g Gomega) {
			settled = getPortal(key)(g)
			g.Expect(settled.Status.ReadyReplicas).To(BeEquivalentTo(1))
		}).Should(Succeed())
		// Rolled out, but the host is another portal's: no link to it.
		Expect(settled.Status.URL).To(Equal("http://zweiter." + ns + ".svc"))
		Expect(condition(&settled.Status, ozgv1.PublishedCondition).Status).To(Equal(metav1.ConditionFalse))
		// Every poll wakes the reconciler (a child changed); each reconcile
		// must find the status unchanged, transition times included.
		touches := 0
		Consistently(func(g Gomega) {
			touches++
			cm := &corev1.ConfigMap{}
			g.Expect(k8sClient.Get(ctx, key, cm)).To(Succeed())
			cm.Labels["test.ozg.dev/touch"] = fmt.Sprint(touches)
			g.Expect(k8sClient.Update(ctx, cm)).To(Succeed())
			g.Expect(getPortal(key)(g).ResourceVersion).To(Equal(settled.ResourceVersion))
		}, "3s", "250ms").Should(Succeed())

		By("taking the hostname over when the first portal is deleted")
		Expect(k8sClient.Delete(ctx, first)).To(Succeed())
		Eventually(func() error { return k8sClient.Get(ctx, key, &networkingv1.Ingress{}) }).Should(Succeed())
		Eventually(func(g Gomega) {
			p := getPortal(key)(g)
			g.Expect(condition(&p.Status, ozgv1.PublishedCondition).Status).To(Equal(metav1.ConditionTrue))
			g.Expect(p.Status.Hostname).To(Equal(first.Spec.Hostname))
		}).Should(Succeed())

		By("keeping it when an older portal is changed to that hostname")
		update(client.ObjectKeyFromObject(older), func(p *ozgv1.ServicePortal) { p.Spec.Hostname, p.Spec.Publish = first.Spec.Hostname, true })
		Eventually(func(g Gomega) {
			p := getPortal(client.ObjectKeyFromObject(older))(g)
			g.Expect(p.Status.ObservedGeneration).To(Equal(p.Generation))
			g.Expect(condition(&p.Status, ozgv1.StalledCondition)).To(And(
				HaveField("Reason", ozgv1.ReasonHostnameConflict), HaveField("Message", ContainSubstring(ns+"/zweiter"))))
			g.Expect(p.Status.Hostname).To(BeEmpty())
		}).Should(Succeed())
		Expect(k8sClient.Get(ctx, key, &networkingv1.Ingress{})).To(Succeed())
		Expect(condition(&getPortal(key)(Default).Status, ozgv1.PublishedCondition).Status).To(Equal(metav1.ConditionTrue))
	})

	It("re-renders on content changes for the running pods, without rolling them", func() {
		_, adm, key := readyPortal(ozgv1.StateInProgress)
		before := getDeployment(key)(Default)
		cmBefore := &corev1.ConfigMap{}
		Expect(k8sClient.Get(ctx, key, cmBefore)).To(Succeed())

		update(client.ObjectKey{Name: adm}, func(a *ozgv1.Administration) { a.Spec.Services[0].State = ozgv1.StateLive })
		Eventually(func(g Gomega) {
			cm := &corev1.ConfigMap{}
			g.Expect(k8sClient.Get(ctx, key, cm)).To(Succeed())
			var doc portaldata.Document
			g.Expect(json.Unmarshal([]byte(cm.Data[portaldata.ConfigMapKey]), &doc)).To(Succeed())
			g.Expect(doc.Services[0].State).To(Equal(portaldata.StateLive))
			g.Expect(cm.Annotations[checksumAnnotation]).NotTo(Equal(cmBefore.Annotations[checksumAnnotation]))
			g.Expect(getPortal(key)(g).Status.ServicesLive).To(BeEquivalentTo(1))
		}).Should(Succeed())
		// The kubelet swaps the projected ConfigMap under the running pods,
		// and the portal server reloads it: no new pods, no rollout.
		d := getDeployment(key)(Default)
		Expect(d.Generation).To(Equal(before.Generation))
		Expect(d.Spec.Template).To(Equal(before.Spec.Template))
		Expect(readyStatus(Default, key)).To(Equal(metav1.ConditionTrue))
	})

	It("renders the content only when what it is rendered from or its ConfigMap changed", func() {
		ns, adm, key := readyPortal(ozgv1.StateInProgress)
		renders := func() float64 { return controllers.PortalRenders(ns) }
		// Settle: the reconciles that the portal's own writes queued.
		settled := -1.0
		Eventually(func() float64 {
			before := settled
			settled = renders()
			return settled - before
		}).WithPolling(500 * time.Millisecond).Should(BeZero())
		Expect(settled).To(BeNumerically(">=", 1))

		By("a label another tool adds to a child: a reconcile that renders nothing")
		reads, _ := requests.counts(key.String())
		update(key, func(d *appsv1.Deployment) { d.Labels["touched"] = "yes" })
		Eventually(func() int {
			r, _ := requests.counts(key.String())
			return r
		}).Should(BeNumerically(">", reads), "the label change brings the portal back for a reconcile")
		Consistently(renders, "1s", "50ms").Should(Equal(settled))

		By("its ConfigMap changed by hand: rendered and restored, though its sources did not change")
		cm := &corev1.ConfigMap{}
		Expect(k8sClient.Get(ctx, key, cm)).To(Succeed())
		content := cm.Data[portaldata.ConfigMapKey]
		update(key, func(c *corev1.ConfigMap) { c.Data[portaldata.ConfigMapKey] = "{}" })
		Eventually(func(g Gomega) string {
			g.Expect(k8sClient.Get(ctx, key, cm)).To(Succeed())
			return cm.Data[portaldata.ConfigMapKey]
		}).Should(Equal(content))
		Expect(renders()).To(BeNumerically(">", settled))

		By("a change of its Administration's service: rendered with the new state")
		settled = renders()
		update(client.ObjectKey{Name: adm}, func(a *ozgv1.Administration) { a.Spec.Services[0].State = ozgv1.StateLive })
		Eventually(func(g Gomega) {
			g.Expect(getPortal(key)(g).Status.ServicesLive).To(BeEquivalentTo(1))
		}).Should(Succeed())
		Expect(renders()).To(BeNumerically(">", settled))
	})

	It("places the pods as the portal asks and runs an image pinned by digest", func() {
		ns, adm := fixture()
		portal := newPortal(ns, "portal", adm)
		portal.Spec.Replicas = ptr.To[int32](2)
		portal.Spec.Image = "registry.example.de:5000/ozg/portal@" + testDigest
		portal.Spec.ImagePullSecrets = []corev1.LocalObjectReference{{Name: "regcred"}}
		portal.Spec.NodeSelector = map[string]string{"ozg.dev/node": "real"}
		portal.Spec.Tolerations = []corev1.Toleration{
			{Key: "ozg.dev/real-node", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
			{Key: "node.kubernetes.io/unreachable", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptr.To[int64](30)},
		}
		ownSelector := &metav1.LabelSelector{MatchLabels: map[string]string{"app.kubernetes.io/part-of": "ozg"}}
		portal.Spec.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{
			{MaxSkew: 1, TopologyKey: corev1.LabelTopologyZone, WhenUnsatisfiable: corev1.ScheduleAnyway},
			{MaxSkew: 2, TopologyKey: corev1.LabelHostname, WhenUnsatisfiable: corev1.DoNotSchedule, LabelSelector: ownSelector},
		}
		portal.Spec.PriorityClassName = "portal-high"
		Expect(k8sClient.Create(ctx, portal)).To(Succeed())
		key := client.ObjectKeyFromObject(portal)

		var d *appsv1.Deployment
		Eventually(func(g Gomega) { d = getDeployment(key)(g) }).Should(Succeed())
		pod := d.Spec.Template.Spec
		Expect(pod.ImagePullSecrets).To(Equal(portal.Spec.ImagePullSecrets))
		Expect(pod.NodeSelector).To(Equal(portal.Spec.NodeSelector))
		Expect(pod.Tolerations).To(Equal(portal.Spec.Tolerations))
		Expect(pod.PriorityClassName).To(Equal("portal-high"))
		Expect(pod.TopologySpreadConstraints).To(HaveLen(2))
		Expect(pod.TopologySpreadConstraints[0].LabelSelector).To(Equal(d.Spec.Selector), "a constraint without selector spreads the portal's pods")
		Expect(pod.TopologySpreadConstraints[1].LabelSelector).To(Equal(ownSelector))
		Expect(pod.TopologySpreadConstraints[1].MaxSkew).To(BeEquivalentTo(2))
		Expect(pod.Containers[0].Image).To(Equal(portal.Spec.Image), "the pods run exactly the pinned image")
		Expect(d.Spec.Template.Labels).To(HaveKeyWithValue("ozg.dev/version", "sha256-0123456789ab"))

		markDeploymentAvailable(key)
		Eventually(func(g Gomega) {
			p := getPortal(key)(g)
			g.Expect(condition(&p.Status, ozgv1.ReadyCondition).Status).To(Equal(metav1.ConditionTrue))
			g.Expect(p.Status.Version).To(Equal("sha256-0123456789ab"))
		}).Should(Succeed())

		By("comparing the applied placement equal at rest: a reconcile re-applies nothing but what was deleted")
		// Settle first: reconciles queued by the status writes above may
		// still run against a cache that has not seen the last apply.
		var applies int
		Eventually(func() int {
			before := applies
			_, applies = requests.counts(applyKey(key.Namespace))
			return applies - before
		}).WithPolling(500 * time.Millisecond).Should(Equal(0))
		_, appliesBefore := requests.counts(applyKey(key.Namespace))
		applyLogBefore := len(requests.writesOf(applyKey(key.Namespace)))
		deleteChildAndAwaitRestore(key, &networkingv1.NetworkPolicy{})
		Consistently(func(g Gomega) {
			_, a := requests.counts(applyKey(key.Namespace))
			g.Expect(a).To(Equal(appliesBefore+1), "one apply: the NetworkPolicy; applied: %v", requests.writesOf(applyKey(key.Namespace))[applyLogBefore:])
		}, "1s", "50ms").Should(Succeed())

		By("changing the placement: the pod template follows")
		update(key, func(p *ozgv1.ServicePortal) {
			p.Spec.NodeSelector = map[string]string{"ozg.dev/node": "kwok"}
			p.Spec.Tolerations = p.Spec.Tolerations[:1]
			p.Spec.PriorityClassName = ""
		})
		Eventually(func(g Gomega) {
			pod := getDeployment(key)(g).Spec.Template.Spec
			g.Expect(pod.NodeSelector).To(Equal(map[string]string{"ozg.dev/node": "kwok"}))
			g.Expect(pod.Tolerations).To(HaveLen(1))
			g.Expect(pod.PriorityClassName).To(BeEmpty())
		}).Should(Succeed())
	})

	It("carries the kubelet's reason why a pod does not serve into Ready", func() {
		ns, adm := fixture()
		portal := newPortal(ns, "portal", adm)
		Expect(k8sClient.Create(ctx, portal)).To(Succeed())
		key := client.ObjectKeyFromObject(portal)
		Eventually(func(g Gomega) { getDeployment(key)(g) }).Should(Succeed())

		By("a pod whose image cannot be pulled, as the kubelet reports it")
		pod := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "portal-7d4b9-x2k4p", Labels: map[string]string{"app.kubernetes.io/name": "ozg-portal", "app.kubernetes.io/instance": "portal"}},
			Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "portal", Image: "registry.example.de/portal:gone"}}},
		}
		Expect(k8sClient.Create(ctx, pod)).To(Succeed())
		pod.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "portal", Image: "registry.example.de/portal:gone", State: corev1.ContainerState{
			Waiting: &corev1.ContainerStateWaiting{Reason: "ErrImagePull", Message: "failed to pull image \"registry.example.de/portal:gone\": not found\nmore detail"},
		}}}
		Expect(k8sClient.Status().Update(ctx, pod)).To(Succeed())
		Eventually(func(g Gomega) {
			p := getPortal(key)(g)
			ready := condition(&p.Status, ozgv1.ReadyCondition)
			g.Expect(ready.Status).To(Equal(metav1.ConditionFalse))
			g.Expect(ready.Reason).To(Equal("ErrImagePull"))
			g.Expect(ready.Message).To(HavePrefix(`pod portal-7d4b9-x2k4p: ErrImagePull: failed to pull image "registry.example.de/portal:gone": not found (`))
			g.Expect(ready.Message).NotTo(ContainSubstring("more detail"), "the first line of the kubelet's message")
			g.Expect(condition(&p.Status, ozgv1.ReconcilingCondition).Reason).To(Equal("ErrImagePull"))
		}).Should(Succeed())

		By("the kubelet backs off: the reason follows")
		pod.Status.ContainerStatuses[0].State.Waiting = &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff", Message: "Back-off pulling image"}
		Expect(k8sClient.Status().Update(ctx, pod)).To(Succeed())
		Eventually(func(g Gomega) string {
			return condition(&getPortal(key)(g).Status, ozgv1.ReadyCondition).Reason
		}).Should(Equal("ImagePullBackOff"))

		By("the failing pod goes: the Deployment's own reason again")
		Expect(k8sClient.Delete(ctx, pod, client.GracePeriodSeconds(0))).To(Succeed())
		Eventually(func(g Gomega) string {
			return condition(&getPortal(key)(g).Status, ozgv1.ReadyCondition).Reason
		}).Should(Equal(ozgv1.ReasonDeploymentNotAvailable))

		markDeploymentAvailable(key)
		Eventually(readyStatus).WithArguments(key).Should(Equal(metav1.ConditionTrue))
	})

	It("restores children deleted or changed by hand and keeps what others add", func() {
		ns, adm := fixture()
		portal := newPortal(ns, "portal", adm)
		Expect(k8sClient.Create(ctx, portal)).To(Succeed())
		key := client.ObjectKeyFromObject(portal)
		Eventually(func() error { return k8sClient.Get(ctx, key, &corev1.Service{}) }).Should(Succeed())

		By("recreating a deleted Service and ConfigMap")
		deleteChildAndAwaitRestore(key, &corev1.Service{})
		deleteChildAndAwaitRestore(key, &corev1.ConfigMap{})

		By("restoring a Deployment scaled by hand, keeping a label another tool added")
		update(key, func(d *appsv1.Deployment) {
			d.Spec.Replicas = ptr.To[int32](5)
			d.Labels["backup.example.de/policy"] = "daily"
		})
		Eventually(func(g Gomega) {
			d := &appsv1.Deployment{}
			g.Expect(k8sClient.Get(ctx, key, d)).To(Succeed())
			g.Expect(d.Spec.Replicas).To(HaveValue(BeEquivalentTo(1)))
			g.Expect(d.Labels).To(HaveKeyWithValue("backup.example.de/policy", "daily"))
		}).Should(Succeed())
	})

	It("issues no write when it reconciles an unchanged portal", func() {
		ns, adm := fixture(ozgv1.ServiceImplementation{Service: "ozg-10110", State: ozgv1.StateLive})
		portal := newPortal(ns, "portal", adm)
		portal.Spec.Publish = true
		Expect(k8sClient.Create(ctx, portal)).To(Succeed())
		key := client.ObjectKeyFromObject(portal)
		markDeploymentAvailable(key)
		Eventually(func(g Gomega) {
			g.Expect(condition(&getPortal(key)(g).Status, ozgv1.PublishedCondition).Status).To(Equal(metav1.ConditionTrue))
		}).Should(Succeed())
		// Settle: the status write itself causes no further writes, and
		// the reconciles it queued apply nothing more.
		var writes, applies int
		Eventually(func() int {
			before := writes + applies
			_, writes = requests.counts(key.String())
			_, applies = requests.counts(applyKey(key.Namespace))
			return writes + applies - before
		}).WithPolling(500 * time.Millisecond).Should(Equal(0))

		// One touch at a time: a reconcile still running when the next touch
		// lands may read the cache before its own apply shows there and so
		// apply once more, which is harmless but not what is measured here.
		By("a label another tool adds to a child: a reconcile that writes nothing")
		reads, writesBefore := requests.counts(key.String())
		_, appliesBefore := requests.counts(applyKey(key.Namespace))
		update(key, func(d *appsv1.Deployment) { d.Labels["touched"] = "yes" })
		Eventually(func() int {
			r, _ := requests.counts(key.String())
			return r
		}).Should(BeNumerically(">", reads), "the label change brings the portal back for a reconcile")
		// A reconcile writes its status right after its reads, so a second
		// of quiet after it covers the whole reconcile.
		quiet := func(applies int) {
			GinkgoHelper()
			Consistently(func(g Gomega) {
				_, w := requests.counts(key.String())
				g.Expect(w).To(Equal(writesBefore), "no create, update, patch or delete and no status write for the portal: %v", requests.writesOf(key.String()))
				_, a := requests.counts(applyKey(key.Namespace))
				g.Expect(a).To(Equal(applies), "applied: %v", requests.writesOf(applyKey(key.Namespace)))
			}, "1s", "50ms").Should(Succeed())
		}
		quiet(appliesBefore)

		By("a NetworkPolicy deleted by hand: one apply, which restores it")
		deleteChildAndAwaitRestore(key, &networkingv1.NetworkPolicy{})
		quiet(appliesBefore + 1)
		Expect(requests.writesOf(applyKey(key.Namespace))).To(HaveLen(appliesBefore + 1))
		Expect(requests.writesOf(applyKey(key.Namespace))[appliesBefore]).To(Equal("*v1.NetworkPolicyApplyConfiguration"))
	})
})

// recordedEvent is what a test checks of an events.k8s.io Event.
type recordedEvent struct{ Type, Reason, Note string }

// eventReasons lists the events recorded about the object at key.
func eventReasons(key client.ObjectKey) func(Gomega) []recordedEvent {
	return func(g Gomega) []recordedEvent {
		var list eventsv1.EventList
		g.Expect(k8sClient.List(ctx, &list, client.InNamespace(key.Namespace))).To(Succeed())
		var out []recordedEvent
		for _, e := range list.Items {
			if e.Regarding.Name == key.Name {
				out = append(out, recordedEvent{e.Type, e.Reason, e.Note})
			}
		}
		return out
	}
}

// eventOf matches an event of type and reason whose note contains note.
func eventOf(typ, reason, note string) OmegaMatcher {
	return And(HaveField("Type", typ), HaveField("Reason", reason), HaveField("Note", ContainSubstring(note)))
}
