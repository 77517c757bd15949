// Package controllers holds the seven reconcilers of ozg-operator:
// ServicePortal (children and readiness), catalog (the namespace's shared
// catalogue ConfigMap), Administration and OZGService (status roll-up),
// ResponsibilityProfile, ServiceProgramme and PortalFleet.
package controllers

import (
	"context"
	"time"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/cache"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/reconnect"
	"github.com/ozg-operator/ozg-operator/internal/rollup"
)

// FieldOwner is the server-side apply field manager of the operator.
const FieldOwner = "ozg-operator"

// Field indexes let a change find the few objects it affects without
// listing everything.
const (
	// indexPortalAdministration indexes ServicePortals by spec.administrationRef.name.
	indexPortalAdministration = "spec.administrationRef.name"
	// indexPortalHostname indexes ServicePortals by spec.hostname.
	indexPortalHostname = "spec.hostname"
	// indexAdministrationParent indexes Administrations by spec.parent:
	// their Kreis, or whatever administration they name.
	indexAdministrationParent = "spec.parent"
)

// CacheOptions limits the manager's cache of child kinds to the objects
// the operator manages, so that its memory does not grow with the rest of
// the cluster's ConfigMaps, Services and Deployments, and keeps of each
// object only what the reconcilers read (cache_transform.go). Its
// informers try again every second while the API server refuses
// connections, so that they are back within a second of it
// (internal/reconnect).
func CacheOptions() cache.Options {
	managed := labels.SelectorFromSet(labels.Set{managedBy: FieldOwner})
	return cache.Options{
		NewInformer:      reconnect.NewInformerFunc(reconnect.DefaultInterval),
		DefaultTransform: stripManagedFields,
		ByObject:         cacheByObject(managed),
	}
}

// DefaultConcurrency is how many reconciles of one kind run at once by
// default (as Flux's --concurrent).
const DefaultConcurrency = 4

// ControllerConfig lets up to concurrent reconciles of each kind run at
// once: what the reconcilers keep between reconciles (the roll-up view,
// their own last writes, a fleet's portal writes) is guarded by locks and
// kept per object, and the workqueue never hands one object to two
// workers.
func ControllerConfig(concurrent int) config.Controller {
	if concurrent < 1 {
		concurrent = 1
	}
	gk := func(kind string) string { return kind + "." + ozgv1.GroupVersion.Group }
	return config.Controller{GroupKindConcurrency: map[string]int{
		gk("ServicePortal"):  concurrent,
		gk("Administration"): concurrent,
		gk("OZGService"):     concurrent,
		gk("PortalFleet"):    concurrent,
		// A few profiles, each reconcile reading the whole catalogue.
		gk("ResponsibilityProfile"): 1,
		// A few programmes, each reconcile reading every administration.
		gk("ServiceProgramme"): 1,
	}}
}

// Options configure the controllers.
type Options struct {
	// Portal holds the defaults for portal children.
	Portal PortalDefaults
	// Client overrides the manager's client, e.g. to observe requests in tests.
	Client client.Client
	// Now overrides the clock of progress deadlines in tests.
	Now func() time.Time
	// Events overrides the manager's event recorder, e.g. to observe events in tests.
	Events events.EventRecorder
}

// SetupWithManager registers the field indexes and all controllers.
func SetupWithManager(mgr ctrl.Manager, opts Options) error {
	if err := setupIndexes(context.Background(), mgr); err != nil {
		return err
	}
	c := opts.Client
	if c == nil {
		c = mgr.GetClient()
	}
	rec := opts.Events
	if rec == nil {
		rec = mgr.GetEventRecorder(FieldOwner)
	}
	recorder := newEventRecorder(rec)
	catalog := &catalogCache{}
	portal := &ServicePortalReconciler{Client: c, Defaults: opts.Portal.withDefaults(), events: recorder, catalog: catalog}
	if err := portal.SetupWithManager(mgr); err != nil {
		return err
	}
	if err := (&CatalogReconciler{Client: c, catalog: catalog}).SetupWithManager(mgr); err != nil {
		return err
	}
	// The roll-ups read one view, fed by the informers (internal/rollup).
	view := rollup.New(time.Now)
	if err := view.Register(context.Background(), mgr.GetCache()); err != nil {
		return err
	}
	observeRollups(view)
	observeObjects(mgr.GetCache(), mgr.Elected())
	adm := &AdministrationReconciler{Client: c, view: view}
	if err := adm.SetupWithManager(mgr); err != nil {
		return err
	}
	svc := &OZGServiceReconciler{Client: c, view: view}
	if err := svc.SetupWithManager(mgr); err != nil {
		return err
	}
	profile := &ResponsibilityProfileReconciler{Client: c}
	if err := profile.SetupWithManager(mgr); err != nil {
		return err
	}
	if err := (&ServiceProgrammeReconciler{Client: c, Now: opts.Now}).SetupWithManager(mgr); err != nil {
		return err
	}
	fleet := &PortalFleetReconciler{Client: c, Now: opts.Now, events: recorder}
	return fleet.SetupWithManager(mgr)
}

func setupIndexes(ctx context.Context, mgr ctrl.Manager) error {
	idx := mgr.GetFieldIndexer()
	if err := idx.IndexField(ctx, &ozgv1.ServicePortal{}, indexPortalAdministration, func(o client.Object) []string {
		return []string{o.(*ozgv1.ServicePortal).Spec.AdministrationRef.Name}
	}); err != nil {
		return err
	}
	if err := idx.IndexField(ctx, &ozgv1.ServicePortal{}, indexPortalHostname, func(o client.Object) []string {
		if h := o.(*ozgv1.ServicePortal).Spec.Hostname; h != "" {
			return []string{h}
		}
		return nil
	}); err != nil {
		return err
	}
	return idx.IndexField(ctx, &ozgv1.Administration{}, indexAdministrationParent, func(o client.Object) []string {
		if p := o.(*ozgv1.Administration).Spec.Parent; p != "" {
			return []string{p}
		}
		return nil
	})
}
