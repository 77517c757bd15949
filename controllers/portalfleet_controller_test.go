package controllers_test

import (
	"fmt"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/utils/ptr"
	kstatus "sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/rolloutstatus"
)

// krzKreise are the three Kreise of the krz, in rollout order.
var krzKreise = []string{"05766", "05758", "05770"}

// fleetFixture creates a namespace where the fake kubelet runs pods, and
// perKreis administrations in each krz Kreis for a new IT provider.
type fleetFixture struct {
	namespace, provider string
	adms                []string
	kreisOf             map[string]string
}

func newFleetFixture(perKreis int) *fleetFixture {
	f := &fleetFixture{provider: "p" + rand.String(6), kreisOf: map[string]string{}}
	f.namespace = "fleet-" + f.provider
	Expect(k8sClient.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		Name: f.namespace, Labels: map[string]string{kubeletLabel: "auto"},
	}})).To(Succeed())
	for k, kreis := range krzKreise {
		for i := range perKreis {
			f.addAdministration(fmt.Sprintf("%s-%d-%d", f.provider, k, i), kreis, fmt.Sprintf("%s%03d", kreis, 100+i))
		}
	}
	return f
}

// addAdministration creates a municipality of the fixture's IT provider in
// kreis, with one service live.
func (f *fleetFixture) addAdministration(name, kreis, key string) {
	GinkgoHelper()
	adm := &ozgv1.Administration{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{
		ozgv1.LabelITProvider: f.provider, ozgv1.LabelKreis: kreis,
	}}}
	adm.Spec.Key, adm.Spec.DisplayName, adm.Spec.Type = key, name, ozgv1.TypeKreisangehoerigeGemeinde
	adm.Spec.Services = []ozgv1.ServiceImplementation{{Service: "ozg-10110", State: ozgv1.StateLive}}
	Expect(k8sClient.Create(ctx, adm)).To(Succeed())
	f.adms = append(f.adms, name)
	f.kreisOf[name] = kreis
}

func (f *fleetFixture) fleet(published ...string) *ozgv1.PortalFleet {
	waves := make([]ozgv1.RolloutWave, len(krzKreise))
	for i, kreis := range krzKreise {
		waves[i] = ozgv1.RolloutWave{
			Name:           "kreis-" + kreis,
			Selector:       metav1.LabelSelector{MatchLabels: map[string]string{ozgv1.LabelKreis: kreis}},
			MaxUnavailable: ptr.To(intstr.FromString("50%")),
		}
	}
	return &ozgv1.PortalFleet{
		ObjectMeta: metav1.ObjectMeta{Name: f.provider, Namespace: f.namespace},
		Spec: ozgv1.PortalFleetSpec{
			AdministrationSelector: metav1.LabelSelector{MatchLabels: map[string]string{ozgv1.LabelITProvider: f.provider}},
			Template: ozgv1.PortalTemplate{
				HostnamePattern: "$(name).serviceportal.example.de",
				PortalSettings:  ozgv1.PortalSettings{Version: "1.4.0"},
			},
			Publish: ozgv1.FleetPublish{Administrations: published},
			Rollout: ozgv1.FleetRollout{Waves: waves},
		},
	}
}

func getFleet(key client.ObjectKey) func(Gomega) *ozgv1.PortalFleet {
	return get[ozgv1.PortalFleet](key)
}

// kstatusOf computes the kstatus of an object as Flux and Argo CD would.
func kstatusOf(g Gomega, obj client.Object) kstatus.Status {
	content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	g.Expect(err).NotTo(HaveOccurred())
	res, err := kstatus.Compute(&unstructured.Unstructured{Object: content})
	g.Expect(err).NotTo(HaveOccurred())
	return res.Status
}

