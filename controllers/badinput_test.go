package controllers_test

import (
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/types"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/admservices"
	"github.com/ozg-operator/ozg-operator/internal/portaldata"
	"github.com/ozg-operator/ozg-operator/internal/rollup"
	"github.com/ozg-operator/ozg-operator/internal/testsupport/fleetfixture"
)

// The controllers' rows of the bad-input matrix (docs/bad-input.md): input
// the API server accepts but the operator cannot realise ends in a Stalled
// condition with a reason and a message naming the culprit, never in a
// crash loop, and never costs an object: children stay, other portals of a
// fleet proceed, and the portal recovers once the input is fixed.
//
// The tests delete their portals at the end: the roll-up recount in
// rollup_test.go expects every ServicePortal of the cluster to be Ready.

// badInputNamespace creates a namespace whose Deployments the kubelet stand-in
// makes available at once.
func badInputNamespace(prefix ...string) string {
	ns := "bad-" + strings.Join(prefix, "") + rand.String(6)
	Expect(k8sClient.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		Name: ns, Labels: map[string]string{kubeletLabel: "auto"},
	}})).To(Succeed())
	return ns
}

// createPortal creates the portal of adm in ns, deleted when the spec
// ends, and returns its key.
func createPortal(ns, adm string) client.ObjectKey {
	GinkgoHelper()
	portal := newPortal(ns, "portal", adm)
	Expect(k8sClient.Create(ctx, portal)).To(Succeed())
	DeferCleanup(k8sClient.Delete, ctx, portal)
	return client.ObjectKeyFromObject(portal)
}

// randomOZGID returns an OZG-ID outside the range of the real catalogue.
func randomOZGID() string { return fmt.Sprintf("9%04d", rand.IntnRange(0, 10000)) }

func stalledWith(g Gomega, key client.ObjectKey, reason string, message ...string) *ozgv1.ServicePortal {
	p := getPortal(key)(g)
	g.Expect(p.Status.ObservedGeneration).To(Equal(p.Generation))
	stalled := condition(&p.Status, ozgv1.StalledCondition)
	g.Expect(stalled.Status).To(Equal(metav1.ConditionTrue), "Stalled: %+v", stalled)
	g.Expect(stalled.Reason).To(Equal(reason))
	for _, m := range message {
		g.Expect(stalled.Message).To(ContainSubstring(m))
	}
	g.Expect(condition(&p.Status, ozgv1.ReadyCondition)).To(And(
		HaveField("Status", metav1.ConditionFalse), HaveField("Reason", reason)))
	g.Expect(condition(&p.Status, ozgv1.ReconcilingCondition).Status).To(BeEmpty(), "kstatus: Stalled is not Reconciling")
	return p
}

// fleetStalledInvalidSpec checks that the fleet's current generation is
// Stalled InvalidSpec with a message that message matches.
func fleetStalledInvalidSpec(g Gomega, key client.ObjectKey, message types.GomegaMatcher) *ozgv1.PortalFleet {
	fl := getFleet(key)(g)
	g.Expect(fl.Status.ObservedGeneration).To(Equal(fl.Generation))
	g.Expect(condition(&fl.Status, ozgv1.StalledCondition)).To(And(
		HaveField("Status", metav1.ConditionTrue),
		HaveField("Reason", ozgv1.ReasonInvalidSpec),
		HaveField("Message", message)))
	return fl
}

func readyAndNotStalled(key client.ObjectKey) func(Gomega) {
	return func(g Gomega) {
		p := getPortal(key)(g)
		g.Expect(p.Status.ObservedGeneration).To(Equal(p.Generation))
		g.Expect(condition(&p.Status, ozgv1.ReadyCondition).Status).To(Equal(metav1.ConditionTrue), condition(&p.Status, ozgv1.ReadyCondition).Message)
		g.Expect(condition(&p.Status, ozgv1.StalledCondition).Status).To(BeEmpty())
	}
}

func portalContent(key client.ObjectKey) string {
	cm := &corev1.ConfigMap{}
	Expect(k8sClient.Get(ctx, key, cm)).To(Succeed())
	return cm.Data[portaldata.ConfigMapKey]
}

