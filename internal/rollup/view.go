// Package rollup keeps the in-memory view that the Administration and
// OZGService roll-ups read.
//
// The view is fed by the informer events of ServicePortals,
// Administrations, OZGServices and ResponsibilityProfiles, and by nothing
// else. It keeps, per Administration, what its portals say (name, URL,
// Ready, Published, still rolling out) and, per OZGService, the sum of what
// the administrations tracking it add (their states, whether they have a
// portal and whether it is online); and the reach (reach.go): for whose
// citizens each service is online, as responsibility.Citizens answers it
// (ozgctl coverage asks the same), kept per administration and service so
// that an event re-evaluates only what it touches. When an
// event changes what a roll-up would write, the view opens or extends that
// object's burst and asks its controller for a reconcile once the burst is
// over. The reconcilers read their inputs and take the burst in, and write
// no data back: the data flows one way, from the informers through the view
// to the statuses. They only tell the view when a status is stored
// (Written): until then what they took in is pending.
//
// Because the view replaces each object's last known contribution on every
// event, and an informer hands every handler each object in order (a relist
// included, as updates and tombstone deletes, and every cached object as an
// add when the handler is registered), a new view rebuilds itself from the
// cache: a restarted manager starts with the same sums.
package rollup

import (
	"iter"
	"slices"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/admservices"
	"github.com/ozg-operator/ozg-operator/internal/responsibility"
	"github.com/ozg-operator/ozg-operator/internal/tools"
)

// Kind names one of the two roll-ups.
type Kind int

const (
	// Administrations is the roll-up of portals into Administration status.
	Administrations Kind = iota
	// Services is the roll-up of administrations into OZGService status.
	Services
	kinds
)

func (k Kind) String() string {
	if k == Administrations {
		return "Administration"
	}
	return "OZGService"
}

// The inputs of a roll-up change in bursts: a fleet coming up flips dozens of
// portals within seconds, and every flip touches an administration and a few
// hundred catalogue entries, each of whose writes costs the API server the
// whole object. A roll-up therefore waits for its burst to be over. While a
// portal it counts is still settling (see Settled), more of its input is on
// the way: the burst is over after MaxDelay of quiet. Once they have all
// settled, SettledQuiet after the last event suffices. An administration
// counts its own portals; a catalogue entry counts the whole fleet, since
// one change (a commit applied by GitOps, a fleet's wave) touches many
// administrations one after the other: the catalogue's bursts end together,
// once no portal is settling and no catalogue entry was touched for
// SettledQuiet. A burst never holds a write back more than MaxDelay
// (CatalogueMaxDelay for a catalogue entry) after its first event, so that
// a long rollout still shows its progress. The catalogue's bound is longer:
// each of its bursts writes every entry (hundreds of writes), and its counts
// are the fleet's, whose progress each portal and Administration shows
// within MaxDelay.
const (
	MaxDelay          = 30 * time.Second
	CatalogueMaxDelay = 60 * time.Second
	SettledQuiet      = 500 * time.Millisecond
)

// MaxDelay is how long a burst of the kind's roll-ups may hold a write
// back: MaxDelay, or CatalogueMaxDelay for the catalogue.
func (k Kind) MaxDelay() time.Duration {
	if k == Services {
		return CatalogueMaxDelay
	}
	return MaxDelay
}

// AdministrationInputs is what the view knows of an administration's portals.
type AdministrationInputs struct {
	// Portals are the portals serving the administration (those being
	// deleted left), the most advanced first (see Rank).
	Portals []ozgv1.AdministrationPortalStatus
	// Reach is what the administration answers for and its citizens can
	// do online (reach.go).
	Reach AdministrationReach
	// Generation and UID are those of the administration the view has
	// taken in (0 and "": none). The reach follows the spec: a roll-up that
	// reads another generation or UID (a recreated object starts at
	// generation 1 again) than its object's must wait for the view, which
	// asks for the roll-up again once it has taken the new one in.
	Generation int64
	UID        types.UID
	// ParentKreisKey is the Kreis key (AdministrationSpec.KreisKey) of the
	// administration spec.parent names, "" when there is none or the view
	// does not know it: a parent of another Kreis than the key's is a
	// mistake the status reports.
	ParentKreisKey string
}

