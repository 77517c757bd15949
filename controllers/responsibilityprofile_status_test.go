package controllers

import (
	"testing"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

func TestProfileStatus(t *testing.T) {
	svc := func(name string, typisierung ...string) ozgv1.OZGService {
		return ozgv1.OZGService{ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: ozgv1.OZGServiceSpec{Leistungen: []ozgv1.LeiKaLeistung{{Name: "L", Typisierung: typisierung}}}}
	}
	profile := &ozgv1.ResponsibilityProfile{
		ObjectMeta: metav1.ObjectMeta{Name: "nrw", Generation: 2},
		Spec: ozgv1.ResponsibilityProfileSpec{
			Land:        "Nordrhein-Westfalen",
			Typisierung: []ozgv1.TypisierungRule{{Typisierung: "1", Level: ozgv1.LevelBund}},
			Services: []ozgv1.ServiceResponsibility{
				{Service: "ozg-00002", Placement: ozgv1.Placement{Level: ozgv1.LevelKreis, LegalBasis: "§ 46 FZV", HeldBy: []ozgv1.SizeClass{ozgv1.SizeClassGrosse}}},
				{Service: "ozg-00003", Placement: ozgv1.Placement{Level: ozgv1.LevelGemeinde, LegalBasis: "§ 1 MG NRW"}},
				{Service: "ozg-00004", Placement: ozgv1.Placement{Level: ozgv1.LevelLand, LegalBasis: "x"}},
				{Service: "ozg-00005", Placement: ozgv1.Placement{Level: ozgv1.LevelUnknown, Note: "mixed"}},
				{Service: "ozg-99999", Placement: ozgv1.Placement{Level: ozgv1.LevelLand, LegalBasis: "y"}},
				{Service: "ozg-00007", Placement: ozgv1.Placement{Level: ozgv1.LevelKammer, LegalBasis: "§ 12 BRAO"}},
			},
		},
	}
	catalogue := []ozgv1.OZGService{
		svc("ozg-00001", "1"), svc("ozg-00002", "2/3"), svc("ozg-00003", "2/3"), svc("ozg-00004", "4"),
		svc("ozg-00005", "4"), svc("ozg-00006", "2/3"), svc("ozg-00007", "2/3"),
	}
	status := profileStatus(profile, catalogue)
	want := ozgv1.LevelCounts{Bund: 1, Land: 1, Kreis: 1, Gemeinde: 1, Kammer: 1, Unknown: 2}
	if status.Services != want {
		t.Errorf("services %+v, want %+v", status.Services, want)
	}
	if len(status.UnknownEntries) != 1 || status.UnknownEntries[0] != "ozg-99999" {
		t.Errorf("unknownEntries %v, want [ozg-99999]", status.UnknownEntries)
	}
	if status.ObservedGeneration != 2 {
		t.Errorf("observedGeneration %d, want 2", status.ObservedGeneration)
	}
	ready := meta.FindStatusCondition(status.Conditions, ozgv1.ReadyCondition)
	wantMsg := "7 services: 1 Bund, 1 Land, 1 Kreis, 1 Gemeinde, 1 Kammer, 0 Sozialversicherung, 2 Unknown; 1 table entry names a service the catalogue lacks"
	if ready == nil || ready.Status != metav1.ConditionTrue || ready.Reason != ozgv1.ReasonSucceeded || ready.Message != wantMsg {
		t.Errorf("Ready %+v, want True %s %q", ready, ozgv1.ReasonSucceeded, wantMsg)
	}

	// Recomputed from its own result, the status is unchanged: no write.
	profile.Status = *status
	if again := profileStatus(profile, catalogue); !equality.Semantic.DeepEqual(again, status) {
		t.Errorf("recomputed status differs:\n%+v\n%+v", again, status)
	}
}
