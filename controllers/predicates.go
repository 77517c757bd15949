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
