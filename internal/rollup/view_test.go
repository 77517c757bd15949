package rollup

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// clock is a settable clock for the view.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock                   { return &clock{t: time.Date(2023, 1, 16, 9, 0, 0, 0, time.UTC)} }
func (q *recordingQueue) asked(name string) (time.Duration, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	d, ok := q.asks[name]
	return d, ok
}

// recordingQueue records the delay of the last AddAfter per object.
type recordingQueue struct {
	workqueue.TypedRateLimitingInterface[reconcile.Request]
	mu   sync.Mutex
	asks map[string]time.Duration
}

func (q *recordingQueue) AddAfter(r reconcile.Request, d time.Duration) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.asks == nil {
		q.asks = map[string]time.Duration{}
	}
	q.asks[r.Name] = d
}

func (q *recordingQueue) reset() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.asks = nil
}

// started returns a view with both sources started on recording queues.
func started(t *testing.T, c *clock) (*View, *recordingQueue, *recordingQueue) {
	t.Helper()
	v := New(c.now)
	adms, svcs := &recordingQueue{}, &recordingQueue{}
	if err := v.Source(Administrations).Start(t.Context(), adms); err != nil {
		t.Fatal(err)
	}
	if err := v.Source(Services).Start(t.Context(), svcs); err != nil {
		t.Fatal(err)
	}
	return v, adms, svcs
}

func administration(name string, generation int64, services ...ozgv1.ServiceImplementation) *ozgv1.Administration {
	return &ozgv1.Administration{
		ObjectMeta: metav1.ObjectMeta{Name: name, Generation: generation},
		Spec:       ozgv1.AdministrationSpec{Services: services},
	}
}

func service(name string, state ozgv1.ServiceState) ozgv1.ServiceImplementation {
	return ozgv1.ServiceImplementation{Service: name, State: state}
}

// kreisLippe returns the Kreis Lippe, the parent of these tests' towns.
func kreisLippe(generation int64, services ...ozgv1.ServiceImplementation) *ozgv1.Administration {
	a := administration("kreis-lippe", generation, services...)
	a.Spec.Type = ozgv1.TypeKreis
	return a
}

// gemeinde returns a kreisangehörige Gemeinde of parent that selects
// the profile nrw.
func gemeinde(name, parent string, generation int64, services ...ozgv1.ServiceImplementation) *ozgv1.Administration {
	a := administration(name, generation, services...)
	a.Spec.Type = ozgv1.TypeKreisangehoerigeGemeinde
	a.Spec.Parent = parent
	a.Spec.Responsibility = &ozgv1.AdministrationResponsibility{Profile: "nrw"}
	return a
}

// nrwProfile returns the profile nrw at generation 1, placing services.
func nrwProfile(services ...ozgv1.ServiceResponsibility) *ozgv1.ResponsibilityProfile {
	return &ozgv1.ResponsibilityProfile{
		ObjectMeta: metav1.ObjectMeta{Name: "nrw", Generation: 1},
		Spec:       ozgv1.ResponsibilityProfileSpec{Services: services},
	}
}

// placed places a service at a level.
func placed(service string, level ozgv1.Level) ozgv1.ServiceResponsibility {
	return ozgv1.ServiceResponsibility{Service: service, Placement: ozgv1.Placement{Level: level}}
}

// portal returns a portal of adm; conditions lists the True ones.
func portal(name, adm string, generation, observed int64, conditions ...string) *ozgv1.ServicePortal {
	p := &ozgv1.ServicePortal{
		ObjectMeta: metav1.ObjectMeta{Namespace: "krz", Name: name, Generation: generation},
		Spec:       ozgv1.ServicePortalSpec{AdministrationRef: ozgv1.LocalObjectReference{Name: adm}},
		Status:     ozgv1.ServicePortalStatus{ObservedGeneration: observed, URL: "https://" + name + ".example.de"},
	}
	for _, c := range conditions {
		p.Status.Conditions = append(p.Status.Conditions, metav1.Condition{Type: c, Status: metav1.ConditionTrue})
	}
	return p
}

