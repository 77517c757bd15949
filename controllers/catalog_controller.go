package controllers

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"

	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/portaldata"
	"github.com/ozg-operator/ozg-operator/internal/render"
)

// CatalogConfigMapName is the ConfigMap in every namespace with portals that
// holds the catalogue part of their content (portaldata.CatalogFile): one
// copy per namespace instead of one per portal.
const CatalogConfigMapName = portaldata.CatalogConfigMapName

// catalogLabel marks the catalogue ConfigMaps.
const catalogLabel = "ozg.dev/catalog"

// CatalogReconciler keeps the catalogue ConfigMap of each namespace that has
// ServicePortals in line with the OZGServices, and removes it once the
// namespace has none. Requests name the ConfigMap.
type CatalogReconciler struct {
	client.Client
	// catalog is the catalogue shared with the portals' reconciles.
	catalog *catalogCache

	mu sync.Mutex
	// last is the encoding of the catalogue last rendered and the
	// fingerprint of the entries it was rendered from, so that the
	// namespaces share one rendering.
	last struct {
		fingerprint [sha256.Size]byte
		data        []byte
	}
}

// +kubebuilder:rbac:groups=ozg.dev,resources=ozgservices;serviceportals,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=configmaps,verbs=get;list;watch;create;update;patch;delete

// SetupWithManager registers the controller and its watches.
func (r *CatalogReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		Named("catalog").
		// A namespace needs its copy from its first portal on, and no
		// longer after its last.
		Watches(&ozgv1.ServicePortal{}, handler.EnqueueRequestsFromMapFunc(catalogOfNamespace),
			builder.WithPredicates(predicate.Funcs{
				UpdateFunc:  func(event.UpdateEvent) bool { return false },
				GenericFunc: func(event.GenericEvent) bool { return false },
			})).
		Watches(&ozgv1.OZGService{}, handler.EnqueueRequestsFromMapFunc(r.catalog.invalidating(r.catalogsOfAllNamespaces)),
			builder.WithPredicates(specChanged, afterInitialList)).
		// A copy changed or deleted by hand is restored.
		Watches(&corev1.ConfigMap{}, handler.EnqueueRequestsFromMapFunc(catalogOfNamespace),
			builder.WithPredicates(predicate.NewPredicateFuncs(func(o client.Object) bool {
				return o.GetName() == CatalogConfigMapName && o.GetLabels()[catalogLabel] == "true"
			}))).
		Complete(r)
}

func catalogOfNamespace(_ context.Context, o client.Object) []reconcile.Request {
	return []reconcile.Request{{NamespacedName: client.ObjectKey{Namespace: o.GetNamespace(), Name: CatalogConfigMapName}}}
}

func (r *CatalogReconciler) catalogsOfAllNamespaces(ctx context.Context, _ client.Object) []reconcile.Request {
	var portals ozgv1.ServicePortalList
	if err := r.List(ctx, &portals, client.UnsafeDisableDeepCopy); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "listing portals for the catalogue")
		return nil
	}
	seen := map[string]bool{}
	var reqs []reconcile.Request
	for i := range portals.Items {
		if ns := portals.Items[i].Namespace; !seen[ns] {
			seen[ns] = true
			reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKey{Namespace: ns, Name: CatalogConfigMapName}})
		}
	}
	return reqs
}

// Reconcile applies the namespace's catalogue ConfigMap, or deletes it when
// no portal is left.
func (r *CatalogReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	left, err := portalsLeft(ctx, r.Client, req.Namespace)
	if err != nil {
		return ctrl.Result{}, err
	}
	if !left {
		return ctrl.Result{}, deleteIfExists(ctx, r.Client, req.NamespacedName, &corev1.ConfigMap{})
	}
	catalog, fp, err := r.catalog.get(ctx, r.Client)
	if err != nil {
		return ctrl.Result{}, err
	}
	data, err := r.encode(catalog, fp)
	if err != nil {
		// Every entry passed the CRD's validation, whose limits the
		// document shares: a failure here is a bug, not bad input.
		return ctrl.Result{}, fmt.Errorf("encoding the catalogue: %w", err)
	}
	if len(data) > maxContentBytes {
		// 95 kB for the real catalogue: ten times that is no catalogue the
		// portals can use. The error is logged and retried with backoff;
		// the namespace's portals stay unavailable until it shrinks.
		return ctrl.Result{}, fmt.Errorf("the catalogue compresses to %d bytes, more than the %d a ConfigMap can hold", len(data), maxContentBytes)
	}
	desired := corev1ac.ConfigMap(req.Name, req.Namespace).
		WithLabels(map[string]string{managedBy: FieldOwner, catalogLabel: "true"}).
		WithBinaryData(map[string][]byte{portaldata.CatalogFile: data})
	return ctrl.Result{}, applyIfChanged(ctx, r.Client, req.NamespacedName, &corev1.ConfigMap{}, desired, corev1ac.ExtractConfigMap)
}

