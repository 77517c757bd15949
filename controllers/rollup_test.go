package controllers_test

import (
	"encoding/csv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/testsupport/recount"
)

// sharedData is ../shared/data beside the checkout.
var sharedData = filepath.Join("..", "..", "shared", "data")

// readCSV returns the rows of a shared data file as maps by column name.
func readCSV(path string) []map[string]string {
	f, err := os.Open(path)
	Expect(err).NotTo(HaveOccurred())
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	Expect(err).NotTo(HaveOccurred())
	rows := make([]map[string]string, 0, len(records)-1)
	for _, rec := range records[1:] {
		row := map[string]string{}
		for i, col := range records[0] {
			row[col] = rec[i]
		}
		rows = append(rows, row)
	}
	return rows
}

var states = []ozgv1.ServiceState{ozgv1.StateOpen, ozgv1.StateInProgress, ozgv1.StateLive}

// The krz scenario: the 36 municipalities of the Kreise Lippe, Herford and
// Minden-Lübbecke, each with a portal, 16 of them published, each tracking
// a seeded random set of real OZG services in mixed states. Every status
// must equal a recount done here from the objects.
var _ = Describe("Status roll-up in the krz scenario", Ordered, func() {
	const namespace = "krz"
	rng := rand.New(rand.NewPCG(2023, 1))
	var catalog []string
	var adms []string

	BeforeAll(func() {
		Expect(k8sClient.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}})).To(Succeed())
		for _, row := range readCSV(filepath.Join(sharedData, "ozg-katalog", "ozg-leistungen.csv"))[:80] {
			createCatalogEntry(row["ozg_id"], row["bezeichnung"], row["themenfeld"])
			catalog = append(catalog, "ozg-"+row["ozg_id"])
		}
		for _, row := range readCSV(filepath.Join(sharedData, "kommunen-nrw.csv")) {
			switch row["kreis_schluessel"] {
			case "05766", "05758", "05770":
			default:
				continue
			}
			name := "krz-" + row["schluessel"]
			adm := &ozgv1.Administration{
				ObjectMeta: metav1.ObjectMeta{Name: name},
				Spec: ozgv1.AdministrationSpec{
					Key: row["schluessel"], DisplayName: row["name"], Type: ozgv1.TypeKreisangehoerigeStadt,
					Services: randomServices(rng, catalog),
				},
			}
			Expect(k8sClient.Create(ctx, adm)).To(Succeed())
			adms = append(adms, name)
		}
		Expect(adms).To(HaveLen(36))

		for i, adm := range adms {
			p := newPortal(namespace, adm, adm)
			p.Spec.Authentication, p.Spec.Payment = nil, nil
			p.Spec.Publish = i < 16
			Expect(k8sClient.Create(ctx, p)).To(Succeed())
		}
		for _, adm := range adms {
			markDeploymentAvailable(client.ObjectKey{Namespace: namespace, Name: adm})
		}
	})

	It("counts 16 of 36 portals online and every status equals a recount", func() {
		Eventually(expectRecount(catalog)).Should(Succeed())
		var list ozgv1.AdministrationList
		Expect(k8sClient.List(ctx, &list)).To(Succeed())
		online := 0
		for _, a := range list.Items {
			if a.Status.Portal != nil && a.Status.Portal.Published && slices.Contains(adms, a.Name) {
				online++
			}
		}
		Expect(online).To(Equal(16))

		By("showing the tools of Live implementations, spellings together")
		withTools := 0
		for _, name := range catalog {
			s := &ozgv1.OZGService{}
			Expect(k8sClient.Get(ctx, client.ObjectKey{Name: name}, s)).To(Succeed())
			if len(s.Status.Tools) > 0 {
				withTools++
			}
			keys := map[string]bool{}
			for _, u := range s.Status.Tools {
				key := strings.ToLower(strings.ReplaceAll(u.Name, " ", ""))
				Expect(keys).NotTo(HaveKey(key), "%s shows one tool twice: %v", name, s.Status.Tools)
				keys[key] = true
			}
		}
		Expect(withTools).To(BeNumerically(">", 10))
	})

	It("follows flipped portals and states", func() {
		By("unpublishing three portals and publishing two others")
		for i, adm := range adms[:3] {
			setPublish(namespace, adm, false)
			setPublish(namespace, adms[20+i], i < 2)
		}
		By("changing states in five administrations")
		for _, name := range adms[5:10] {
			update(client.ObjectKey{Name: name}, func(a *ozgv1.Administration) { a.Spec.Services = randomServices(rng, catalog) })
		}
		By("deleting one portal")
		p := &ozgv1.ServicePortal{}
		Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: namespace, Name: adms[30]}, p)).To(Succeed())
		Expect(k8sClient.Delete(ctx, p)).To(Succeed())

		Eventually(expectRecount(catalog)).Should(Succeed())
	})
})

