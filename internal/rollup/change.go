package rollup

import (
	"slices"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/admservices"
	"github.com/ozg-operator/ozg-operator/internal/tools"
)

// change applies one event to the view and collects the roll-ups whose
// inputs it changed, so that their bursts are extended once, after the
// event is taken in.
type change struct {
	v *View
	// replay: the event is of the informer's initial list and opens no burst.
	replay  bool
	touched [kinds]map[string]struct{}
	// sumsBefore holds the counts of each service the event changed as
	// they were before it: one event can change a sum and change it back
	// (a portal moving between two administrations that track it).
	sumsBefore map[string]ServiceCounts
	// unsettledBefore is how many portals were settling before the event.
	unsettledBefore int
	// settledNow are the administrations whose last settling portal (their
	// own or their Kreis's) settled.
	settledNow map[string]struct{}
	// specChanged are the administrations and catalogue entries whose new
	// spec the view took in: their roll-ups write it at once (see
	// reachChanged), by kind.
	specChanged [kinds]map[string]struct{}
}

// scheduled is a reconcile to ask for once the view's lock is released.
type scheduled struct {
	q     queue
	req   reconcile.Request
	after time.Duration
}

// update runs f on the view under its lock, then schedules the reconciles
// of the bursts f extended, and anew those that are due sooner now: an
// administration whose portals settled, and the whole catalogue once the
// last settling portal did.
func (v *View) update(replay bool, f func(*change)) {
	v.mu.Lock()
	c := &change{v: v, replay: replay, sumsBefore: map[string]ServiceCounts{}, unsettledBefore: v.unsettled}
	populationBefore, placedBefore := v.population, len(v.catalog) > 0
	f(c)
	if v.population != populationBefore {
		// Every catalogue entry's status shows the total.
		for name := range v.catalog {
			c.touch(Services, name)
		}
	}
	if placed := len(v.catalog) > 0; placed != placedBefore {
		// Every administration's status gains or loses its reach.
		for name, e := range v.adms {
			if e.obj != nil {
				c.touch(Administrations, name)
			}
		}
	}
	for service, before := range c.sumsBefore {
		if v.sums[service] != before {
			c.touch(Services, service)
		}
	}
	now := v.now()
	if len(c.touched[Services]) > 0 {
		v.catalogueLast = now
	}
	var asks []scheduled
	for k := range c.touched {
		for name := range c.touched[k] {
			asks = append(asks, v.touch(Kind(k), name, now)...)
		}
	}
	for name := range c.settledNow {
		if _, touched := c.touched[Administrations][name]; !touched {
			asks = append(asks, v.schedule(Administrations, name, now)...)
		}
	}
	for k := range c.specChanged {
		if q := v.queues[k]; q != nil {
			for name := range c.specChanged[k] {
				asks = append(asks, scheduled{q: q, req: request(name)})
			}
		}
	}
	if c.unsettledBefore > 0 && v.unsettled == 0 {
		asks = append(asks, v.scheduleKind(Services, now)...)
	}
	v.mu.Unlock()
	ask(asks)
}

// ask asks for the reconciles, outside the view's lock: a workqueue may
// block a moment on a full channel.
func ask(asks []scheduled) {
	for _, a := range asks {
		a.q.AddAfter(a.req, a.after)
	}
}

func (c *change) touch(kind Kind, name string) {
	if !c.replay {
		add(&c.touched[kind], name)
	}
}

func add(set *map[string]struct{}, name string) {
	if *set == nil {
		*set = map[string]struct{}{}
	}
	(*set)[name] = struct{}{}
}

