package controllers

import (
	"context"
	"encoding/json"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// applyIfChanged server-side applies desired unless the live object (read
// from the cache into live) already holds exactly the fields the operator
// owns. Comparing what the field owner owns, not the whole object, keeps the
// labels and annotations that others add, and still restores a field that a
// person changed (their change moves the field to another owner). At rest
// this makes no API request at all.
//
// On return live holds the object as the API server last reported it.
func applyIfChanged[O client.Object, A runtime.ApplyConfiguration](
	ctx context.Context, c client.Client, key client.ObjectKey, live O, desired A,
	extract func(O, string) (A, error),
) error {
	return applyIfDiffers(ctx, c, key, live, desired, "", extract)
}

// applyIfDiffers is applyIfChanged for a caller that has computed the
// ownedDigest of desired already (want); "" computes it when needed.
func applyIfDiffers[O client.Object, A runtime.ApplyConfiguration](
	ctx context.Context, c client.Client, key client.ObjectKey, live O, desired A, want string,
	extract func(O, string) (A, error),
) error {
	err := c.Get(ctx, key, live)
	switch {
	case apierrors.IsNotFound(err):
	case err != nil:
		return err
	default:
		// The manager's cache keeps a digest of the owned fields instead of
		// the managed fields (cache_transform.go); another client, as in
		// tests, has the managed fields.
		if digest, ok := live.GetAnnotations()[ownedDigestAnnotation]; ok {
			if want == "" {
				// Undigestible: "" differs from every digest, so it is applied.
				want, _ = ownedDigest(desired)
			}
			if want == digest {
				return nil
			}
		} else if owned, err := extract(live, FieldOwner); err == nil && equality.Semantic.DeepEqual(owned, desired) {
			return nil
		}
	}
	if err := c.Apply(ctx, desired, client.FieldOwner(FieldOwner), client.ForceOwnership); err != nil {
		return err
	}
	// Apply filled desired with the server's answer; hand it back typed.
	data, err := json.Marshal(desired)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, live)
}

// deleteIfExists deletes obj unless it is already gone (from the cache's view).
func deleteIfExists(ctx context.Context, c client.Client, key client.ObjectKey, obj client.Object) error {
	if err := c.Get(ctx, key, obj); err != nil {
		return client.IgnoreNotFound(err)
	}
	return client.IgnoreNotFound(c.Delete(ctx, obj))
}
