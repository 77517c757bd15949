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

// Register feeds the view from the informers of ServicePortals,
// Administrations, OZGServices and ResponsibilityProfiles. Call it before the informers start (at controller
// setup): each registered handler receives every cached object as an add
// first, which is how the view builds itself.
func (v *View) Register(ctx context.Context, informers cache.Informers) error {
	for obj, h := range map[client.Object]toolscache.ResourceEventHandler{
		&ozgv1.ServicePortal{}:         handler(v.ReplayPortal, v.UpsertPortal, v.DeletePortal),
		&ozgv1.Administration{}:        handler(v.ReplayAdministration, v.UpsertAdministration, v.DeleteAdministration),
		&ozgv1.OZGService{}:            handler(v.ReplayService, v.UpsertService, v.DeleteService),
		&ozgv1.ResponsibilityProfile{}: handler(v.ReplayProfile, v.UpsertProfile, v.DeleteProfile),
	} {
		informer, err := informers.GetInformer(ctx, obj, cache.BlockUntilSynced(false))
		if err != nil {
			return err
		}
		reg, err := informer.AddEventHandler(h)
		if err != nil {
			return err
		}
		v.mu.Lock()
		v.synced = append(v.synced, reg.HasSynced)
		v.mu.Unlock()
	}
	return nil
}

// handler adapts replay (an add of the informer's initial list), upsert
// and remove to informer callbacks; a delete may come as a tombstone when
// the watch missed it.
func handler[T client.Object](replay, upsert, remove func(T)) toolscache.ResourceEventHandler {
	call := func(f func(T), obj any) {
		if t, ok := obj.(toolscache.DeletedFinalStateUnknown); ok {
			obj = t.Obj
		}
		if o, ok := obj.(T); ok {
			f(o)
		}
	}
	return toolscache.ResourceEventHandlerDetailedFuncs{
		AddFunc: func(obj any, initial bool) {
			if initial {
				call(replay, obj)
			} else {
				call(upsert, obj)
			}
		},
		UpdateFunc: func(_, obj any) { call(upsert, obj) },
		DeleteFunc: func(obj any) { call(remove, obj) },
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
	// A replica that just became the leader took in events as a standby:
	// their statuses are behind since now, when someone can write them.
	now := v.now()
	for name, b := range v.bursts[s.kind] {
		b.since = now
		v.bursts[s.kind][name] = b
	}
	asks := v.scheduleKind(s.kind, now)
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