func TestViewSums(t *testing.T) {
	v, _, _ := started(t, newClock())
	v.UpsertAdministration(administration("lemgo", 1, service("ozg-1", ozgv1.StateLive), service("ozg-2", "")))
	v.UpsertAdministration(administration("detmold", 1, service("ozg-1", ozgv1.StateInProgress)))
	expect := func(step, name string, want ServiceCounts) {
		t.Helper()
		if got, _, _ := v.Service(name, true); got != want {
			t.Fatalf("%s: %s = %+v, want %+v", step, name, got, want)
		}
	}
	expect("no portals", "ozg-1", ServiceCounts{Administrations: ozgv1.StateCounts{InProgress: 1, Live: 1}})
	expect("unset state counts as Open", "ozg-2", ServiceCounts{Administrations: ozgv1.StateCounts{Open: 1}})

	v.UpsertPortal(portal("lemgo", "lemgo", 1, 0))
	expect("a portal rolling out", "ozg-1", ServiceCounts{Administrations: ozgv1.StateCounts{InProgress: 1, Live: 1}, Portals: 1})

	v.UpsertPortal(portal("lemgo", "lemgo", 1, 1, ozgv1.ReadyCondition, ozgv1.PublishedCondition))
	expect("online", "ozg-1", ServiceCounts{Administrations: ozgv1.StateCounts{InProgress: 1, Live: 1}, Portals: 1, OnlinePortals: 1})
	expect("online but Open", "ozg-2", ServiceCounts{Administrations: ozgv1.StateCounts{Open: 1}, Portals: 1})

	// A second, less advanced portal does not take the administration offline.
	v.UpsertPortal(portal("lemgo-test", "lemgo", 1, 1, ozgv1.ReadyCondition))
	in, _, _ := v.Administration("lemgo", true)
	if len(in.Portals) != 2 || in.Portals[0].Name != "lemgo" {
		t.Fatalf("two portals: inputs %+v, want the published one first", in)
	}
	expect("two portals", "ozg-1", ServiceCounts{Administrations: ozgv1.StateCounts{InProgress: 1, Live: 1}, Portals: 1, OnlinePortals: 1})

	// The published portal moves to another administration.
	moved := portal("lemgo", "detmold", 2, 2, ozgv1.ReadyCondition, ozgv1.PublishedCondition)
	v.UpsertPortal(moved)
	expect("moved", "ozg-1", ServiceCounts{Administrations: ozgv1.StateCounts{InProgress: 1, Live: 1}, Portals: 2})

	// A portal being deleted no longer serves its administration.
	deleting := portal("lemgo-test", "lemgo", 1, 1, ozgv1.ReadyCondition)
	deleting.DeletionTimestamp = &metav1.Time{Time: time.Now()}
	v.UpsertPortal(deleting)
	expect("deleting", "ozg-2", ServiceCounts{Administrations: ozgv1.StateCounts{Open: 1}})

	// A portal of another provider's namespace naming the administration
	// (created before the municipality was imported, say) is stalled by its
	// controller and is none of the administration's portals.
	foreign := portal("stolberg", "lemgo", 1, 1, ozgv1.StalledCondition)
	foreign.Namespace = "regio-it"
	foreign.Status.Conditions[0].Reason = ozgv1.ReasonAdministrationOfAnotherProvider
	v.UpsertPortal(foreign)
	if in, _, _ := v.Administration("lemgo", true); len(in.Portals) != 0 {
		t.Fatalf("another provider's stalled portal: inputs %+v, want no portal", in)
	}
	expect("another provider's portal", "ozg-2", ServiceCounts{Administrations: ozgv1.StateCounts{Open: 1}})
	v.DeletePortal(foreign)

	// A status-only update (same generation) leaves the sums alone; a spec change replaces them.
	relabelled := administration("detmold", 1, service("ozg-1", ozgv1.StateInProgress))
	relabelled.Labels = map[string]string{"ozg.dev/kreis": "05766"}
	v.UpsertAdministration(relabelled)
	expect("same generation", "ozg-1", ServiceCounts{Administrations: ozgv1.StateCounts{InProgress: 1, Live: 1}, Portals: 1})
	v.UpsertAdministration(administration("detmold", 2, service("ozg-2", ozgv1.StateLive)))
	expect("spec change adds", "ozg-2", ServiceCounts{Administrations: ozgv1.StateCounts{Open: 1, Live: 1}, Portals: 1, OnlinePortals: 1})
	expect("spec change removes", "ozg-1", ServiceCounts{Administrations: ozgv1.StateCounts{Live: 1}})

	v.DeletePortal(moved)
	v.DeletePortal(deleting)
	v.DeleteAdministration(administration("detmold", 2))
	v.DeleteAdministration(administration("lemgo", 1))
	expect("all gone", "ozg-1", ServiceCounts{})
	if len(v.sums) != 0 || len(v.adms) != 0 || len(v.portals) != 0 || v.unsettled != 0 {
		t.Fatalf("an empty cluster leaves state behind: sums %v, administrations %v, portals %v, %d settling", v.sums, v.adms, v.portals, v.unsettled)
	}
}