// setPortal replaces what the view knows of the portal at key with e (nil:
// the portal is gone).
func (c *change) setPortal(key types.NamespacedName, e *portalEntry) {
	v := c.v
	old, had := v.portals[key]
	if had && e != nil && old == *e {
		return
	}
	var affected []string
	if had {
		affected = append(affected, old.administration)
	}
	if e != nil && (!had || e.administration != old.administration) {
		affected = append(affected, e.administration)
	}
	before := make([]AdministrationInputs, len(affected))
	for i, name := range affected {
		before[i] = v.administrationInputs(name)
	}

	if had {
		delete(v.portals, key)
		delete(v.adms[old.administration].portals, key)
		if !old.settled {
			v.unsettled--
		}
	}
	if e != nil {
		if !e.settled {
			v.unsettled++
		}
		v.portals[key] = *e
		v.entry(e.administration).portals[key] = struct{}{}
	}
	for i, name := range affected {
		c.portalsChanged(name, before[i])
	}
}

// entry returns the administration's entry, creating it.
func (v *View) entry(name string) *administrationEntry {
	e := v.adms[name]
	if e == nil {
		e = &administrationEntry{portals: map[types.NamespacedName]struct{}{}}
		v.adms[name] = e
	}
	return e
}

// portalsChanged follows a change of the named administration's portals,
// which said before before: its own roll-up when they say something else,
// and its services' sums when what they add to them changed.
func (c *change) portalsChanged(name string, before AdministrationInputs) {
	v := c.v
	after := v.administrationInputs(name)
	if !slices.Equal(before.Portals, after.Portals) {
		c.touch(Administrations, name)
	}
	e := v.adms[name]
	if old, now := e.part, v.part(name, after); old != now {
		e.part = now
		if old.settling && !now.settling {
			add(&c.settledNow, name)
			// A Kreis's portal settling may let its municipalities' roll-ups
			// go ahead too (View.settled).
			for m := range v.children[name] {
				add(&c.settledNow, m)
			}
		}
		for s := range e.services() {
			c.replace(s.Service, contributionOf(old, s), contributionOf(now, s))
		}
		if old.online != now.online {
			// Whose services are online for whom: its own citizens', and
			// those of the municipalities naming it their parent (a Kreis,
			// or whatever type the API let them name: their reach reads it).
			c.reevaluate(name, "")
			c.reevaluateMunicipalities(name)
		}
	}
	v.dropIfEmpty(name)
}

// part is what the named administration's portals (reported as in) add
// to each of its services: the most advanced one decides whether it is
// online.
func (v *View) part(name string, in AdministrationInputs) portalPart {
	p := portalPart{present: len(in.Portals) > 0}
	p.online = p.present && in.Portals[0].Online()
	if e := v.adms[name]; e != nil {
		for key := range e.portals {
			p.settling = p.settling || !v.portals[key].settled
		}
	}
	return p
}

func (v *View) dropIfEmpty(name string) {
	if e := v.adms[name]; e != nil && e.obj == nil && len(e.portals) == 0 {
		delete(v.adms, name)
	}
}

// setAdministration replaces the named administration's object with a
// (nil: it is gone).
func (c *change) setAdministration(name string, a *ozgv1.Administration) {
	v := c.v
	if a == nil && v.adms[name] == nil {
		return
	}
	e := v.entry(name)
	old := e.obj
	e.obj = a
	if a == nil {
		// Its own roll-up has nothing left to write.
		delete(v.bursts[Administrations], name)
		delete(v.taken[Administrations], name)
		delete(c.touched[Administrations], name)
	}
	// Most updates are status writes and label changes: the services, and so
	// what the administration adds to them, stay as they were. A new UID is
	// a new object (deleted and recreated while the watch was down), whose
	// generation starts at 1 again.
	if old != nil && a != nil && old.Generation == a.Generation && old.UID == a.UID {
		return
	}
	var oldServices, newServices []ozgv1.ServiceImplementation
	if old != nil {
		oldServices = admservices.Of(old)
	}
	if a != nil {
		newServices = admservices.Of(a)
	}
	previous := make(map[string]*ozgv1.ServiceImplementation, len(oldServices))
	for i := range oldServices {
		previous[oldServices[i].Service] = &oldServices[i]
	}
	for i := range newServices {
		s := &newServices[i]
		var before *contribution
		if p := previous[s.Service]; p != nil {
			before = contributionOf(e.part, p)
			delete(previous, s.Service)
		}
		c.replace(s.Service, before, contributionOf(e.part, s))
	}
	for service, p := range previous {
		c.replace(service, contributionOf(e.part, p), nil)
	}
	c.reachChanged(name, old, a)
}

