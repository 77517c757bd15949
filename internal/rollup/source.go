package rollup

import (
	"context"
	"errors"

	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// Register feeds the view from the informers of ServicePortals and
// Administrations. Call it before the informers start (at controller
// setup): each registered handler receives every cached object as an add
// first, which is how the view builds itself.
func (v *View) Register(ctx context.Context, informers cache.Informers) error {
	portals, err := informers.GetInformer(ctx, &ozgv1.ServicePortal{}, cache.BlockUntilSynced(false))
	if err != nil {
		return err
	}
	pr, err := portals.AddEventHandler(handler(v.UpsertPortal, v.DeletePortal))
	if err != nil {
		return err
	}
	adms, err := informers.GetInformer(ctx, &ozgv1.Administration{}, cache.BlockUntilSynced(false))
	if err != nil {
		return err
	}
	ar, err := adms.AddEventHandler(handler(v.UpsertAdministration, v.DeleteAdministration))
	if err != nil {
		return err
	}
	v.mu.Lock()
	v.synced = append(v.synced, pr.HasSynced, ar.HasSynced)
	v.mu.Unlock()
	return nil
}

// handler adapts upsert and remove to informer callbacks; a delete may
// come as a tombstone when the watch missed it.
func handler[T client.Object](upsert, remove func(T)) toolscache.ResourceEventHandler {
	return toolscache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) {
			if o, ok := obj.(T); ok {
				upsert(o)
			}
		},
		UpdateFunc: func(_, obj any) {
			if o, ok := obj.(T); ok {
				upsert(o)
			}
		},
		DeleteFunc: func(obj any) {
			if t, ok := obj.(toolscache.DeletedFinalStateUnknown); ok {
				obj = t.Obj
			}
			if o, ok := obj.(T); ok {
				remove(o)
			}
		},
	}
}

// Source is what the controller of kind watches: it enqueues a roll-up
// when its burst is over. Its controller starts workers only once the view
// has taken in every cached object, so that no first roll-up writes sums
// that are still being built.
func (v *View) Source(kind Kind) source.TypedSyncingSource[reconcile.Request] {
	return viewSource{v: v, kind: kind}
}

type viewSource struct {
	v    *View
	kind Kind
}

func (s viewSource) Start(_ context.Context, q queue) error {
	v := s.v
	v.mu.Lock()
	v.queues[s.kind] = q
	asks := v.scheduleKind(s.kind, v.now())
	v.mu.Unlock()
	for _, a := range asks {
		a.q.AddAfter(a.req, a.after)
	}
	return nil
}

func (s viewSource) WaitForSync(ctx context.Context) error {
	s.v.mu.Lock()
	synced := make([]toolscache.InformerSynced, len(s.v.synced))
	for i, f := range s.v.synced {
		synced[i] = f
	}
	s.v.mu.Unlock()
	if !toolscache.WaitForCacheSync(ctx.Done(), synced...) {
		return errors.New("roll-up view: informers did not sync: " + ctx.Err().Error())
	}
	return nil
}

func (s viewSource) String() string { return "roll-up view of " + s.kind.String() }