// ServiceCounts is what the administrations tracking one OZGService add up to.
type ServiceCounts struct {
	Administrations ozgv1.StateCounts
	// Portals counts the administrations with a portal, OnlinePortals those
	// whose portal is Ready and published and that have the service Live.
	Portals, OnlinePortals int32
	// PopulationOnline sums the inhabitants of the municipalities for which
	// the service is online (reach.go).
	PopulationOnline int64
	// PopulationTotal is the inhabitants of all municipalities; the view
	// fills it in when it is read, it is not part of the sums.
	PopulationTotal int64
	// Tools are the most used tools of the service's Live implementations,
	// the most used first (see package tools); filled in when read.
	Tools [MaxTools]tools.Count
	// Generation and UID are those of the catalogue entry the view took
	// in, zero before it took any; filled in when read. A roll-up of
	// another spec waits: the view asks for it once it has taken that in.
	Generation int64
	UID        types.UID
}

// MaxTools is how many tools a catalogue entry's status shows.
const MaxTools = ozgv1.MaxServiceTools

type queue = workqueue.TypedRateLimitingInterface[reconcile.Request]

// View is the roll-ups' view of the cluster. Its methods are safe for
// concurrent use.
type View struct {
	now func() time.Time

	mu      sync.Mutex
	portals map[types.NamespacedName]portalEntry
	adms    map[string]*administrationEntry
	sums    map[string]ServiceCounts
	// tools tallies, per service, the tools of its Live implementations.
	tools map[string]tools.Tally
	// The reach (reach.go): catalogue entries and compiled profiles by
	// name, the slot of each service, placements by profile and service,
	// the municipalities of each Kreis, and their population.
	catalog         map[string]*ozgv1.OZGService
	profiles        map[string]*responsibility.Profile
	profileVersions map[string]objectVersion
	slots           map[string]int
	placements      map[string]map[string]responsibility.Placement
	children        map[string]map[string]struct{}
	population      int64
	// unsettled counts the portals still settling; catalogueLast is when
	// an event last touched a catalogue entry's roll-up (see burst).
	unsettled     int
	catalogueLast time.Time
	bursts        [kinds]map[string]burst
	// taken are the bursts a roll-up took in whose status write has not
	// been confirmed (Written): they are pending until it is.
	taken  [kinds]map[string]burst
	queues [kinds]queue
	synced []func() bool
}

// objectVersion tells one spec of an object from another: the generation
// alone does not, since an object recreated under its name starts at 1
// again.
type objectVersion struct {
	uid        types.UID
	generation int64
}

func versionOf(o metav1.Object) objectVersion {
	return objectVersion{uid: o.GetUID(), generation: o.GetGeneration()}
}

// portalEntry is what the view keeps of one portal.
type portalEntry struct {
	administration string
	summary        ozgv1.AdministrationPortalStatus
	deleting       bool
	settled        bool
	// foreign: the portal names an administration of another IT provider
	// (see Foreign).
	foreign bool
}

// administrationEntry is what the view keeps of one administration: its
// last seen object (nil while only its portals are known) and its portals.
type administrationEntry struct {
	obj     *ozgv1.Administration
	portals map[types.NamespacedName]struct{}
	part    portalPart
	reach   reachEntry
}

// portalPart is what an administration's portals add to each of its
// services (whether there is one, whether it is online) and whether one is
// still settling, which its own roll-up waits for.
type portalPart struct{ present, online, settling bool }