// reachChanged follows an administration's spec change (from old to a,
// either nil) into the reach: its own, and that of the municipalities
// naming it their parent.
func (c *change) reachChanged(name string, old, a *ozgv1.Administration) {
	v := c.v
	var oldParent, newParent string
	if old != nil {
		oldParent = old.Spec.Parent
	}
	if a != nil {
		newParent = a.Spec.Parent
	}
	v.setParent(name, oldParent, newParent)
	// The administration's own reach follows its spec at once: its
	// roll-up, asked for now, writes it with the new observedGeneration,
	// and a burst opened here would only make that write "not current" and
	// add a second one. (What the spec change sets off, its portals'
	// rollouts, opens bursts of its own.)
	_, touchedBefore := c.touched[Administrations][name]
	c.reevaluate(name, "")
	if a != nil && !c.replay {
		if !touchedBefore {
			delete(c.touched[Administrations], name)
		}
		add(&c.specChanged[Administrations], name)
	}
	// Its municipalities read its states as their Kreis's, whatever its type.
	c.reevaluateMunicipalities(name)
	// Their statuses say whether it is the Kreis of their keys: a parent
	// created, deleted or recreated with another key changes that even
	// where it changes no reach.
	if kreisKeyOf(old) != kreisKeyOf(a) {
		for child := range v.children[name] {
			c.touch(Administrations, child)
		}
	}
	v.dropIfEmpty(name)
}

func kreisKeyOf(a *ozgv1.Administration) string {
	if a == nil {
		return ""
	}
	return a.Spec.KreisKey()
}

// contribution is what one administration adds to one service's counts.
type contribution struct {
	state        ozgv1.ServiceState
	portal, live bool
	// tool is the tool of a Live implementation (the catalogue shows the
	// tools of those only).
	tool string
}

func contributionOf(part portalPart, s *ozgv1.ServiceImplementation) *contribution {
	state := s.State
	if state == "" {
		state = ozgv1.DefaultServiceState
	}
	c := &contribution{
		state:  state,
		portal: part.present,
		live:   part.online && state == ozgv1.StateLive,
	}
	if state == ozgv1.StateLive {
		c.tool = s.Tool
	}
	return c
}

// replace swaps one administration's contribution to service (nil: none).
func (c *change) replace(service string, before, after *contribution) {
	if before != nil && after != nil && *before == *after {
		return
	}
	v := c.v
	sum := v.sums[service]
	if _, seen := c.sumsBefore[service]; !seen {
		c.sumsBefore[service] = sum
	}
	if before != nil {
		sum.add(before, -1)
	}
	if after != nil {
		sum.add(after, 1)
	}
	// A zero sum is dropped, so that what no longer exists takes no memory.
	if sum == (ServiceCounts{}) {
		delete(v.sums, service)
	} else {
		v.sums[service] = sum
	}
	if toolOf(before) != toolOf(after) {
		c.replaceTool(service, toolOf(before), toolOf(after))
	}
}

func toolOf(c *contribution) string {
	if c == nil {
		return ""
	}
	return c.tool
}

// replaceTool moves one Live implementation of service from one tool to
// another ("": none) in the service's tally.
func (c *change) replaceTool(service, before, after string) {
	v := c.v
	t := v.tools[service]
	if t == nil {
		t = tools.Tally{}
		v.tools[service] = t
	}
	t.Add(before, -1)
	t.Add(after, 1)
	if len(t) == 0 {
		delete(v.tools, service)
	}
	c.touch(Services, service)
}

func (s *ServiceCounts) add(c *contribution, sign int32) {
	CountState(&s.Administrations, c.state, sign)
	if c.portal {
		s.Portals += sign
	}
	if c.live {
		s.OnlinePortals += sign
	}
}
