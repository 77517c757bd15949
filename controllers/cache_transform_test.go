package controllers_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/admservices"
	"github.com/ozg-operator/ozg-operator/internal/portaldata"
)

// ownedDigestAnnotation is controllers.ownedDigestAnnotation.
const ownedDigestAnnotation = "ozg.dev/cache-owned-fields-digest"

var _ = Describe("The manager's cache", func() {
	It("keeps no managed fields, no ConfigMap data and no children's specs, and still restores a ConfigMap edited by hand", func() {
		live := ozgv1.ServiceImplementation{Service: "ozg-10110", State: ozgv1.StateLive, Tool: "Formularserver",
			Maturity: ptr.To[int32](3), TrustLevel: ozgv1.TrustLevelSubstantial, URL: "https://example.de/antrag"}
		ns, adm := fixture(live)
		portal := newPortal(ns, "portal", adm)
		Expect(k8sClient.Create(ctx, portal)).To(Succeed())
		key := client.ObjectKeyFromObject(portal)

		By("the ConfigMap in the cache: a digest of the owned fields instead of managed fields and data")
		var rendered string
		Eventually(func(g Gomega) {
			cm := &corev1.ConfigMap{}
			g.Expect(k8sClient.Get(ctx, key, cm)).To(Succeed())
			rendered = cm.Data[portaldata.ConfigMapKey]
			g.Expect(rendered).NotTo(BeEmpty())
			g.Expect(cm.ManagedFields).NotTo(BeEmpty())
			g.Expect(cm.Annotations).NotTo(HaveKey(ownedDigestAnnotation), "the digest stays in the cache")

			cached := &corev1.ConfigMap{}
			g.Expect(managerRun.cache.Get(ctx, key, cached)).To(Succeed())
			g.Expect(cached.ResourceVersion).To(Equal(cm.ResourceVersion))
			g.Expect(cached.Data).To(BeNil())
			g.Expect(cached.ManagedFields).To(BeNil())
			g.Expect(cached.Annotations).To(HaveKeyWithValue(ownedDigestAnnotation, HaveLen(64)))
		}).Should(Succeed())

		By("the other children in the cache: no spec but a Deployment's replicas, and the digest")
		Eventually(func(g Gomega) {
			d := &appsv1.Deployment{}
			g.Expect(managerRun.cache.Get(ctx, key, d)).To(Succeed())
			g.Expect(d.Spec.Replicas).To(HaveValue(BeEquivalentTo(1)))
			g.Expect(d.Spec.Template.Spec.Containers).To(BeEmpty())
			g.Expect(d.Spec.Selector).To(BeNil())
			g.Expect(d.Annotations).To(HaveKeyWithValue(ownedDigestAnnotation, HaveLen(64)))
			np := &networkingv1.NetworkPolicy{}
			g.Expect(managerRun.cache.Get(ctx, key, np)).To(Succeed())
			g.Expect(np.Spec).To(BeZero())
			svc := &corev1.Service{}
			g.Expect(managerRun.cache.Get(ctx, key, svc)).To(Succeed())
			g.Expect(svc.Spec).To(BeZero())
		}).Should(Succeed())

		By("administrations in the cache: no managed fields, the service entries compact; the stored object never gets the annotation")
		Eventually(func(g Gomega) {
			stored, cached := &ozgv1.Administration{}, &ozgv1.Administration{}
			g.Expect(k8sClient.Get(ctx, client.ObjectKey{Name: adm}, stored)).To(Succeed())
			g.Expect(managerRun.cache.Get(ctx, client.ObjectKey{Name: adm}, cached)).To(Succeed())
			g.Expect(cached.ResourceVersion).To(Equal(stored.ResourceVersion))
			// Written by the manager's status writes, which carry the
			// cached object's metadata.
			g.Expect(stored.Status.ObservedGeneration).To(Equal(stored.Generation))
			g.Expect(cached.ManagedFields).To(BeNil())
			g.Expect(cached.Spec.Services).To(BeEmpty())
			g.Expect(cached.Annotations).To(HaveKey(admservices.Annotation))
			g.Expect(admservices.Of(cached)).To(Equal(stored.Spec.Services))
			g.Expect(stored.Annotations).NotTo(HaveKey(admservices.Annotation))
			for _, m := range stored.ManagedFields {
				g.Expect(string(m.FieldsV1.Raw)).NotTo(ContainSubstring(admservices.Annotation), "managed by %s", m.Manager)
			}
		}).Should(Succeed())

		By("a hand edit of the content is put back")
		update(key, func(cm *corev1.ConfigMap) { cm.Data[portaldata.ConfigMapKey] = `{"edited": true}` })
		Eventually(func(g Gomega) string {
			cm := &corev1.ConfigMap{}
			g.Expect(k8sClient.Get(ctx, key, cm)).To(Succeed())
			return cm.Data[portaldata.ConfigMapKey]
		}).Should(Equal(rendered))
	})
})