// New returns an empty view; now is its clock.
func New(now func() time.Time) *View {
	v := &View{
		now:     now,
		portals: map[types.NamespacedName]portalEntry{},
		adms:    map[string]*administrationEntry{},
		sums:    map[string]ServiceCounts{},
		tools:   map[string]tools.Tally{},

		catalog:         map[string]*ozgv1.OZGService{},
		profiles:        map[string]*responsibility.Profile{},
		profileVersions: map[string]objectVersion{},
		slots:           map[string]int{},
		placements:      map[string]map[string]responsibility.Placement{},
		children:        map[string]map[string]struct{}{},
	}
	for k := range v.bursts {
		v.bursts[k] = map[string]burst{}
		v.taken[k] = map[string]burst{}
	}
	return v
}

// Settled tells whether p has nothing more to report until something it
// depends on changes: its status shows its current generation Ready or
// Stalled (an error retrying will not fix), or it is being deleted.
func Settled(p *ozgv1.ServicePortal) bool {
	if !p.DeletionTimestamp.IsZero() {
		return true
	}
	return p.Status.ObservedGeneration == p.Generation && (ready(p) || stalled(p))
}

// Foreign tells that p names an Administration of another IT provider
// than its namespace's: its controller stalls it and takes it off its
// hostname, and it is none of that administration's portals. (Otherwise
// a provider could create a portal for a municipality another provider
// has not imported yet, and be counted as its portal once it is.)
func Foreign(p *ozgv1.ServicePortal) bool {
	c := meta.FindStatusCondition(p.Status.Conditions, ozgv1.StalledCondition)
	return c != nil && c.Status == metav1.ConditionTrue && c.Reason == ozgv1.ReasonAdministrationOfAnotherProvider
}

func ready(p *ozgv1.ServicePortal) bool {
	return meta.IsStatusConditionTrue(p.Status.Conditions, ozgv1.ReadyCondition)
}

func stalled(p *ozgv1.ServicePortal) bool {
	return meta.IsStatusConditionTrue(p.Status.Conditions, ozgv1.StalledCondition)
}

// Summary is what an administration's status says of a portal.
func Summary(p *ozgv1.ServicePortal) ozgv1.AdministrationPortalStatus {
	return ozgv1.AdministrationPortalStatus{
		Name:      p.Name,
		Namespace: p.Namespace,
		URL:       p.Status.URL,
		Ready:     ready(p),
		Published: meta.IsStatusConditionTrue(p.Status.Conditions, ozgv1.PublishedCondition),
	}
}

// Rank orders portal summaries most advanced first: published and Ready,
// then Ready, then neither; ties by "namespace/name", so that the
// choice is stable.
func Rank(portals []ozgv1.AdministrationPortalStatus) {
	rank := func(s ozgv1.AdministrationPortalStatus) int {
		switch {
		case s.Published && s.Ready:
			return 0
		case s.Ready:
			return 1
		}
		return 2
	}
	slices.SortFunc(portals, func(a, b ozgv1.AdministrationPortalStatus) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		return strings.Compare(a.Namespace+"/"+a.Name, b.Namespace+"/"+b.Name)
	})
}

// CountState adds n to the count of state in c; an unset state counts as
// the API's default.
func CountState(c *ozgv1.StateCounts, state ozgv1.ServiceState, n int32) {
	if state == "" {
		state = ozgv1.DefaultServiceState
	}
	switch state {
	case ozgv1.StateLive:
		c.Live += n
	case ozgv1.StateInProgress:
		c.InProgress += n
	default:
		c.Open += n
	}
}

// CountStates counts services by state.
func CountStates(services []ozgv1.ServiceImplementation) ozgv1.StateCounts {
	var c ozgv1.StateCounts
	for i := range services {
		CountState(&c, services[i].State, 1)
	}
	return c
}

// UpsertPortal takes in a portal as an add or update event shows it.
func (v *View) UpsertPortal(p *ozgv1.ServicePortal) { v.upsertPortal(p, false) }

// ReplayPortal takes in a portal of the informer's initial list. It opens
// no burst: every object is reconciled once when its controller starts,
// and by then the view has taken in the whole list.
func (v *View) ReplayPortal(p *ozgv1.ServicePortal) { v.upsertPortal(p, true) }

