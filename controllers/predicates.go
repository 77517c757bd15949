package controllers

import (
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
)

// specChanged passes the updates that can change what a watcher derives
// from an object's spec: a new generation, or a new UID. An object deleted
// and created again under its name while the watch was down starts at
// generation 1 again, and the informer's relist delivers it as an update
// of the old one, which predicate.GenerationChangedPredicate would drop.
// Creates and deletes pass, as with that predicate.
var specChanged = predicate.Funcs{
	UpdateFunc: func(e event.UpdateEvent) bool {
		if e.ObjectOld == nil || e.ObjectNew == nil {
			return false
		}
		return e.ObjectNew.GetGeneration() != e.ObjectOld.GetGeneration() || e.ObjectNew.GetUID() != e.ObjectOld.GetUID()
	},
}

// afterInitialList drops the creates of an informer's initial list, for a
// watch that maps one object to many (every portal, every namespace's
// catalogue, every fleet or profile). Those many need no such create: each
// is reconciled for its own initial create, and a controller starts its
// workers only once every cache it watches has synced, so that reconcile
// reads the whole catalogue. At Germany's scale the initial creates of 557
// catalogue entries listed 11,000 portals twice each, at every start: 8 GB
// allocated in the manager's first two minutes and most of its peak RSS.
var afterInitialList = predicate.Funcs{
	CreateFunc: func(e event.CreateEvent) bool { return !e.IsInInitialList },
}