func TestViewBursts(t *testing.T) {
	c := newClock()
	v, adms, svcs := started(t, c)
	v.ReplayAdministration(administration("lemgo", 1, service("ozg-1", ozgv1.StateLive)))
	v.ReplayAdministration(administration("detmold", 1, service("ozg-2", ozgv1.StateLive)))
	v.ReplayPortal(portal("lemgo", "lemgo", 1, 1, ozgv1.ReadyCondition))
	v.ReplayPortal(portal("detmold", "detmold", 1, 1, ozgv1.ReadyCondition))
	// read reads as a roll-up does, and writes when told to.
	read := func(kind Kind, name string, urgent bool) (wait, recheck time.Duration) {
		t.Helper()
		if kind == Administrations {
			_, wait, recheck = v.Administration(name, urgent)
		} else {
			_, wait, recheck = v.Service(name, urgent)
		}
		if wait == 0 {
			v.Written(kind, name)
		}
		return wait, recheck
	}
	expect := func(step string, kind Kind, name string, urgent bool, wait, recheck time.Duration) {
		t.Helper()
		if w, r := read(kind, name, urgent); w != wait || r != recheck {
			t.Fatalf("%s: %s %s: wait %v, recheck %v; want %v, %v", step, kind, name, w, r, wait, recheck)
		}
	}
	expect("after the replay", Administrations, "lemgo", true, 0, 0)
	expect("after the replay", Services, "ozg-2", true, 0, 0)

	// Every portal lemgo counts has settled: half a second of quiet.
	v.UpsertPortal(portal("lemgo", "lemgo", 1, 1, ozgv1.ReadyCondition, ozgv1.PublishedCondition))
	if d, ok := adms.asked("lemgo"); !ok || d != SettledQuiet {
		t.Fatalf("administration asked for after %v (%v), want %v", d, ok, SettledQuiet)
	}
	if d, ok := svcs.asked("ozg-1"); !ok || d != SettledQuiet {
		t.Fatalf("service asked for after %v (%v), want %v", d, ok, SettledQuiet)
	}
	c.advance(200 * time.Millisecond)
	expect("in the quiet", Services, "ozg-1", false, 300*time.Millisecond, 0)
	expect("urgent, in the quiet", Services, "ozg-1", true, 0, 300*time.Millisecond)
	c.advance(300 * time.Millisecond)
	expect("quiet over", Services, "ozg-1", false, 0, 0)
	expect("quiet over", Administrations, "lemgo", false, 0, 0)
	if n := v.Pending(Services) + v.Pending(Administrations); n != 0 {
		t.Fatalf("after the bursts were taken in: pending %d", n)
	}

	// The catalogue counts the whole fleet: while detmold's portal is
	// settling, lemgo's service waits too, and the catalogue's bursts end
	// together, SettledQuiet after the last event that touched any of them.
	v.UpsertPortal(portal("detmold", "detmold", 1, 0)) // settling: more events are on their way
	v.UpsertAdministration(administration("lemgo", 2, service("ozg-1", ozgv1.StateInProgress)))
	expect("another portal settling", Services, "ozg-1", false, CatalogueMaxDelay, 0)
	expect("its own portals settled", Administrations, "lemgo", false, 0, 0)

	// detmold's portal is settling: its roll-ups wait, at most the kind's MaxDelay
	// after the first event; a write forced then is not current, and the
	// burst stays open.
	v.UpsertAdministration(administration("detmold", 2, service("ozg-2", ozgv1.StateInProgress)))
	expect("settling", Services, "ozg-2", false, CatalogueMaxDelay, 0)
	for range 40 {
		c.advance(time.Second)
		v.UpsertAdministration(administration("detmold", 2, service("ozg-2", ozgv1.StateInProgress)))
		v.UpsertPortal(portal("detmold", "detmold", 1, 0, ozgv1.PublishedCondition))
		v.UpsertPortal(portal("detmold", "detmold", 1, 0))
	}
	expect("after 40 s of events", Administrations, "detmold", false, 0, MaxDelay)
	expect("MaxDelay counted anew", Administrations, "detmold", false, MaxDelay, 0)
	// The catalogue's bound is longer: its entry still waits for the rest.
	expect("after 40 s of events", Services, "ozg-2", false, CatalogueMaxDelay-40*time.Second, 0)

	// The portal settles: its roll-ups are due after SettledQuiet.
	adms.reset()
	svcs.reset()
	v.UpsertPortal(portal("detmold", "detmold", 1, 1, ozgv1.StalledCondition))
	if d, ok := adms.asked("detmold"); !ok || d != SettledQuiet {
		t.Fatalf("after the portal settled: administration asked after %v (%v), want %v", d, ok, SettledQuiet)
	}
	// lemgo's service, quiet for 40 s, is due at once.
	if d, ok := svcs.asked("ozg-1"); !ok || d != 0 {
		t.Fatalf("after the last portal settled: lemgo's service asked after %v (%v), want at once", d, ok)
	}
	expect("the fleet settled", Services, "ozg-1", false, 0, 0)
	expect("settled", Administrations, "detmold", false, SettledQuiet, 0)
	c.advance(SettledQuiet)
	expect("settled, after the quiet", Administrations, "detmold", false, 0, 0)
	expect("settled, after the quiet", Services, "ozg-2", false, 0, 0)

	// A service whose burst is open and whose last settling portal settles
	// without changing its counts is asked for sooner, too.
	v.UpsertPortal(portal("detmold", "detmold", 2, 1, ozgv1.StalledCondition)) // a new generation: settling again
	v.UpsertAdministration(administration("detmold", 4, service("ozg-2", ozgv1.StateOpen)))
	expect("settling again", Services, "ozg-2", false, CatalogueMaxDelay, 0)
	svcs.reset()
	v.UpsertPortal(portal("detmold", "detmold", 2, 2, ozgv1.StalledCondition))
	if d, ok := svcs.asked("ozg-2"); !ok || d != SettledQuiet {
		t.Fatalf("after its portal settled: service asked after %v (%v), want %v", d, ok, SettledQuiet)
	}
}

