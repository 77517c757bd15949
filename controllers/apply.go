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
// live holds the object read from the cache; after an apply, desired holds
// the API server's answer.
func applyIfChanged[O client.Object, A runtime.ApplyConfiguration](
	ctx context.Context, c client.Client, key client.ObjectKey, live O, desired A,
	extract func(O, string) (A, error),
) error {
	_, err := applyIfDiffers(ctx, c, key, live, desired, "", extract)
	return err
}

// applyIfDiffers is applyIfChanged for a caller that has computed the
// ownedDigest of desired already (want; "" computes it when needed), and
// tells whether it applied.
func applyIfDiffers[O client.Object, A runtime.ApplyConfiguration](
	ctx context.Context, c client.Client, key client.ObjectKey, live O, desired A, want string,
	extract func(O, string) (A, error),
) (applied bool, err error) {
	err = c.Get(ctx, key, live)
	switch {
	case apierrors.IsNotFound(err):
	case err != nil:
		return false, err
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
				return false, nil
			}
		} else if owned, err := extract(live, FieldOwner); err == nil && equality.Semantic.DeepEqual(owned, desired) {
			return false, nil
		}
	}
	if err := c.Apply(ctx, desired, client.FieldOwner(FieldOwner), client.ForceOwnership); err != nil {
		return false, err
	}
	return true, nil
}

// applyAnswer is what an apply answered, typed: desired, filled by the API
// server, into obj. Only a caller that reads the answer pays for it (a
// portal's ConfigMap answers with its whole content).
func applyAnswer(desired runtime.ApplyConfiguration, obj client.Object) error {
	data, err := json.Marshal(desired)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, obj)
}

// deleteIfExists deletes obj unless it is already gone (from the cache's view).
func deleteIfExists(ctx context.Context, c client.Client, key client.ObjectKey, obj client.Object) error {
	if err := c.Get(ctx, key, obj); err != nil {
		return client.IgnoreNotFound(err)
	}
	return client.IgnoreNotFound(c.Delete(ctx, obj))
}