func (v *View) upsertPortal(p *ozgv1.ServicePortal, replay bool) {
	e := portalEntry{
		administration: p.Spec.AdministrationRef.Name,
		summary:        Summary(p),
		deleting:       !p.DeletionTimestamp.IsZero(),
		settled:        Settled(p),
		foreign:        Foreign(p),
	}
	v.update(replay, func(c *change) { c.setPortal(keyOf(p), &e) })
}

// DeletePortal takes in a portal's delete event.
func (v *View) DeletePortal(p *ozgv1.ServicePortal) {
	v.update(false, func(c *change) { c.setPortal(keyOf(p), nil) })
}

// UpsertAdministration takes in an administration as an add or update
// event shows it. The view keeps the object (as the cache does: it must not
// be modified).
func (v *View) UpsertAdministration(a *ozgv1.Administration) {
	v.update(false, func(c *change) { c.setAdministration(a.Name, a) })
}

// ReplayAdministration takes in an administration of the informer's
// initial list, as ReplayPortal does.
func (v *View) ReplayAdministration(a *ozgv1.Administration) {
	v.update(true, func(c *change) { c.setAdministration(a.Name, a) })
}

// DeleteAdministration takes in an administration's delete event.
func (v *View) DeleteAdministration(a *ozgv1.Administration) {
	v.update(false, func(c *change) { c.setAdministration(a.Name, nil) })
}

// UpsertService takes in a catalogue entry as an add or update event shows
// it. The view keeps the object, which must not be modified.
func (v *View) UpsertService(s *ozgv1.OZGService) {
	v.update(false, func(c *change) { c.setService(s.Name, s) })
}

// ReplayService takes in a catalogue entry of the informer's initial list.
func (v *View) ReplayService(s *ozgv1.OZGService) {
	v.update(true, func(c *change) { c.setService(s.Name, s) })
}

// DeleteService takes in a catalogue entry's delete event.
func (v *View) DeleteService(s *ozgv1.OZGService) {
	v.update(false, func(c *change) { c.setService(s.Name, nil) })
}

// UpsertProfile takes in a responsibility profile, which must not be
// modified afterwards.
func (v *View) UpsertProfile(p *ozgv1.ResponsibilityProfile) {
	v.update(false, func(c *change) { c.setProfile(p.Name, p) })
}

// ReplayProfile takes in a profile of the informer's initial list.
func (v *View) ReplayProfile(p *ozgv1.ResponsibilityProfile) {
	v.update(true, func(c *change) { c.setProfile(p.Name, p) })
}

// DeleteProfile takes in a profile's delete event.
func (v *View) DeleteProfile(p *ozgv1.ResponsibilityProfile) {
	v.update(false, func(c *change) { c.setProfile(p.Name, nil) })
}

func keyOf(p *ozgv1.ServicePortal) types.NamespacedName {
	return types.NamespacedName{Namespace: p.Namespace, Name: p.Name}
}

// Reading is how a roll-up takes its burst in. Each read returns, besides
// the inputs, one of three answers (see take):
//   - wait > 0: the burst is not over; reconcile again after wait, write nothing.
//   - wait == 0, recheck == 0: the status computed now is current.
//   - wait == 0, recheck > 0: write now (the object has no status yet or
//     its spec changed while its burst is open, or the burst has run for
//     MaxDelay), but more input is on its way: the status is not current,
//     and the roll-up looks again after recheck.
//
// An administration's spec change alone opens no burst of its own (its
// roll-up reads once the view has taken the spec in): that status is
// current. After writing, the roll-up calls Written.

// Administration returns the inputs of the named administration's roll-up;
// urgent is true when it must be written at once.
func (v *View) Administration(name string, urgent bool) (in AdministrationInputs, wait, recheck time.Duration) {
	v.mu.Lock()
	defer v.mu.Unlock()
	wait, recheck = v.take(Administrations, name, urgent)
	return v.administrationInputs(name), wait, recheck
}

