package controllers

import (
	"testing"

	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/rollup"
)

func TestAdministrationStatus(t *testing.T) {
	adm := &ozgv1.Administration{
		ObjectMeta: metav1.ObjectMeta{Name: "lemgo", Generation: 3},
		Spec: ozgv1.AdministrationSpec{Services: []ozgv1.ServiceImplementation{
			{Service: "ozg-1", State: ozgv1.StateLive}, {Service: "ozg-2", State: ozgv1.StateLive},
			{Service: "ozg-3", State: ozgv1.StateInProgress}, {Service: "ozg-4"},
		}},
	}
	online := ozgv1.AdministrationPortalStatus{Namespace: "krz", Name: "lemgo", URL: "https://lemgo.example.de", Ready: true, Published: true}
	internal := ozgv1.AdministrationPortalStatus{Namespace: "krz", Name: "lemgo", URL: "http://lemgo.krz.svc", Ready: true}
	for _, tc := range []struct {
		name       string
		in         rollup.AdministrationInputs
		current    bool
		wantPortal *ozgv1.AdministrationPortalStatus
		wantOnline int32
		wantReady  metav1.ConditionStatus
		wantReason string
		wantMsg    string
	}{
		{"no portal", rollup.AdministrationInputs{}, true, nil, 0, metav1.ConditionTrue, ozgv1.ReasonSucceeded, "0 of 4 services online; no portal"},
		{"published and Ready", rollup.AdministrationInputs{Portals: []ozgv1.AdministrationPortalStatus{online}}, true, &online, 2,
			metav1.ConditionTrue, ozgv1.ReasonSucceeded, "2 of 4 services online"},
		{"Ready, not published", rollup.AdministrationInputs{Portals: []ozgv1.AdministrationPortalStatus{internal}}, true, &internal, 0,
			metav1.ConditionTrue, ozgv1.ReasonSucceeded, "0 of 4 services online"},
		{"written before its portal events came to rest", rollup.AdministrationInputs{Portals: []ozgv1.AdministrationPortalStatus{{Namespace: "krz", Name: "lemgo"}}}, false,
			&ozgv1.AdministrationPortalStatus{Namespace: "krz", Name: "lemgo"}, 0,
			metav1.ConditionUnknown, ozgv1.ReasonRollupPending, "0 of 4 services online so far; its portals are still reporting"},
		{"two portals", rollup.AdministrationInputs{Portals: []ozgv1.AdministrationPortalStatus{online, {Namespace: "test", Name: "lemgo", Ready: true}}}, true,
			&online, 2, metav1.ConditionTrue, ozgv1.ReasonSucceeded, "2 of 4 services online; 2 portals serve this administration, status shows krz/lemgo"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := administrationStatus(adm, tc.in, tc.current)
			if got.ObservedGeneration != 3 {
				t.Errorf("observedGeneration %d, want 3", got.ObservedGeneration)
			}
			if want := (ozgv1.StateCounts{Open: 1, InProgress: 1, Live: 2}); got.Services != want {
				t.Errorf("services %+v, want %+v", got.Services, want)
			}
			if (got.Portal == nil) != (tc.wantPortal == nil) || got.Portal != nil && *got.Portal != *tc.wantPortal {
				t.Errorf("portal %+v, want %+v", got.Portal, tc.wantPortal)
			}
			if got.Online != tc.wantOnline {
				t.Errorf("online %d, want %d", got.Online, tc.wantOnline)
			}
			expectOnlyReady(t, got.Conditions, tc.wantReady, tc.wantReason, tc.wantMsg)
		})
	}
}

func TestServiceStatus(t *testing.T) {
	svc := &ozgv1.OZGService{ObjectMeta: metav1.ObjectMeta{Name: "ozg-10110", Generation: 2}}
	for _, tc := range []struct {
		name       string
		counts     rollup.ServiceCounts
		current    bool
		wantReady  metav1.ConditionStatus
		wantReason string
		wantMsg    string
	}{
		{"nobody tracks it", rollup.ServiceCounts{}, true, metav1.ConditionTrue, ozgv1.ReasonSucceeded, "online in 0 of 0 portals"},
		{"current", rollup.ServiceCounts{Administrations: ozgv1.StateCounts{Live: 20, Open: 16}, Portals: 36, OnlinePortals: 16}, true,
			metav1.ConditionTrue, ozgv1.ReasonSucceeded, "online in 16 of 36 portals"},
		{"written while the rollout goes on", rollup.ServiceCounts{Administrations: ozgv1.StateCounts{Live: 20, Open: 16}, Portals: 36, OnlinePortals: 9}, false,
			metav1.ConditionUnknown, ozgv1.ReasonRollupPending, "online in 9 of 36 portals so far; its administrations are still reporting"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := serviceStatus(svc, tc.counts, tc.current)
			if got.ObservedGeneration != 2 || got.Administrations != tc.counts.Administrations ||
				got.Portals != tc.counts.Portals || got.OnlinePortals != tc.counts.OnlinePortals {
				t.Errorf("status %+v does not show counts %+v for generation 2", got, tc.counts)
			}
			expectOnlyReady(t, got.Conditions, tc.wantReady, tc.wantReason, tc.wantMsg)
		})
	}
}

