package programme

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/admservices"
	"github.com/ozg-operator/ozg-operator/internal/testsupport/benchsummary"
)

// germany is the catalogue (557 OZG services of about 9 LeiKa services
// each) and 11,000 administrations tracking 200 services each, the size of
// BenchmarkRollupGermany, all labelled as taking part.
func germany() ([]ozgv1.Administration, []ozgv1.OZGService) {
	rng := rand.New(rand.NewPCG(1, 2))
	catalogue := make([]ozgv1.OZGService, 557)
	for i := range catalogue {
		s := &catalogue[i]
		s.Name = fmt.Sprintf("ozg-%05d", 10000+i)
		s.Labels = map[string]string{ozgv1.LabelThemenfeld: fmt.Sprintf("tf-%d", i%14)}
		for j := range 9 {
			s.Spec.Leistungen = append(s.Spec.Leistungen, ozgv1.LeiKaLeistung{Key: fmt.Sprintf("99%05d%07d", i, j), Name: "L"})
		}
	}
	states := []ozgv1.ServiceState{ozgv1.StateOpen, ozgv1.StateInProgress, ozgv1.StateLive}
	adms := make([]ozgv1.Administration, 11_000)
	for i := range adms {
		a := &adms[i]
		a.Name = fmt.Sprintf("adm-%05d", i)
		a.Labels = map[string]string{ozgv1.LabelITProvider: "all"}
		for _, k := range rng.Perm(len(catalogue))[:200] {
			a.Spec.Services = append(a.Spec.Services, ozgv1.ServiceImplementation{Service: catalogue[k].Name, State: states[rng.IntN(3)]})
		}
	}
	return adms, catalogue
}

// BenchmarkComputeGermany is one recount of a programme over 11,000
// administrations: priority 1 is four Themenfelder by selector (about 160
// OZG services, 1,400 LeiKa services), priority 2 the rest of the
// catalogue. The ServiceProgramme controller recounts at most once per
// programmeCoalesce per programme, however many administrations change:
// the recount's share of one core is at most its time over that.
func BenchmarkComputeGermany(b *testing.B) {
	adms, catalogue := germany()
	// As the manager's cache holds them: Compute decodes the entries.
	for i := range adms {
		admservices.Compact(&adms[i])
	}
	spec := &ozgv1.ServiceProgrammeSpec{
		AdministrationSelector: metav1.LabelSelector{MatchLabels: map[string]string{ozgv1.LabelITProvider: "all"}},
		Priorities: []ozgv1.ProgrammePriority{
			{Priority: 1, ServiceSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
				{Key: ozgv1.LabelThemenfeld, Operator: metav1.LabelSelectorOpIn, Values: []string{"tf-0", "tf-1", "tf-2", "tf-3"}}}}},
			{Priority: 2, ServiceSelector: &metav1.LabelSelector{}},
		},
	}
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	var r *Result
	for b.Loop() {
		var err error
		if r, err = Compute(spec, adms, catalogue, now); err != nil {
			b.Fatal(err)
		}
	}
	if r.Administrations != 11_000 || r.Priorities[0].LeiKaServices == 0 || r.Priorities[1].LeiKaServices == 0 {
		b.Fatalf("counted %d administrations, %+v", r.Administrations, r.Priorities)
	}
	ms := float64(b.Elapsed().Microseconds()) / 1000 / float64(b.N)
	b.ReportMetric(ms, "recount-ms")
	if err := benchsummary.Record("programme_germany", map[string]any{
		"administrations": r.Administrations,
		"leika_services":  r.Priorities[0].LeiKaServices + r.Priorities[1].LeiKaServices,
		"recount_ms":      ms,
	}); err != nil {
		b.Fatal(err)
	}
}
