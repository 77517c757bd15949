package faults

import (
	"context"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	"sigs.k8s.io/controller-runtime/pkg/cache"

	"github.com/ozg-operator/ozg-operator/internal/kubeletsim"
)

// kubeletPlayer runs a kubeletsim.Player on its own informer cache for one
// namespace, so that a spec can stop it (as in an outage) and start another.
type kubeletPlayer struct {
	cache  cache.Cache
	player *kubeletsim.Player
	cancel context.CancelFunc
	done   chan struct{}
}

// startKubelet runs a kubelet player for namespace until stop is called or
// the spec ends.
func startKubelet(namespace string) *kubeletPlayer {
	GinkgoHelper()
	c, err := cache.New(restConfig, cache.Options{Scheme: scheme, DefaultNamespaces: map[string]cache.Config{namespace: {}}})
	Expect(err).NotTo(HaveOccurred())
	runCtx, cancel := context.WithCancel(context.Background())
	k := &kubeletPlayer{cache: c, cancel: cancel, done: make(chan struct{})}
	k.player, err = kubeletsim.Start(runCtx, k8sClient, c, kubeletsim.Options{Workers: 2})
	Expect(err).NotTo(HaveOccurred())
	go func() {
		defer GinkgoRecover()
		defer close(k.done)
		Expect(c.Start(runCtx)).To(Succeed())
	}()
	DeferCleanup(k.stop)
	return k
}

// stop ends the player and its informer; calling it twice is fine.
func (k *kubeletPlayer) stop() {
	k.cancel()
	<-k.done
	k.player.Wait()
}

// deployments counts the Deployments the player has seen, from its cache.
func (k *kubeletPlayer) deployments(g Gomega) int {
	var list appsv1.DeploymentList
	g.Expect(k.cache.List(ctx, &list)).To(Succeed())
	return len(list.Items)
}
