//go:build bench

package scale

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/testsupport/recount"
)

// Kinds as the benchmark names them in keys and tables.
const (
	kindAdministration = "Administration"
	kindService        = "OZGService"
	kindPortal         = "ServicePortal"
)

// rolledUpKinds are the kinds whose status the operator computes.
var rolledUpKinds = []string{kindAdministration, kindService, kindPortal}

// objectKey names an object across kinds: Kind/name or Kind/namespace/name.
func objectKey(kind string, obj client.Object) string {
	if ns := obj.GetNamespace(); ns != "" {
		return kind + "/" + ns + "/" + obj.GetName()
	}
	return kind + "/" + obj.GetName()
}

// clusterState is one read of the kinds the roll-up involves.
type clusterState struct {
	portals         []ozgv1.ServicePortal
	administrations []ozgv1.Administration
	services        []ozgv1.OZGService
	profiles        []ozgv1.ResponsibilityProfile
}

// readState lists the three kinds from r. The lists share the reader's
// objects (no deep copy): at Germany scale a copy per check would cost
// more than the check itself. Callers must not modify them.
func readState(ctx context.Context, r client.Reader) (clusterState, error) {
	var (
		portals  ozgv1.ServicePortalList
		adms     ozgv1.AdministrationList
		services ozgv1.OZGServiceList
		profiles ozgv1.ResponsibilityProfileList
	)
	err := errors.Join(
		r.List(ctx, &portals, client.InNamespace(portalNamespace), client.UnsafeDisableDeepCopy),
		r.List(ctx, &adms, client.UnsafeDisableDeepCopy),
		r.List(ctx, &services, client.UnsafeDisableDeepCopy),
		r.List(ctx, &profiles, client.UnsafeDisableDeepCopy),
	)
	return clusterState{portals: portals.Items, administrations: adms.Items, services: services.Items, profiles: profiles.Items}, err
}

// diffFromRecount compares every status with the brute-force recount of
// internal/testsupport/recount, and additionally requires every portal to
// be Ready with Published as its spec asks, and every object named in
// minGenerations to have at least that generation (so that a check on a
// cache that has not yet seen an edit cannot pass). It returns the first
// few differences and how many there are, at most one per object.
func diffFromRecount(st clusterState, minGenerations map[string]int64, maxReported int) recountResult {
	var r recountResult
	r.byKind = map[string]int{}
	differing := map[string]bool{}
	differ := func(key string, format string, args ...any) {
		if differing[key] {
			return
		}
		differing[key] = true
		r.byKind[kindOfKey(key)]++
		if r.total++; r.total <= maxReported {
			r.reported = append(r.reported, key+": "+fmt.Sprintf(format, args...))
		}
	}
	generations := make(map[string]int64, len(minGenerations))

	for i := range st.portals {
		p := &st.portals[i]
		key := objectKey(kindPortal, p)
		generations[key] = p.Generation
		if !p.DeletionTimestamp.IsZero() {
			continue
		}
		ready := conditionTrue(p.Status.Conditions, ozgv1.ReadyCondition)
		published := conditionTrue(p.Status.Conditions, ozgv1.PublishedCondition)
		switch {
		case p.Status.ObservedGeneration != p.Generation:
			differ(key, "observedGeneration %d, generation %d", p.Status.ObservedGeneration, p.Generation)
		case !ready:
			differ(key, "not Ready")
		case published != p.Spec.Publish:
			differ(key, "Published %v, spec.publish %v", published, p.Spec.Publish)
		}
	}
	for i := range st.administrations {
		generations[objectKey(kindAdministration, &st.administrations[i])] = st.administrations[i].Generation
	}
	for i := range st.services {
		generations[objectKey(kindService, &st.services[i])] = st.services[i].Generation
	}

	expected := recount.Recount(st.portals, st.administrations)
	for _, d := range recount.Compare(expected, st.administrations, st.services) {
		differ(d.Kind+"/"+d.Name, "%s", strings.Join(d.Problems, "; "))
	}
	reach := recount.RecountReach(st.portals, st.administrations, st.services, st.profiles)
	for _, d := range recount.CompareReach(reach, st.administrations, st.services) {
		differ(d.Kind+"/"+d.Name, "%s", strings.Join(d.Problems, "; "))
	}

	for key, min := range minGenerations {
		if g, ok := generations[key]; !ok || g < min {
			differ(key, "generation %d not yet seen (have %d)", min, g)
		}
	}
	return r
}

