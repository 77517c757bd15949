package rollup

import (
	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/responsibility"
)

// Reach: for each administration and catalogue service, the view keeps
// who is responsible for the service for the administration's citizens
// (responsibility.For) and whether it is online for them: the responsible
// administration has it Live in a published, Ready portal, or an EfA
// service covers it. That gives the administration's own counts and
// reachable services, and the population reach of each service: the sum
// of the inhabitants of the municipalities for which it is online.
//
// A municipality's entry depends on itself, its Kreis (the administration
// its spec.parent names, of whatever type), their portals' online state,
// its profile and the catalogue entry; each of these re-evaluates only the
// entries it touches (an administration; the municipalities naming it
// their parent; a profile's administrations; one service everywhere).

// Each administration keeps one byte per service slot: its own state for
// the service when it is responsible itself (0 when it is not), and
// whether the service is online for its citizens.
const (
	ownOpen       uint8 = 1
	ownInProgress uint8 = 2
	ownLive       uint8 = 3
	ownMask       uint8 = 3
	onlineBit     uint8 = 4
)

// reachEntry is what an administration adds to the reach.
type reachEntry struct {
	// slots holds one byte per service slot (see ownOpen).
	slots []uint8
	// counted is the population its online services are counted with:
	// its inhabitants if it is a municipality, else 0.
	counted int64
	own     ozgv1.StateCounts
	online  int32
}

// AdministrationReach is the reach of one administration, for its status.
type AdministrationReach struct {
	// Placed is false while the view knows no catalogue entry.
	Placed    bool
	Own       ozgv1.StateCounts
	Reachable int32
}

// slot returns the slot of the named service, assigning one.
func (v *View) slot(service string) int {
	i, ok := v.slots[service]
	if !ok {
		i = len(v.slots)
		v.slots[service] = i
	}
	return i
}

// municipality tells whether a's inhabitants count for the population:
// a Kreis's are those of its municipalities.
func municipality(a *ozgv1.Administration) bool {
	return a.Spec.Type != ozgv1.TypeKreis
}

func populationOf(a *ozgv1.Administration) int64 {
	if a == nil || !municipality(a) || a.Spec.Population == nil {
		return 0
	}
	return *a.Spec.Population
}

// reachContext is what evaluating one administration's services needs:
// its citizens (who answers for each service, whether it is online for
// them: internal/responsibility, which ozgctl coverage asks too) with the
// portals' online state as the view knows it, and its population.
type reachContext struct {
	citizens   responsibility.Citizens
	population int64
}

func (v *View) reachContextOf(a *ozgv1.Administration) *reachContext {
	rc := &reachContext{
		citizens:   responsibility.Citizens{Administration: a, States: responsibility.States(a)},
		population: populationOf(a),
	}
	if e := v.adms[a.Name]; e != nil {
		rc.citizens.PortalOnline = e.part.online
	}
	if a.Spec.Responsibility != nil && a.Spec.Responsibility.Profile != "" {
		name := a.Spec.Responsibility.Profile
		if p := v.profiles[name]; p != nil {
			rc.citizens.Profile = p
			rc.citizens.Place = func(svc *ozgv1.OZGService) responsibility.Placement { return v.placement(name, p, svc) }
		}
	}
	if k := v.kreisOf(a); k != nil && k.obj != nil {
		rc.citizens.Kreis = k.obj
		rc.citizens.KreisStates = responsibility.States(k.obj)
		rc.citizens.KreisPortalOnline = k.part.online
	}
	return rc
}

// kreisOf is the entry of a's Kreis when a is kreisangehörig (nil when a
// is nil, has no Kreis or the view knows nothing of it): its services and
// its portal are part of a's reach.
func (v *View) kreisOf(a *ozgv1.Administration) *administrationEntry {
	if a == nil || !responsibility.Kreisangehoerig(a) || a.Spec.Parent == "" {
		return nil
	}
	return v.adms[a.Spec.Parent]
}

// evaluate is the slot byte of svc for rc's administration.
func (v *View) evaluate(rc *reachContext, svc *ozgv1.OZGService) uint8 {
	a := rc.citizens.Answer(svc)
	var b uint8
	if a.Own {
		b = ownCode(a.State)
	}
	if a.Online {
		b |= onlineBit
	}
	return b
}

func ownCode(s ozgv1.ServiceState) uint8 {
	switch s {
	case ozgv1.StateLive:
		return ownLive
	case ozgv1.StateInProgress:
		return ownInProgress
	}
	return ownOpen
}

var codeStates = [...]ozgv1.ServiceState{ownOpen: ozgv1.StateOpen, ownInProgress: ozgv1.StateInProgress, ownLive: ozgv1.StateLive}

// placement is where the named profile puts svc, cached until the profile
// or the entry changes.
func (v *View) placement(name string, p *responsibility.Profile, svc *ozgv1.OZGService) responsibility.Placement {
	byService := v.placements[name]
	if byService == nil {
		byService = map[string]responsibility.Placement{}
		v.placements[name] = byService
	}
	pl, ok := byService[svc.Name]
	if !ok {
		pl = p.Place(svc)
		byService[svc.Name] = pl
	}
	return pl
}

