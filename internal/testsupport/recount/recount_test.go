package recount

import (
	"reflect"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

func portal(namespace, name, adm string, ready, published bool) ozgv1.ServicePortal {
	p := ozgv1.ServicePortal{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name}}
	p.Spec.AdministrationRef.Name = adm
	for typ, on := range map[string]bool{ozgv1.ReadyCondition: ready, ozgv1.PublishedCondition: published} {
		status := metav1.ConditionFalse
		if on {
			status = metav1.ConditionTrue
		}
		// An old observedGeneration must not matter.
		p.Status.Conditions = append(p.Status.Conditions, metav1.Condition{Type: typ, Status: status, ObservedGeneration: 1})
	}
	p.Generation = 2
	return p
}

func deleting(p ozgv1.ServicePortal) ozgv1.ServicePortal {
	now := metav1.Now()
	p.DeletionTimestamp = &now
	p.Finalizers = []string{"ozg.dev/test"}
	return p
}

func administration(name string, services ...ozgv1.ServiceImplementation) ozgv1.Administration {
	return ozgv1.Administration{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: ozgv1.AdministrationSpec{Services: services}}
}

func impl(service string, state ozgv1.ServiceState) ozgv1.ServiceImplementation {
	return ozgv1.ServiceImplementation{Service: service, State: state}
}

