package controllers

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strconv"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/admservices"
	"github.com/ozg-operator/ozg-operator/internal/render"
)

// A portal is reconciled far more often than its content changes: its
// children's events (its Deployment's status while the pods start), its own
// status writes and its pods bring it back. The cold start of NRW
// reconciled 396 portals 1,371 times, and each time rendered and validated
// the whole document of 557 services. So the reconciler remembers, per
// portal, a fingerprint of what the content applied last was rendered from
// and the digest of the ConfigMap applied; a reconcile that finds both
// unchanged neither renders nor applies the ConfigMap. Only the result's
// counts and names are kept, not the document: at Germany's scale the
// documents (65 kB each for NRW) would be some 700 MB.

// portalRenders counts the portal documents rendered, by namespace: one
// per change of what a portal's content is rendered from, not one per
// reconcile. A namespace's series goes with its last portal (the
// catalogue's reconciler notices that), so that namespaces come and go
// without leaving series behind.
var portalRenders = registerCounter("ozg_portal_renders_total",
	"Portal documents rendered, by namespace of the ServicePortal; a reconcile renders only when the content's sources (the portal, its Administration and Kreis, the profile, the catalogue) changed or its ConfigMap does not hold it.",
	"namespace")

// portalRendersMu orders counting a render (countRender) and dropping a
// namespace's series with its last portal (portalsLeft). Both read the
// cache under it, and the cache never brings a deleted portal back: a
// render counted after the drop found its portal, so the drop, or the next
// one, sees that portal too.
var portalRendersMu sync.Mutex

// countRender counts a render of portal, unless the cache no longer has
// it: a reconcile that read the portal before its deletion would bring
// back the series that its namespace's last portal took along.
func countRender(ctx context.Context, r client.Reader, portal *ozgv1.ServicePortal) {
	portalRendersMu.Lock()
	defer portalRendersMu.Unlock()
	if err := r.Get(ctx, client.ObjectKeyFromObject(portal), &ozgv1.ServicePortal{}, client.UnsafeDisableDeepCopy); err == nil {
		portalRenders.WithLabelValues(portal.Namespace).Inc()
	}
}

// portalsLeft tells whether namespace has a portal, as the cache has it;
// when it has none, its series of renders goes.
func portalsLeft(ctx context.Context, r client.Reader, namespace string) (bool, error) {
	portalRendersMu.Lock()
	defer portalRendersMu.Unlock()
	var portals ozgv1.ServicePortalList
	if err := r.List(ctx, &portals, client.InNamespace(namespace), client.Limit(1), client.UnsafeDisableDeepCopy); err != nil {
		return false, err
	}
	if len(portals.Items) == 0 {
		portalRenders.DeleteLabelValues(namespace)
		return false, nil
	}
	return true, nil
}

// portalContent is a portal's content as a reconcile has it.
type portalContent struct {
	// result is the render's; without its document and JSON when applied.
	result *render.Result
	// sources fingerprints what it was rendered from (contentFingerprint).
	sources [sha256.Size]byte
	// applied says that the portal's ConfigMap holds it already.
	applied bool
}

// appliedContent is what is remembered of a portal's content once its
// ConfigMap holds it.
type appliedContent struct {
	sources [sha256.Size]byte
	// configMap is the ownedDigest of the ConfigMap applied, as the cache
	// annotates its copy (cache_transform.go).
	configMap string
	result    *render.Result
}

// appliedContents holds an appliedContent per portal UID.
type appliedContents struct{ byUID sync.Map }

func (c *appliedContents) get(uid types.UID) (appliedContent, bool) {
	v, ok := c.byUID.Load(uid)
	if !ok {
		return appliedContent{}, false
	}
	return v.(appliedContent), true
}

func (c *appliedContents) put(uid types.UID, a appliedContent) { c.byUID.Store(uid, a) }

func (c *appliedContents) forget(uid types.UID) { c.byUID.Delete(uid) }

// content renders portal's content, unless the content its ConfigMap holds
// was rendered from the same sources.
func (r *ServicePortalReconciler) content(ctx context.Context, portal *ozgv1.ServicePortal, src contentSources) (portalContent, error) {
	sources := contentFingerprint(portal, src)
	if last, ok := r.contents.get(portal.UID); ok && last.sources == sources {
		// A ConfigMap deleted or changed by hand has another digest, or
		// none: it is rendered and applied again.
		cm := &corev1.ConfigMap{}
		if err := r.Get(ctx, client.ObjectKeyFromObject(portal), cm); err == nil && cm.Annotations[ownedDigestAnnotation] == last.configMap {
			return portalContent{result: last.result, sources: sources, applied: true}, nil
		}
	}
	countRender(ctx, r.Client, portal)
	rendered, err := render.Portal(portal, src.Inputs)
	if err == nil && len(rendered.JSON) > maxContentBytes {
		err = fmt.Errorf("rendered content has %d bytes, more than the %d a ConfigMap can hold", len(rendered.JSON), maxContentBytes)
	}
	return portalContent{result: rendered, sources: sources}, err
}

// applyContent applies the portal's ConfigMap unless it holds the content
// already, and remembers what it holds.
func (r *ServicePortalReconciler) applyContent(ctx context.Context, portal *ozgv1.ServicePortal, content portalContent) error {
	if content.applied {
		return nil
	}
	desired := desiredConfigMap(portal, content.result)
	// One that cannot be digested ("") is applied, and rendered again next
	// time, as applyIfChanged does.
	digest, _ := ownedDigest(desired)
	if _, err := applyIfDiffers(ctx, r.Client, client.ObjectKeyFromObject(portal), &corev1.ConfigMap{}, desired, digest, corev1ac.ExtractConfigMap); err != nil {
		return err
	}
	if digest == "" {
		return nil
	}
	kept := *content.result
	kept.Document, kept.JSON = nil, nil
	r.contents.put(portal.UID, appliedContent{sources: content.sources, configMap: digest, result: &kept})
	return nil
}

// contentFingerprint identifies what render.Portal reads: the specs of the
// portal, its Administration, the Kreis, the profile and the catalogue
// entries (by UID and generation: a spec change, and only that, moves the
// generation of a custom resource), the service entries as the cache keeps
// them (admservices.Of reads an annotation, which has no generation), and
// the URLs of the Kreis's portal and of the portal.
func contentFingerprint(portal *ozgv1.ServicePortal, src contentSources) [sha256.Size]byte {
	h := sha256.New()
	write := func(s string) {
		h.Write(binary.AppendUvarint(nil, uint64(len(s))))
		h.Write([]byte(s))
	}
	version := func(uid types.UID, generation int64) {
		write(string(uid))
		write(strconv.FormatInt(generation, 10))
	}
	version(portal.UID, portal.Generation)
	for _, adm := range []*ozgv1.Administration{src.Administration, src.Kreis} {
		if adm == nil {
			write("")
			continue
		}
		version(adm.UID, adm.Generation)
		write(adm.Annotations[admservices.Annotation])
	}
	if src.profile == nil {
		write("")
	} else {
		version(src.profile.UID, src.profile.Generation)
	}
	write(src.KreisPortalURL)
	write(src.PublicURL)
	h.Write(src.catalogFingerprint[:])
	var fp [sha256.Size]byte
	h.Sum(fp[:0])
	return fp
}
