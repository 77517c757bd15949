package faults

import (
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/rollout"
	"github.com/ozg-operator/ozg-operator/internal/testsupport/fleetfixture"
)

var _ = Describe("Leader failover", func() {
	It("finishes a rollout wave by wave within maxUnavailable after the leader is SIGKILLed in wave 2", func() {
		const perKreis = 25
		f := newFleetFixture("leader", 4, perKreis)
		startKubelet(f.namespace)

		By("starting two replicas with leader election; the first one started leads")
		// The second starts only once the first leads, so that the Lease's
		// holder identity is known to be the first process's.
		// Shorter than the defaults (15 s, 10 s, 2 s), so that the flags are
		// seen to reach the Lease and the failover takes less time.
		opts := managerOptions{leaderElectionNamespace: f.namespace, args: []string{
			"--leader-elect-lease-duration=10s", "--leader-elect-renew-deadline=6s", "--leader-elect-retry-period=1s",
		}}
		first := startManager("replica-0", opts)
		var led lease
		Eventually(func(g Gomega) {
			g.Expect(first.leads()).To(BeTrue(), "replica-0 logs that it acquired the lease")
			led = getLease(g, f.namespace)
			g.Expect(led.holder).NotTo(BeEmpty())
		}).Should(Succeed())
		Expect(led.durationSeconds).To(BeEquivalentTo(10), "--leader-elect-lease-duration")
		second := startManager("replica-1", opts)

		By("creating a fleet of 100 portals on version 1.4.0, 10% unavailable per Kreis wave")
		fleet := f.fleet("1.4.0", intstr.FromString("10%"))
		Expect(k8sClient.Create(ctx, fleet)).To(Succeed())
		key := client.ObjectKeyFromObject(fleet)
		Eventually(fleetReady(key, len(f.adms))).WithTimeout(2 * time.Minute).Should(Succeed())
		Expect(second.leads()).To(BeFalse(), "replica-1 stands by")

		By("watching every change of the portals, then changing the version to 1.5.0")
		created := getFleet(Default, key)
		oldHash := rollout.TemplateHash(created.Spec.Template.PortalSettings)
		next := created.Spec.Template.PortalSettings
		next.Version = "1.5.0"
		newHash := rollout.TemplateHash(next)
		// 10% of 25 portals, rounded down like a Deployment's maxUnavailable.
		maxUnavailable := []int{2, 2, 2, 2}
		// The leader dies five portals into wave 2.
		observer := observeRollout(f, maxUnavailable, oldHash, newHash, perKreis+5)
		Eventually(func() int {
			_, readyOld, _ := observer.snapshot()
			return readyOld
		}).Should(Equal(len(f.adms)), "the observer starts from 100 Ready portals on the old template")
		updated := updateFleet(key, func(fl *ozgv1.PortalFleet) { fl.Spec.Template.Version = "1.5.0" })
		Expect(rollout.TemplateHash(updated.Spec.Template.PortalSettings)).To(Equal(newHash))

		By("SIGKILLing the leader in the middle of wave 2")
		Eventually(observer.trigger).Should(BeClosed())
		held := getLease(Default, f.namespace)
		Expect(held.holder).To(Equal(led.holder), "replica-0 still holds the lease")
		first.kill()
		killed := time.Now()
		_, _, updatedAtKill := observer.snapshot()
		Expect(updatedAtKill).To(And(BeNumerically(">", perKreis), BeNumerically("<", 2*perKreis)),
			"wave 2 was in progress when the leader died")

		By("replica-1 takes the lease over once it expires")
		Eventually(func(g Gomega) {
			now := getLease(g, f.namespace)
			g.Expect(now.holder).NotTo(BeEmpty())
			g.Expect(now.holder).NotTo(Equal(held.holder))
			g.Expect(now.transitions).To(Equal(held.transitions + 1))
			g.Expect(second.leads()).To(BeTrue(), "replica-1 logs that it acquired the lease")
		}).WithTimeout(45 * time.Second).WithPolling(250 * time.Millisecond).Should(Succeed())
		fmt.Fprintf(GinkgoWriter, "replica-1 took over %s after the kill; %d portals were updated then\n",
			time.Since(killed).Round(time.Second), updatedAtKill)

		By("the rollout completes")
		Eventually(fleetReady(key, len(f.adms))).WithTimeout(2 * time.Minute).Should(Succeed())
		Eventually(func(g Gomega) {
			g.Expect(getFleet(g, key).Status.Versions).To(ConsistOf(ozgv1.VersionCount{Version: "1.5.0", Count: int32(len(f.adms))}))
		}).Should(Succeed())
		portals := listPortals(Default, f.namespace)
		Expect(portals).To(HaveLen(len(f.adms)))
		for _, p := range portals {
			Expect(p.Annotations).To(HaveKeyWithValue(rollout.TemplateHashAnnotation, newHash), p.Name)
			Expect(p.Spec.Version).To(Equal("1.5.0"), p.Name)
			Expect(p.Status.Version).To(Equal("1.5.0"), p.Name)
			Expect(portalReady(&p)).To(BeTrue(), p.Name)
			Expect(metav1.GetControllerOf(&p)).To(HaveField("UID", created.UID), p.Name)
		}

		By("no observed instant broke the wave order or maxUnavailable")
		violations, events, maxSeen, currentWaves := observer.result()
		fmt.Fprintf(GinkgoWriter, "observed %d portal changes; most unavailable at once per wave: %v; fleet status.currentWave: %q\n",
			events, maxSeen, currentWaves)
		Expect(violations).To(BeEmpty())
		// The fleet reported the waves in order, from Ready before the
		// change to Ready after it; a wave may pass between two status
		// writes unseen, none may come back.
		Expect(currentWaves[0]).To(BeEmpty())
		Expect(currentWaves[len(currentWaves)-1]).To(BeEmpty())
		rolling := currentWaves[1 : len(currentWaves)-1]
		Expect(rolling).NotTo(BeEmpty())
		Expect(rolling).To(Equal(orderedSubsequence(rolling, f.kreise)), "fleet status.currentWave named the waves out of order")
		for wave, n := range maxSeen {
			// Every updated portal is unavailable until its new generation
			// is Ready; seeing none would mean the observer saw nothing.
			Expect(n).To(BeNumerically(">=", 1), "wave %d", wave+1)
		}
		Expect(second.Running()).To(BeTrue())
	})
})

// orderedSubsequence returns the waves of the Kreise that appear in seen,
// in rollout order: seen equals it exactly when it names each wave at
// most once and in order.
func orderedSubsequence(seen, kreise []string) []string {
	var ordered []string
	for _, kreis := range kreise {
		for _, w := range seen {
			if w == fleetfixture.WaveName(kreis) {
				ordered = append(ordered, w)
				break
			}
		}
	}
	return ordered
}
