package responsibility

import (
	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/admservices"
)

// Citizens are the inhabitants of one administration, as the roll-up's
// reach and `ozgctl coverage` count them: for each catalogue service, who
// answers for it (For), and whether it is online for them. Both ask Answer,
// so that the operator's status and the CLI cannot count it differently;
// the recount oracle (internal/testsupport/recount) is written apart on
// purpose, to check them.
type Citizens struct {
	// Administration is whose inhabitants they are.
	Administration *ozgv1.Administration
	// Kreis is the administration its spec.parent names, for a
	// kreisangehörige municipality; nil where it has none or it is unknown.
	Kreis *ozgv1.Administration
	// Profile places the services; nil: the administration selects none or
	// it does not exist, and what the administration tracks is its own.
	Profile *Profile
	// Place is Profile.Place, or a cache of it; nil: Profile.Place.
	Place func(*ozgv1.OZGService) Placement
	// States and KreisStates are the implementation states of the
	// administration and of its Kreis (States).
	States, KreisStates map[string]ozgv1.ServiceState
	// PortalOnline and KreisPortalOnline tell that their portals are Ready
	// and published.
	PortalOnline, KreisPortalOnline bool
}

// NewCitizens are adm's inhabitants, with its Kreis (nil: none) and
// profile (nil: none); their portals' online state is read from the
// Administrations' status (AdministrationPortalStatus.Online).
func NewCitizens(adm, kreis *ozgv1.Administration, profile *Profile) *Citizens {
	c := &Citizens{Administration: adm, Profile: profile, States: States(adm), PortalOnline: adm.Status.Portal.Online()}
	if Kreisangehoerig(adm) && kreis != nil {
		c.Kreis, c.KreisStates, c.KreisPortalOnline = kreis, States(kreis), kreis.Status.Portal.Online()
	}
	return c
}

// Answer is what one service is for the citizens.
type Answer struct {
	// Own tells that the administration itself answers for the service;
	// State is then how far it is (Open where it does not track it).
	Own   bool
	State ozgv1.ServiceState
	// Online: an EfA service covers it, or whoever answers for it (the
	// administration, its Kreis) has it Live in a portal that is online.
	Online bool
}

// Answer says who answers for svc for the citizens and whether it is
// online for them.
func (c *Citizens) Answer(svc *ozgv1.OZGService) Answer {
	adm := c.Administration
	var responsible string
	switch {
	case c.Profile != nil:
		place := c.Place
		if place == nil {
			place = c.Profile.Place
		}
		responsible = For(svc.Name, place(svc), adm, c.Kreis).Administration
	default:
		// Without a profile, what an administration tracks is its own.
		if _, tracked := c.States[svc.Name]; tracked {
			responsible = adm.Name
		}
	}
	var a Answer
	switch {
	case responsible == adm.Name:
		state, tracked := c.States[svc.Name]
		if !tracked {
			state = ozgv1.DefaultServiceState
		}
		a.Own, a.State = true, state
		a.Online = state == ozgv1.StateLive && c.PortalOnline
	case c.Kreis != nil && responsible == c.Kreis.Name:
		a.Online = c.KreisStates[svc.Name] == ozgv1.StateLive && c.KreisPortalOnline
	}
	a.Online = a.Online || svc.Spec.EfA != nil
	return a
}

// States are adm's implementation states by service (nil for nil), an
// unset state as the API defaults it.
func States(adm *ozgv1.Administration) map[string]ozgv1.ServiceState {
	if adm == nil {
		return nil
	}
	m := map[string]ozgv1.ServiceState{}
	for impl := range admservices.All(adm) {
		s := impl.State
		if s == "" {
			s = ozgv1.DefaultServiceState
		}
		m[impl.Service] = s
	}
	return m
}