func fleetReady(key client.ObjectKey, portals int) func(Gomega) {
	return func(g Gomega) {
		fl := getFleet(key)(g)
		g.Expect(fl.Status.ObservedGeneration).To(Equal(fl.Generation))
		g.Expect(condition(&fl.Status, ozgv1.ReadyCondition).Status).To(Equal(metav1.ConditionTrue), condition(&fl.Status, ozgv1.ReadyCondition).Message)
		g.Expect(fl.Status.Portals).To(BeEquivalentTo(portals))
		g.Expect(fl.Status.ReadyPortals).To(BeEquivalentTo(portals))
		g.Expect(fl.Status.UpdatedPortals).To(BeEquivalentTo(portals))
		g.Expect(kstatusOf(g, fl)).To(Equal(kstatus.CurrentStatus))
	}
}

// fleetEventReasons lists the reasons of the Events regarding fleet.
func fleetEventReasons(g Gomega, fleet *ozgv1.PortalFleet) []string {
	var list eventsv1.EventList
	g.Expect(k8sClient.List(ctx, &list, client.InNamespace(fleet.Namespace))).To(Succeed())
	var reasons []string
	for _, e := range list.Items {
		if e.Regarding.UID == fleet.UID {
			reasons = append(reasons, e.Reason)
		}
	}
	return reasons
}

func portalIsReady(p *ozgv1.ServicePortal) bool {
	return p.Status.ObservedGeneration == p.Generation && meta.IsStatusConditionTrue(p.Status.Conditions, ozgv1.ReadyCondition)
}

// rolloutSampler lists the fleet's portals continuously during a rollout
// and records every instant that breaks a rollout rule.
type rolloutSampler struct {
	f          *fleetFixture
	maxUnavail map[string]int
	stop, done chan struct{}
	mu         sync.Mutex
	violations []string
	samples    int
	sawWave    map[string]bool
	inProgress bool // kstatus of the fleet was InProgress at least once
}

func startSampler(f *fleetFixture, fleetKey client.ObjectKey, maxUnavail map[string]int) *rolloutSampler {
	s := &rolloutSampler{f: f, maxUnavail: maxUnavail, stop: make(chan struct{}), done: make(chan struct{}), sawWave: map[string]bool{}}
	go func() {
		defer GinkgoRecover()
		defer close(s.done)
		for {
			select {
			case <-s.stop:
				return
			default:
			}
			s.sample(fleetKey)
		}
	}()
	return s
}

func (s *rolloutSampler) sample(fleetKey client.ObjectKey) {
	var portals ozgv1.ServicePortalList
	if err := k8sClient.List(ctx, &portals, client.InNamespace(s.f.namespace)); err != nil {
		return
	}
	fl := &ozgv1.PortalFleet{}
	if err := k8sClient.Get(ctx, fleetKey, fl); err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.samples++
	if kstatusOf(Default, fl) == kstatus.InProgressStatus {
		s.inProgress = true
	}
	if fl.Status.CurrentWave != "" {
		s.sawWave[fl.Status.CurrentWave] = true
	}
	wantVersion := fl.Spec.Template.Version
	unavailable := map[string]int{}
	done := map[string]bool{}
	started := map[string]bool{}
	for _, k := range krzKreise {
		done[k] = true
	}
	for i := range portals.Items {
		p := &portals.Items[i]
		kreis := s.f.kreisOf[p.Spec.AdministrationRef.Name]
		ready := portalIsReady(p)
		updated := p.Spec.Version == wantVersion
		if !ready {
			unavailable[kreis]++
		}
		if !ready || !updated {
			done[kreis] = false
		}
		if updated {
			started[kreis] = true
		}
	}
	for i, kreis := range krzKreise {
		if unavailable[kreis] > s.maxUnavail[kreis] {
			s.violations = append(s.violations, fmt.Sprintf("Kreis %s: %d portals unavailable, maxUnavailable %d", kreis, unavailable[kreis], s.maxUnavail[kreis]))
		}
		for _, earlier := range krzKreise[:i] {
			if started[kreis] && !done[earlier] {
				s.violations = append(s.violations, fmt.Sprintf("Kreis %s started before Kreis %s was done", kreis, earlier))
			}
		}
	}
}

func (s *rolloutSampler) finish() (violations []string, samples int) {
	close(s.stop)
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.violations, s.samples
}

