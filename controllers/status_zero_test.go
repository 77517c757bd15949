package controllers_test

import (
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
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

	It("stores zero counts of an OZGService nobody tracks", func() {
		id := fmt.Sprintf("9%04d", rand.IntnRange(0, 9999))
		createCatalogEntry(id, "Unbeachtete Leistung "+id, "Querschnitt")
		Eventually(func(g Gomega) {
			status := storedStatus(g, "OZGService", "ozg-"+id)
			g.Expect(status).To(HaveKey("conditions"))
			g.Expect(status).To(HaveKeyWithValue("portals", BeNumerically("==", 0)))
			g.Expect(status).To(HaveKeyWithValue("onlinePortals", BeNumerically("==", 0)))
			g.Expect(status).To(HaveKeyWithValue("administrations", And(
				HaveKeyWithValue("open", BeNumerically("==", 0)),
				HaveKeyWithValue("inProgress", BeNumerically("==", 0)),
				HaveKeyWithValue("live", BeNumerically("==", 0)))))
		}).Should(Succeed())
	})

	It("stores zero counts of an Administration without services", func() {
		name := "leer-" + rand.String(6)
		createAdministration(name)
		Eventually(func(g Gomega) {
			status := storedStatus(g, "Administration", name)
			g.Expect(status).To(HaveKey("conditions"))
			g.Expect(status).To(HaveKeyWithValue("online", BeNumerically("==", 0)))
			g.Expect(status).To(HaveKeyWithValue("services", And(
				HaveKeyWithValue("open", BeNumerically("==", 0)),
				HaveKeyWithValue("inProgress", BeNumerically("==", 0)),
				HaveKeyWithValue("live", BeNumerically("==", 0)))))
		}).Should(Succeed())
	})
})