// TestViewCatalogueBurstsEndTogether shows that one change touching the
// administrations one after the other is written to the catalogue once,
// after the last of them.
func TestViewCatalogueBurstsEndTogether(t *testing.T) {
	c := newClock()
	v, _, _ := started(t, c)
	v.ReplayAdministration(administration("lemgo", 1, service("ozg-1", ozgv1.StateLive)))
	v.ReplayAdministration(administration("detmold", 1, service("ozg-2", ozgv1.StateLive)))
	v.UpsertAdministration(administration("lemgo", 2, service("ozg-1", ozgv1.StateOpen)))
	c.advance(300 * time.Millisecond)
	v.UpsertAdministration(administration("detmold", 2, service("ozg-2", ozgv1.StateOpen)))
	c.advance(SettledQuiet - 100*time.Millisecond)
	if _, wait, _ := v.Service("ozg-1", false); wait != 100*time.Millisecond {
		t.Fatalf("ozg-1, quiet itself for %v: wait %v, want the catalogue's quiet, 100ms more", 700*time.Millisecond, wait)
	}
	c.advance(100 * time.Millisecond)
	for _, name := range []string{"ozg-1", "ozg-2"} {
		if _, wait, recheck := v.Service(name, false); wait != 0 || recheck != 0 {
			t.Fatalf("%s after the catalogue's quiet: wait %v, recheck %v; want a current write", name, wait, recheck)
		}
	}
}

// TestViewSourceSchedulesEarlierBursts shows that bursts opened before the
// controller started (the informers' replay) are asked for at its start.
func TestViewSourceSchedulesEarlierBursts(t *testing.T) {
	c := newClock()
	v := New(c.now)
	v.UpsertAdministration(administration("lemgo", 1, service("ozg-1", ozgv1.StateLive)))
	q := &recordingQueue{}
	if err := v.Source(Services).Start(t.Context(), q); err != nil {
		t.Fatal(err)
	}
	if _, ok := q.asked("ozg-1"); !ok {
		t.Fatalf("the replayed burst of ozg-1 was not asked for")
	}
	if err := v.Source(Services).WaitForSync(t.Context()); err != nil {
		t.Fatalf("a view fed by hand (no informers) is synced at once: %v", err)
	}
}

