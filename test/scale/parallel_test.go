//go:build bench

package scale

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"golang.org/x/sync/errgroup"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/util/retry"
)

// maxErrors caps the errors forEach collects: at scale one cause tends to
// fail thousands of requests alike.
const maxErrors = 10

// forEach calls fn for every item with at most workers calls at a time and
// returns the first maxErrors errors. Transient API errors (server timeouts,
// 429, etcd leader changes) are retried, so that a long load does not fail
// on one hiccup of a busy server.
func forEach[T any](ctx context.Context, workers int, items []T, fn func(context.Context, T) error) error {
	var (
		g      errgroup.Group
		mu     sync.Mutex
		errs   []error
		failed int
	)
	g.SetLimit(max(workers, 1))
	for _, item := range items {
		if ctx.Err() != nil {
			break
		}
		g.Go(func() error {
			err := retry.OnError(retry.DefaultBackoff, isTransient, func() error { return fn(ctx, item) })
			if err != nil {
				mu.Lock()
				if failed++; len(errs) < maxErrors {
					errs = append(errs, err)
				}
				mu.Unlock()
			}
			return nil // one failed item does not stop the others
		})
	}
	_ = g.Wait()
	if failed > len(errs) {
		errs = append(errs, fmt.Errorf("and %d more errors", failed-len(errs)))
	}
	return errors.Join(append(errs, ctx.Err())...)
}

// isTransient says whether a request may succeed when repeated as is.
func isTransient(err error) bool {
	return apierrors.IsServerTimeout(err) || apierrors.IsTimeout(err) ||
		apierrors.IsTooManyRequests(err) || apierrors.IsInternalError(err)
}
