package controllers_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The children a ServicePortal becomes, against what an IT provider
// running portals in production expects of them: node drains.
var _ = Describe("ServicePortal children in production", func() {
	BeforeEach(func() {
		createCatalogEntry("10110", "Abfallentsorgung", "Bauen & Wohnen")
	})

	// A portal of two or more replicas gets a PodDisruptionBudget with
	// maxUnavailable 1 and no unhealthyPodEvictionPolicy, so the API
	// server's default, IfHealthyBudget, applies: while the budget has fewer
	// healthy pods than it wants (every pod of the portal crash-looping or
	// never ready, e.g. a document the image cannot read after a node
	// restart), no pod of the portal may be evicted, not even the broken
	// ones, and `kubectl drain` of their nodes (a cluster upgrade) hangs.
	// The disruption controller does not run here: the test writes the
	// budget's status as it computes it for two unready pods, and asks the
	// real eviction API.
	It("lets a node drain evict a portal pod that is not ready", func() {
		key, pdb := portalWithBudget(2)
		ns := key.Namespace

		By("a portal pod that runs but is not ready (CrashLoopBackOff, no valid document)")
		pod := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "portal-5c8f7-abcde", Labels: map[string]string{
				"app.kubernetes.io/name": "ozg-portal", "app.kubernetes.io/instance": "portal"}},
			Spec: corev1.PodSpec{NodeName: "node-1", Containers: []corev1.Container{{Name: "portal", Image: "registry.example.de/portal:1.4.0"}}},
		}
		Expect(k8sClient.Create(ctx, pod)).To(Succeed())
		pod.Status.Phase = corev1.PodRunning
		pod.Status.Conditions = []corev1.PodCondition{
			{Type: corev1.PodReady, Status: corev1.ConditionFalse},
			{Type: corev1.ContainersReady, Status: corev1.ConditionFalse},
		}
		Expect(k8sClient.Status().Update(ctx, pod)).To(Succeed())

		By("the budget's status as the disruption controller writes it: 0 of 2 healthy, 1 wanted")
		Eventually(func(g Gomega) {
			g.Expect(k8sClient.Get(ctx, key, pdb)).To(Succeed())
			pdb.Status = policyv1.PodDisruptionBudgetStatus{
				ObservedGeneration: pdb.Generation,
				ExpectedPods:       2, DesiredHealthy: 1, CurrentHealthy: 0, DisruptionsAllowed: 0,
			}
			g.Expect(k8sClient.Status().Update(ctx, pdb)).To(Succeed())
		}).Should(Succeed())

		By("kubectl drain evicts the broken pod")
		err := k8sClient.SubResource("eviction").Create(ctx, pod, &policyv1.Eviction{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: pod.Name}})
		Expect(err).NotTo(HaveOccurred(),
			"the PodDisruptionBudget (unhealthyPodEvictionPolicy %v) refuses to evict a pod that serves nothing; a drain retries this forever",
			pdb.Spec.UnhealthyPodEvictionPolicy)
	})
})