// TestViewReplayOpensNoBurst: the informer's initial list builds the view
// without bursts, so that the first roll-up of each object (its controller
// reconciles every object at start) is current at once.
func TestViewReplayOpensNoBurst(t *testing.T) {
	v, adms, svcs := started(t, newClock())
	v.ReplayAdministration(administration("lemgo", 1, service("ozg-1", ozgv1.StateLive)))
	v.ReplayPortal(portal("lemgo", "lemgo", 1, 1, ozgv1.ReadyCondition, ozgv1.PublishedCondition))
	if n := v.Pending(Administrations) + v.Pending(Services); n != 0 {
		t.Fatalf("pending %d after the replay, want 0", n)
	}
	if len(adms.asks)+len(svcs.asks) != 0 {
		t.Fatalf("the replay asked for reconciles: %v %v", adms.asks, svcs.asks)
	}
	counts, wait, recheck := v.Service("ozg-1", true)
	if want := (ServiceCounts{Administrations: ozgv1.StateCounts{Live: 1}, Portals: 1, OnlinePortals: 1}); counts != want || wait != 0 || recheck != 0 {
		t.Fatalf("first roll-up: %+v, wait %v, recheck %v; want %+v, current", counts, wait, recheck, want)
	}
}

// TestViewMunicipalityWaitsForItsKreisPortal shows that a municipality's
// roll-up waits while its Kreis's portal settles, as it does for its own:
// its reach counts the Kreis's online services, and a Kreis portal's
// rollout would otherwise be written twice to every municipality, once
// when the portal stops being Ready and once when it is Ready again.
func TestViewMunicipalityWaitsForItsKreisPortal(t *testing.T) {
	c := newClock()
	v, adms, _ := started(t, c)
	v.ReplayProfile(nrwProfile(placed("ozg-1", ozgv1.LevelKreis)))
	v.ReplayService(&ozgv1.OZGService{ObjectMeta: metav1.ObjectMeta{Name: "ozg-1", Generation: 1}})
	v.ReplayAdministration(kreisLippe(1, service("ozg-1", ozgv1.StateLive)))
	v.ReplayAdministration(gemeinde("augustdorf", "kreis-lippe", 1))
	v.ReplayPortal(portal("kreis-lippe", "kreis-lippe", 1, 1, ozgv1.ReadyCondition, ozgv1.PublishedCondition))
	if r := v.reachOf("augustdorf"); r.Reachable != 1 {
		t.Fatalf("the Kreis's live service in its online portal: augustdorf reaches %d, want 1", r.Reachable)
	}

	// The Kreis's portal rolls out: not Ready, a new generation not yet
	// observed. The town's reach drops, but its roll-up waits.
	v.UpsertPortal(portal("kreis-lippe", "kreis-lippe", 2, 1, ozgv1.PublishedCondition))
	if r := v.reachOf("augustdorf"); r.Reachable != 0 {
		t.Fatalf("the Kreis portal not Ready: augustdorf reaches %d, want 0", r.Reachable)
	}
	if d, ok := adms.asked("augustdorf"); !ok || d != MaxDelay {
		t.Fatalf("while its Kreis's portal settles: augustdorf asked after %v (%v), want %v", d, ok, MaxDelay)
	}
	if _, wait, _ := v.Administration("augustdorf", false); wait != MaxDelay {
		t.Fatalf("while its Kreis's portal settles: augustdorf waits %v, want %v", wait, MaxDelay)
	}

	// The rollout is done: the town's roll-up is due after the quiet, and
	// writes the reach it had before, once.
	adms.reset()
	c.advance(5 * time.Second)
	v.UpsertPortal(portal("kreis-lippe", "kreis-lippe", 2, 2, ozgv1.ReadyCondition, ozgv1.PublishedCondition))
	if d, ok := adms.asked("augustdorf"); !ok || d != SettledQuiet {
		t.Fatalf("after its Kreis's portal settled: augustdorf asked after %v (%v), want %v", d, ok, SettledQuiet)
	}
	c.advance(SettledQuiet)
	in, wait, recheck := v.Administration("augustdorf", false)
	if wait != 0 || recheck != 0 || in.Reach.Reachable != 1 {
		t.Fatalf("after the quiet: wait %v, recheck %v, reachable %d; want 0, 0, 1", wait, recheck, in.Reach.Reachable)
	}
}

