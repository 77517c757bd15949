package controllers_test

import (
	"fmt"
	"slices"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/controllers"
	"github.com/ozg-operator/ozg-operator/internal/portaldata"
	"github.com/ozg-operator/ozg-operator/internal/testsupport/recount"
)

// expectReach compares the reach in every Administration's status and in
// the named OZGServices' with a brute-force recount of all objects.
func expectReach(services ...string) func(Gomega) {
	return func(g Gomega) {
		var portals ozgv1.ServicePortalList
		g.Expect(k8sClient.List(ctx, &portals)).To(Succeed())
		// Play kubelet: the roll-ups wait for every portal to settle.
		for _, p := range portals.Items {
			if p.DeletionTimestamp.IsZero() && condition(&p.Status, ozgv1.ReadyCondition).Status != metav1.ConditionTrue &&
				condition(&p.Status, ozgv1.StalledCondition).Status != metav1.ConditionTrue {
				markDeploymentAvailable(client.ObjectKeyFromObject(&p))
			}
		}
		var adms ozgv1.AdministrationList
		g.Expect(k8sClient.List(ctx, &adms)).To(Succeed())
		var catalog ozgv1.OZGServiceList
		g.Expect(k8sClient.List(ctx, &catalog)).To(Succeed())
		var profiles ozgv1.ResponsibilityProfileList
		g.Expect(k8sClient.List(ctx, &profiles)).To(Succeed())
		var named []ozgv1.OZGService
		for _, s := range catalog.Items {
			if slices.Contains(services, s.Name) {
				named = append(named, s)
			}
		}
		g.Expect(named).To(HaveLen(len(services)))
		reach := recount.RecountReach(portals.Items, adms.Items, catalog.Items, profiles.Items)
		g.Expect(recount.CompareReach(reach, adms.Items, named)).To(BeEmpty())
	}
}

// rollupTimeout bounds a wait for the roll-ups: a catalogue burst may wait
// CatalogueMaxDelay (60 s) while some portal is still settling.
const rollupTimeout = 90 * time.Second

// population returns the named OZGService's status.population.
func population(name string) func(Gomega) ozgv1.ServicePopulation {
	return func(g Gomega) ozgv1.ServicePopulation {
		s := &ozgv1.OZGService{}
		g.Expect(k8sClient.Get(ctx, client.ObjectKey{Name: name}, s)).To(Succeed())
		g.Expect(s.Status.Population).NotTo(BeNil())
		return *s.Status.Population
	}
}

// portalService returns the service ozgID of the content the operator
// rendered for the portal key.
func portalService(key client.ObjectKey, ozgID string) func(Gomega) portaldata.Service {
	return func(g Gomega) portaldata.Service {
		cm := &corev1.ConfigMap{}
		g.Expect(k8sClient.Get(ctx, key, cm)).To(Succeed())
		doc, err := portaldata.Parse([]byte(cm.Data[portaldata.ConfigMapKey]))
		g.Expect(err).NotTo(HaveOccurred())
		for _, s := range doc.Services {
			if s.OZGID == ozgID {
				g.Expect(s.Responsible).NotTo(BeNil())
				return s
			}
		}
		g.Expect(doc.Services).To(ContainElement(HaveField("OZGID", ozgID)))
		return portaldata.Service{}
	}
}

// createProfile creates an NRW ResponsibilityProfile with the services.
func createProfile(name string, services ...ozgv1.ServiceResponsibility) {
	Expect(k8sClient.Create(ctx, &ozgv1.ResponsibilityProfile{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       ozgv1.ResponsibilityProfileSpec{Land: "Nordrhein-Westfalen", Services: services},
	})).To(Succeed())
}

// createParent creates the administration municipalities name as their
// parent, with the profile and services, and returns its Kreis key: a
// random Kreis, or a kreisfreie Stadt of a random Kreis key.
func createParent(name string, typ ozgv1.AdministrationType, profile string, services ...ozgv1.ServiceImplementation) string {
	kreisKey := fmt.Sprintf("05%03d", rand.IntnRange(0, 1000))
	key := kreisKey
	if typ != ozgv1.TypeKreis {
		key += "000"
	}
	Expect(k8sClient.Create(ctx, &ozgv1.Administration{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: ozgv1.AdministrationSpec{Key: key, DisplayName: "Parent " + name, Type: typ,
			Responsibility: &ozgv1.AdministrationResponsibility{Profile: profile}, Services: services},
	})).To(Succeed())
	return kreisKey
}

