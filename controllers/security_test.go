package controllers_test

import (
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

var _ = Describe("Least privilege", func() {
	It("grants the manager no wildcard and no access to Secrets", func() {
		data, err := os.ReadFile(filepath.Join("..", "config", "rbac", "role.yaml"))
		Expect(err).NotTo(HaveOccurred())
		role := &rbacv1.ClusterRole{}
		Expect(yaml.UnmarshalStrict(data, role)).To(Succeed())
		Expect(role.Rules).NotTo(BeEmpty())
		for _, rule := range role.Rules {
			Expect(rule.Verbs).NotTo(ContainElement("*"), "%v", rule)
			Expect(rule.Resources).NotTo(ContainElement("*"), "%v", rule)
			Expect(rule.APIGroups).NotTo(ContainElement("*"), "%v", rule)
			Expect(rule.Resources).NotTo(ContainElement("secrets"), "secrets are referenced by name, never read")
			Expect(rule.NonResourceURLs).To(BeEmpty())
		}
		By("granting update on the finalizers of the owners whose children block their deletion (OwnerReferencesPermissionEnforcement)")
		for _, owner := range []string{"serviceportals/finalizers", "portalfleets/finalizers"} {
			Expect(role.Rules).To(ContainElement(And(
				HaveField("APIGroups", ContainElement(ozgv1.GroupVersion.Group)),
				HaveField("Resources", ContainElement(owner)),
				HaveField("Verbs", ContainElement("update")))), owner)
		}
	})

	It("runs portal pods that the restricted Pod Security Standard admits, without API credentials", func() {
		ns, adm := fixture()
		restricted := ns + "-restricted"
		Expect(k8sClient.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
			Name:   restricted,
			Labels: map[string]string{"pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "latest"},
		}})).To(Succeed())
		portal := newPortal(ns, "portal-"+rand.String(4), adm)
		Expect(k8sClient.Create(ctx, portal)).To(Succeed())
		d := &appsv1.Deployment{}
		Eventually(func() error { return k8sClient.Get(ctx, client.ObjectKeyFromObject(portal), d) }).Should(Succeed())
		Expect(d.Spec.Template.Spec.AutomountServiceAccountToken).To(HaveValue(BeFalse()))

		// envtest runs no controller-manager, so create the pod the
		// Deployment would create, and let Pod Security admission judge it.
		pod := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: "portal", Namespace: restricted, Labels: d.Spec.Template.Labels},
			Spec:       d.Spec.Template.Spec,
		}
		Expect(k8sClient.Create(ctx, pod, client.DryRunAll)).To(Succeed())

		By("refusing a pod that breaks the standard, so the check is real")
		bad := pod.DeepCopy()
		bad.Spec.Containers[0].SecurityContext.AllowPrivilegeEscalation = nil
		err := k8sClient.Create(ctx, bad, client.DryRunAll)
		Expect(err).To(HaveOccurred())
		Expect(err.Error()).To(ContainSubstring("violates PodSecurity \"restricted:latest\""))
	})
})
