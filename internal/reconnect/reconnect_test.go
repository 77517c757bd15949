package reconnect

import (
	"context"
	"errors"
	"net"
	"net/url"
	"os"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	toolscache "k8s.io/client-go/tools/cache"
)

// refused is the error client-go's REST client returns while nothing
// listens at the API server's address.
var refused = &url.Error{Op: "Get", URL: "https://127.0.0.1:6443/api/v1/configmaps", Err: &net.OpError{
	Op: "dial", Net: "tcp", Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED},
}}

// flaky fails its first calls with the given errors.
type flaky struct {
	errs           []error
	lists, watches int
}

func (f *flaky) next() error {
	if len(f.errs) == 0 {
		return nil
	}
	err := f.errs[0]
	f.errs = f.errs[1:]
	return err
}

func (f *flaky) List(metav1.ListOptions) (runtime.Object, error) {
	f.lists++
	if err := f.next(); err != nil {
		return nil, err
	}
	return &corev1.ConfigMapList{}, nil
}

func (f *flaky) Watch(metav1.ListOptions) (watch.Interface, error) {
	f.watches++
	if err := f.next(); err != nil {
		return nil, err
	}
	return watch.NewFake(), nil
}

func TestRefusedCallsAreRetriedUntilAnswered(t *testing.T) {
	f := &flaky{errs: []error{refused, refused, refused}}
	lw := toolscache.ToListerWatcherWithContext(ListerWatcher(f, time.Millisecond))
	if _, err := lw.ListWithContext(context.Background(), metav1.ListOptions{}); err != nil {
		t.Fatalf("list: %v", err)
	}
	if f.lists != 4 {
		t.Errorf("list called %d times, want 4 (3 refused, then answered)", f.lists)
	}
	f.errs = []error{refused}
	w, err := lw.WatchWithContext(context.Background(), metav1.ListOptions{})
	if err != nil || w == nil {
		t.Fatalf("watch: %v", err)
	}
	if f.watches != 2 {
		t.Errorf("watch called %d times, want 2", f.watches)
	}
}

func TestOtherErrorsGoToTheReflector(t *testing.T) {
	forbidden := errors.New("configmaps is forbidden")
	f := &flaky{errs: []error{forbidden}}
	lw := ListerWatcher(f, time.Millisecond)
	if _, err := lw.List(metav1.ListOptions{}); !errors.Is(err, forbidden) {
		t.Fatalf("list returned %v, want the error at once", err)
	}
	if f.lists != 1 {
		t.Errorf("list called %d times, want 1", f.lists)
	}
}

func TestRetriesEndWithTheContext(t *testing.T) {
	f := &flaky{errs: make([]error, 1000)}
	for i := range f.errs {
		f.errs[i] = refused
	}
	ctx, cancel := context.WithCancel(context.Background())
	lw := toolscache.ToListerWatcherWithContext(ListerWatcher(f, time.Hour))
	done := make(chan error)
	go func() {
		_, err := lw.WatchWithContext(ctx, metav1.ListOptions{})
		done <- err
	}()
	cancel()
	if err := <-done; !Unreachable(err) {
		t.Fatalf("watch returned %v, want the refused error once the context ended", err)
	}
}

// semanticsLW is a ListerWatcher that says it cannot stream the initial list.
type semanticsLW struct{ flaky }

func (*semanticsLW) IsWatchListSemanticsUnSupported() bool { return true }

func TestWatchListSemanticsArePassedOn(t *testing.T) {
	s, ok := ListerWatcher(&semanticsLW{}, time.Millisecond).(watchListSemantics)
	if !ok || !s.IsWatchListSemanticsUnSupported() {
		t.Fatal("the wrapper hides that the client does not support watch-list semantics")
	}
	if _, ok := ListerWatcher(&flaky{}, time.Millisecond).(watchListSemantics); ok {
		t.Fatal("the wrapper claims watch-list semantics its client does not state")
	}
}
