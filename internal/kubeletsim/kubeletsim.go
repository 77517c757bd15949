// Package kubeletsim stands in for the deployment controller and kubelet in
// tests and benchmarks against envtest, which runs neither: as soon as a
// Deployment appears or changes, it reports every replica of the current
// generation updated, ready and available. It reacts to watch events, so
// that no polling interval slows a rollout down or shows in a measurement.
// Options limit it to some namespaces and let it hold some Deployments
// back, for tests of what happens while pods do not come up.
package kubeletsim

import (
	"context"
	"sync"
	"sync/atomic"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	toolscache "k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Options tune a player; the zero value serves every Deployment of the
// informers with one worker.
type Options struct {
	// Workers is how many Deployments are synced at once (at least one).
	Workers int
	// NamespaceSelector, if set, limits the player to the Deployments of
	// the namespaces whose labels it matches; elsewhere pods never come up
	// unless a test reports them itself.
	NamespaceSelector labels.Selector
	// Held, if set, names Deployments whose pods do not come up for now,
	// as with an image that cannot be pulled. A Deployment released later
	// becomes available on its next change.
	Held func(client.ObjectKey) bool
}

// Player marks the Deployments of an informer cache available.
type Player struct {
	client client.Client
	// reader is the informer cache the events come from; namespaces are
	// read from it too.
	reader client.Reader
	opts   Options
	queue  workqueue.TypedRateLimitingInterface[client.ObjectKey]
	// writes counts the Deployment status writes, which the API server's
	// request counts include and the operator's do not.
	writes  atomic.Int64
	workers sync.WaitGroup
}

// Start registers a player with informers, whose namespaces it serves, and
// runs its workers until ctx ends. The caller starts informers.
func Start(ctx context.Context, c client.Client, informers cache.Cache, opts Options) (*Player, error) {
	p := &Player{
		client: c,
		reader: informers,
		opts:   opts,
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
			p.queue.Add(client.ObjectKeyFromObject(d))
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
		p.queue.ShutDown()
	}()
	for range max(opts.Workers, 1) {
		p.workers.Go(func() { p.run(ctx) })
	}
	return p, nil
}

// Writes is the number of Deployment status writes so far.
func (p *Player) Writes() int64 { return p.writes.Load() }

// Wait returns once ctx has ended and no worker writes any more.
func (p *Player) Wait() { p.workers.Wait() }

func (p *Player) run(ctx context.Context) {
	for {
		key, shutdown := p.queue.Get()
		if shutdown {
			return
		}
		if err := p.sync(ctx, key); err != nil && ctx.Err() == nil {
			p.queue.AddRateLimited(key)
		} else {
			p.queue.Forget(key)
		}
		p.queue.Done(key)
	}
}

// sync makes the Deployment available unless it is already, or the
// options keep it back.
func (p *Player) sync(ctx context.Context, key client.ObjectKey) error {
	if p.opts.Held != nil && p.opts.Held(key) {
		return nil
	}
	if sel := p.opts.NamespaceSelector; sel != nil {
		ns := &corev1.Namespace{}
		if err := p.reader.Get(ctx, client.ObjectKey{Name: key.Namespace}, ns); err != nil {
			return client.IgnoreNotFound(err)
		}
		if !sel.Matches(labels.Set(ns.Labels)) {
			return nil
		}
	}
	d := &appsv1.Deployment{}
	if err := p.reader.Get(ctx, key, d); err != nil {
		return client.IgnoreNotFound(err)
	}
	if RolledOut(d) {
		return nil
	}
	base := d.DeepCopy()
	SetAvailable(d)
	// A plain merge patch: the status depends only on the generation this
	// event carries; a newer generation brings a newer event.
	if err := p.client.Status().Patch(ctx, d, client.MergeFrom(base)); err != nil {
		return client.IgnoreNotFound(err)
	}
	p.writes.Add(1)
	return nil
}

// RolledOut says whether every replica of the current generation is
// reported updated and available.
func RolledOut(d *appsv1.Deployment) bool {
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

// SetAvailable writes into d what the deployment controller reports once
// all replicas of the current generation run.
func SetAvailable(d *appsv1.Deployment) {
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
