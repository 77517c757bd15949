package controllers_test

import (
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

var _ = Describe("ResponsibilityProfile", func() {
	It("counts the catalogue by level and names table entries the catalogue lacks, until it has them", func() {
		// IDs no other test creates, so that the table's counts are exact
		// while other tests add catalogue entries.
		base := rand.IntnRange(8000, 8999) * 10
		kfz, bau := fmt.Sprintf("%05d", base+1), fmt.Sprintf("%05d", base+2)
		profile := &ozgv1.ResponsibilityProfile{
			ObjectMeta: metav1.ObjectMeta{Name: "test-" + rand.String(6)},
			Spec: ozgv1.ResponsibilityProfileSpec{
				Land: "Nordrhein-Westfalen",
				Services: []ozgv1.ServiceResponsibility{
					{Service: "ozg-" + kfz, Placement: ozgv1.Placement{Level: ozgv1.LevelKreis, LegalBasis: "§ 46 FZV"}},
					{Service: "ozg-" + bau, Placement: ozgv1.Placement{Level: ozgv1.LevelKreis, LegalBasis: "§ 57 BauO NRW 2018",
						HeldBy: []ozgv1.SizeClass{ozgv1.SizeClassGrosse, ozgv1.SizeClassMittlere}}},
				},
			},
		}
		Expect(k8sClient.Create(ctx, profile)).To(Succeed())
		DeferCleanup(func() { Expect(client.IgnoreNotFound(k8sClient.Delete(ctx, profile))).To(Succeed()) })

		got := &ozgv1.ResponsibilityProfile{}
		Eventually(func(g Gomega) {
			g.Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(profile), got)).To(Succeed())
			g.Expect(got.Status.ObservedGeneration).To(Equal(got.Generation))
			g.Expect(condition(&got.Status, ozgv1.ReadyCondition).Status).To(Equal(metav1.ConditionTrue))
			g.Expect(got.Status.UnknownEntries).To(ConsistOf("ozg-"+kfz, "ozg-"+bau))
			g.Expect(got.Status.Services.Kreis).To(BeZero())
		}).Should(Succeed())

		createCatalogEntry(kfz, "Kfz-Zulassung "+kfz, "Mobilität & Reisen")
		createCatalogEntry(bau, "Baugenehmigung "+bau, "Bauen & Wohnen")
		Eventually(func(g Gomega) {
			g.Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(profile), got)).To(Succeed())
			g.Expect(got.Status.UnknownEntries).To(BeEmpty())
			g.Expect(got.Status.Services.Kreis).To(Equal(int32(2)))
			g.Expect(condition(&got.Status, ozgv1.ReadyCondition).Message).NotTo(ContainSubstring("lacks"))
		}).Should(Succeed())
	})
})