// TestRollupReadyKeepsTransitionTime shows that a roll-up that stays Ready
// keeps its lastTransitionTime, so an unchanged status costs no write.
func TestRollupReadyKeepsTransitionTime(t *testing.T) {
	svc := &ozgv1.OZGService{ObjectMeta: metav1.ObjectMeta{Name: "ozg-10110", Generation: 1}}
	svc.Status = *serviceStatus(svc, rollup.ServiceCounts{Portals: 1}, true)
	svc.Status.Conditions[0].LastTransitionTime = metav1.Unix(1, 0)
	again := serviceStatus(svc, rollup.ServiceCounts{Portals: 1}, true)
	if got := again.Conditions[0].LastTransitionTime; !got.Equal(&svc.Status.Conditions[0].LastTransitionTime) {
		t.Fatalf("lastTransitionTime moved to %v", got)
	}
}

func expectOnlyReady(t *testing.T, conditions []metav1.Condition, status metav1.ConditionStatus, reason, msg string) {
	t.Helper()
	if len(conditions) != 1 {
		t.Fatalf("conditions %+v, want Ready alone", conditions)
	}
	c := conditions[0]
	if c.Type != ozgv1.ReadyCondition || c.Status != status || c.Reason != reason || c.Message != msg {
		t.Errorf("Ready = %s/%s %q, want %s/%s %q", c.Status, c.Reason, c.Message, status, reason, msg)
	}
}

// TestAdministrationParentMismatch: a parent of another Kreis than the
// key's is Ready False and Stalled; corrected, Stalled goes again.
func TestAdministrationParentMismatch(t *testing.T) {
	adm := &ozgv1.Administration{
		ObjectMeta: metav1.ObjectMeta{Name: "detmold", Generation: 1},
		Spec:       ozgv1.AdministrationSpec{Key: "05766020", Type: ozgv1.TypeKreisangehoerigeStadt, Parent: "kreis-herford"},
	}
	adm.Status = *administrationStatus(adm, rollup.AdministrationInputs{ParentKreisKey: "05758"}, true)
	// Computed again from what is stored, the status is the same: no
	// write, no moved lastTransitionTime.
	for i := range adm.Status.Conditions {
		adm.Status.Conditions[i].LastTransitionTime = metav1.Unix(1, 0)
	}
	if again := administrationStatus(adm, rollup.AdministrationInputs{ParentKreisKey: "05758"}, true); !equality.Semantic.DeepEqual(*again, adm.Status) {
		t.Errorf("recomputed, the status changed:\n%+v\nwas\n%+v", again.Conditions, adm.Status.Conditions)
	}
	want := "spec.parent kreis-herford is of Kreis 05758, but the key 05766020 says Kreis 05766: name the Kreis 05766's Administration in spec.parent"
	for _, typ := range []string{ozgv1.ReadyCondition, ozgv1.StalledCondition} {
		c := condition(&adm.Status, typ)
		if wantStatus := map[string]metav1.ConditionStatus{ozgv1.ReadyCondition: metav1.ConditionFalse, ozgv1.StalledCondition: metav1.ConditionTrue}[typ]; c.Status != wantStatus || c.Reason != ozgv1.ReasonParentMismatch || c.Message != want {
			t.Errorf("%s = %s/%s %q, want %s/ParentMismatch %q", typ, c.Status, c.Reason, c.Message, wantStatus, want)
		}
	}
	adm.Spec.Parent, adm.Generation = "kreis-lippe", 2
	adm.Status = *administrationStatus(adm, rollup.AdministrationInputs{ParentKreisKey: "05766"}, true)
	expectOnlyReady(t, adm.Status.Conditions, metav1.ConditionTrue, ozgv1.ReasonSucceeded, "0 of 0 services online; no portal")
}
