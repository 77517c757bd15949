package controllers_test

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/priorityqueue"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/controllers"
)

// programmeTimeout bounds the wait for a recount: a programme recounts
// 2 s (programmeCoalesce) after the change that asks for it.
const programmeTimeout = 15 * time.Second

// A provider's programme over six administrations and six catalogue
// entries with one to three LeiKa services each: its status must equal a
// brute-force recount after every change, and an administration change
// that moves no count costs no write.
var _ = Describe("ServiceProgramme", Ordered, func() {
	const namespace = "g2b"
	key := client.ObjectKey{Namespace: namespace, Name: "krz-g2b"}
	leika := func(id string, i int) string { return "98" + id + strconv.Itoa(i) + "000000" } // 14 digits
	// The LeiKa services of each OZG service, and which priority each ends
	// up in: ozg-98801 in 1 by name, one of ozg-98802's in 1 by key, the
	// rest of the labelled ones in 2 by selector, ozg-98806 in 3.
	leistungen := map[string]int{"98801": 2, "98802": 3, "98803": 1, "98804": 2, "98805": 1, "98806": 2}
	want := map[int32][]string{ // priority: LeiKa key -> service, in brute force
		1: {leika("98801", 0), leika("98801", 1), leika("98802", 2)},
		2: {leika("98802", 0), leika("98802", 1), leika("98803", 0), leika("98804", 0), leika("98804", 1)},
		3: {leika("98806", 0), leika("98806", 1)},
	}
	serviceOf := func(k string) string { return "ozg-" + k[2:7] }
	adms := []string{"g2b-a", "g2b-b", "g2b-c", "g2b-d", "g2b-e", "g2b-f"}

	setServices := func(name string, services ...ozgv1.ServiceImplementation) {
		update(client.ObjectKey{Name: name}, func(a *ozgv1.Administration) { a.Spec.Services = services })
	}
	impl := func(id string, state ozgv1.ServiceState) ozgv1.ServiceImplementation {
		return ozgv1.ServiceImplementation{Service: "ozg-" + id, State: state}
	}

	BeforeAll(func() {
		Expect(k8sClient.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}})).To(Succeed())
		for id, n := range leistungen {
			svc := &ozgv1.OZGService{
				ObjectMeta: metav1.ObjectMeta{Name: "ozg-" + id, Labels: map[string]string{}},
				Spec:       ozgv1.OZGServiceSpec{OZGID: id, Name: "Gewerbeleistung " + id, Themenfeld: "Unternehmensführung & -entwicklung"},
			}
			if id <= "98804" {
				svc.Labels["example.de/g2b"] = "business"
			}
			for i := range n {
				svc.Spec.Leistungen = append(svc.Spec.Leistungen, ozgv1.LeiKaLeistung{Key: leika(id, i), Name: fmt.Sprintf("Leistung %s/%d", id, i)})
			}
			Expect(k8sClient.Create(ctx, svc)).To(Succeed())
		}
		for i, name := range append(slices.Clone(adms), "g2b-elsewhere") {
			a := &ozgv1.Administration{
				ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"example.de/programme": "g2b"}},
				Spec: ozgv1.AdministrationSpec{Key: fmt.Sprintf("0999%04d", i), DisplayName: name, Type: ozgv1.TypeKreisangehoerigeGemeinde,
					Services: []ozgv1.ServiceImplementation{impl("98801", ozgv1.StateLive), impl("98802", ozgv1.StateInProgress)}},
			}
			if name == "g2b-elsewhere" {
				a.Labels = nil
			}
			Expect(k8sClient.Create(ctx, a)).To(Succeed())
		}
		setServices("g2b-b", impl("98801", ozgv1.StateLive), impl("98802", ozgv1.StateLive), impl("98803", ozgv1.StateLive), impl("98806", ozgv1.StateLive))
		setServices("g2b-c")
		Expect(k8sClient.Create(ctx, &ozgv1.ServiceProgramme{
			ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: key.Name},
			Spec: ozgv1.ServiceProgrammeSpec{
				DisplayName:            "krz G2B",
				AdministrationSelector: metav1.LabelSelector{MatchLabels: map[string]string{"example.de/programme": "g2b"}},
				Priorities: []ozgv1.ProgrammePriority{
					{Priority: 3, Services: []string{"ozg-98806"}, TargetDate: "2020-01-01"},
					{Priority: 1, Services: []string{"ozg-98801"}, LeiKaKeys: []string{leika("98802", 2)}, TargetDate: "2999-12-31"},
					{Priority: 2, ServiceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"example.de/g2b": "business"}}},
				},
			},
		})).To(Succeed())
	})

	// recount counts by brute force: every administration taking part
	// times every LeiKa service of a priority, in the state the
	// administration gives the service bundling it.
	recount := func() []ozgv1.PriorityStatus {
		var list ozgv1.AdministrationList
		Expect(k8sClient.List(ctx, &list)).To(Succeed())
		var out []ozgv1.PriorityStatus
		for _, p := range []int32{1, 2, 3} {
			st := ozgv1.PriorityStatus{Priority: p, LeiKaServices: int32(len(want[p]))}
			services := map[string]bool{}
			var progress []ozgv1.AdministrationProgress
			for _, a := range list.Items {
				if !slices.Contains(adms, a.Name) {
					continue
				}
				pr := ozgv1.AdministrationProgress{Name: a.Name, Of: st.LeiKaServices}
				for _, k := range want[p] {
					services[serviceOf(k)] = true
					state := ozgv1.StateOpen
					for _, s := range a.Spec.Services {
						if s.Service == serviceOf(k) {
							state = s.State
						}
					}
					switch state {
					case ozgv1.StateLive:
						st.Implementations.Live++
						pr.Live++
					case ozgv1.StateInProgress:
						st.Implementations.InProgress++
					default:
						st.Implementations.Open++
					}
				}
				progress = append(progress, pr)
			}
			st.Services = int32(len(services))
			total := st.Implementations.Open + st.Implementations.InProgress + st.Implementations.Live
			st.ShareLive = fmt.Sprintf("%.1f%%", float64(st.Implementations.Live)*100/float64(total))
			slices.SortFunc(progress, func(a, b ozgv1.AdministrationProgress) int {
				if a.Live != b.Live {
					return int(a.Live - b.Live)
				}
				return map[bool]int{true: -1, false: 1}[a.Name < b.Name]
			})
			for _, pr := range progress {
				if pr.Live < pr.Of && len(st.Behind) < 5 {
					st.Behind = append(st.Behind, pr)
				}
			}
			switch p {
			case 1:
				st.TargetDate = "2999-12-31"
			case 3:
				st.TargetDate, st.Overdue = "2020-01-01", st.Implementations.Live < total
			}
			out = append(out, st)
		}
		return out
	}
	expectRecount := func(g Gomega) {
		prog := &ozgv1.ServiceProgramme{}
		g.Expect(k8sClient.Get(ctx, key, prog)).To(Succeed())
		g.Expect(prog.Status.ObservedGeneration).To(Equal(prog.Generation))
		ready := condition(&prog.Status, ozgv1.ReadyCondition)
		g.Expect(ready.Status).To(Equal(metav1.ConditionTrue), ready.Message)
		g.Expect(prog.Status.Administrations).To(Equal(int32(len(adms))))
		g.Expect(prog.Status.Priorities).To(Equal(recount()))
	}

	It("counts every priority as a brute-force recount does", func() {
		Eventually(expectRecount).WithTimeout(programmeTimeout).Should(Succeed())
		prog := &ozgv1.ServiceProgramme{}
		Expect(k8sClient.Get(ctx, key, prog)).To(Succeed())
		Expect(prog.Status.Priorities[0].ShareLive).To(Equal("61.1%"), "11 of 18: four administrations have ozg-98801 Live (2 LeiKa services), g2b-b also ozg-98802, g2b-c nothing")
		Expect(prog.Status.Priorities[2].Overdue).To(BeTrue())
		Expect(condition(&prog.Status, ozgv1.ReadyCondition).Message).To(ContainSubstring("6 administrations; priority 1: "))
	})

	It("follows state flips and administrations joining and leaving", func() {
		setServices("g2b-a", impl("98801", ozgv1.StateInProgress), impl("98804", ozgv1.StateLive), impl("98806", ozgv1.StateLive))
		setServices("g2b-c", impl("98802", ozgv1.StateLive), impl("98803", ozgv1.StateInProgress))
		setServices("g2b-d", impl("98806", ozgv1.StateLive))
		update(client.ObjectKey{Name: "g2b-f"}, func(a *ozgv1.Administration) {
			a.Labels = nil // leaves the programme
		})
		adms = adms[:5]
		Eventually(expectRecount).WithTimeout(programmeTimeout).Should(Succeed())
	})

	It("writes no status when a change moves no count", func() {
		progKey := key.Namespace + "/" + key.Name
		reads, writes := requests.counts(progKey)
		// A service no priority names: the administration's generation
		// changes, the programme's counts do not.
		setServices("g2b-e", impl("98801", ozgv1.StateLive), impl("98802", ozgv1.StateInProgress), impl("98899", ozgv1.StateLive))
		Eventually(func() int { r, _ := requests.counts(progKey); return r }).WithTimeout(programmeTimeout).Should(BeNumerically(">", reads), "the programme was reconciled")
		Consistently(func() int { _, w := requests.counts(progKey); return w }).WithTimeout(time.Second).Should(Equal(writes))
		Eventually(expectRecount).WithTimeout(programmeTimeout).Should(Succeed())
	})

	It("asks for a recount programmeCoalesce after a change, once for a burst of changes", func() {
		// The handler the watches of Administrations and OZGServices use,
		// on the queues a controller may run (controller-runtime's priority
		// queue, its default, and client-go's): ten changes, as an import
		// or a rollout makes them, ask for each programme once, and not at
		// once.
		a := &ozgv1.Administration{}
		Expect(k8sClient.Get(ctx, client.ObjectKey{Name: adms[0]}, a)).To(Succeed())
		h := controllers.ProgrammeChangeHandler(k8sClient)
		for name, q := range map[string]workqueue.TypedRateLimitingInterface[reconcile.Request]{
			"priority queue":  priorityqueue.New[reconcile.Request]("programme-test"),
			"client-go queue": workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[reconcile.Request]()),
		} {
			By(name)
			start := time.Now()
			for range 10 {
				h.Update(ctx, event.UpdateEvent{ObjectOld: a, ObjectNew: a}, q)
			}
			Expect(q.Len()).To(BeZero(), "no recount before programmeCoalesce")
			Eventually(q.Len).WithTimeout(programmeTimeout).Should(Equal(1), "one recount of the one programme")
			Expect(time.Since(start)).To(BeNumerically(">=", controllers.ProgrammeCoalesce))
			req, _ := q.Get()
			Expect(req.NamespacedName).To(Equal(key))
			q.Done(req)
			Consistently(q.Len).WithTimeout(time.Second).Should(BeZero(), "the ten changes are one recount")
			q.ShutDown()
		}
	})

	It("names services the catalogue lacks, counts the rest, and turns Ready when they arrive", func() {
		update(key, func(prog *ozgv1.ServiceProgramme) {
			prog.Spec.Priorities[0].Services = append(prog.Spec.Priorities[0].Services, "ozg-98898")
			prog.Spec.Priorities[0].LeiKaKeys = []string{"98898000000000"}
		})
		Eventually(func(g Gomega) {
			prog := &ozgv1.ServiceProgramme{}
			g.Expect(k8sClient.Get(ctx, key, prog)).To(Succeed())
			g.Expect(prog.Status.ObservedGeneration).To(Equal(prog.Generation))
			g.Expect(condition(&prog.Status, ozgv1.ReadyCondition)).To(conditionWith(metav1.ConditionFalse, ozgv1.ReasonServicesNotFound,
				Equal("the catalogue lacks ozg-98898, LeiKa 98898000000000; they are left out of the counts until it has them")))
			// The catalogue may come in the same commit, after the
			// programme: kstatus must read this as in progress, not failed.
			g.Expect(condition(&prog.Status, ozgv1.StalledCondition).Status).NotTo(Equal(metav1.ConditionTrue))
			g.Expect(condition(&prog.Status, ozgv1.ReconcilingCondition).Status).To(Equal(metav1.ConditionTrue))
			g.Expect(prog.Status.Priorities[2].LeiKaServices).To(Equal(int32(2)), "the rest is still counted")
		}).Should(Succeed())

		By("the catalogue gaining the service")
		Expect(k8sClient.Create(ctx, &ozgv1.OZGService{
			ObjectMeta: metav1.ObjectMeta{Name: "ozg-98898"},
			Spec: ozgv1.OZGServiceSpec{OZGID: "98898", Name: "Gewerbeleistung 98898", Themenfeld: "Unternehmensführung & -entwicklung",
				Leistungen: []ozgv1.LeiKaLeistung{{Key: "98898000000000", Name: "Leistung 98898/0"}}},
		})).To(Succeed())
		Eventually(func(g Gomega) {
			prog := &ozgv1.ServiceProgramme{}
			g.Expect(k8sClient.Get(ctx, key, prog)).To(Succeed())
			ready := condition(&prog.Status, ozgv1.ReadyCondition)
			g.Expect(ready.Status).To(Equal(metav1.ConditionTrue), ready.Message)
			g.Expect(prog.Status.Conditions).To(HaveLen(1), "Ready alone")
			g.Expect(prog.Status.Priorities[0].Services).To(Equal(int32(2)), "ozg-98801 and ozg-98898")
		}).WithTimeout(programmeTimeout).Should(Succeed())
	})
})
