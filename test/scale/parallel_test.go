//go:build bench

package scale

import (
	"context"
	"errors"
	"fmt"
	"sync"

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
	queue := make(chan T)
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		errs   []error
		failed int
	)
	for range workers {
		wg.Go(func() {
			for item := range queue {
				err := retry.OnError(retry.DefaultBackoff, isTransient, func() error { return fn(ctx, item) })
				if err == nil {
					continue
				}
				mu.Lock()
				if failed++; len(errs) < maxErrors {
					errs = append(errs, err)
				}
				mu.Unlock()
			}
		})
	}
feed:
	for _, item := range items {
		select {
		case queue <- item:
		case <-ctx.Done():
			break feed
		}
	}
	close(queue)
	wg.Wait()
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
