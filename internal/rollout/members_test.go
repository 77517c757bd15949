package rollout

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// TestSelect shows every way a selected administration can fail to get a
// portal of the fleet, next to members with and without a portal.
func TestSelect(t *testing.T) {
	fleet := &ozgv1.PortalFleet{
		ObjectMeta: metav1.ObjectMeta{Namespace: "krz", Name: "krz", UID: "fleet-uid"},
		Spec: ozgv1.PortalFleetSpec{
			AdministrationSelector: metav1.LabelSelector{MatchLabels: map[string]string{ozgv1.LabelITProvider: "krz"}},
			Template:               ozgv1.PortalTemplate{HostnamePattern: "$(name).$(name).$(name).$(name)-$(key).example.de"},
		},
	}
	adm := func(name, provider string) *ozgv1.Administration {
		return &ozgv1.Administration{
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{ozgv1.LabelITProvider: provider}},
			Spec:       ozgv1.AdministrationSpec{Key: "05766020"},
		}
	}
	// A portal name, but four times over more than the 253 characters of a hostname.
	long := strings.Repeat("l", 63)
	adms := []*ozgv1.Administration{
		adm("lemgo", "krz"), adm("detmold", "krz"), adm("bielefeld", "citeq"),
		adm("bad.oeynhausen", "krz"), adm(long, "krz"), adm("horn", "krz"), adm("lage", "krz"),
	}
	portal := func(name string, owner metav1.OwnerReference) *ozgv1.ServicePortal {
		return &ozgv1.ServicePortal{ObjectMeta: metav1.ObjectMeta{Namespace: "krz", Name: name, OwnerReferences: []metav1.OwnerReference{owner}}}
	}
	yes := true
	ours := metav1.OwnerReference{Kind: "PortalFleet", Name: "krz", UID: "fleet-uid", Controller: &yes}
	portals := map[string]*ozgv1.ServicePortal{
		"detmold": portal("detmold", ours),
		long:      portal(long, ours),
		"horn":    portal("horn", metav1.OwnerReference{Kind: "PortalFleet", Name: "other", UID: "other-uid", Controller: &yes}),
		"lage":    portal("lage", metav1.OwnerReference{Kind: "ConfigMap", Name: "not-controlling", UID: "cm-uid"}),
	}

	sel, err := Select(fleet, adms, portals)
	if err != nil {
		t.Fatal(err)
	}
	var members []string
	for _, m := range sel.Members {
		if want := strings.Repeat(m.Name+".", 3) + m.Name + "-05766020.example.de"; m.Hostname != want {
			t.Errorf("member %s has hostname %s, want %s", m.Name, m.Hostname, want)
		}
		members = append(members, m.Name)
		if (m.Portal != nil) != (m.Name == "detmold" || m.Name == "lage") {
			t.Errorf("member %s has portal %v", m.Name, m.Portal)
		}
	}
	if got, want := strings.Join(members, " "), "detmold lage lemgo"; got != want {
		t.Errorf("members %s, want %s", got, want)
	}
	wantExcluded := []struct{ adm, says string }{
		{"bad.oeynhausen", "must be a DNS-1035 label"},
		{"horn", "ServicePortal horn is controlled by PortalFleet other"},
		{long, "hostnamePattern yields"},
	}
	if len(sel.Excluded) != len(wantExcluded) {
		t.Fatalf("excluded %+v, want %v", sel.Excluded, wantExcluded)
	}
	for i, want := range wantExcluded {
		if e := sel.Excluded[i]; e.Administration != want.adm || !strings.Contains(e.Message, want.says) || !strings.Contains(e.Message, want.adm) {
			t.Errorf("excluded[%d] = %+v, want %s: %q naming it", i, e, want.adm, want.says)
		}
	}
	for name, keep := range map[string]bool{"detmold": true, "lemgo": true, long: true, "horn": true, "bad.oeynhausen": false, "bielefeld": false} {
		if sel.Keep[name] != keep {
			t.Errorf("keep %s: %v, want %v", name, sel.Keep[name], keep)
		}
	}
	if adms[0].Name != "lemgo" {
		t.Error("Select sorted its input")
	}

	fleet.Spec.AdministrationSelector.MatchExpressions = []metav1.LabelSelectorRequirement{{Key: "x", Operator: "Bogus"}}
	if _, err := Select(fleet, adms, portals); err == nil {
		t.Error("an invalid selector selected")
	}
}

// TestTrimmedAdministrationsSelectAlike keeps TrimAdministration honest:
// what it drops, Select does not read.
func TestTrimmedAdministrationsSelectAlike(t *testing.T) {
	fleet := &ozgv1.PortalFleet{Spec: ozgv1.PortalFleetSpec{Template: ozgv1.PortalTemplate{HostnamePattern: "p$(key).$(name).example.de"}}}
	full := &ozgv1.Administration{
		ObjectMeta: metav1.ObjectMeta{Name: "detmold", Labels: map[string]string{ozgv1.LabelKreis: "05766"}},
		Spec: ozgv1.AdministrationSpec{Key: "05766020", DisplayName: "Detmold", Type: ozgv1.TypeKreisangehoerigeGemeinde,
			Services: []ozgv1.ServiceImplementation{{Service: "ozg-10110", State: ozgv1.StateLive}}},
		Status: ozgv1.AdministrationStatus{Online: 1},
	}
	trimmed := full.DeepCopy()
	TrimAdministration(trimmed)
	if len(trimmed.Spec.Services) != 0 || trimmed.Status.Online != 0 {
		t.Fatalf("trimmed %+v", trimmed)
	}
	a, errA := Select(fleet, []*ozgv1.Administration{full}, nil)
	b, errB := Select(fleet, []*ozgv1.Administration{trimmed}, nil)
	if errA != nil || errB != nil || len(a.Members) != 1 || len(b.Members) != 1 || a.Members[0].Hostname != b.Members[0].Hostname {
		t.Errorf("full: %+v %v; trimmed: %+v %v", a, errA, b, errB)
	}
}
