package faults

import (
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/testsupport/benchsummary"
	"github.com/ozg-operator/ozg-operator/internal/testsupport/recount"
)

// outage is how long the API server stays down.
const outage = 30 * time.Second

// recoveryBound is how soon after the API server is back the manager must
// have acted on changes made then (issue 17): its informers retry a
// refused connection every second instead of backing off (internal/reconnect).
const recoveryBound = 10 * time.Second

var _ = Describe("API server outage", func() {
	It("rides out 30 s without an API server and converges on changes made after it", func() {
		f := newFleetFixture("outage", 2, 4)
		kubelet := startKubelet(f.namespace)
		// Without leader election: a leader that cannot renew its lease for
		// 30 s gives it up and exits on purpose, so that another replica
		// takes over; that is scenario "Leader failover". Here the manager
		// must recover by itself.
		manager := startManager("manager-0", managerOptions{})
		pid := manager.Pid()

		fleet := f.fleet("1.4.0", intstr.FromInt32(1))
		Expect(k8sClient.Create(ctx, fleet)).To(Succeed())
		key := client.ObjectKeyFromObject(fleet)
		Eventually(fleetReady(key, len(f.adms))).Should(Succeed())
		edited := client.ObjectKey{Namespace: f.namespace, Name: f.adms[1]}
		// The content goes to the running pods through the portal's
		// ConfigMap (the pods reload it), whose checksum moves with it.
		before := &corev1.ConfigMap{}
		Expect(k8sClient.Get(ctx, edited, before)).To(Succeed())

		By("stopping the API server for 30 s")
		// The test's own informer is not under test: it stops now and a
		// fresh one starts after the outage.
		kubelet.stop()
		restarted := false
		DeferCleanup(func() {
			if !restarted {
				cluster.startAPIServer()
			}
		})
		cluster.stopAPIServer()
		down := time.Now()
		// The outage is the fault being injected, not a wait for anything:
		// the manager has to do without an API server for this long, and
		// must not exit meanwhile.
		Consistently(manager.Exited()).WithTimeout(outage).WithPolling(time.Second).ShouldNot(BeClosed(),
			"the manager exited while the API server was down")
		cluster.startAPIServer()
		restarted = true
		back := time.Now()
		fmt.Fprintf(GinkgoWriter, "the API server was down for %s\n", back.Sub(down).Round(100*time.Millisecond))
		startKubelet(f.namespace)

		By("publishing a portal and taking an administration's service live")
		published := f.adms[0]
		updateFleet(key, func(fl *ozgv1.PortalFleet) { fl.Spec.Publish.Administrations = []string{published} })
		Eventually(func(g Gomega) {
			adm := &ozgv1.Administration{}
			g.Expect(k8sClient.Get(ctx, client.ObjectKey{Name: edited.Name}, adm)).To(Succeed())
			for i := range adm.Spec.Services {
				adm.Spec.Services[i].State = ozgv1.StateLive
			}
			g.Expect(k8sClient.Update(ctx, adm)).To(Succeed())
		}).Should(Succeed())

		By("the same manager process converges on both within 10 s")
		// The timeout is generous so that a failure says how long it took.
		Eventually(func(g Gomega) {
			p := &ozgv1.ServicePortal{}
			g.Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: f.namespace, Name: published}, p)).To(Succeed())
			g.Expect(p.Spec.Publish).To(BeTrue())
			g.Expect(meta.IsStatusConditionTrue(p.Status.Conditions, ozgv1.PublishedCondition)).To(BeTrue(), "portal %s Published", published)
			g.Expect(p.Status.URL).To(Equal("https://" + p.Spec.Hostname))
			g.Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: f.namespace, Name: published}, &networkingv1.Ingress{})).To(Succeed())

			p = &ozgv1.ServicePortal{}
			g.Expect(k8sClient.Get(ctx, edited, p)).To(Succeed())
			g.Expect(p.Status.ServicesLive).To(BeEquivalentTo(2))
			g.Expect(portalReady(p)).To(BeTrue(), "portal %s Ready", edited.Name)
			cm := &corev1.ConfigMap{}
			g.Expect(k8sClient.Get(ctx, edited, cm)).To(Succeed())
			g.Expect(cm.Annotations["ozg.dev/content-checksum"]).NotTo(Equal(before.Annotations["ozg.dev/content-checksum"]), "the new content reached the portal's ConfigMap")

			g.Expect(f.rollupDiff(g)).To(BeEmpty(), "administration statuses as recounted")
			// The catalogue counts every portal of the cluster (other specs'
			// too, which stay in envtest's namespaces).
			var all ozgv1.ServicePortalList
			var adms ozgv1.AdministrationList
			var services ozgv1.OZGServiceList
			g.Expect(k8sClient.List(ctx, &all)).To(Succeed())
			g.Expect(k8sClient.List(ctx, &adms)).To(Succeed())
			g.Expect(k8sClient.List(ctx, &services)).To(Succeed())
			g.Expect(recount.Diff(recount.Recount(all.Items, adms.Items), nil, services.Items)).To(BeEmpty(), "catalogue statuses as recounted")

			fl := getFleet(g, key)
			g.Expect(fl.Status.PublishedPortals).To(BeEquivalentTo(1))
		}).WithTimeout(3 * time.Minute).WithPolling(100 * time.Millisecond).Should(Succeed())
		recovered := time.Since(back)
		fmt.Fprintf(GinkgoWriter, "converged %s after the API server was back\n", recovered.Round(100*time.Millisecond))
		Expect(benchsummary.Record("outage", map[string]any{"recovery_s": recovered.Seconds()})).To(Succeed())
		Expect(recovered).To(BeNumerically("<=", recoveryBound), "every controller acts again within 10 s of the API server")
		Eventually(fleetReady(key, len(f.adms))).Should(Succeed())
		Expect(childProblems(Default, f.namespace, listPortals(Default, f.namespace))).To(BeEmpty())

		By("without a restart of its own")
		// Nothing supervises the process, so a manager that gave up would
		// have exited; one that restarted itself would log its start twice.
		Expect(manager.Running()).To(BeTrue(), "the manager exited")
		Expect(manager.Pid()).To(Equal(pid))
		Expect(manager.starts()).To(Equal(1))
	})
})
