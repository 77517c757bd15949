package faults

import (
	"context"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	toolscache "k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// kubeletPlayer stands in for the deployment controller and kubelet, which
// envtest does not run: whenever a Deployment of its namespace appears or
// changes, it reports every replica of the current generation updated,
// ready and available. It reacts to watch events, so that no polling
// interval slows the rollouts down.
type kubeletPlayer struct {
	cache  cache.Cache
	queue  workqueue.TypedRateLimitingInterface[client.ObjectKey]
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
	k := &kubeletPlayer{
		cache:  c,
		queue:  workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[client.ObjectKey]()),
		cancel: cancel,
		done:   make(chan struct{}),
	}
	go func() {
		defer GinkgoRecover()
		defer close(k.done)
		Expect(c.Start(runCtx)).To(Succeed())
	}()
	informer, err := c.GetInformer(runCtx, &appsv1.Deployment{})
	Expect(err).NotTo(HaveOccurred())
	enqueue := func(obj any) {
		if d, ok := obj.(*appsv1.Deployment); ok {
			k.queue.Add(client.ObjectKeyFromObject(d))
		}
	}
	_, err = informer.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
		AddFunc:    enqueue,
		UpdateFunc: func(_, obj any) { enqueue(obj) },
	})
	Expect(err).NotTo(HaveOccurred())
	for range 2 {
		go k.run(runCtx)
	}
	DeferCleanup(k.stop)
	return k
}

// stop ends the player and its informer; calling it twice is fine.
func (k *kubeletPlayer) stop() {
	k.cancel()
	k.queue.ShutDown()
	<-k.done
}

func (k *kubeletPlayer) run(ctx context.Context) {
	for {
		key, shutdown := k.queue.Get()
		if shutdown {
			return
		}
		if err := k.sync(ctx, key); err != nil && ctx.Err() == nil {
			k.queue.AddRateLimited(key)
		} else {
			k.queue.Forget(key)
		}
		k.queue.Done(key)
	}
}

// sync makes the Deployment available unless it is already.
func (k *kubeletPlayer) sync(ctx context.Context, key client.ObjectKey) error {
	d := &appsv1.Deployment{}
	if err := k.cache.Get(ctx, key, d); err != nil {
		return client.IgnoreNotFound(err)
	}
	if rolledOut(d) {
		return nil
	}
	base := d.DeepCopy()
	setAvailable(d)
	// A plain merge patch: the status depends only on the generation this
	// event carries; a newer generation brings a newer event.
	return client.IgnoreNotFound(k8sClient.Status().Patch(ctx, d, client.MergeFrom(base)))
}

// deployments counts the Deployments the player has seen, from its cache.
func (k *kubeletPlayer) deployments(g Gomega) int {
	var list appsv1.DeploymentList
	g.Expect(k.cache.List(ctx, &list)).To(Succeed())
	return len(list.Items)
}

// rolledOut says whether every replica of the current generation is
// reported updated and available.
func rolledOut(d *appsv1.Deployment) bool {
	n := ptr.Deref(d.Spec.Replicas, 1)
	s := d.Status
	if s.ObservedGeneration != d.Generation || s.Replicas != n || s.UpdatedReplicas != n || s.ReadyReplicas != n || s.AvailableReplicas != n {
		return false
	}
	for _, c := range s.Conditions {
		if c.Type == appsv1.DeploymentAvailable {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// setAvailable writes what the deployment controller reports once all
// replicas of the current generation run.
func setAvailable(d *appsv1.Deployment) {
	n := ptr.Deref(d.Spec.Replicas, 1)
	now := metav1.Now()
	d.Status = appsv1.DeploymentStatus{
		ObservedGeneration: d.Generation,
		Replicas:           n, UpdatedReplicas: n, ReadyReplicas: n, AvailableReplicas: n,
		Conditions: []appsv1.DeploymentCondition{{
			Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue,
			Reason: "MinimumReplicasAvailable", Message: "Deployment has minimum availability.",
			LastUpdateTime: now, LastTransitionTime: now,
		}},
	}
}