// encode renders the catalogue c, whose fingerprint is fp, or returns the
// last rendering if the entries are the same.
func (r *CatalogReconciler) encode(c *render.Catalog, fp [sha256.Size]byte) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.last.data != nil && r.last.fingerprint == fp {
		return r.last.data, nil
	}
	data, err := portaldata.MarshalCatalog(render.CatalogDocument(c))
	if err != nil {
		return nil, err
	}
	r.last.fingerprint, r.last.data = fp, data
	return data, nil
}

// catalogFingerprint identifies the catalogue's entries as rendering
// reads them: their specs, by UID and generation.
func catalogFingerprint(c *render.Catalog) [sha256.Size]byte {
	h := sha256.New()
	var line []byte // one buffer for every entry's line
	c.Each(func(e *ozgv1.OZGService) {
		line = append(line[:0], e.Name...)
		line = append(append(append(line, '/'), e.UID...), '/')
		line = append(strconv.AppendInt(line, e.Generation, 10), '\n')
		h.Write(line)
	})
	var fp [sha256.Size]byte
	h.Sum(fp[:0])
	return fp
}

// catalogCache keeps the catalogue as rendering reads it, with its
// fingerprint, and lists it again only after an entry was added, deleted
// or given a new spec. Every portal reconcile reads the catalogue: at
// NRW's cold start 1,371 reconciles each listed, indexed and fingerprinted
// 557 entries, a twentieth of the manager's CPU and some 400 MB of
// garbage, for a catalogue that changes with an import.
//
// A change is noted by the watches that enqueue the catalogue's readers
// (invalidating), before they enqueue anything: a reconcile that a change
// enqueued starts after the note, and lists the catalogue again. One that
// was running already may still render the old catalogue; the change
// enqueues it once more.
type catalogCache struct {
	// changes counts the changes noted.
	changes atomic.Uint64

	mu sync.Mutex
	// listed is changes when catalog was listed.
	listed      uint64
	catalog     *render.Catalog
	fingerprint [sha256.Size]byte
}

// invalidating notes a change of the catalogue, then maps it with mapFn.
func (c *catalogCache) invalidating(mapFn handler.MapFunc) handler.MapFunc {
	return func(ctx context.Context, o client.Object) []reconcile.Request {
		if c != nil {
			c.changes.Add(1)
		}
		return mapFn(ctx, o)
	}
}

// get returns the catalogue and its fingerprint (catalogFingerprint),
// listed from r unless no change was noted since the last listing. A nil
// cache lists every time.
func (c *catalogCache) get(ctx context.Context, r client.Reader) (*render.Catalog, [sha256.Size]byte, error) {
	if c == nil {
		// An empty cache holds nothing yet: it lists.
		c = &catalogCache{}
	}
	// Read before listing: a change noted during the listing lists again.
	changes := c.changes.Load()
	c.mu.Lock()
	defer c.mu.Unlock()
	// A listing made at a later count is as new: the informer updates its
	// store before its handlers note the change.
	if c.catalog != nil && c.listed >= changes {
		return c.catalog, c.fingerprint, nil
	}
	catalog, err := listCatalog(ctx, r)
	if err != nil {
		return nil, [sha256.Size]byte{}, err
	}
	c.listed, c.catalog, c.fingerprint = changes, catalog, catalogFingerprint(catalog)
	return catalog, c.fingerprint, nil
}

// listCatalog reads the catalogue from the cache. Rendering only reads it,
// so it is not copied.
func listCatalog(ctx context.Context, c client.Reader) (*render.Catalog, error) {
	var list ozgv1.OZGServiceList
	if err := c.List(ctx, &list, client.UnsafeDisableDeepCopy); err != nil {
		return nil, err
	}
	entries := make([]*ozgv1.OZGService, len(list.Items))
	for i := range list.Items {
		entries[i] = &list.Items[i]
	}
	return render.NewCatalog(entries), nil
}