// recountResult is where the cluster differs from the recount.
type recountResult struct {
	// reported describes the first few differences.
	reported []string
	// byKind counts the differences by kind.
	byKind map[string]int
	// total counts all differences.
	total int
}

func conditionTrue(conditions []metav1.Condition, typ string) bool {
	return meta.IsStatusConditionTrue(conditions, typ)
}

// statusWatcher follows Administrations, OZGServices and ServicePortals
// through informers: it counts their status changes and tells when every
// status equals the recount. Checks run on watch events, not on a timer,
// so that the convergence time is that of the last event and no polling
// interval is added to it.
type statusWatcher struct {
	reader client.Reader
	// progress, if set, is told every progressInterval how far a wait is.
	progress func(format string, args ...any)
	// signal holds one pending "something changed" so that a burst of
	// events costs one recount.
	signal chan struct{}

	mu sync.Mutex
	// lastEvent is when the informers last delivered an event of the
	// three kinds.
	lastEvent time.Time
	// changes counts the events that changed a status, by kind.
	changes map[string]int
}

// newStatusWatcher registers with the informers of the three kinds.
func newStatusWatcher(ctx context.Context, informers cache.Cache) (*statusWatcher, error) {
	w := &statusWatcher{reader: informers, signal: make(chan struct{}, 1), changes: map[string]int{}}
	for kind, obj := range map[string]client.Object{
		kindAdministration: &ozgv1.Administration{},
		kindService:        &ozgv1.OZGService{},
		kindPortal:         &ozgv1.ServicePortal{},
	} {
		informer, err := informers.GetInformer(ctx, obj)
		if err != nil {
			return nil, err
		}
		if _, err := informer.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
			AddFunc: func(any) { w.observe(kind, false) },
			UpdateFunc: func(oldObj, newObj any) {
				changed := statusChanged(oldObj, newObj)
				if changed && traceKinds[kind] {
					traceStatusChange(kind, oldObj, newObj)
				}
				w.observe(kind, changed)
			},
			DeleteFunc: func(any) { w.observe(kind, false) },
		}); err != nil {
			return nil, err
		}
	}
	return w, nil
}

func (w *statusWatcher) observe(kind string, statusChanged bool) {
	w.mu.Lock()
	w.lastEvent = time.Now()
	if statusChanged {
		w.changes[kind]++
	}
	w.mu.Unlock()
	select {
	case w.signal <- struct{}{}:
	default:
	}
}

// statusChanges returns the status changes seen so far, by kind.
func (w *statusWatcher) statusChanges() map[string]int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return maps.Clone(w.changes)
}

// traceKinds are the kinds named in OZG_BENCH_TRACE (comma-separated, e.g.
// Administration): each status change of theirs is logged with what changed,
// to find out which writes a phase did not need.
var traceKinds = func() map[string]bool {
	kinds := map[string]bool{}
	for _, k := range strings.Split(os.Getenv("OZG_BENCH_TRACE"), ",") {
		if k != "" {
			kinds[k] = true
		}
	}
	return kinds
}()

