// Package reconnect lets informers come back within a second of the API
// server being reachable again.
//
// client-go's reflector backs off exponentially, up to 30 s with as much
// jitter again, while list and watch calls fail; after a 30 s outage it
// waited 45-60 s before it tried again (issue 17). An API server that
// refuses connections is not there, not overloaded, so there is nothing to
// protect by waiting longer: the ListerWatcher here retries such a call at
// a fixed interval itself, and the reflector, which never sees the error,
// keeps its backoff for the errors it is meant for (429, other failures).
package reconnect

import (
	"context"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	"k8s.io/apimachinery/pkg/watch"
	toolscache "k8s.io/client-go/tools/cache"
)

// DefaultInterval is how often a refused call is tried again.
const DefaultInterval = time.Second

// NewInformerFunc returns a constructor of shared informers, for
// controller-runtime's cache.Options.NewInformer, whose list and watch
// calls are retried every interval while the API server refuses
// connections.
func NewInformerFunc(interval time.Duration) func(toolscache.ListerWatcher, runtime.Object, time.Duration, toolscache.Indexers) toolscache.SharedIndexInformer {
	return func(lw toolscache.ListerWatcher, obj runtime.Object, resync time.Duration, indexers toolscache.Indexers) toolscache.SharedIndexInformer {
		return toolscache.NewSharedIndexInformer(ListerWatcher(lw, interval), obj, resync, indexers)
	}
}

// ListerWatcher wraps lw so that a list or watch the API server refuses is
// tried again every interval until it is answered or ctx ends.
func ListerWatcher(lw toolscache.ListerWatcher, interval time.Duration) toolscache.ListerWatcher {
	r := &retrying{inner: toolscache.ToListerWatcherWithContext(lw), interval: interval}
	if s, ok := lw.(watchListSemantics); ok {
		return &retryingWithSemantics{retrying: r, semantics: s}
	}
	return r
}

// Unreachable reports whether err says nothing answered at the API
// server's address: refused or reset connections, as while it restarts.
func Unreachable(err error) bool {
	return utilnet.IsConnectionRefused(err) || utilnet.IsConnectionReset(err)
}

type retrying struct {
	inner    toolscache.ListerWatcherWithContext
	interval time.Duration
}

var _ toolscache.ListerWatcherWithContext = &retrying{}

func (r *retrying) ListWithContext(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error) {
	return retry(ctx, r.interval, func() (runtime.Object, error) { return r.inner.ListWithContext(ctx, opts) })
}

func (r *retrying) WatchWithContext(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
	return retry(ctx, r.interval, func() (watch.Interface, error) { return r.inner.WatchWithContext(ctx, opts) })
}

// List and Watch serve callers that have no context.
func (r *retrying) List(opts metav1.ListOptions) (runtime.Object, error) {
	return r.ListWithContext(context.Background(), opts)
}

func (r *retrying) Watch(opts metav1.ListOptions) (watch.Interface, error) {
	return r.WatchWithContext(context.Background(), opts)
}

// watchListSemantics is how client-go's reflector asks a ListerWatcher
// whether its client can stream the initial list; the answer is passed on.
type watchListSemantics interface {
	IsWatchListSemanticsUnSupported() bool
}

type retryingWithSemantics struct {
	*retrying
	semantics watchListSemantics
}

func (r *retryingWithSemantics) IsWatchListSemanticsUnSupported() bool {
	return r.semantics.IsWatchListSemanticsUnSupported()
}

// retry calls call until it returns anything but an unreachable error, or
// ctx ends; then the last error is returned, for the reflector to handle.
func retry[T any](ctx context.Context, interval time.Duration, call func() (T, error)) (T, error) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		v, err := call()
		if err == nil || !Unreachable(err) {
			return v, err
		}
		t.Reset(interval)
		select {
		case <-ctx.Done():
			return v, err
		case <-t.C:
		}
	}
}