var _ = Describe("Bad input", func() {
	BeforeEach(func() {
		createCatalogEntry("10110", "Abfallentsorgung", "Bauen & Wohnen")
	})

	It("ignores an Administration's annotation of the name the cache keeps its service entries in", func() {
		ns := badInputNamespace()
		withServices, without := "anno-"+rand.String(5), "anno-leer-"+rand.String(5)
		createAdministration(withServices, ozgv1.ServiceImplementation{Service: "ozg-10110", State: ozgv1.StateLive})
		createAdministration(without)
		for _, name := range []string{withServices, without} {
			update(client.ObjectKey{Name: name}, func(a *ozgv1.Administration) {
				a.Annotations = map[string]string{admservices.Annotation: "\x05not what the cache writes"}
			})
		}
		key := createPortal(ns, withServices)
		Eventually(func(g Gomega) {
			readyAndNotStalled(key)(g)
			g.Expect(getPortal(key)(g).Status.ServicesLive).To(BeEquivalentTo(1))
			for name, tracked := range map[string]int32{withServices: 1, without: 0} {
				a := &ozgv1.Administration{}
				g.Expect(k8sClient.Get(ctx, client.ObjectKey{Name: name}, a)).To(Succeed())
				g.Expect(a.Status.ObservedGeneration).To(Equal(a.Generation))
				g.Expect(condition(&a.Status, ozgv1.ReadyCondition).Status).To(Equal(metav1.ConditionTrue), name)
				g.Expect(a.Status.Services.Live).To(Equal(tracked), name)
			}
		}).Should(Succeed())
	})

	Context("unknown references", func() {
		It("keeps a portal's children but its Ingress when its administration is deleted, is Stalled AdministrationNotFound, and recovers when it returns", func() {
			ns := badInputNamespace()
			adm := "weg-" + rand.String(5)
			live := ozgv1.ServiceImplementation{Service: "ozg-10110", State: ozgv1.StateLive}
			createAdministration(adm, live)
			portal := newPortal(ns, "portal", adm)
			portal.Spec.Publish = true
			Expect(k8sClient.Create(ctx, portal)).To(Succeed())
			DeferCleanup(k8sClient.Delete, ctx, portal)
			key := client.ObjectKeyFromObject(portal)
			Eventually(readyAndNotStalled(key)).Should(Succeed())
			Expect(k8sClient.Get(ctx, key, &networkingv1.Ingress{})).To(Succeed())
			content := portalContent(key)

			Expect(k8sClient.Delete(ctx, &ozgv1.Administration{ObjectMeta: metav1.ObjectMeta{Name: adm}})).To(Succeed())
			Eventually(func(g Gomega) {
				stalledWith(g, key, ozgv1.ReasonAdministrationNotFound, fmt.Sprintf("Administration %q does not exist", adm))
				// Off its hostname: no citizen reaches the last content.
				g.Expect(apierrors.IsNotFound(k8sClient.Get(ctx, key, &networkingv1.Ingress{}))).To(BeTrue(), "the Ingress is still there")
			}).Should(Succeed())
			By("keeping the portal's other children and its last content")
			Expect(k8sClient.Get(ctx, key, &appsv1.Deployment{})).To(Succeed())
			Expect(portalContent(key)).To(Equal(content))
			By("leaving no roll-up pending for the missing administration")
			// Roll-ups that count a portal which never becomes available (the
			// suite has several) wait up to the catalogue's CatalogueMaxDelay.
			Eventually(rollupsPending).WithTimeout(rollup.CatalogueMaxDelay + 15*time.Second).Should(BeZero())

			createAdministration(adm, live)
			Eventually(readyAndNotStalled(key)).Should(Succeed())
			Expect(getPortal(key)(Default).Status.ServicesLive).To(BeEquivalentTo(1))
			Eventually(k8sClient.Get).WithArguments(ctx, key, &networkingv1.Ingress{}).Should(Succeed())
		})

		It("renders a portal whose administration tracks a service the catalogue lacks, and adds the service when it appears", func() {
			ns := badInputNamespace()
			id := randomOZGID()
			adm := "fehlt-" + rand.String(5)
			createAdministration(adm,
				ozgv1.ServiceImplementation{Service: "ozg-10110", State: ozgv1.StateLive},
				ozgv1.ServiceImplementation{Service: "ozg-" + id, State: ozgv1.StateLive})
			key := createPortal(ns, adm)
			Eventually(func(g Gomega) {
				readyAndNotStalled(key)(g)
				p := getPortal(key)(g)
				g.Expect(condition(&p.Status, ozgv1.ReadyCondition).Message).To(ContainSubstring("not in the catalogue: ozg-" + id))
				g.Expect(p.Status.ServicesOffered).To(BeEquivalentTo(1))
			}).Should(Succeed())
			By("leaving no roll-up pending for the missing catalogue entry")
			Eventually(rollupsPending).WithTimeout(rollup.CatalogueMaxDelay + 15*time.Second).Should(BeZero())

			createCatalogEntry(id, "Neu im Katalog", "Querschnitt")
			Eventually(func(g Gomega) {
				readyAndNotStalled(key)(g)
				p := getPortal(key)(g)
				g.Expect(condition(&p.Status, ozgv1.ReadyCondition).Message).NotTo(ContainSubstring("not in the catalogue"))
				g.Expect(p.Status.ServicesOffered).To(BeEquivalentTo(2))
				g.Expect(p.Status.ServicesLive).To(BeEquivalentTo(2))
			}).Should(Succeed())

			By("naming the service again once its entry is deleted")
			Expect(k8sClient.Delete(ctx, &ozgv1.OZGService{ObjectMeta: metav1.ObjectMeta{Name: "ozg-" + id}})).To(Succeed())
			Eventually(func(g Gomega) {
				p := getPortal(key)(g)
				g.Expect(condition(&p.Status, ozgv1.ReadyCondition).Message).To(ContainSubstring("not in the catalogue: ozg-" + id))
				g.Expect(p.Status.ServicesOffered).To(BeEquivalentTo(1))
			}).Should(Succeed())
		})
	})

	Context("duplicate hostnames", func() {
		It("lets the portal that claimed a hostname first keep it across namespaces", func() {
			// ns2 sorts first and the second portal is most likely created
			// within the same second as the first (creationTimestamp has
			// one-second resolution): the first keeps the hostname because
			// it holds it already, not because of its name.
			ns1, ns2 := badInputNamespace("z"), badInputNamespace("a")
			adm := "doppelt-" + rand.String(5)
			createAdministration(adm)
			host := adm + ".serviceportal.example.de"
			first := newPortal(ns1, "portal", adm)
			first.Spec.Hostname, first.Spec.Publish = host, true
			Expect(k8sClient.Create(ctx, first)).To(Succeed())
			DeferCleanup(k8sClient.Delete, ctx, first)
			Eventually(func(g Gomega) {
				g.Expect(condition(&getPortal(client.ObjectKeyFromObject(first))(g).Status, ozgv1.PublishedCondition).Status).To(Equal(metav1.ConditionTrue))
			}).Should(Succeed())

			second := newPortal(ns2, "portal", adm)
			second.Spec.Hostname, second.Spec.Publish = host, true
			Expect(k8sClient.Create(ctx, second)).To(Succeed())
			DeferCleanup(k8sClient.Delete, ctx, second)
			key := client.ObjectKeyFromObject(second)
			Eventually(func(g Gomega) {
				p := stalledWith(g, key, ozgv1.ReasonHostnameConflict,
					fmt.Sprintf("hostname %q is claimed by ServicePortal %s/portal, which holds it", host, ns1))
				g.Expect(condition(&p.Status, ozgv1.PublishedCondition).Status).To(Equal(metav1.ConditionFalse))
			}).Should(Succeed())
			Expect(apierrors.IsNotFound(k8sClient.Get(ctx, key, &networkingv1.Ingress{}))).To(BeTrue(), "the second portal gets no Ingress")
			Expect(k8sClient.Get(ctx, key, &appsv1.Deployment{})).To(Succeed(), "the second portal still runs, unpublished")
			Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(first), &networkingv1.Ingress{})).To(Succeed(), "the first portal keeps its Ingress")
		})
	})

	Context("pod settings the Pod API refuses", func() {
		It("is Stalled InvalidSpec for a node selector with an invalid label key, and recovers when fixed", func() {
			ns, adm := badInputNamespace(), "knoten-"+rand.String(5)
			createAdministration(adm)
			key := createPortal(ns, adm)
			Eventually(readyAndNotStalled(key)).Should(Succeed())

			// The CRD bounds the map but does not check label syntax.
			update(key, func(p *ozgv1.ServicePortal) { p.Spec.NodeSelector = map[string]string{"ozg.dev/node type": "real"} })
			Eventually(func(g Gomega) {
				stalledWith(g, key, ozgv1.ReasonInvalidSpec,
					"the API server refuses the portal's child: applying Deployment:", "spec.template.spec.nodeSelector")
			}).Should(Succeed())
			Expect(getDeployment(key)(Default).Spec.Template.Spec.NodeSelector).To(BeEmpty(), "the running pods stay as they were")

			update(key, func(p *ozgv1.ServicePortal) { p.Spec.NodeSelector = map[string]string{"ozg.dev/node-type": "real"} })
			Eventually(readyAndNotStalled(key)).Should(Succeed())
			Expect(getDeployment(key)(Default).Spec.Template.Spec.NodeSelector).To(HaveKeyWithValue("ozg.dev/node-type", "real"))
		})
	})

	Context("content that cannot be rendered", func() {
		It("is Stalled InvalidSpec for a service URL with credentials, keeps the last content, and recovers", func() {
			ns := badInputNamespace()
			adm := "zugang-" + rand.String(5)
			good := "https://formulare.example.de/abfall"
			createAdministration(adm, ozgv1.ServiceImplementation{Service: "ozg-10110", State: ozgv1.StateLive, URL: good})
			key := createPortal(ns, adm)
			Eventually(readyAndNotStalled(key)).Should(Succeed())
			content := portalContent(key)

			// CEL accepts it (isURL, https); the portal document refuses
			// credentials that would end up on a public page.
			update(client.ObjectKey{Name: adm}, func(a *ozgv1.Administration) {
				a.Spec.Services[0].URL = "https://user:geheim@formulare.example.de/abfall"
			})
			Eventually(func(g Gomega) {
				stalledWith(g, key, ozgv1.ReasonInvalidSpec,
					"cannot render the portal content: services[0].url: must not contain user information")
			}).Should(Succeed())
			Expect(portalContent(key)).To(Equal(content), "the portal keeps serving its last good content")

			update(client.ObjectKey{Name: adm}, func(a *ozgv1.Administration) { a.Spec.Services[0].URL = good })
			Eventually(readyAndNotStalled(key)).Should(Succeed())
		})

		It("is Stalled InvalidSpec when the content outgrows a ConfigMap, and recovers when the list shrinks", func() {
			ns := badInputNamespace()
			// The catalogue part is shared (ozg-catalog), so what can outgrow
			// a ConfigMap is the administration's own part: 460 services
			// with URLs at the CRD's limit render to more than 900 KiB.
			base := 60000 + rand.IntnRange(0, 30)*1000
			var services []ozgv1.ServiceImplementation
			for i := range 460 {
				id := fmt.Sprintf("%05d", base+i)
				createCatalogEntry(id, "Groß "+id, "Querschnitt")
				services = append(services, ozgv1.ServiceImplementation{Service: "ozg-" + id, State: ozgv1.StateLive,
					URL: "https://formulare.example.de/" + strings.Repeat("x", 2000) + id})
			}
			adm := "gross-" + rand.String(5)
			createAdministration(adm, services...)
			key := createPortal(ns, adm)
			Eventually(func(g Gomega) {
				stalledWith(g, key, ozgv1.ReasonInvalidSpec, "cannot render the portal content: rendered content has ",
					" bytes, more than the 921600 a ConfigMap can hold")
			}).Should(Succeed())
			// A reconcile that ran before the cache had every catalogue
			// entry may have written smaller content; it stays.
			cm := &corev1.ConfigMap{}
			if err := k8sClient.Get(ctx, key, cm); err == nil {
				Expect(len(cm.Data[portaldata.ConfigMapKey])).To(BeNumerically("<", 900*1024))
			} else {
				Expect(apierrors.IsNotFound(err)).To(BeTrue())
			}

			update(client.ObjectKey{Name: adm}, func(a *ozgv1.Administration) { a.Spec.Services = a.Spec.Services[:1] })
			Eventually(func(g Gomega) {
				readyAndNotStalled(key)(g)
				g.Expect(getPortal(key)(g).Status.ServicesOffered).To(BeEquivalentTo(1))
			}).Should(Succeed())
		})
	})

	Context("fleets", func() {
		It("is Stalled InvalidSpec for an administration that cannot get a portal, and still runs the others", func() {
			f := newFleetFixture(1)
			// A valid cluster-scoped name, but no DNS-1035 label: a portal's
			// Service could not carry it.
			bad := "0" + f.provider + ".bad"
			Expect(k8sClient.Create(ctx, fleetfixture.Administration(bad, f.provider, krzKreise[0], 899))).To(Succeed())
			fleet := f.fleet()
			Expect(k8sClient.Create(ctx, fleet)).To(Succeed())
			key := client.ObjectKeyFromObject(fleet)
			Eventually(func(g Gomega) {
				fl := fleetStalledInvalidSpec(g, key,
					ContainSubstring("Administration "+bad+" cannot give its name to a portal, which must be a DNS-1035 label"))
				g.Expect(fl.Status.Portals).To(BeEquivalentTo(4))
				g.Expect(fl.Status.ReadyPortals).To(BeEquivalentTo(3), "the other administrations get their portals")
			}).WithTimeout(30 * time.Second).Should(Succeed())
			for _, a := range f.adms {
				Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: f.namespace, Name: a}, &ozgv1.ServicePortal{})).To(Succeed())
			}

			Expect(k8sClient.Delete(ctx, &ozgv1.Administration{ObjectMeta: metav1.ObjectMeta{Name: bad}})).To(Succeed())
			Eventually(fleetReady(key, 3)).WithTimeout(30 * time.Second).Should(Succeed())
		})

		It("is Stalled InvalidSpec for a selector the API accepts but which is no label selector, deletes no portal, and recovers when fixed", func() {
			f := newFleetFixture(1)
			fleet := f.fleet()
			Expect(k8sClient.Create(ctx, fleet)).To(Succeed())
			key := client.ObjectKeyFromObject(fleet)
			Eventually(fleetReady(key, 3)).WithTimeout(30 * time.Second).Should(Succeed())

			// The CRD keeps metav1.LabelSelector's schema, which has no enum
			// for the operator.
			update(key, func(fl *ozgv1.PortalFleet) {
				fl.Spec.AdministrationSelector = metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{
					Key: ozgv1.LabelITProvider, Operator: "Equals", Values: []string{f.provider},
				}}}
			})
			Eventually(func(g Gomega) {
				fleetStalledInvalidSpec(g, key,
					And(ContainSubstring("administrationSelector: "), ContainSubstring(`"Equals" is not a valid label selector operator`)))
			}).Should(Succeed())
			Consistently(func(g Gomega) {
				var portals ozgv1.ServicePortalList
				g.Expect(k8sClient.List(ctx, &portals, client.InNamespace(f.namespace))).To(Succeed())
				g.Expect(portals.Items).To(HaveLen(3), "an unreadable selector deletes no portal")
			}).WithTimeout(2 * time.Second).Should(Succeed())

			update(key, func(fl *ozgv1.PortalFleet) {
				fl.Spec.AdministrationSelector.MatchExpressions[0].Operator = metav1.LabelSelectorOpIn
			})
			Eventually(fleetReady(key, 3)).WithTimeout(30 * time.Second).Should(Succeed())
		})
	})
})

// rollupsPending reads the manager's ozg_rollup_pending gauges, summed:
// the roll-ups whose status does not yet show their inputs. Objects that
// do not exist must not stay pending, or make demo-check would never end.
func rollupsPending(g Gomega) float64 {
	families, err := ctrlmetrics.Registry.Gather()
	g.Expect(err).NotTo(HaveOccurred())
	var n float64
	for _, f := range families {
		if f.GetName() == "ozg_rollup_pending" {
			for _, m := range f.GetMetric() {
				n += m.GetGauge().GetValue()
			}
		}
	}
	return n
}
