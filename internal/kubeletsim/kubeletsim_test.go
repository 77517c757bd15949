package kubeletsim_test

import (
	"context"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/ozg-operator/ozg-operator/internal/kubeletsim"
	"github.com/ozg-operator/ozg-operator/internal/testsupport/testenv"
)

func deployment(namespace, name string) *appsv1.Deployment {
	l := map[string]string{"app": name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: l},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: l},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "portal", Image: "registry.example.de/portal:1.4.0"}}},
			},
		},
	}
}

// TestPlayerOptions runs a player with one worker, which syncs the
// Deployments in the order their events arrive: once the last one created
// is available, the player has passed over the earlier ones.
func TestPlayerOptions(t *testing.T) {
	g := NewWithT(t)
	g.SetDefaultEventuallyTimeout(20 * time.Second)
	cluster := testenv.ForTest(t, testenv.Options{})
	c := cluster.Client
	ctx, cancel := context.WithCancel(context.Background())
	const label = "test.ozg.dev/kubelet"
	for name, l := range map[string]map[string]string{"auto": {label: "auto"}, "manual": nil} {
		g.Expect(c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: l}})).To(Succeed())
	}

	informers, err := cache.New(cluster.Config, cache.Options{Scheme: cluster.Scheme})
	g.Expect(err).NotTo(HaveOccurred())
	var held sync.Map
	player, err := kubeletsim.Start(ctx, c, informers, kubeletsim.Options{
		Workers:           1,
		NamespaceSelector: labels.SelectorFromSet(labels.Set{label: "auto"}),
		Held:              func(key client.ObjectKey) bool { _, ok := held.Load(key); return ok },
	})
	g.Expect(err).NotTo(HaveOccurred())
	informersDone := make(chan error, 1)
	go func() { informersDone <- informers.Start(ctx) }()
	t.Cleanup(func() {
		cancel()
		player.Wait()
		if err := <-informersDone; err != nil {
			t.Error(err)
		}
	})
	g.Expect(informers.WaitForCacheSync(ctx)).To(BeTrue())

	rolledOut := func(key client.ObjectKey) func(Gomega) bool {
		return func(g Gomega) bool {
			d := &appsv1.Deployment{}
			g.Expect(c.Get(ctx, key, d)).To(Succeed())
			return kubeletsim.RolledOut(d)
		}
	}
	manual, heldBack, auto := deployment("manual", "web"), deployment("auto", "held"), deployment("auto", "web")
	held.Store(client.ObjectKeyFromObject(heldBack), true)
	for _, d := range []*appsv1.Deployment{manual, heldBack, auto} {
		g.Expect(c.Create(ctx, d)).To(Succeed())
	}

	g.Eventually(rolledOut(client.ObjectKeyFromObject(auto))).Should(BeTrue())
	g.Expect(rolledOut(client.ObjectKeyFromObject(manual))(g)).To(BeFalse(), "a namespace the selector does not match")
	g.Expect(rolledOut(client.ObjectKeyFromObject(heldBack))(g)).To(BeFalse(), "a held Deployment")
	g.Expect(player.Writes()).To(BeEquivalentTo(1))

	// Released, the held Deployment comes up on its next change; a new
	// generation is rolled out again.
	held.Delete(client.ObjectKeyFromObject(heldBack))
	for _, d := range []*appsv1.Deployment{heldBack, auto} {
		g.Expect(c.Get(ctx, client.ObjectKeyFromObject(d), d)).To(Succeed())
		d.Spec.Replicas = ptr.To[int32](2)
		g.Expect(c.Update(ctx, d)).To(Succeed())
	}
	for _, d := range []*appsv1.Deployment{heldBack, auto} {
		key := client.ObjectKeyFromObject(d)
		g.Eventually(rolledOut(key)).Should(BeTrue())
		got := &appsv1.Deployment{}
		g.Expect(c.Get(ctx, key, got)).To(Succeed())
		g.Expect(got.Status.AvailableReplicas).To(BeEquivalentTo(2))
	}
	g.Expect(rolledOut(client.ObjectKeyFromObject(manual))(g)).To(BeFalse())
}