// TestViewSpecChangeIsWrittenAtOnce shows that an administration's new
// spec is asked for at once and read as current: its own reach follows the
// spec without waiting for anything, so that one write carries the new
// observedGeneration and the reach. The reach of a Kreis's municipalities
// is another roll-up's input: they get a burst.
func TestViewSpecChangeIsWrittenAtOnce(t *testing.T) {
	c := newClock()
	v, adms, _ := started(t, c)
	v.ReplayProfile(nrwProfile(placed("ozg-1", ozgv1.LevelKreis), placed("ozg-2", ozgv1.LevelGemeinde)))
	for _, name := range []string{"ozg-1", "ozg-2"} {
		v.ReplayService(&ozgv1.OZGService{ObjectMeta: metav1.ObjectMeta{Name: name, Generation: 1}})
	}
	town := func(generation int64, state ozgv1.ServiceState) *ozgv1.Administration {
		return gemeinde("augustdorf", "kreis-lippe", generation, service("ozg-2", state))
	}
	v.ReplayAdministration(kreisLippe(1))
	v.ReplayAdministration(town(1, ozgv1.StateOpen))
	v.ReplayPortal(portal("augustdorf", "augustdorf", 1, 1, ozgv1.ReadyCondition, ozgv1.PublishedCondition))
	v.ReplayPortal(portal("kreis-lippe", "kreis-lippe", 1, 1, ozgv1.ReadyCondition, ozgv1.PublishedCondition))

	v.UpsertAdministration(town(2, ozgv1.StateLive))
	if d, ok := adms.asked("augustdorf"); !ok || d != 0 {
		t.Fatalf("after its spec change: augustdorf asked after %v (%v), want at once", d, ok)
	}
	in, wait, recheck := v.Administration("augustdorf", true)
	if wait != 0 || recheck != 0 || in.Generation != 2 || in.Reach.Own.Live != 1 || in.Reach.Reachable != 1 {
		t.Fatalf("after its spec change: wait %v, recheck %v, generation %d, reach %+v; want a current read of generation 2 with its service live and reachable",
			wait, recheck, in.Generation, in.Reach)
	}

	// The Kreis takes its service live: the town's reach changes, in a burst.
	adms.reset()
	v.UpsertAdministration(kreisLippe(2, service("ozg-1", ozgv1.StateLive)))
	if d, ok := adms.asked("augustdorf"); !ok || d != SettledQuiet {
		t.Fatalf("after its Kreis's spec change: augustdorf asked after %v (%v), want %v", d, ok, SettledQuiet)
	}
	if d, ok := adms.asked("kreis-lippe"); !ok || d != 0 {
		t.Fatalf("after its spec change: kreis-lippe asked after %v (%v), want at once", d, ok)
	}
	if in, _, _ := v.Administration("augustdorf", false); in.Reach.Reachable != 2 {
		t.Fatalf("the Kreis's service live in its online portal: augustdorf reaches %d, want 2", in.Reach.Reachable)
	}
}