// Service returns the counts of the named OZGService, as Administration does.
func (v *View) Service(name string, urgent bool) (counts ServiceCounts, wait, recheck time.Duration) {
	v.mu.Lock()
	defer v.mu.Unlock()
	wait, recheck = v.take(Services, name, urgent)
	counts = v.sums[name]
	counts.PopulationTotal = v.population
	copy(counts.Tools[:], v.tools[name].Top(MaxTools))
	if svc := v.catalog[name]; svc != nil {
		counts.Generation, counts.UID = svc.Generation, svc.UID
	}
	return counts, wait, recheck
}

// Written tells the view that the named roll-up's status, computed from
// its last read, is stored (or already was): what that read took in is no
// longer pending. A write that failed, or a roll-up that stopped before
// writing, does not call it: the object stays pending, and its retry
// reads and writes again.
func (v *View) Written(kind Kind, name string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	delete(v.taken[kind], name)
	if b, open := v.bursts[kind][name]; open && !b.read.IsZero() {
		// A forced write of a burst that goes on: behind since its read.
		b.since, b.read = b.read, time.Time{}
		v.bursts[kind][name] = b
	}
}

// Discard drops the burst of an object that does not exist (an
// administration may track a service the catalogue lacks, a portal may
// name an administration that does not exist).
func (v *View) Discard(kind Kind, name string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	delete(v.bursts[kind], name)
	delete(v.taken[kind], name)
}

// Pending counts the objects of kind whose status does not show their
// last events yet: their burst is open, or was taken in by a roll-up whose
// write has not succeeded. While it is not zero, some statuses are behind.
// It is zero until the kind's controller has started: a standby replica
// (leader election) takes in events, but writing is the leader's.
func (v *View) Pending(kind Kind) int {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.queues[kind] == nil {
		return 0
	}
	n := len(v.bursts[kind])
	for name := range v.taken[kind] {
		if _, open := v.bursts[kind][name]; !open {
			n++
		}
	}
	return n
}

// OldestPending is how long the oldest pending roll-up of kind has waited
// since its first event; zero when none is pending. Bursts end within the
// kind's MaxDelay, so an age well beyond it means statuses are not being
// written (the alert on it does not fire on a busy but healthy manager,
// where some roll-up is always pending).
func (v *View) OldestPending(kind Kind) time.Duration {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.queues[kind] == nil {
		return 0 // a standby replica's, see Pending
	}
	var oldest time.Time
	for _, bursts := range []map[string]burst{v.bursts[kind], v.taken[kind]} {
		for _, b := range bursts {
			if oldest.IsZero() || b.since.Before(oldest) {
				oldest = b.since
			}
		}
	}
	if oldest.IsZero() {
		return 0
	}
	return max(0, v.now().Sub(oldest))
}

func (v *View) administrationInputs(name string) AdministrationInputs {
	in := AdministrationInputs{Reach: v.reachOf(name)}
	e := v.adms[name]
	if e == nil {
		return in
	}
	if e.obj != nil {
		in.Generation, in.UID = e.obj.Generation, e.obj.UID
		if p := v.adms[e.obj.Spec.Parent]; e.obj.Spec.Parent != "" && p != nil && p.obj != nil {
			in.ParentKreisKey = p.obj.Spec.KreisKey()
		}
	}
	for key := range e.portals {
		p := v.portals[key]
		if p.deleting || p.foreign {
			continue
		}
		in.Portals = append(in.Portals, p.summary)
	}
	Rank(in.Portals)
	return in
}

// services walks the administration's service entries (none once it is
// gone); the entry handed on is reused for the next.
func (e *administrationEntry) services() iter.Seq[*ozgv1.ServiceImplementation] {
	if e.obj == nil {
		return func(func(*ozgv1.ServiceImplementation) bool) {}
	}
	return admservices.All(e.obj)
}