func TestRecount(t *testing.T) {
	detmold := administration("detmold",
		impl("ozg-10110", ozgv1.StateLive), impl("ozg-10224", ozgv1.StateLive),
		impl("ozg-10300", ozgv1.StateInProgress), impl("ozg-10400", ""))
	blomberg := administration("blomberg",
		impl("ozg-10110", ozgv1.StateLive), impl("ozg-10224", ozgv1.StateOpen))

	tests := []struct {
		name    string
		portals []ozgv1.ServicePortal
		adms    []ozgv1.Administration
		want    Expected
	}{{
		name: "two administrations, one with two portals, the other with none",
		portals: []ozgv1.ServicePortal{
			portal("a", "detmold", "detmold", true, false),
			portal("b", "detmold", "detmold", true, true),
		},
		adms: []ozgv1.Administration{detmold, blomberg},
		want: Expected{
			Administrations: map[string]Administration{
				// The published one is chosen although a/detmold sorts first.
				"detmold":  {Services: ozgv1.StateCounts{Open: 1, InProgress: 1, Live: 2}, Online: 2, Portal: true, PortalReady: true, PortalPublished: true},
				"blomberg": {Services: ozgv1.StateCounts{Open: 1, Live: 1}},
			},
			Services: map[string]Service{
				"ozg-10110": {Administrations: ozgv1.StateCounts{Live: 2}, Portals: 1, OnlinePortals: 1},
				"ozg-10224": {Administrations: ozgv1.StateCounts{Open: 1, Live: 1}, Portals: 1, OnlinePortals: 1},
				"ozg-10300": {Administrations: ozgv1.StateCounts{InProgress: 1}, Portals: 1},
				"ozg-10400": {Administrations: ozgv1.StateCounts{Open: 1}, Portals: 1},
			},
		},
	}, {
		name: "a portal being deleted does not count, however far it is",
		portals: []ozgv1.ServicePortal{
			deleting(portal("a", "detmold", "detmold", true, true)),
			portal("b", "detmold", "detmold", false, false),
			deleting(portal("a", "blomberg", "blomberg", true, true)),
		},
		adms: []ozgv1.Administration{detmold, blomberg},
		want: Expected{
			Administrations: map[string]Administration{
				"detmold":  {Services: ozgv1.StateCounts{Open: 1, InProgress: 1, Live: 2}, Portal: true},
				"blomberg": {Services: ozgv1.StateCounts{Open: 1, Live: 1}},
			},
			Services: map[string]Service{
				"ozg-10110": {Administrations: ozgv1.StateCounts{Live: 2}, Portals: 1},
				"ozg-10224": {Administrations: ozgv1.StateCounts{Open: 1, Live: 1}, Portals: 1},
				"ozg-10300": {Administrations: ozgv1.StateCounts{InProgress: 1}, Portals: 1},
				"ozg-10400": {Administrations: ozgv1.StateCounts{Open: 1}, Portals: 1},
			},
		},
	}, {
		name:    "a portal of an administration not given and an administration without services",
		portals: []ozgv1.ServicePortal{portal("a", "lemgo", "lemgo", true, true)},
		adms:    []ozgv1.Administration{administration("leer")},
		want: Expected{
			Administrations: map[string]Administration{"leer": {}},
			Services:        map[string]Service{},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Recount(tt.portals, tt.adms); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Recount:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestRecountChoosesAPortal has two portals serve one administration:
// the more advanced one counts, and of equally advanced ones the first by
// namespace/name. A Live service is online only in a portal that is both
// Ready and Published.
func TestRecountChoosesAPortal(t *testing.T) {
	blomberg := administration("blomberg", impl("ozg-10110", ozgv1.StateLive))
	type state struct{ ready, published bool }
	tests := []struct {
		name   string
		a, b   state // of the portals a/blomberg and b/blomberg
		chosen state
	}{
		{"Ready and Published before Ready", state{true, false}, state{true, true}, state{true, true}},
		{"Ready before Published alone", state{false, true}, state{true, false}, state{true, false}},
		{"Ready before neither", state{false, false}, state{true, false}, state{true, false}},
		{"Published alone is no more than neither: a/ first", state{false, true}, state{false, false}, state{false, true}},
		{"neither is no less than Published alone: a/ first", state{false, false}, state{false, true}, state{false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			portals := []ozgv1.ServicePortal{
				portal("b", "blomberg", "blomberg", tt.b.ready, tt.b.published),
				portal("a", "blomberg", "blomberg", tt.a.ready, tt.a.published),
			}
			got := Recount(portals, []ozgv1.Administration{blomberg})
			var online int32
			if tt.chosen.ready && tt.chosen.published {
				online = 1
			}
			wantAdm := Administration{Services: ozgv1.StateCounts{Live: 1}, Online: online, Portal: true,
				PortalReady: tt.chosen.ready, PortalPublished: tt.chosen.published}
			if adm := got.Administrations["blomberg"]; adm != wantAdm {
				t.Errorf("administration %+v, want %+v", adm, wantAdm)
			}
			wantSvc := Service{Administrations: ozgv1.StateCounts{Live: 1}, Portals: 1, OnlinePortals: online}
			if svc := got.Services["ozg-10110"]; svc != wantSvc {
				t.Errorf("service %+v, want %+v", svc, wantSvc)
			}
		})
	}
}

// withStatus gives a an up-to-date Ready status showing want.
func withStatus(a ozgv1.Administration, want Administration) ozgv1.Administration {
	a.Generation = 3
	a.Status = ozgv1.AdministrationStatus{ObservedGeneration: 3, Services: want.Services, Online: want.Online, Conditions: readyTrue()}
	if want.Portal {
		a.Status.Portal = &ozgv1.AdministrationPortalStatus{Name: a.Name, Namespace: "krz", Ready: want.PortalReady, Published: want.PortalPublished}
	}
	return a
}

func service(name string, want Service) ozgv1.OZGService {
	return ozgv1.OZGService{
		ObjectMeta: metav1.ObjectMeta{Name: name, Generation: 1},
		Status: ozgv1.OZGServiceStatus{ObservedGeneration: 1, Conditions: readyTrue(),
			Administrations: want.Administrations, Portals: want.Portals, OnlinePortals: want.OnlinePortals},
	}
}

func readyTrue() []metav1.Condition {
	return []metav1.Condition{{Type: ozgv1.ReadyCondition, Status: metav1.ConditionTrue, Reason: ozgv1.ReasonSucceeded}}
}

func TestDiff(t *testing.T) {
	blomberg := administration("blomberg", impl("ozg-10110", ozgv1.StateLive))
	expected := Recount([]ozgv1.ServicePortal{portal("krz", "blomberg", "blomberg", true, true)}, []ozgv1.Administration{blomberg})
	good := withStatus(blomberg, expected.Administrations["blomberg"])
	goodService := service("ozg-10110", expected.Services["ozg-10110"])
	untracked := service("ozg-99999", Service{})

	tests := []struct {
		name     string
		adms     []ozgv1.Administration
		services []ozgv1.OZGService
		want     []string // substrings, one per difference, in order
	}{
		{name: "statuses as recounted", adms: []ozgv1.Administration{good}, services: []ozgv1.OZGService{goodService, untracked}},
		{name: "an old generation", adms: []ozgv1.Administration{func() ozgv1.Administration {
			a := good
			a.Generation = 4
			return a
		}()}, want: []string{"Administration/blomberg: observedGeneration 3, generation 4"}},
		{name: "not Ready", services: []ozgv1.OZGService{func() ozgv1.OZGService {
			s := service("ozg-10110", expected.Services["ozg-10110"])
			s.Status.Conditions[0].Status, s.Status.Conditions[0].Reason = metav1.ConditionFalse, "Pending"
			return s
		}()}, want: []string{"OZGService/ozg-10110: Ready False (Pending: )"}},
		{name: "wrong counts, all of them in one line", adms: []ozgv1.Administration{func() ozgv1.Administration {
			a := withStatus(blomberg, expected.Administrations["blomberg"])
			a.Status.Online, a.Status.Services.Live, a.Status.Portal.Published = 0, 0, false
			return a
		}()}, want: []string{"Administration/blomberg: services {Open:0 InProgress:0 Live:0}, recount {Open:0 InProgress:0 Live:1}; online 0, recount 1; portal ready true published false, recount ready true published true"}},
		{name: "no portal where the recount has one", adms: []ozgv1.Administration{func() ozgv1.Administration {
			a := withStatus(blomberg, expected.Administrations["blomberg"])
			a.Status.Portal = nil
			return a
		}()}, want: []string{"Administration/blomberg: portal <nil>, recount: has a portal true"}},
		{name: "a service nobody tracks must be all zero", services: []ozgv1.OZGService{service("ozg-99999", Service{Portals: 1})},
			want: []string{"OZGService/ozg-99999: portals 1 online 0, recount portals 0 online 0"}},
		{name: "an administration the recount did not see", adms: []ozgv1.Administration{withStatus(administration("lemgo"), Administration{})},
			want: []string{"Administration/lemgo: not in the recount"}},
		{name: "no status yet", services: []ozgv1.OZGService{{ObjectMeta: metav1.ObjectMeta{Name: "ozg-10110", Generation: 1}}},
			want: []string{"OZGService/ozg-10110: observedGeneration 0, generation 1; no Ready condition; administrations {Open:0 InProgress:0 Live:0}, recount {Open:0 InProgress:0 Live:1}; portals 0 online 0, recount portals 1 online 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Diff(expected, tt.adms, tt.services)
			if len(got) != len(tt.want) {
				t.Fatalf("Diff = %q, want %d differences like %q", got, len(tt.want), tt.want)
			}
			for i := range got {
				if !strings.Contains(got[i], tt.want[i]) {
					t.Errorf("difference %d = %q, want it to contain %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}
