// Package apply writes manifests to the cluster with server-side apply and
// tells which objects it created, updated or left unchanged.
//
// Server-side apply makes an import idempotent: the API server compares the
// applied fields with the ones the field manager owns and skips the write,
// keeping the resourceVersion, when nothing changed. Fields other managers
// own (an administration's services, the operator's status) are left alone.
package apply

import (
	"context"
	"fmt"
	"sort"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// DefaultConcurrency is how many apply requests run at once unless told
// otherwise: enough to hide the round trip, few enough not to crowd out
// controllers under API Priority and Fairness.
const DefaultConcurrency = 8

// Options configure an Apply.
type Options struct {
	// FieldManager owns the applied fields.
	FieldManager string
	// Concurrency bounds the requests in flight; below 1 means
	// DefaultConcurrency.
	Concurrency int
	// Progress, if set, is called after each object, from one goroutine at
	// a time, with the number of objects done.
	Progress func(done int)
}

// Result says what an Apply did.
type Result struct {
	// Created counts objects that did not exist.
	Created int
	// Updated counts objects whose resourceVersion changed.
	Updated int
	// Unchanged counts objects whose resourceVersion stayed the same.
	Unchanged int
	// Rejected lists the objects the API server refused, by name.
	Rejected []Rejection
}

// Rejection is an object the API server refused, for instance by a CEL
// validation rule of its CRD.
type Rejection struct {
	// Kind and Name identify the object.
	Kind, Name string
	// Message is the API server's message.
	Message string
}

func (r Rejection) String() string {
	return fmt.Sprintf("%s/%s: rejected: %s", r.Kind, r.Name, r.Message)
}

// Apply applies objs with forced ownership. An object the API server
// refuses as invalid is recorded in Result.Rejected and the others are
// still applied; any other error (unreachable server, missing CRD, missing
// permission) stops the Apply and is returned.
func Apply(ctx context.Context, c client.Client, objs []*unstructured.Unstructured, opts Options) (Result, error) {
	// What exists before decides between created, updated and unchanged.
	// A metadata-only list is one cheap request per kind.
	before, err := resourceVersions(ctx, c, objs)
	if err != nil {
		return Result{}, err
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	workers := opts.Concurrency
	if workers < 1 {
		workers = DefaultConcurrency
	}
	queue := make(chan *unstructured.Unstructured)
	var (
		mu     sync.Mutex
		result Result
		done   int
		wg     sync.WaitGroup
	)
	record := func(u *unstructured.Unstructured, rv string, err error) {
		mu.Lock()
		defer mu.Unlock()
		key := objectKey{u.GroupVersionKind().GroupKind(), u.GetName()}
		switch old, existed := before[key]; {
		case err != nil:
			result.Rejected = append(result.Rejected, Rejection{Kind: u.GetKind(), Name: u.GetName(), Message: err.Error()})
		case !existed:
			result.Created++
		case old != rv:
			result.Updated++
		default:
			result.Unchanged++
		}
		done++
		if opts.Progress != nil {
			opts.Progress(done)
		}
	}
	for range workers {
		wg.Go(func() {
			for u := range queue {
				rv, err := applyOne(ctx, c, u, opts.FieldManager)
				if err != nil && !isRejection(err) {
					cancel(fmt.Errorf("applying %s %s: %w", u.GetKind(), u.GetName(), err))
					continue
				}
				record(u, rv, err)
			}
		})
	}
send:
	for _, u := range objs {
		select {
		case queue <- u:
		case <-ctx.Done():
			break send
		}
	}
	close(queue)
	wg.Wait()

	if err := context.Cause(ctx); err != nil {
		return result, err
	}
	sort.Slice(result.Rejected, func(i, j int) bool {
		x, y := result.Rejected[i], result.Rejected[j]
		if x.Kind != y.Kind {
			return x.Kind < y.Kind
		}
		return x.Name < y.Name
	})
	return result, nil
}

// applyOne applies a copy of u, leaving the caller's manifest as it was,
// and returns the resourceVersion the object has afterwards.
//
// Field validation stays at the server's default (Warn): fieldValidation=
// Ignore would save the server one YAML parse per request, a few percent of
// an import, but would silently drop fields a CRD older than ozgctl does
// not know.
func applyOne(ctx context.Context, c client.Client, u *unstructured.Unstructured, fieldManager string) (string, error) {
	obj := u.DeepCopy()
	err := c.Apply(ctx, client.ApplyConfigurationFromUnstructured(obj), client.FieldOwner(fieldManager), client.ForceOwnership)
	if err != nil {
		return "", err
	}
	return obj.GetResourceVersion(), nil
}

// isRejection tells the API server's verdict on one object (422 Invalid,
// 400 Bad Request, 413 Request Entity Too Large) from errors that will
// fail every other object too.
func isRejection(err error) bool {
	return apierrors.IsInvalid(err) || apierrors.IsBadRequest(err) || apierrors.IsRequestEntityTooLargeError(err)
}

type objectKey struct {
	gk   schema.GroupKind
	name string
}

// resourceVersions lists the kinds of objs (which must be cluster-scoped)
// and returns the resourceVersion of every existing object.
func resourceVersions(ctx context.Context, c client.Client, objs []*unstructured.Unstructured) (map[objectKey]string, error) {
	kinds := map[schema.GroupVersionKind]bool{}
	for _, u := range objs {
		kinds[u.GroupVersionKind()] = true
	}
	out := map[objectKey]string{}
	for gvk := range kinds {
		list := &metav1.PartialObjectMetadataList{}
		list.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
		if err := c.List(ctx, list); err != nil {
			if meta.IsNoMatchError(err) {
				return nil, fmt.Errorf("the API server does not serve %s (%s): are the CRDs installed? %w", gvk.Kind, gvk.GroupVersion(), err)
			}
			return nil, fmt.Errorf("listing %s: %w", gvk.Kind, err)
		}
		for _, item := range list.Items {
			out[objectKey{gvk.GroupKind(), item.Name}] = item.ResourceVersion
		}
	}
	return out, nil
}