var _ = Describe("PortalFleet controller", func() {
	BeforeEach(func() {
		createCatalogEntry("10110", "Abfallentsorgung", "Bauen & Wohnen")
	})

	It("owns one portal per administration, adopts, publishes, and rolls out wave by wave", func() {
		f := newFleetFixture(4)

		By("pre-creating a portal for one administration, which the fleet adopts")
		existing := newPortal(f.namespace, f.adms[0], f.adms[0])
		existing.Spec.Authentication, existing.Spec.Payment = nil, nil
		Expect(k8sClient.Create(ctx, existing)).To(Succeed())

		fleet := f.fleet(f.adms[0], f.adms[5])
		Expect(k8sClient.Create(ctx, fleet)).To(Succeed())
		key := client.ObjectKeyFromObject(fleet)
		Eventually(fleetReady(key, 12)).WithTimeout(30 * time.Second).Should(Succeed())
		Eventually(func(g Gomega) {
			g.Expect(getFleet(key)(g).Status.PublishedPortals).To(BeEquivalentTo(2))
		}).Should(Succeed())

		var portals ozgv1.ServicePortalList
		Expect(k8sClient.List(ctx, &portals, client.InNamespace(f.namespace))).To(Succeed())
		Expect(portals.Items).To(HaveLen(12))
		for _, p := range portals.Items {
			Expect(metav1.GetControllerOf(&p)).To(HaveField("UID", fleet.UID), p.Name)
			Expect(p.Spec.Hostname).To(Equal(p.Name + ".serviceportal.example.de"))
			Expect(p.Spec.Version).To(Equal("1.4.0"))
			Expect(p.Labels).To(HaveKeyWithValue(ozgv1.LabelFleet, fleet.Name))
			g := Default
			Expect(kstatusOf(g, &p)).To(Equal(kstatus.CurrentStatus), p.Name)
		}
		Expect(getFleet(key)(Default).Status.Versions).To(ConsistOf(ozgv1.VersionCount{Version: "1.4.0", Count: 12}))

		By("pausing, then changing the version: nothing rolls while paused")
		update(key, func(fl *ozgv1.PortalFleet) {
			fl.Spec.Rollout.Paused = true
			fl.Spec.Template.Version = "1.5.0"
		})
		Eventually(func(g Gomega) {
			fl := getFleet(key)(g)
			g.Expect(fl.Status.ObservedGeneration).To(Equal(fl.Generation))
			g.Expect(condition(&fl.Status, ozgv1.PausedCondition).Status).To(Equal(metav1.ConditionTrue))
			g.Expect(condition(&fl.Status, ozgv1.RollingOutCondition).Status).To(Equal(metav1.ConditionTrue))
			g.Expect(fl.Status.UpdatedPortals).To(BeZero())
			g.Expect(fl.Status.CurrentWave).To(Equal("kreis-05766"))
		}).Should(Succeed())
		Expect(k8sClient.List(ctx, &portals, client.InNamespace(f.namespace))).To(Succeed())
		for _, p := range portals.Items {
			Expect(p.Spec.Version).To(Equal("1.4.0"), p.Name)
		}

		By("resuming: waves in order, never more than maxUnavailable (50% of 4) down, across a manager restart")
		sampler := startSampler(f, key, map[string]int{"05766": 2, "05758": 2, "05770": 2})
		update(key, func(fl *ozgv1.PortalFleet) { fl.Spec.Rollout.Paused = false })
		Eventually(func(g Gomega) {
			g.Expect(getFleet(key)(g).Status.CurrentWave).To(Equal("kreis-05758"))
		}).WithTimeout(30 * time.Second).Should(Succeed())
		stopManager()
		stopped := getFleet(key)(Default)
		Expect(stopped.Status.UpdatedPortals).To(BeNumerically(">=", 4))
		portalLists, _ := requests.counts(listAllKey(&ozgv1.ServicePortalList{}))
		startManager()
		Eventually(fleetReady(key, 12)).WithTimeout(60 * time.Second).Should(Succeed())
		portalListsAfter, _ := requests.counts(listAllKey(&ozgv1.ServicePortalList{}))
		Expect(portalListsAfter).To(Equal(portalLists),
			"the restart listed every portal: the catalogue entries' initial creates mapped to them, which the portals' own bring")
		violations, samples := sampler.finish()
		Expect(violations).To(BeEmpty())
		Expect(samples).To(BeNumerically(">", 10))
		Expect(sampler.sawWave).To(HaveKey("kreis-05770"), "the last wave ran")
		Expect(sampler.inProgress).To(BeTrue(), "kstatus reported InProgress during the rollout")
		Eventually(func(g Gomega) {
			g.Expect(getFleet(key)(g).Status.Versions).To(ConsistOf(ozgv1.VersionCount{Version: "1.5.0", Count: 12}))
		}).Should(Succeed())

		By("rolling a template change that keeps the version")
		update(key, func(fl *ozgv1.PortalFleet) {
			fl.Spec.Template.Links = []ozgv1.PortalLink{{Name: "Wirtschafts-Service-Portal.NRW", URL: "https://service.wirtschaft.nrw"}}
		})
		Eventually(func(g Gomega) {
			var list ozgv1.ServicePortalList
			g.Expect(k8sClient.List(ctx, &list, client.InNamespace(f.namespace))).To(Succeed())
			for _, p := range list.Items {
				g.Expect(p.Spec.Links).To(HaveLen(1), p.Name)
			}
		}).WithTimeout(60 * time.Second).Should(Succeed())
		Eventually(fleetReady(key, 12)).WithTimeout(30 * time.Second).Should(Succeed())

		By("rolling up the portals into their administrations and the catalogue as Current")
		Eventually(func(g Gomega) {
			adm := &ozgv1.Administration{}
			g.Expect(k8sClient.Get(ctx, client.ObjectKey{Name: f.adms[5]}, adm)).To(Succeed())
			g.Expect(adm.Status.Online).To(BeEquivalentTo(1))
			g.Expect(kstatusOf(g, adm)).To(Equal(kstatus.CurrentStatus))
			svc := &ozgv1.OZGService{}
			g.Expect(k8sClient.Get(ctx, client.ObjectKey{Name: "ozg-10110"}, svc)).To(Succeed())
			g.Expect(kstatusOf(g, svc)).To(Equal(kstatus.CurrentStatus))
		}).Should(Succeed())

		By("deleting the portal of an administration that stops matching")
		update(client.ObjectKey{Name: f.adms[11]}, func(adm *ozgv1.Administration) { adm.Labels[ozgv1.LabelITProvider] = "other" })
		Eventually(func() bool {
			return apierrors.IsNotFound(k8sClient.Get(ctx, client.ObjectKey{Namespace: f.namespace, Name: f.adms[11]}, &ozgv1.ServicePortal{}))
		}).Should(BeTrue())
		Eventually(fleetReady(key, 11)).Should(Succeed())
	})

	It("stamps pull and placement settings into its portals and rolls a change of them out", func() {
		f := newFleetFixture(1)
		fleet := f.fleet()
		tmpl := &fleet.Spec.Template.PortalSettings
		tmpl.Version = ""
		tmpl.Image = "registry.example.de:5000/ozg/portal@" + testDigest
		tmpl.ImagePullSecrets = []corev1.LocalObjectReference{{Name: "regcred"}}
		tmpl.NodeSelector = map[string]string{"ozg.dev/node": "real"}
		tmpl.Tolerations = []corev1.Toleration{{Key: "ozg.dev/real-node", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}}
		tmpl.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{MaxSkew: 1, TopologyKey: corev1.LabelHostname, WhenUnsatisfiable: corev1.ScheduleAnyway}}
		tmpl.PriorityClassName = "portal-high"
		Expect(k8sClient.Create(ctx, fleet)).To(Succeed())
		key := client.ObjectKeyFromObject(fleet)
		Eventually(fleetReady(key, 3)).WithTimeout(30 * time.Second).Should(Succeed())

		expectPortals := func(want func(Gomega, *ozgv1.ServicePortal, *appsv1.Deployment)) func(Gomega) {
			return func(g Gomega) {
				var list ozgv1.ServicePortalList
				g.Expect(k8sClient.List(ctx, &list, client.InNamespace(f.namespace))).To(Succeed())
				g.Expect(list.Items).To(HaveLen(3))
				for i := range list.Items {
					p := &list.Items[i]
					want(g, p, getDeployment(client.ObjectKeyFromObject(p))(g))
				}
			}
		}
		Eventually(expectPortals(func(g Gomega, p *ozgv1.ServicePortal, d *appsv1.Deployment) {
			g.Expect(p.Spec.ImagePullSecrets).To(Equal(tmpl.ImagePullSecrets), p.Name)
			g.Expect(p.Spec.NodeSelector).To(Equal(tmpl.NodeSelector), p.Name)
			g.Expect(p.Spec.Tolerations).To(Equal(tmpl.Tolerations), p.Name)
			g.Expect(p.Spec.TopologySpreadConstraints).To(Equal(tmpl.TopologySpreadConstraints), p.Name)
			g.Expect(p.Spec.PriorityClassName).To(Equal(tmpl.PriorityClassName), p.Name)
			pod := d.Spec.Template.Spec
			g.Expect(pod.Containers[0].Image).To(Equal(tmpl.Image), p.Name)
			g.Expect(pod.Tolerations).To(Equal(tmpl.Tolerations), p.Name)
			g.Expect(pod.NodeSelector).To(Equal(tmpl.NodeSelector), p.Name)
			g.Expect(pod.ImagePullSecrets).To(Equal(tmpl.ImagePullSecrets), p.Name)
			g.Expect(pod.PriorityClassName).To(Equal(tmpl.PriorityClassName), p.Name)
			// Each portal's constraint spreads that portal's pods.
			g.Expect(pod.TopologySpreadConstraints[0].LabelSelector.MatchLabels).To(HaveKeyWithValue("app.kubernetes.io/instance", p.Name))
		})).Should(Succeed())
		Expect(getFleet(key)(Default).Status.Versions).To(ConsistOf(ozgv1.VersionCount{Version: "sha256-0123456789ab", Count: 3}))

		By("changing only the tolerations while paused: a template change the rollout holds back")
		update(key, func(fl *ozgv1.PortalFleet) {
			fl.Spec.Rollout.Paused = true
			fl.Spec.Template.Tolerations = append(fl.Spec.Template.Tolerations,
				corev1.Toleration{Key: "node.kubernetes.io/unreachable", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptr.To[int64](30)})
		})
		Eventually(func(g Gomega) {
			fl := getFleet(key)(g)
			g.Expect(fl.Status.ObservedGeneration).To(Equal(fl.Generation))
			g.Expect(condition(&fl.Status, ozgv1.RollingOutCondition).Status).To(Equal(metav1.ConditionTrue))
			g.Expect(fl.Status.UpdatedPortals).To(BeZero())
		}).Should(Succeed())
		expectPortals(func(g Gomega, p *ozgv1.ServicePortal, d *appsv1.Deployment) {
			g.Expect(p.Spec.Tolerations).To(HaveLen(1), p.Name)
			g.Expect(d.Spec.Template.Spec.Tolerations).To(HaveLen(1), p.Name)
		})(Default)

		By("resuming: every portal and its pods get the new tolerations")
		update(key, func(fl *ozgv1.PortalFleet) { fl.Spec.Rollout.Paused = false })
		Eventually(fleetReady(key, 3)).WithTimeout(30 * time.Second).Should(Succeed())
		Eventually(expectPortals(func(g Gomega, p *ozgv1.ServicePortal, d *appsv1.Deployment) {
			g.Expect(p.Spec.Tolerations).To(HaveLen(2), p.Name)
			g.Expect(d.Spec.Template.Spec.Tolerations).To(Equal(p.Spec.Tolerations), p.Name)
		})).Should(Succeed())
	})

	It("orphans portals of administrations that stop matching when asked to", func() {
		f := newFleetFixture(1)
		fleet := f.fleet()
		fleet.Spec.RemovalPolicy = ozgv1.RemovalPolicyOrphan
		Expect(k8sClient.Create(ctx, fleet)).To(Succeed())
		key := client.ObjectKeyFromObject(fleet)
		Eventually(fleetReady(key, 3)).WithTimeout(30 * time.Second).Should(Succeed())
		By("telling kubectl describe how the waves went")
		Eventually(func(g Gomega) {
			g.Expect(fleetEventReasons(g, fleet)).To(ContainElements(ozgv1.EventWaveStarted, ozgv1.EventWaveFinished))
		}).Should(Succeed())
		update(client.ObjectKey{Name: f.adms[0]}, func(adm *ozgv1.Administration) { delete(adm.Labels, ozgv1.LabelITProvider) })
		Eventually(func(g Gomega) {
			p := getPortal(client.ObjectKey{Namespace: f.namespace, Name: f.adms[0]})(g)
			g.Expect(metav1.GetControllerOf(p)).To(BeNil())
			g.Expect(p.Labels).NotTo(HaveKey(ozgv1.LabelFleet))
		}).Should(Succeed())
		Eventually(fleetReady(key, 2)).Should(Succeed())
	})

	It("stops with ProgressDeadlineExceeded when a portal does not become Ready in time", func() {
		f := newFleetFixture(1)
		fleet := f.fleet()
		fleet.Spec.Rollout.ProgressDeadlineSeconds = ptr.To[int32](2)
		held := client.ObjectKey{Namespace: f.namespace, Name: f.adms[1]}
		heldPortals.Store(held.String(), true)
		Expect(k8sClient.Create(ctx, fleet)).To(Succeed())
		key := client.ObjectKeyFromObject(fleet)
		Eventually(func(g Gomega) {
			fl := getFleet(key)(g)
			g.Expect(condition(&fl.Status, ozgv1.StalledCondition)).To(And(
				HaveField("Status", metav1.ConditionTrue),
				HaveField("Reason", ozgv1.ReasonProgressDeadlineExceeded),
				HaveField("Message", ContainSubstring(f.adms[1]))))
			g.Expect(kstatusOf(g, fl)).To(Equal(kstatus.FailedStatus))
			g.Expect(fleetEventReasons(g, fl)).To(ContainElement(ozgv1.EventProgressDeadlineExceeded))
		}).WithTimeout(20 * time.Second).Should(Succeed())

		By("recovering once the portal becomes Ready")
		heldPortals.Delete(held.String())
		markDeploymentAvailable(held)
		Eventually(fleetReady(key, 3)).WithTimeout(20 * time.Second).Should(Succeed())
		Expect(condition(&getFleet(key)(Default).Status, ozgv1.StalledCondition).Status).To(BeEmpty())
	})

	It("reports an administration whose hostname the pattern cannot make", func() {
		f := newFleetFixture(1)
		fleet := f.fleet()
		fleet.Spec.Template.HostnamePattern = "$(name)-$(key).serviceportal.example.de"
		Expect(k8sClient.Create(ctx, fleet)).To(Succeed())
		key := client.ObjectKeyFromObject(fleet)
		Eventually(fleetReady(key, 3)).WithTimeout(30 * time.Second).Should(Succeed())

		// Validation checks the pattern with a one-letter name; the real,
		// 11-letter names push this one past the 253 characters of a hostname.
		suffix := ".example.de"
		for len(suffix) < 245-63 {
			suffix = "." + strings.Repeat("a", 62) + suffix
		}
		suffix = "." + strings.Repeat("b", 245-len(suffix)-1) + suffix
		update(key, func(fl *ozgv1.PortalFleet) { fl.Spec.Template.HostnamePattern = "$(name)" + suffix })
		Eventually(func(g Gomega) {
			fl := getFleet(key)(g)
			g.Expect(condition(&fl.Status, ozgv1.StalledCondition)).To(And(
				HaveField("Reason", ozgv1.ReasonInvalidSpec),
				HaveField("Message", ContainSubstring("hostnamePattern yields"))))
			g.Expect(fleetEventReasons(g, fl)).To(ContainElement(ozgv1.EventRolloutStalled))
		}).Should(Succeed())
	})

	It("tells the same story as ozgctl rollout status when it cannot give administrations a portal", func() {
		f := newFleetFixture(1)
		// Not a DNS-1035 label: no portal can have this name.
		dotted := f.provider + ".dotted"
		f.addAdministration(dotted, krzKreise[1], krzKreise[1]+"999")
		// A portal name, but with the pattern below no hostname.
		long := f.provider + "-" + strings.Repeat("l", 63-len(f.provider)-1)
		f.addAdministration(long, krzKreise[0], krzKreise[0]+"999")
		fleet := f.fleet()
		Expect(k8sClient.Create(ctx, fleet)).To(Succeed())
		key := client.ObjectKeyFromObject(fleet)
		Eventually(func(g Gomega) {
			fl := getFleet(key)(g)
			g.Expect(fl.Status.ReadyPortals).To(BeEquivalentTo(4))
			g.Expect(getPortal(client.ObjectKey{Namespace: f.namespace, Name: long})(g).Spec.Hostname).NotTo(BeEmpty())
		}).WithTimeout(30 * time.Second).Should(Succeed())

		By("making the hostname of the long-named administration too long: its running portal stays but leaves the counts")
		update(key, func(fl *ozgv1.PortalFleet) {
			fl.Spec.Template.HostnamePattern = "$(name).$(name).$(name).$(name).serviceportal.example.de"
		})
		Eventually(func(g Gomega) {
			fl := getFleet(key)(g)
			g.Expect(fl.Status.ObservedGeneration).To(Equal(fl.Generation))
			g.Expect(fl.Status.Portals).To(BeEquivalentTo(5))
			g.Expect(fl.Status.ReadyPortals).To(BeEquivalentTo(3))
			g.Expect(fl.Status.UpdatedPortals).To(BeEquivalentTo(3))
			stalled := condition(&fl.Status, ozgv1.StalledCondition)
			g.Expect(stalled.Reason).To(Equal(ozgv1.ReasonInvalidSpec))
			g.Expect(stalled.Message).To(And(ContainSubstring(dotted), ContainSubstring(long)))

			// What ozgctl rollout status reads: the fleet, the portals of
			// its namespace, the administrations it selects.
			var portals ozgv1.ServicePortalList
			g.Expect(k8sClient.List(ctx, &portals, client.InNamespace(f.namespace))).To(Succeed())
			g.Expect(portals.Items).To(ContainElement(HaveField("Name", long)), "the long-named administration's portal still runs")
			var adms ozgv1.AdministrationList
			g.Expect(k8sClient.List(ctx, &adms, client.MatchingLabels{ozgv1.LabelITProvider: f.provider})).To(Succeed())
			selected := make([]*ozgv1.Administration, len(adms.Items))
			for i := range adms.Items {
				selected[i] = &adms.Items[i]
			}
			report := rolloutstatus.Compute(fl, portals.Items, selected)

			g.Expect(report.Portals).To(BeEquivalentTo(fl.Status.Portals), "portals")
			g.Expect(report.Ready).To(BeEquivalentTo(fl.Status.ReadyPortals), "Ready portals")
			g.Expect(report.Updated).To(BeEquivalentTo(fl.Status.UpdatedPortals), "updated portals")
			g.Expect(report.Published).To(BeEquivalentTo(fl.Status.PublishedPortals), "online portals")
			g.Expect(report.CurrentWave).To(Equal(fl.Status.CurrentWave), "current wave")
			g.Expect(report.Stalled()).To(BeTrue())
			g.Expect(report.Excluded).To(HaveLen(2))
			for _, e := range report.Excluded {
				g.Expect([]string{dotted, long}).To(ContainElement(e.Administration))
				g.Expect(stalled.Message).To(ContainSubstring(e.Message), "the fleet reports %s as the CLI does", e.Administration)
			}
		}).WithTimeout(30 * time.Second).Should(Succeed())
	})
})