// traceStatusChange logs the fields of a status change that differ, as
// JSON, with the conditions' lastTransitionTime left out.
func traceStatusChange(kind string, oldObj, newObj any) {
	fields := func(obj any) map[string]string {
		var status any
		var conditions []metav1.Condition
		switch o := obj.(type) {
		case *ozgv1.Administration:
			st := o.Status.DeepCopy()
			status, conditions = st, st.Conditions
		case *ozgv1.OZGService:
			st := o.Status.DeepCopy()
			status, conditions = st, st.Conditions
		case *ozgv1.ServicePortal:
			st := o.Status.DeepCopy()
			status, conditions = st, st.Conditions
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(statusJSON(status, conditions)), &m); err != nil {
			panic(err) // statusJSON wrote it
		}
		out := make(map[string]string, len(m))
		for k, v := range m {
			out[k] = string(v)
		}
		return out
	}
	before, after := fields(oldObj), fields(newObj)
	var diff []string
	for _, k := range slices.Sorted(maps.Keys(after)) {
		if before[k] != after[k] {
			diff = append(diff, fmt.Sprintf("%s: %s -> %s", k, before[k], after[k]))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(before)) {
		if _, ok := after[k]; !ok {
			diff = append(diff, fmt.Sprintf("%s: %s -> (none)", k, before[k]))
		}
	}
	log.Printf("trace %s %s: %s", kind, newObj.(client.Object).GetName(), strings.Join(diff, "; "))
}

func statusChanged(oldObj, newObj any) bool {
	switch o := oldObj.(type) {
	case *ozgv1.Administration:
		return !equality.Semantic.DeepEqual(o.Status, newObj.(*ozgv1.Administration).Status)
	case *ozgv1.OZGService:
		return !equality.Semantic.DeepEqual(o.Status, newObj.(*ozgv1.OZGService).Status)
	case *ozgv1.ServicePortal:
		return !equality.Semantic.DeepEqual(o.Status, newObj.(*ozgv1.ServicePortal).Status)
	}
	return false
}

// errManagerExited ends a wait: without the manager no status changes any more.
var errManagerExited = errors.New("the manager exited")

const (
	// checkSpacing is the least time between two recounts.
	checkSpacing = 200 * time.Millisecond
	// progressInterval spaces the progress lines of long waits.
	progressInterval = time.Minute
)

// convergence is when the cluster reached the recounted state.
type convergence struct {
	// at is when the last event before the converged state arrived.
	at time.Time
	// kinds holds, for each rolled-up kind, when its statuses last became
	// equal to the recount (for portals: all Ready), as of the first check
	// that saw it, so within the check spacing: it shows which controller
	// the others waited for.
	kinds map[string]time.Time
}

// awaitConverged waits until every status equals the recount (see
// diffFromRecount). It gives up after timeout or when stop is closed, returning
// the differences that remain.
func (w *statusWatcher) awaitConverged(ctx context.Context, minGenerations map[string]int64, timeout time.Duration, stop <-chan struct{}) (convergence, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	settled := map[string]time.Time{}
	lastProgress := time.Now()
	for {
		start := time.Now()
		st, err := readState(ctx, w.reader)
		if err != nil {
			return convergence{}, err
		}
		result := diffFromRecount(st, minGenerations, 5)
		// Read after the lists: an event during them may be part of the
		// state just read, and the benchmark must not report convergence
		// before it happened.
		w.mu.Lock()
		asOf := w.lastEvent
		w.mu.Unlock()
		for _, kind := range rolledUpKinds {
			if result.byKind[kind] > 0 {
				delete(settled, kind)
			} else if _, ok := settled[kind]; !ok {
				settled[kind] = asOf
			}
		}
		if result.total == 0 {
			return convergence{at: asOf, kinds: settled}, nil
		}
		if w.progress != nil && time.Since(lastProgress) >= progressInterval {
			w.progress("%d statuses differ from the recount %v", result.total, result.byKind)
			lastProgress = time.Now()
		}
		// Recounts compete with the manager and the API server for the
		// cores: spacing them by 20 times their duration (at least
		// checkSpacing) keeps their share near 5 %. The spacing does not
		// delay the reported time, which is that of the last event.
		pause := start.Add(max(checkSpacing, 21*time.Since(start)))
		err = waitFor(ctx, w.signal, deadline.C, stop)
		if err == nil {
			err = sleepUntil(ctx, pause, deadline.C, stop)
		}
		if err != nil {
			if errors.Is(err, errDeadline) {
				err = fmt.Errorf("not converged within %v", timeout)
			}
			return convergence{}, fmt.Errorf("%w; %d statuses differ from the recount (%v), e.g.\n\t%s",
				err, result.total, result.byKind, strings.Join(result.reported, "\n\t"))
		}
	}
}

// errDeadline says that a wait's deadline passed.
var errDeadline = errors.New("deadline passed")

// waitFor waits for event, or fails when the deadline passes, stop is
// closed or ctx ends.
func waitFor[T any](ctx context.Context, event <-chan T, deadline <-chan time.Time, stop <-chan struct{}) error {
	select {
	case <-event:
		return nil
	case <-deadline:
		return errDeadline
	case <-stop:
		return errManagerExited
	case <-ctx.Done():
		return ctx.Err()
	}
}

// sleepUntil waits until t like waitFor waits for an event.
func sleepUntil(ctx context.Context, t time.Time, deadline <-chan time.Time, stop <-chan struct{}) error {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	return waitFor(ctx, timer.C, deadline, stop)
}
