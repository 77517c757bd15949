package controllers_test

import (
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/types"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/rand"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// Counters that are zero from the start must be stored as 0, not left out:
// printer columns, kubectl wait --for=jsonpath and dashboards read them.
var _ = Describe("Status counters", func() {
	// storedStatus reads obj's status as the API server stores it.
	storedStatus := func(g Gomega, kind, name string) map[string]any {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(ozgv1.GroupVersion.WithKind(kind))
		g.Expect(k8sClient.Get(ctx, client.ObjectKey{Name: name}, u)).To(Succeed())
		status, found, err := unstructured.NestedMap(u.Object, "status")
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(found).To(BeTrue(), "no status yet")
		return status
	}

	// zeroCounts matches a stored status, with conditions, whose StateCounts
	// under states and whose other counters are all 0.
	zeroCounts := func(states string, counters ...string) types.GomegaMatcher {
		zero := BeNumerically("==", 0)
		all := []types.GomegaMatcher{HaveKey("conditions"), HaveKeyWithValue(states, And(
			HaveKeyWithValue("open", zero), HaveKeyWithValue("inProgress", zero), HaveKeyWithValue("live", zero)))}
		for _, counter := range counters {
			all = append(all, HaveKeyWithValue(counter, zero))
		}
		return And(all...)
	}

	It("stores zero counts of an OZGService nobody tracks", func() {
		id := fmt.Sprintf("9%04d", rand.IntnRange(0, 9999))
		createCatalogEntry(id, "Unbeachtete Leistung "+id, "Querschnitt")
		Eventually(func(g Gomega) {
			g.Expect(storedStatus(g, "OZGService", "ozg-"+id)).To(zeroCounts("administrations", "portals", "onlinePortals"))
		}).Should(Succeed())
	})

	It("stores zero counts of an Administration without services", func() {
		name := "leer-" + rand.String(6)
		createAdministration(name)
		Eventually(func(g Gomega) {
			g.Expect(storedStatus(g, "Administration", name)).To(zeroCounts("services", "online"))
		}).Should(Succeed())
	})
})
