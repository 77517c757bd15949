package programme

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// TestTargetDates: a priority is overdue from the day after its target
// date, and the next target date to come is when to look again.
func TestTargetDates(t *testing.T) {
	catalogue := []ozgv1.OZGService{{ObjectMeta: metav1.ObjectMeta{Name: "ozg-10001"}}}
	adms := []ozgv1.Administration{{ObjectMeta: metav1.ObjectMeta{Name: "lemgo"}}}
	spec := &ozgv1.ServiceProgrammeSpec{Priorities: []ozgv1.ProgrammePriority{
		{Priority: 2, Services: []string{"ozg-10001"}, TargetDate: "2024-06-30"},
		{Priority: 1, Services: []string{"ozg-10001"}, TargetDate: "2023-12-31"},
	}}
	for _, tc := range []struct {
		now      time.Time
		overdue  bool
		next     string
		p2Leistu int32
	}{
		// The target date ends at midnight in Germany: 23:00 UTC in winter,
		// 22:00 UTC in summer.
		{time.Date(2023, 12, 31, 22, 59, 0, 0, time.UTC), false, "2024-01-01", 0},
		{time.Date(2023, 12, 31, 23, 0, 0, 0, time.UTC), true, "2024-07-01", 0},
		{time.Date(2024, 8, 1, 0, 0, 0, 0, time.UTC), true, "", 0},
	} {
		r, err := Compute(spec, adms, catalogue, tc.now)
		if err != nil {
			t.Fatal(err)
		}
		p1, p2 := r.Priorities[0], r.Priorities[1]
		if p1.Priority != 1 || p1.Overdue != tc.overdue || p1.LeiKaServices != 1 {
			t.Errorf("at %v: priority %d overdue %v with %d LeiKa services, want 1, %v, 1", tc.now, p1.Priority, p1.Overdue, p1.LeiKaServices, tc.overdue)
		}
		if p2.LeiKaServices != tc.p2Leistu || p2.ShareLive != "-" || p2.Overdue {
			t.Errorf("at %v: priority 2 %+v, want empty (its service counts in priority 1), not overdue", tc.now, p2)
		}
		if next := r.Next; tc.next == "" && !next.IsZero() || tc.next != "" && (next.In(Germany).Format(time.DateTime) != tc.next+" 00:00:00") {
			t.Errorf("at %v: next %v, want %q", tc.now, next, tc.next)
		}
	}
	if _, err := Compute(&ozgv1.ServiceProgrammeSpec{AdministrationSelector: metav1.LabelSelector{
		MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "a", Operator: "Sometimes"}}}}, adms, catalogue, time.Now()); err == nil {
		t.Error("an invalid selector computed")
	}
}
