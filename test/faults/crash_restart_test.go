package faults

import (
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

var _ = Describe("Manager crash", func() {
	It("leaves every portal exactly its children after a SIGKILL in the middle of creating a fleet", func() {
		f := newFleetFixture("crash", 4, 25)
		kubelet := startKubelet(f.namespace)
		// Without leader election: a restarted replica would first wait out
		// the dead one's lease (15 s), which scenario "Leader failover"
		// covers; here the point is what the crash left half done.
		manager := startManager("manager-0", managerOptions{})

		By("creating a fleet of 100 portals with two replicas each, one Kreis published")
		fleet := f.fleet("1.4.0", intstr.FromString("10%"))
		// Two replicas give every portal a PodDisruptionBudget, publishing
		// one Kreis gives a quarter an Ingress: all six kinds of children.
		fleet.Spec.Template.Replicas = ptr.To[int32](2)
		fleet.Spec.Publish.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{ozgv1.LabelKreis: f.kreise[0]}}
		Expect(k8sClient.Create(ctx, fleet)).To(Succeed())
		key := client.ObjectKeyFromObject(fleet)

		By("SIGKILLing the manager once about a third of the portals have children")
		// The kubelet player's cache sees each Deployment the moment it is
		// created; a Deployment follows its portal's ConfigMap.
		Eventually(kubelet.deployments).WithTimeout(2 * time.Minute).WithPolling(10 * time.Millisecond).
			Should(BeNumerically(">=", len(f.adms)/3))
		manager.kill()
		var deployments appsv1.DeploymentList
		Expect(k8sClient.List(ctx, &deployments, client.InNamespace(f.namespace))).To(Succeed())
		portalsAtKill := len(listPortals(Default, f.namespace))
		fmt.Fprintf(GinkgoWriter, "killed with %d portals and %d Deployments\n", portalsAtKill, len(deployments.Items))
		Expect(len(deployments.Items)).To(BeNumerically("<", len(f.adms)), "the manager died before it had made every portal's children")

		By("restarting it")
		restarted := startManager("manager-1", managerOptions{})
		Eventually(fleetReady(key, len(f.adms))).WithTimeout(2 * time.Minute).Should(Succeed())

		By("every portal has exactly its children, none twice, none orphaned")
		fl := getFleet(Default, key)
		converged := func(g Gomega) {
			portals := listPortals(g, f.namespace)
			g.Expect(portals).To(HaveLen(len(f.adms)))
			for _, p := range portals {
				g.Expect(metav1.GetControllerOf(&p)).To(HaveField("UID", fl.UID), p.Name)
				g.Expect(f.kreisOf).To(HaveKey(p.Spec.AdministrationRef.Name), p.Name)
				g.Expect(p.Name).To(Equal(p.Spec.AdministrationRef.Name))
				g.Expect(portalReady(&p)).To(BeTrue(), p.Name)
			}
			g.Expect(childProblems(g, f.namespace, portals)).To(BeEmpty())
		}
		Eventually(converged).Should(Succeed())
		// Nothing late, such as a second copy, follows.
		Consistently(converged).Should(Succeed())
		Expect(restarted.Running()).To(BeTrue())
	})
})
