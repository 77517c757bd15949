package faults

import (
	"context"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/testsupport/suite"
)

// The suite shares one API server and one manager binary between the
// scenarios; each scenario has its own namespace, administrations and
// manager processes, and removes them when it ends.

var (
	ctx = context.Background()
	// cluster is the API server the managers run against.
	cluster *testCluster
	// scheme knows the built-in and the ozg.dev kinds.
	scheme *runtime.Scheme
	// k8sClient talks to the API server directly, without a cache.
	k8sClient client.WithWatch
	// restConfig is the cluster admin's config, for the test's own caches.
	restConfig *rest.Config
	// managerBin is ./cmd/manager of this checkout, built once per run.
	managerBin string
)

func TestFaults(t *testing.T) {
	// Generous: the manager, the API server and etcd share two cores.
	suite.Run(t, "Faults", suite.Timing{Eventually: 60 * time.Second, Consistently: 2 * time.Second, Polling: 100 * time.Millisecond})
}

var _ = BeforeSuite(func() {
	cluster = startCluster()
	scheme, restConfig, k8sClient = cluster.Scheme, cluster.Config, cluster.Client

	managerBin = buildManager()

	// A small catalogue, so that the portals render real content.
	createCatalogEntry("10110", "Abfallentsorgung", "Bauen & Wohnen")
	createCatalogEntry("10224", "Hundesteuer", "Steuern & Zoll")
})

var _ = AfterSuite(func() {
	if cluster != nil {
		cluster.stop()
	}
})

func createCatalogEntry(id, name, themenfeld string) {
	svc := &ozgv1.OZGService{
		ObjectMeta: metav1.ObjectMeta{Name: "ozg-" + id, Labels: map[string]string{ozgv1.LabelOZGID: id}},
		Spec: ozgv1.OZGServiceSpec{OZGID: id, Name: name, Themenfeld: themenfeld,
			Leistungen: []ozgv1.LeiKaLeistung{{Key: "99000000000" + id[2:], Name: name, Typisierung: []string{"5"}}}},
	}
	if err := k8sClient.Create(ctx, svc); !apierrors.IsAlreadyExists(err) {
		Expect(err).NotTo(HaveOccurred())
	}
}