// reevaluate recomputes the named administration's reach for every
// catalogue service (service == "") or for one, and moves its changes into
// the sums.
func (c *change) reevaluate(name, service string) {
	v := c.v
	e := v.adms[name]
	if e == nil {
		return
	}
	if e.obj == nil {
		c.clearReach(e)
		return
	}
	rc := v.reachContextOf(e.obj)
	oldPop := e.reach.counted
	if service != "" {
		if svc := v.catalog[service]; svc != nil {
			c.setSlot(name, e, v.slot(service), service, v.evaluate(rc, svc), oldPop, oldPop)
		}
		return
	}
	for svcName, svc := range v.catalog {
		c.setSlot(name, e, v.slot(svcName), svcName, v.evaluate(rc, svc), oldPop, rc.population)
	}
	v.population += rc.population - oldPop
	e.reach.counted = rc.population
}

// clearReach takes an administration that is gone out of the reach.
func (c *change) clearReach(e *administrationEntry) {
	for service, i := range c.v.slots {
		if i < len(e.reach.slots) && e.reach.slots[i] != 0 {
			c.setSlot("", e, i, service, 0, e.reach.counted, 0)
		}
	}
	c.v.population -= e.reach.counted
	e.reach = reachEntry{}
}

// setSlot sets one slot of e to b, counted first with oldPop and now with
// newPop inhabitants, and follows the change into the service's sum and
// the administration's counts.
func (c *change) setSlot(name string, e *administrationEntry, i int, service string, b uint8, oldPop, newPop int64) {
	r := &e.reach
	for len(r.slots) <= i {
		r.slots = append(r.slots, 0)
	}
	old := r.slots[i]
	if old == b && oldPop == newPop {
		return
	}
	r.slots[i] = b
	var delta int64
	if old&onlineBit != 0 {
		delta -= oldPop
	}
	if b&onlineBit != 0 {
		delta += newPop
	}
	if delta != 0 {
		c.addPopulation(service, delta)
	}
	if old == b {
		return
	}
	if o := old & ownMask; o != 0 {
		CountState(&r.own, codeStates[o], -1)
	}
	if n := b & ownMask; n != 0 {
		CountState(&r.own, codeStates[n], 1)
	}
	if old&onlineBit != 0 {
		r.online--
	}
	if b&onlineBit != 0 {
		r.online++
	}
	if name != "" {
		c.touch(Administrations, name)
	}
}

// addPopulation adds delta inhabitants to the service's online population.
func (c *change) addPopulation(service string, delta int64) {
	v := c.v
	sum := v.sums[service]
	if _, seen := c.sumsBefore[service]; !seen {
		c.sumsBefore[service] = sum
	}
	sum.PopulationOnline += delta
	if sum == (ServiceCounts{}) {
		delete(v.sums, service)
	} else {
		v.sums[service] = sum
	}
}

// reevaluateMunicipalities re-evaluates the administrations whose
// spec.parent names parent: a kreisangehörige municipality's reach reads
// its parent's states and portal, whatever type the parent is (the API
// does not insist on a Kreis), so the index is by parent name alone.
func (c *change) reevaluateMunicipalities(parent string) {
	for name := range c.v.children[parent] {
		c.reevaluate(name, "")
	}
}

// setParent moves the named administration between parents in the index
// of municipalities (keyed by the parent's name, whatever its type).
func (v *View) setParent(name, old, now string) {
	if old == now {
		return
	}
	if old != "" {
		delete(v.children[old], name)
		if len(v.children[old]) == 0 {
			delete(v.children, old)
		}
	}
	if now != "" {
		if v.children[now] == nil {
			v.children[now] = map[string]struct{}{}
		}
		v.children[now][name] = struct{}{}
	}
}

// setService replaces the catalogue entry named name (nil: it is gone)
// and re-evaluates it for every administration.
func (c *change) setService(name string, svc *ozgv1.OZGService) {
	v := c.v
	old := v.catalog[name]
	if old != nil && svc != nil && old.Generation == svc.Generation && old.UID == svc.UID {
		return
	}
	for _, byService := range v.placements {
		delete(byService, name)
	}
	if svc == nil {
		delete(v.catalog, name)
		i, ok := v.slots[name]
		if !ok {
			return
		}
		for admName, e := range v.adms {
			if i < len(e.reach.slots) && e.reach.slots[i] != 0 {
				c.setSlot(admName, e, i, name, 0, e.reach.counted, e.reach.counted)
			}
		}
		return
	}
	v.catalog[name] = svc
	for admName := range v.adms {
		c.reevaluate(admName, name)
	}
	if !c.replay {
		// Its roll-up waits for this spec (see View.Service).
		add(&c.specChanged[Services], name)
	}
}

// setProfile replaces the profile named name (nil: it is gone) and
// re-evaluates the administrations that select it.
func (c *change) setProfile(name string, p *ozgv1.ResponsibilityProfile) {
	v := c.v
	if p == nil {
		if _, had := v.profiles[name]; !had {
			return
		}
		delete(v.profiles, name)
	} else {
		// A status update changes nothing; a new UID is a recreated
		// profile, whatever its generation.
		if seen, ok := v.profileVersions[name]; ok && seen == versionOf(p) && v.profiles[name] != nil {
			return
		}
		v.profiles[name] = responsibility.Compile(p)
		v.profileVersions[name] = versionOf(p)
	}
	if p == nil {
		delete(v.profileVersions, name)
	}
	delete(v.placements, name)
	for admName, e := range v.adms {
		if e.obj != nil && e.obj.Spec.Responsibility != nil && e.obj.Spec.Responsibility.Profile == name {
			c.reevaluate(admName, "")
		}
	}
}

// reachOf is the named administration's reach.
func (v *View) reachOf(name string) AdministrationReach {
	r := AdministrationReach{Placed: len(v.catalog) > 0}
	if e := v.adms[name]; e != nil {
		r.Own, r.Reachable = e.reach.own, e.reach.online
	}
	return r
}