// TestViewToolsOfLiveImplementations: a catalogue entry counts the tools of
// its Live implementations, spellings of one tool together, and an
// implementation that leaves Live or changes its tool is taken back.
func TestViewToolsOfLiveImplementations(t *testing.T) {
	v, _, svcs := started(t, newClock())
	withTool := func(state ozgv1.ServiceState, tool string) ozgv1.ServiceImplementation {
		s := service("ozg-1", state)
		s.Tool = tool
		return s
	}
	tools := func() []string {
		counts, _, _ := v.Service("ozg-1", true)
		var got []string
		for _, c := range counts.Tools {
			if c.Count > 0 {
				got = append(got, fmt.Sprintf("%s=%d", c.Name, c.Count))
			}
		}
		return got
	}
	v.UpsertAdministration(administration("lemgo", 1, withTool(ozgv1.StateLive, "FormSolutions")))
	v.UpsertAdministration(administration("detmold", 1, withTool(ozgv1.StateLive, "Form Solutions")))
	v.UpsertAdministration(administration("blomberg", 1, withTool(ozgv1.StateLive, "FormSolutions")))
	v.UpsertAdministration(administration("horn", 1, withTool(ozgv1.StateLive, "Civento")))
	v.UpsertAdministration(administration("bad-salzuflen", 1, withTool(ozgv1.StateInProgress, "OZG-Hub")))
	if got, want := tools(), []string{"FormSolutions=3", "Civento=1"}; !slices.Equal(got, want) {
		t.Fatalf("tools %v, want %v (not Live: not counted)", got, want)
	}
	for i := range 6 {
		v.UpsertAdministration(administration(fmt.Sprintf("gemeinde-%d", i), 1, withTool(ozgv1.StateLive, fmt.Sprintf("Werkzeug %d", i))))
	}
	if got := tools(); len(got) != MaxTools || got[0] != "FormSolutions=3" {
		t.Fatalf("tools %v, want the %d most used, FormSolutions first", got, MaxTools)
	}
	for i := range 6 {
		v.DeleteAdministration(administration(fmt.Sprintf("gemeinde-%d", i), 1))
	}
	svcs.reset()
	v.UpsertAdministration(administration("lemgo", 2, withTool(ozgv1.StateInProgress, "FormSolutions")))
	v.UpsertAdministration(administration("horn", 2, withTool(ozgv1.StateLive, "OZG-Hub")))
	if got, want := tools(), []string{"Form Solutions=2", "OZG-Hub=1"}; !slices.Equal(got, want) {
		t.Fatalf("after the changes: tools %v, want %v", got, want)
	}
	// Two spellings once each: the first in byte order names the tool.
	if _, ok := svcs.asked("ozg-1"); !ok {
		t.Fatalf("a tool change asked for no roll-up of its service")
	}
}

// The pending age is the oldest open burst's, so that a busy view (some
// roll-up always pending) reads young and a stuck one old.
func TestViewOldestPending(t *testing.T) {
	c := newClock()
	v, _, _ := started(t, c)
	if d := v.OldestPending(Services); d != 0 {
		t.Fatalf("nothing pending, age %v", d)
	}
	v.UpsertAdministration(administration("lemgo", 1, service("ozg-1", ozgv1.StateLive)))
	c.advance(2 * time.Second)
	v.UpsertAdministration(administration("detmold", 1, service("ozg-2", ozgv1.StateLive)))
	c.advance(time.Second)
	if d := v.OldestPending(Services); d != 3*time.Second {
		t.Fatalf("age %v, want ozg-1's 3s", d)
	}
	// Taking ozg-1's roll-up in (urgent: at once) and writing it leaves ozg-2's.
	if _, wait, _ := v.Service("ozg-1", true); wait != 0 {
		t.Fatalf("urgent roll-up waits %v", wait)
	}
	v.Written(Services, "ozg-1")
	if d := v.OldestPending(Services); d != time.Second {
		t.Fatalf("age %v, want ozg-2's 1s", d)
	}
	_, _, _ = v.Service("ozg-2", true)
	v.Written(Services, "ozg-2")
	if d, n := v.OldestPending(Services), v.Pending(Services); d != 0 || n != 0 {
		t.Fatalf("all written: age %v, %d pending", d, n)
	}
}

