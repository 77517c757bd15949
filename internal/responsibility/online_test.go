package responsibility

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// TestCitizensAnswer: who answers, how far they are and whether it is
// online, for a town of Kreis Lippe whose portal is online and whose
// Kreis's is not yet.
func TestCitizensAnswer(t *testing.T) {
	online := &ozgv1.AdministrationPortalStatus{Ready: true, Published: true}
	kreis := &ozgv1.Administration{ObjectMeta: metav1.ObjectMeta{Name: "kreis-lippe"},
		Spec: ozgv1.AdministrationSpec{Key: "05766", Type: ozgv1.TypeKreis, Services: []ozgv1.ServiceImplementation{
			{Service: "ozg-10001", State: ozgv1.StateLive}}},
		Status: ozgv1.AdministrationStatus{Portal: &ozgv1.AdministrationPortalStatus{Ready: true}}}
	town := &ozgv1.Administration{ObjectMeta: metav1.ObjectMeta{Name: "detmold"},
		Spec: ozgv1.AdministrationSpec{Key: "05766020", Type: ozgv1.TypeKreisangehoerigeStadt, Parent: "kreis-lippe",
			Services: []ozgv1.ServiceImplementation{{Service: "ozg-20002", State: ozgv1.StateLive}, {Service: "ozg-10002"}}},
		Status: ozgv1.AdministrationStatus{Portal: online}}
	efa := service("ozg-20003", []string{"1", "2/3"})
	efa.Spec.EfA = &ozgv1.EfAService{URL: "https://efa.example.de"}
	for _, tc := range []struct {
		name    string
		profile *Profile
		svc     *ozgv1.OZGService
		want    Answer
	}{
		{"its own, Live in its online portal", testProfile(), service("ozg-20002", []string{"5"}), Answer{Own: true, State: ozgv1.StateLive, Online: true}},
		{"the Kreis's, Live in a portal not published", testProfile(), service("ozg-10001"), Answer{}},
		{"its own, not tracked: Open", testProfile(), service("ozg-20004", []string{"5"}), Answer{Own: true, State: ozgv1.StateOpen}},
		{"the Land's", testProfile(), service("ozg-10005"), Answer{}},
		{"an EfA service of nobody placed", testProfile(), efa, Answer{Online: true}},
		{"no profile: what it tracks is its own", nil, service("ozg-20002"), Answer{Own: true, State: ozgv1.StateLive, Online: true}},
		{"no profile: the rest is nobody's", nil, service("ozg-10001"), Answer{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := NewCitizens(town, kreis, tc.profile).Answer(tc.svc); got != tc.want {
				t.Errorf("Answer = %+v, want %+v", got, tc.want)
			}
		})
	}
	// With the Kreis's portal online, its Live service is online for the
	// town's citizens; a Kreis of a kreisfreie Stadt is none.
	kreis.Status.Portal = online
	if got := NewCitizens(town, kreis, testProfile()).Answer(service("ozg-10001")); got != (Answer{Online: true}) {
		t.Errorf("the Kreis's, online: %+v", got)
	}
	city := town.DeepCopy()
	city.Spec.Type, city.Spec.Parent = ozgv1.TypeKreisfreieStadt, ""
	if got := NewCitizens(city, kreis, testProfile()).Answer(service("ozg-10001")); got != (Answer{Own: true, State: ozgv1.StateOpen}) {
		t.Errorf("a kreisfreie Stadt's Kreis task: %+v, want its own, Open", got)
	}
}
