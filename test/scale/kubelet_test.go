//go:build bench

package scale

import (
	"context"
	"sync/atomic"

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
// envtest does not run: as soon as a Deployment in the informer cache's
// namespaces appears or changes, it reports every replica of the current
// generation updated, ready and available. It reacts to watch events, so
// that the benchmark measures the operator, not a polling interval.
type kubeletPlayer struct {
	client client.Client
	// reader is the informer cache the events come from.
	reader client.Reader
	queue  workqueue.TypedRateLimitingInterface[client.ObjectKey]
	// writes counts the Deployment status writes, which the API server's
	// request counts include and the operator's do not.
	writes atomic.Int64
}

// startKubeletPlayer registers the player with the informers and runs its
// workers until ctx ends.
func startKubeletPlayer(ctx context.Context, c client.Client, informers cache.Cache, workers int) (*kubeletPlayer, error) {
	k := &kubeletPlayer{
		client: c,
		reader: informers,
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.DefaultTypedControllerRateLimiter[client.ObjectKey](),
			workqueue.TypedRateLimitingQueueConfig[client.ObjectKey]{Name: "kubelet-player"}),
	}
	informer, err := informers.GetInformer(ctx, &appsv1.Deployment{})
	if err != nil {
		return nil, err
	}
	enqueue := func(obj any) {
		if d, ok := obj.(*appsv1.Deployment); ok {
			k.queue.Add(client.ObjectKeyFromObject(d))
		}
	}
	if _, err := informer.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
		AddFunc:    enqueue,
		UpdateFunc: func(_, obj any) { enqueue(obj) },
	}); err != nil {
		return nil, err
	}
	go func() {
		<-ctx.Done()
		k.queue.ShutDown()
	}()
	for range workers {
		go k.run(ctx)
	}
	return k, nil
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
	if err := k.reader.Get(ctx, key, d); err != nil {
		return client.IgnoreNotFound(err)
	}
	if rolledOut(d) {
		return nil
	}
	base := d.DeepCopy()
	setAvailable(d)
	// A plain merge patch: the status depends only on the generation this
	// event carries; a newer generation brings a newer event.
	if err := k.client.Status().Patch(ctx, d, client.MergeFrom(base)); err != nil {
		return client.IgnoreNotFound(err)
	}
	k.writes.Add(1)
	return nil
}

// rolledOut says whether every replica of the current generation is
// reported updated and available.
func rolledOut(d *appsv1.Deployment) bool {
	n := ptr.Deref(d.Spec.Replicas, 1)
	s := d.Status
	return s.ObservedGeneration == d.Generation && s.Replicas == n && s.UpdatedReplicas == n &&
		s.ReadyReplicas == n && s.AvailableReplicas == n && deploymentAvailable(d)
}

func deploymentAvailable(d *appsv1.Deployment) bool {
	for _, c := range d.Status.Conditions {
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