// A roll-up that took its burst in is pending until its status is written:
// a write that fails, or a roll-up that stops before it (the view behind
// the object's spec), leaves a stale status, which the metrics must show.
func TestViewPendingUntilWritten(t *testing.T) {
	c := newClock()
	v, _, _ := started(t, c)
	v.UpsertAdministration(administration("lemgo", 1, service("ozg-1", ozgv1.StateLive)))
	v.UpsertPortal(portal("lemgo", "lemgo", 1, 1, ozgv1.ReadyCondition))
	c.advance(MaxDelay)
	if _, wait, recheck := v.Administration("lemgo", false); wait != 0 || recheck != 0 {
		t.Fatalf("a burst that is over: wait %v, recheck %v, want a current status at once", wait, recheck)
	}
	// The status write fails.
	if n, age := v.Pending(Administrations), v.OldestPending(Administrations); n != 1 || age != MaxDelay {
		t.Fatalf("taken in, not written: %d pending for %v, want 1 for %v", n, age, MaxDelay)
	}
	// The retry finds nothing new, is current, and its write succeeds.
	c.advance(time.Second)
	if _, wait, recheck := v.Administration("lemgo", false); wait != 0 || recheck != 0 {
		t.Fatalf("the retry: wait %v, recheck %v, want a current status at once", wait, recheck)
	}
	if age := v.OldestPending(Administrations); age != MaxDelay+time.Second {
		t.Fatalf("the retry's burst is %v old, want the first event's %v", age, MaxDelay+time.Second)
	}
	v.Written(Administrations, "lemgo")
	if n, age := v.Pending(Administrations), v.OldestPending(Administrations); n != 0 || age != 0 {
		t.Fatalf("written: %d pending for %v, want none", n, age)
	}

	// An event after the read stays pending after the write of what was read.
	v.UpsertPortal(portal("lemgo", "lemgo", 1, 1))
	c.advance(MaxDelay)
	v.Administration("lemgo", false)
	v.UpsertPortal(portal("lemgo", "lemgo", 1, 1, ozgv1.ReadyCondition))
	v.Written(Administrations, "lemgo")
	if n := v.Pending(Administrations); n != 1 {
		t.Fatalf("an event after the read: %d pending, want 1", n)
	}

	// An object that is gone has nothing pending.
	v.Administration("lemgo", true)
	v.DeleteAdministration(administration("lemgo", 1))
	if n := v.Pending(Administrations); n != 0 {
		t.Fatalf("deleted: %d pending, want none", n)
	}
	// (lemgo took ozg-1's Live with it.)
	v.UpsertAdministration(administration("detmold", 1, service("ozg-2", ozgv1.StateLive)))
	c.advance(CatalogueMaxDelay)
	v.Service("ozg-1", false)
	v.Written(Services, "ozg-1")
	v.Service("ozg-2", false)
	v.Discard(Services, "ozg-2")
	if n := v.Pending(Services); n != 0 {
		t.Fatalf("discarded: %d pending, want none", n)
	}
}

// A write that a burst forces (MaxDelay after its first event, while its
// portals keep changing) counts the pending age anew only once it is
// stored: writes that keep failing leave the age growing past the alert's
// 15 minutes, writes that succeed keep it within MaxDelay.
func TestViewPendingAgeAcrossForcedWrites(t *testing.T) {
	for _, writes := range []bool{false, true} {
		c := newClock()
		v, _, _ := started(t, c)
		v.UpsertAdministration(administration("lemgo", 1, service("ozg-1", ozgv1.StateLive)))
		var oldest time.Duration
		for i := range 120 { // 20 minutes of a portal that never settles
			conditions := []string{}
			if i%2 == 0 {
				conditions = append(conditions, ozgv1.ReadyCondition)
			}
			v.UpsertPortal(portal("lemgo", "lemgo", 2, 1, conditions...))
			c.advance(10 * time.Second)
			if _, wait, _ := v.Administration("lemgo", false); wait == 0 && writes {
				v.Written(Administrations, "lemgo")
			}
			oldest = max(oldest, v.OldestPending(Administrations))
		}
		switch {
		case !writes && oldest < 19*time.Minute:
			t.Errorf("no write stored for 20 minutes, but the oldest pending age was %v", oldest)
		case writes && oldest > MaxDelay+10*time.Second:
			t.Errorf("every forced write stored, but the pending age reached %v, beyond MaxDelay %v", oldest, MaxDelay)
		}
	}
}

// A standby replica (leader election) takes in events but runs no
// controller: it reports nothing pending, or its alert would fire while
// the leader writes every status. Once it leads, its roll-ups are
// pending since then.
func TestViewPendingOnAStandbyReplica(t *testing.T) {
	c := newClock()
	v := New(c.now)
	v.UpsertAdministration(administration("lemgo", 1, service("ozg-1", ozgv1.StateLive)))
	v.UpsertPortal(portal("lemgo", "lemgo", 1, 1, ozgv1.ReadyCondition, ozgv1.PublishedCondition))
	c.advance(time.Hour)
	for _, kind := range []Kind{Administrations, Services} {
		if n, age := v.Pending(kind), v.OldestPending(kind); n != 0 || age != 0 {
			t.Errorf("standby, %s: %d pending, oldest %v; want none", kind, n, age)
		}
	}
	if err := v.Source(Administrations).Start(t.Context(), &recordingQueue{}); err != nil {
		t.Fatal(err)
	}
	c.advance(time.Second)
	if n, age := v.Pending(Administrations), v.OldestPending(Administrations); n != 1 || age != time.Second {
		t.Errorf("leading for 1s: %d pending, oldest %v; want 1 for 1s", n, age)
	}
}