func setPublish(namespace, name string, publish bool) {
	update(client.ObjectKey{Namespace: namespace, Name: name}, func(p *ozgv1.ServicePortal) { p.Spec.Publish = publish })
}

func randomServices(rng *rand.Rand, catalog []string) []ozgv1.ServiceImplementation {
	picked := rng.Perm(len(catalog))[:10+rng.IntN(30)]
	services := make([]ozgv1.ServiceImplementation, len(picked))
	for i, idx := range picked {
		services[i] = ozgv1.ServiceImplementation{Service: catalog[idx], State: states[rng.IntN(len(states))]}
		if services[i].State != ozgv1.StateOpen {
			services[i].Tool = toolSpellings[rng.IntN(len(toolSpellings))]
		}
	}
	return services
}

// toolSpellings are tools as administrations type them: more than a
// catalogue entry shows, some spelt two ways.
var toolSpellings = []string{"FormSolutions", "Form Solutions", "Civento", "civento", "OZG-Hub", "Lecos Formularserver", "cit intelliForm", "Eigenbau"}

// expectRecount compares every Administration and the given OZGServices
// with a brute-force recount from the portals and administrations, and
// their reach with one that adds the catalogue and the responsibility
// profiles (internal/testsupport/recount). Every portal must be Ready, and those of
// the krz scenario Published as their spec asks: the recount goes by the
// portals' conditions.
func expectRecount(catalog []string) func(Gomega) {
	return func(g Gomega) {
		var portals ozgv1.ServicePortalList
		g.Expect(k8sClient.List(ctx, &portals)).To(Succeed())
		for _, p := range portals.Items {
			if !p.DeletionTimestamp.IsZero() {
				continue
			}
			// Play kubelet: a content change rolls the pods, which then
			// become available again.
			ready := condition(&p.Status, ozgv1.ReadyCondition).Status == metav1.ConditionTrue
			if !ready {
				markDeploymentAvailable(client.ObjectKeyFromObject(&p))
			}
			g.Expect(ready).To(BeTrue(), "portal %s is Ready", p.Name)
			if p.Namespace == "krz" {
				published := condition(&p.Status, ozgv1.PublishedCondition).Status == metav1.ConditionTrue
				g.Expect(published).To(Equal(p.Spec.Publish), "portal %s is Published as its spec asks", p.Name)
			}
		}

		var adms ozgv1.AdministrationList
		g.Expect(k8sClient.List(ctx, &adms)).To(Succeed())
		var services ozgv1.OZGServiceList
		g.Expect(k8sClient.List(ctx, &services)).To(Succeed())
		tracked := slices.DeleteFunc(slices.Clone(services.Items), func(s ozgv1.OZGService) bool { return !slices.Contains(catalog, s.Name) })
		g.Expect(tracked).To(HaveLen(len(catalog)))

		want := recount.Recount(portals.Items, adms.Items)
		g.Expect(recount.Diff(want, adms.Items, tracked)).To(BeEmpty())

		var profiles ozgv1.ResponsibilityProfileList
		g.Expect(k8sClient.List(ctx, &profiles)).To(Succeed())
		reach := recount.RecountReach(portals.Items, adms.Items, services.Items, profiles.Items)
		g.Expect(recount.CompareReach(reach, adms.Items, tracked)).To(BeEmpty())
	}
}