// createMunicipality creates a municipality of the parent created by
// createParent (its key in the parent's Kreis key) with the profile; spec
// adds the rest.
func createMunicipality(name, parent, kreisKey, profile string, spec ozgv1.AdministrationSpec) {
	spec.Key, spec.DisplayName, spec.Parent = fmt.Sprintf("%s%03d", kreisKey, rand.IntnRange(1, 1000)), "Gemeinde "+name, parent
	if spec.Type == "" {
		spec.Type = ozgv1.TypeKreisangehoerigeGemeinde
	}
	if spec.Responsibility == nil {
		spec.Responsibility = &ozgv1.AdministrationResponsibility{}
	}
	spec.Responsibility.Profile = profile
	Expect(k8sClient.Create(ctx, &ozgv1.Administration{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: spec})).To(Succeed())
}

var _ = Describe("Portal content by responsibility", func() {
	It("lists the Kreis's service in a Gemeinde's portal and links it once the Kreis has it live and published", func() {
		suffix := rand.String(6)
		kfz, melde := fmt.Sprintf("7%04d", rand.IntnRange(0, 5000)), fmt.Sprintf("7%04d", rand.IntnRange(5000, 10000))
		createCatalogEntry(kfz, "Fahrzeugzulassung "+suffix, "Mobilität & Reisen")
		createCatalogEntry(melde, "Meldebescheinigung "+suffix, "Ein- und Auswanderung")
		profile, kreis, gemeinde, ns := "rp-"+suffix, "kreis-"+suffix, "gemeinde-"+suffix, "ns-"+suffix
		createProfile(profile,
			ozgv1.ServiceResponsibility{Service: "ozg-" + kfz, Placement: ozgv1.Placement{Level: ozgv1.LevelKreis, LegalBasis: "§ 46 FZV"}},
			ozgv1.ServiceResponsibility{Service: "ozg-" + melde, Placement: ozgv1.Placement{Level: ozgv1.LevelGemeinde, LegalBasis: "§ 1 MG NRW"}},
		)
		kreisKey := createParent(kreis, ozgv1.TypeKreis, profile, ozgv1.ServiceImplementation{Service: "ozg-" + kfz, State: ozgv1.StateOpen})
		createMunicipality(gemeinde, kreis, kreisKey, profile, ozgv1.AdministrationSpec{Population: ptr.To(int64(9557)),
			Services: []ozgv1.ServiceImplementation{{Service: "ozg-" + melde, State: ozgv1.StateLive, URL: "https://melde.gemeinde.example.de"}}})
		Expect(k8sClient.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})).To(Succeed())
		Expect(k8sClient.Create(ctx, newPortal(ns, gemeinde, gemeinde))).To(Succeed())
		gemeindeContent := client.ObjectKey{Namespace: ns, Name: gemeinde}

		By("listing the Kreis's service with the Kreis as responsible, not linked while the Kreis is not online")
		Eventually(func(g Gomega) {
			s := portalService(gemeindeContent, kfz)(g)
			g.Expect(s.Responsible.Level).To(Equal(portaldata.LevelKreis))
			g.Expect(s.Responsible.Administration).To(Equal(kreis))
			g.Expect(s.Responsible.DisplayName).To(Equal("Parent " + kreis))
			g.Expect(s.State).To(Equal(portaldata.StateOpen))
			g.Expect(s.URL).To(BeEmpty())
			own := portalService(gemeindeContent, melde)(g)
			g.Expect(own.Responsible.Administration).To(Equal(gemeinde))
			g.Expect(own.URL).To(Equal("https://melde.gemeinde.example.de"))
		}).Should(Succeed())

		By("the Kreis going live with it: still not linked, its portal is not online")
		setKreisState := func(state ozgv1.ServiceState, url string) {
			update(client.ObjectKey{Name: kreis}, func(adm *ozgv1.Administration) { adm.Spec.Services[0].State, adm.Spec.Services[0].URL = state, url })
		}
		setKreisState(ozgv1.StateLive, "https://kfz.kreis.example.de")
		Eventually(func(g Gomega) {
			s := portalService(gemeindeContent, kfz)(g)
			g.Expect(s.State).To(Equal(portaldata.StateLive))
			g.Expect(s.URL).To(BeEmpty())
		}).Should(Succeed())

		By("the Kreis's portal going online: the Gemeinde's portal links the Kreis's online service")
		kreisPortal := newPortal(ns, kreis, kreis)
		kreisPortal.Spec.Publish = true
		Expect(k8sClient.Create(ctx, kreisPortal)).To(Succeed())
		markDeploymentAvailable(client.ObjectKeyFromObject(kreisPortal))
		Eventually(func(g Gomega) {
			s := portalService(gemeindeContent, kfz)(g)
			g.Expect(s.URL).To(Equal("https://kfz.kreis.example.de"))
			g.Expect(s.Responsible.PortalURL).To(Equal("https://" + kreisPortal.Spec.Hostname))
		}).Should(Succeed())
		By("the Gemeinde's inhabitants counting for the Kreis's service's reach")
		var reached int64
		Eventually(func(g Gomega) {
			expectReach("ozg-"+kfz, "ozg-"+melde)(g)
			reached = population("ozg-" + kfz)(g).Online
			g.Expect(reached).To(BeNumerically(">=", 9557))
		}).WithTimeout(rollupTimeout).Should(Succeed())

		By("a state flip at the Kreis reaching the Gemeinde's portal")
		setKreisState(ozgv1.StateInProgress, "https://kfz.kreis.example.de")
		Eventually(func(g Gomega) {
			s := portalService(gemeindeContent, kfz)(g)
			g.Expect(s.State).To(Equal(portaldata.StateInProgress))
			g.Expect(s.URL).To(BeEmpty())
			expectReach("ozg-"+kfz, "ozg-"+melde)(g)
			g.Expect(population("ozg-" + kfz)(g).Online).To(Equal(reached - 9557))
		}).WithTimeout(rollupTimeout).Should(Succeed())

		By("an override moving the service to the Gemeinde")
		update(client.ObjectKey{Name: gemeinde}, func(adm *ozgv1.Administration) {
			adm.Spec.Responsibility.Overrides = []ozgv1.ResponsibilityOverride{{Service: "ozg-" + kfz, Level: ozgv1.LevelGemeinde, Reason: "delegation"}}
		})
		Eventually(func(g Gomega) {
			s := portalService(gemeindeContent, kfz)(g)
			g.Expect(s.Responsible.Level).To(Equal(portaldata.LevelGemeinde))
			g.Expect(s.Responsible.Administration).To(Equal(gemeinde))
			g.Expect(s.State).To(Equal(portaldata.StateOpen))
			expectReach("ozg-"+kfz, "ozg-"+melde)(g)
		}).WithTimeout(rollupTimeout).Should(Succeed())
		adm := &ozgv1.Administration{}
		Expect(k8sClient.Get(ctx, client.ObjectKey{Name: gemeinde}, adm)).To(Succeed())
		Expect(adm.Status.Responsibility).NotTo(BeNil())
		// Its own: registration (Live) and, by the override, vehicles (Open).
		Expect(adm.Status.Responsibility.Own.Live).To(BeNumerically(">=", 1))
	})

	It("follows a municipality's parent that is not a Kreis: its state reaches the municipality's portal", func() {
		// The API lets spec.parent name an administration of any type; the
		// content reads it as the Kreis, so its changes must reach the portal.
		suffix := rand.String(6)
		kfz := fmt.Sprintf("7%04d", rand.IntnRange(0, 10000))
		createCatalogEntry(kfz, "Fahrzeugzulassung "+suffix, "Mobilität & Reisen")
		profile, parent, gemeinde, ns := "rp-"+suffix, "stadt-"+suffix, "gemeinde-"+suffix, "ns-"+suffix
		createProfile(profile,
			ozgv1.ServiceResponsibility{Service: "ozg-" + kfz, Placement: ozgv1.Placement{Level: ozgv1.LevelKreis, LegalBasis: "§ 46 FZV"}},
		)
		kreisKey := createParent(parent, ozgv1.TypeKreisfreieStadt, profile, ozgv1.ServiceImplementation{Service: "ozg-" + kfz, State: ozgv1.StateOpen})
		createMunicipality(gemeinde, parent, kreisKey, profile, ozgv1.AdministrationSpec{})
		Expect(k8sClient.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})).To(Succeed())
		Expect(k8sClient.Create(ctx, newPortal(ns, gemeinde, gemeinde))).To(Succeed())
		content := client.ObjectKey{Namespace: ns, Name: gemeinde}
		Eventually(func(g Gomega) {
			s := portalService(content, kfz)(g)
			g.Expect(s.Responsible.Administration).To(Equal(parent))
			g.Expect(s.State).To(Equal(portaldata.StateOpen))
		}).Should(Succeed())
		// Until the portal's own first reconciles are over, any of them
		// would pick the parent's change up.
		Consistently(func(g Gomega) {
			g.Expect(portalService(content, kfz)(g).State).To(Equal(portaldata.StateOpen))
		}).WithTimeout(2 * time.Second).Should(Succeed())

		By("the parent going live with the service")
		update(client.ObjectKey{Name: parent}, func(adm *ozgv1.Administration) { adm.Spec.Services[0].State = ozgv1.StateLive })
		Eventually(func(g Gomega) {
			g.Expect(portalService(content, kfz)(g).State).To(Equal(portaldata.StateLive))
		}).Should(Succeed())
	})

	It("reports a parent of another Kreis than the key's, also one created after the municipality, until spec.parent is corrected", func() {
		suffix := rand.String(6)
		gemeinde, wrong, right := "gemeinde-"+suffix, "herford-"+suffix, "lippe-"+suffix
		key := fmt.Sprintf("05766%03d", rand.IntnRange(0, 1000))
		kreis := func(name, key string) *ozgv1.Administration {
			return &ozgv1.Administration{ObjectMeta: metav1.ObjectMeta{Name: name},
				Spec: ozgv1.AdministrationSpec{Key: key, DisplayName: name, Type: ozgv1.TypeKreis}}
		}
		Expect(k8sClient.Create(ctx, &ozgv1.Administration{
			ObjectMeta: metav1.ObjectMeta{Name: gemeinde},
			Spec:       ozgv1.AdministrationSpec{Key: key, DisplayName: gemeinde, Type: ozgv1.TypeKreisangehoerigeGemeinde, Parent: wrong},
		})).To(Succeed())
		conditions := func(g Gomega) []metav1.Condition {
			adm := &ozgv1.Administration{}
			g.Expect(k8sClient.Get(ctx, client.ObjectKey{Name: gemeinde}, adm)).To(Succeed())
			g.Expect(adm.Status.ObservedGeneration).To(Equal(adm.Generation))
			return adm.Status.Conditions
		}
		// A parent not (yet) there is no mismatch.
		Eventually(func(g Gomega) {
			g.Expect(condition(&ozgv1.AdministrationStatus{Conditions: conditions(g)}, ozgv1.ReadyCondition).Status).To(Equal(metav1.ConditionTrue))
		}).WithTimeout(rollupTimeout).Should(Succeed())

		By("the parent arriving with the key of Kreis Herford")
		Expect(k8sClient.Create(ctx, kreis(wrong, "05758"))).To(Succeed())
		want := fmt.Sprintf("spec.parent %s is of Kreis 05758, but the key %s says Kreis 05766: name the Kreis 05766's Administration in spec.parent", wrong, key)
		Eventually(func(g Gomega) {
			status := &ozgv1.AdministrationStatus{Conditions: conditions(g)}
			for _, typ := range []string{ozgv1.ReadyCondition, ozgv1.StalledCondition} {
				c := condition(status, typ)
				g.Expect(c.Reason).To(Equal(ozgv1.ReasonParentMismatch), typ)
				g.Expect(c.Message).To(Equal(want), typ)
			}
			g.Expect(condition(status, ozgv1.ReadyCondition).Status).To(Equal(metav1.ConditionFalse))
			g.Expect(condition(status, ozgv1.StalledCondition).Status).To(Equal(metav1.ConditionTrue))
		}).WithTimeout(rollupTimeout).Should(Succeed())
		// Reported once: the status stays as written, no write follows.
		_, writes := requests.counts("/" + gemeinde)
		Consistently(func() int { _, w := requests.counts("/" + gemeinde); return w }).WithTimeout(2*time.Second).Should(Equal(writes),
			"status writes of %s: %v", gemeinde, requests.writesOf("/"+gemeinde))

		By("spec.parent naming the Kreis of the key")
		Expect(k8sClient.Create(ctx, kreis(right, "05766"))).To(Succeed())
		update(client.ObjectKey{Name: gemeinde}, func(adm *ozgv1.Administration) { adm.Spec.Parent = right })
		Eventually(func(g Gomega) {
			status := &ozgv1.AdministrationStatus{Conditions: conditions(g)}
			g.Expect(condition(status, ozgv1.ReadyCondition).Status).To(Equal(metav1.ConditionTrue))
			g.Expect(meta.FindStatusCondition(status.Conditions, ozgv1.StalledCondition)).To(BeNil())
		}).WithTimeout(rollupTimeout).Should(Succeed())
	})

	It("lists a Jugendamt task as a town's own where it runs its own Jugendamt, and a LeiKa service under its own authority", func() {
		suffix := rand.String(6)
		kita, ehe := fmt.Sprintf("6%04d", rand.IntnRange(0, 5000)), fmt.Sprintf("6%04d", rand.IntnRange(5000, 10000))
		createCatalogEntry(kita, "Kindertagesbetreuung "+suffix, "Familie & Kind")
		createCatalogEntry(ehe, "Eheschließung "+suffix, "Familie & Kind")
		// createCatalogEntry gives each service one LeiKa service keyed so.
		befreiung := "99000000000" + ehe[2:]
		profile, kreis, own, neighbour, ns := "rp-"+suffix, "kreis-"+suffix, "stadt-"+suffix, "dorf-"+suffix, "ns-"+suffix
		createProfile(profile,
			ozgv1.ServiceResponsibility{Service: "ozg-" + kita, Placement: ozgv1.Placement{Level: ozgv1.LevelKreis, LegalBasis: "§ 1a Abs. 1 AG-KJHG NRW", Authority: ozgv1.AuthorityJugendamt}},
			ozgv1.ServiceResponsibility{Service: "ozg-" + ehe, Placement: ozgv1.Placement{Level: ozgv1.LevelGemeinde, LegalBasis: "PStG"},
				Leistungen: []ozgv1.LeistungResponsibility{{Key: befreiung, Placement: ozgv1.Placement{Level: ozgv1.LevelLand, LegalBasis: "§ 1309 Abs. 2 BGB"}}}},
		)
		kreisKey := createParent(kreis, ozgv1.TypeKreis, profile, ozgv1.ServiceImplementation{Service: "ozg-" + kita, State: ozgv1.StateInProgress})
		town := func(name string, authorities []ozgv1.Authority, services ...ozgv1.ServiceImplementation) {
			createMunicipality(name, kreis, kreisKey, profile, ozgv1.AdministrationSpec{Type: ozgv1.TypeKreisangehoerigeStadt, Population: ptr.To(int64(30000)),
				Responsibility: &ozgv1.AdministrationResponsibility{Authorities: authorities}, Services: services})
		}
		town(own, []ozgv1.Authority{ozgv1.AuthorityJugendamt},
			ozgv1.ServiceImplementation{Service: "ozg-" + kita, State: ozgv1.StateLive, URL: "https://kita.stadt.example.de"})
		town(neighbour, nil)
		Expect(k8sClient.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})).To(Succeed())
		Expect(k8sClient.Create(ctx, newPortal(ns, own, own))).To(Succeed())
		Expect(k8sClient.Create(ctx, newPortal(ns, neighbour, neighbour))).To(Succeed())

		By("the town with its own Jugendamt listing the Kita service as its own, with its state and link")
		Eventually(func(g Gomega) {
			s := portalService(client.ObjectKey{Namespace: ns, Name: own}, kita)(g)
			g.Expect(s.Responsible.Administration).To(Equal(own))
			g.Expect(s.State).To(Equal(portaldata.StateLive))
			g.Expect(s.URL).To(Equal("https://kita.stadt.example.de"))
		}).Should(Succeed())
		By("its neighbour without one pointing to the Kreis, with the Kreis's state")
		Eventually(func(g Gomega) {
			s := portalService(client.ObjectKey{Namespace: ns, Name: neighbour}, kita)(g)
			g.Expect(s.Responsible.Administration).To(Equal(kreis))
			g.Expect(s.State).To(Equal(portaldata.StateInProgress))
			g.Expect(s.URL).To(BeEmpty())
		}).Should(Succeed())
		By("the Land's LeiKa service of the Standesamt's service named under the Land")
		Eventually(func(g Gomega) {
			s := portalService(client.ObjectKey{Namespace: ns, Name: neighbour}, ehe)(g)
			g.Expect(s.Responsible.Administration).To(Equal(neighbour))
			g.Expect(s.LeistungResponsible).To(HaveKeyWithValue(befreiung, HaveField("Level", portaldata.LevelLand)))
		}).Should(Succeed())

		By("the neighbour founding its own Jugendamt: the Kita service becomes its own")
		update(client.ObjectKey{Name: neighbour}, func(adm *ozgv1.Administration) {
			adm.Spec.Responsibility.Authorities = []ozgv1.Authority{ozgv1.AuthorityJugendamt}
		})
		Eventually(func(g Gomega) {
			s := portalService(client.ObjectKey{Namespace: ns, Name: neighbour}, kita)(g)
			g.Expect(s.Responsible.Administration).To(Equal(neighbour))
			g.Expect(s.State).To(Equal(portaldata.StateOpen))
			expectReach("ozg-"+kita, "ozg-"+ehe)(g)
		}).WithTimeout(rollupTimeout).Should(Succeed())
	})

	It("shares one catalogue per namespace, restores it, and removes it with the namespace's last portal", func() {
		ns, adm := fixture(ozgv1.ServiceImplementation{Service: "ozg-10110", State: ozgv1.StateLive})
		createCatalogEntry("10110", "Abfallentsorgung", "Umwelt")
		first, second := newPortal(ns, adm, adm), newPortal(ns, adm+"-zwei", adm)
		Expect(k8sClient.Create(ctx, first)).To(Succeed())
		Expect(k8sClient.Create(ctx, second)).To(Succeed())
		key := client.ObjectKey{Namespace: ns, Name: controllers.CatalogConfigMapName}
		catalog := func(g Gomega) *portaldata.CatalogDocument {
			cm := &corev1.ConfigMap{}
			g.Expect(k8sClient.Get(ctx, key, cm)).To(Succeed())
			doc, err := portaldata.ParseCatalog(cm.BinaryData[portaldata.CatalogFile])
			g.Expect(err).NotTo(HaveOccurred())
			return doc
		}
		Eventually(func(g Gomega) {
			g.Expect(catalog(g).Services).To(ContainElement(HaveField("OZGID", "10110")))
		}).Should(Succeed())

		By("following an entry's new spec")
		id := randomOZGID()
		createCatalogEntry(id, "Vorher", "Umwelt")
		named := func(name string) func(Gomega) {
			return func(g Gomega) {
				g.Expect(catalog(g).Services).To(ContainElement(And(HaveField("OZGID", id), HaveField("Name", name))))
			}
		}
		Eventually(named("Vorher")).Should(Succeed())
		update(client.ObjectKey{Name: "ozg-" + id}, func(s *ozgv1.OZGService) { s.Spec.Name = "Nachher" })
		Eventually(named("Nachher")).Should(Succeed())

		By("restoring a copy deleted by hand")
		Expect(k8sClient.Delete(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: controllers.CatalogConfigMapName}})).To(Succeed())
		Eventually(func(g Gomega) { g.Expect(catalog(g).Services).NotTo(BeEmpty()) }).Should(Succeed())

		By("keeping it while a portal is left, removing it with the last")
		Eventually(func() bool { return controllers.PortalRenderSeries(ns) }).Should(BeTrue(), "the portals' renders are counted for their namespace")
		Expect(k8sClient.Delete(ctx, first)).To(Succeed())
		Consistently(func(g Gomega) { g.Expect(catalog(g).Services).NotTo(BeEmpty()) }).WithTimeout(2 * time.Second).Should(Succeed())
		Expect(controllers.PortalRenderSeries(ns)).To(BeTrue(), "the namespace's renders series went before its last portal")
		Expect(k8sClient.Delete(ctx, second)).To(Succeed())
		Eventually(func() bool {
			return apierrors.IsNotFound(k8sClient.Get(ctx, key, &corev1.ConfigMap{}))
		}).Should(BeTrue())
		By("dropping the namespace's series of rendered documents with its last portal")
		Eventually(func() bool { return controllers.PortalRenderSeries(ns) }).Should(BeFalse())
	})

	It("says so when the administration's profile does not exist, and lists its own services", func() {
		ns, adm := fixture(ozgv1.ServiceImplementation{Service: "ozg-10110", State: ozgv1.StateLive})
		createCatalogEntry("10110", "Abfallentsorgung", "Umwelt")
		update(client.ObjectKey{Name: adm}, func(a *ozgv1.Administration) {
			a.Spec.Responsibility = &ozgv1.AdministrationResponsibility{Profile: "gibt-es-nicht"}
		})
		Expect(k8sClient.Create(ctx, newPortal(ns, adm, adm))).To(Succeed())
		key := client.ObjectKey{Namespace: ns, Name: adm}
		markDeploymentAvailable(key)
		Eventually(func(g Gomega) {
			c := condition(&getPortal(key)(g).Status, ozgv1.ReadyCondition)
			g.Expect(c.Status).To(Equal(metav1.ConditionTrue))
			g.Expect(c.Message).To(ContainSubstring(`responsibility profile "gibt-es-nicht" not found`))
			g.Expect(portalService(key, "10110")(g).Responsible.Administration).To(Equal(adm))
		}).Should(Succeed())
	})
})
