package render_test

import (
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/portaldata"
	"github.com/ozg-operator/ozg-operator/internal/render"
	"github.com/ozg-operator/ozg-operator/internal/responsibility"
)

var (
	kfz = ozgv1.OZGServiceSpec{OZGID: "10439", Name: "Fahrzeugzulassung", Themenfeld: "Mobilität & Reisen"}
	// Typisierung 1 is federal execution in the profile below.
	rente = ozgv1.OZGServiceSpec{OZGID: "10096", Name: "Rentenversicherungskonto", Themenfeld: "Arbeit & Ruhestand",
		Leistungen: []ozgv1.LeiKaLeistung{{Key: "99999001000000", Name: "Rentenauskunft", Typisierung: []string{"1"}}}}
	melde  = ozgv1.OZGServiceSpec{OZGID: "10559", Name: "Meldebescheinigung", Themenfeld: "Ein- und Auswanderung"}
	unklar = ozgv1.OZGServiceSpec{OZGID: "10999", Name: "Unplatziert", Themenfeld: "Sonstiges"}
	efaBau = ozgv1.OZGServiceSpec{OZGID: "10519", Name: "Baugenehmigung", Themenfeld: "Bauen & Wohnen",
		EfA: &ozgv1.EfAService{Provider: "Mecklenburg-Vorpommern", URL: "https://bauportal.example.de"}}
)

func testProfile() *responsibility.Profile {
	placed := func(service string, level ozgv1.Level, heldBy ...ozgv1.SizeClass) ozgv1.ServiceResponsibility {
		return ozgv1.ServiceResponsibility{Service: service, Placement: ozgv1.Placement{Level: level, HeldBy: heldBy, LegalBasis: "test"}}
	}
	return responsibility.Compile(&ozgv1.ResponsibilityProfile{
		ObjectMeta: metav1.ObjectMeta{Name: "nrw"},
		Spec: ozgv1.ResponsibilityProfileSpec{
			Land:        "Nordrhein-Westfalen",
			Typisierung: []ozgv1.TypisierungRule{{Typisierung: "1", Level: ozgv1.LevelBund}},
			Services: []ozgv1.ServiceResponsibility{
				placed("ozg-10439", ozgv1.LevelKreis),
				placed("ozg-10559", ozgv1.LevelGemeinde),
				placed("ozg-10519", ozgv1.LevelKreis, ozgv1.SizeClassGrosse, ozgv1.SizeClassMittlere),
			},
		},
	})
}

func lippe(services ...ozgv1.ServiceImplementation) *ozgv1.Administration {
	return &ozgv1.Administration{
		ObjectMeta: metav1.ObjectMeta{Name: "kreis-lippe"},
		Spec:       ozgv1.AdministrationSpec{Key: "05766", DisplayName: "Kreis Lippe", Type: ozgv1.TypeKreis, Services: services},
	}
}

func augustdorf(services ...ozgv1.ServiceImplementation) *ozgv1.Administration {
	return &ozgv1.Administration{
		ObjectMeta: metav1.ObjectMeta{Name: "augustdorf"},
		Spec: ozgv1.AdministrationSpec{Key: "05766004", DisplayName: "Gemeinde Augustdorf", Type: ozgv1.TypeKreisangehoerigeGemeinde,
			Parent: "kreis-lippe", Services: services},
	}
}

func byID(t *testing.T, doc *portaldata.Document, id string) portaldata.Service {
	t.Helper()
	i := slices.IndexFunc(doc.Services, func(s portaldata.Service) bool { return s.OZGID == id })
	if i < 0 {
		t.Fatalf("the portal does not list %s", id)
	}
	return doc.Services[i]
}

func TestPortalListsEveryServiceWithWhoIsResponsible(t *testing.T) {
	catalog := catalogOf(kfz, rente, melde, unklar, efaBau)
	kreis := lippe(ozgv1.ServiceImplementation{Service: "ozg-10439", State: ozgv1.StateLive, URL: "https://kfz.kreis-lippe.example.de"})
	adm := augustdorf(
		ozgv1.ServiceImplementation{Service: "ozg-10559", State: ozgv1.StateInProgress, Tool: "Formularserver"},
		// The pension is the Bund's: the town's entry has no effect.
		ozgv1.ServiceImplementation{Service: "ozg-10096", State: ozgv1.StateOpen},
	)
	in := render.Inputs{Administration: adm, Kreis: kreis, Profile: testProfile(), Catalog: catalog}

	res, err := render.Portal(&ozgv1.ServicePortal{}, in)
	if err != nil {
		t.Fatal(err)
	}
	if res.Offered != 5 || !slices.Equal(res.Elsewhere, []string{"ozg-10096"}) {
		t.Errorf("offered %d, elsewhere %v; want all 5 catalogue services and the pension named", res.Offered, res.Elsewhere)
	}
	doc := res.Document
	for _, tc := range []struct {
		id, level, administration, displayName string
		state                                  portaldata.State
	}{
		{"10439", "Kreis", "kreis-lippe", "Kreis Lippe", portaldata.StateLive},
		{"10559", "Gemeinde", "augustdorf", "Gemeinde Augustdorf", portaldata.StateInProgress},
		{"10096", "Bund", "", "Bund", ""},
		{"10999", "Unknown", "", "", ""},
		// A small Gemeinde: the Kreis is the building authority.
		// Untracked, so not started.
		{"10519", "Kreis", "kreis-lippe", "Kreis Lippe", portaldata.StateOpen},
	} {
		s := byID(t, doc, tc.id)
		r := s.Responsible
		if string(r.Level) != tc.level || r.Administration != tc.administration || r.DisplayName != tc.displayName || s.State != tc.state {
			t.Errorf("%s: responsible %+v, state %q; want %s %q %q, state %q", tc.id, *r, s.State, tc.level, tc.administration, tc.displayName, tc.state)
		}
	}
	// The Kreis has vehicle registration live, but no published portal yet.
	if s := byID(t, doc, "10439"); s.URL != "" {
		t.Errorf("the Kreis's service links %q before the Kreis's portal is online", s.URL)
	}
	if s := byID(t, doc, "10519"); s.URL != "https://bauportal.example.de" {
		t.Errorf("the EfA service is not linked: %q", s.URL)
	}
	if res.Live != 1 {
		t.Errorf("live %d, want 1 (the EfA service)", res.Live)
	}

	// Once the Kreis's portal is online, its live service is linked.
	in.KreisPortalURL = "https://kreis-lippe.example.de"
	res, err = render.Portal(&ozgv1.ServicePortal{}, in)
	if err != nil {
		t.Fatal(err)
	}
	s := byID(t, res.Document, "10439")
	if s.URL != "https://kfz.kreis-lippe.example.de" || s.Responsible.PortalURL != "https://kreis-lippe.example.de" || res.Live != 2 {
		t.Errorf("with the Kreis online: url %q, responsible %+v, live %d", s.URL, *s.Responsible, res.Live)
	}

	// Not live at the Kreis: not linked, though the Kreis's entry has a URL.
	kreis.Spec.Services[0].State = ozgv1.StateInProgress
	if res, err := render.Portal(&ozgv1.ServicePortal{}, in); err != nil || byID(t, res.Document, "10439").URL != "" {
		t.Errorf("a service in progress at the Kreis links %q (%v)", byID(t, res.Document, "10439").URL, err)
	}
	kreis.Spec.Services[0].State = ozgv1.StateLive

	// The stored form names the Kreis once and parses back to the same.
	doc2, err := portaldata.Parse(res.JSON)
	if err != nil {
		t.Fatal(err)
	}
	doc2.Join(render.CatalogDocument(catalog))
	if got := byID(t, doc2, "10439"); got.Name != "Fahrzeugzulassung" || *got.Responsible != *s.Responsible {
		t.Errorf("parsed back %+v, want %+v", got, s)
	}
}

func TestPortalLevelsFollowSizeClassAndOverrides(t *testing.T) {
	catalog := catalogOf(kfz, efaBau, melde)
	kreis := lippe()
	detmold := augustdorf(ozgv1.ServiceImplementation{Service: "ozg-10519", State: ozgv1.StateLive, URL: "https://bau.detmold.example.de"})
	detmold.Name, detmold.Spec.DisplayName, detmold.Spec.SizeClass = "detmold", "Stadt Detmold", ozgv1.SizeClassGrosse
	detmold.Spec.Responsibility = &ozgv1.AdministrationResponsibility{Profile: "nrw", Overrides: []ozgv1.ResponsibilityOverride{
		{Service: "ozg-10439", Level: ozgv1.LevelGemeinde, Reason: "delegated by the Kreis"},
	}}
	res, err := render.Portal(&ozgv1.ServicePortal{}, render.Inputs{Administration: detmold, Kreis: kreis, Profile: testProfile(), Catalog: catalog})
	if err != nil {
		t.Fatal(err)
	}
	bau := byID(t, res.Document, "10519")
	if bau.Responsible.Administration != "detmold" || bau.State != portaldata.StateLive || bau.URL != "https://bau.detmold.example.de" {
		t.Errorf("a Große kreisangehörige Stadt is its own building authority: %+v", bau)
	}
	if k := byID(t, res.Document, "10439"); k.Responsible.Administration != "detmold" || k.State != portaldata.StateOpen {
		t.Errorf("the override moves vehicle registration to the town: %+v, state %q", *k.Responsible, k.State)
	}

	// The Kreis's own portal: its services are its own, the Gemeinde's
	// are the citizen's own town's.
	res, err = render.Portal(&ozgv1.ServicePortal{}, render.Inputs{Administration: kreis, Profile: testProfile(), Catalog: catalog})
	if err != nil {
		t.Fatal(err)
	}
	if k := byID(t, res.Document, "10439"); k.Responsible.Administration != "kreis-lippe" || k.State != portaldata.StateOpen {
		t.Errorf("the Kreis's own service: %+v, state %q", *k.Responsible, k.State)
	}
	if m := byID(t, res.Document, "10559"); m.Responsible.Level != portaldata.LevelGemeinde || m.Responsible.Administration != "" || m.State != "" {
		t.Errorf("a Gemeinde service in the Kreis's portal: %+v, state %q", *m.Responsible, m.State)
	}
}

// TestPortalJugendamtAndLeiKaSplits: a town with its own Jugendamt lists
// the Kita service as its own, with its state and link, where its
// neighbour points to the Kreis; a bundled service lists the LeiKa
// services that another level answers for under that level.
func TestPortalJugendamtAndLeiKaSplits(t *testing.T) {
	kita := ozgv1.OZGServiceSpec{OZGID: "10019", Name: "Kindertagesbetreuung", Themenfeld: "Familie & Kind"}
	ehe := ozgv1.OZGServiceSpec{OZGID: "10025", Name: "Eheschließung", Themenfeld: "Familie & Kind", Leistungen: []ozgv1.LeiKaLeistung{
		{Key: "99059002010000", Name: "Befreiung vom Eheverbot"}, {Key: "99059002011000", Name: "Anmeldung der Eheschließung"},
	}}
	catalog := catalogOf(kita, ehe)
	profile := responsibility.Compile(&ozgv1.ResponsibilityProfile{
		ObjectMeta: metav1.ObjectMeta{Name: "nrw"},
		Spec: ozgv1.ResponsibilityProfileSpec{Land: "Nordrhein-Westfalen", Services: []ozgv1.ServiceResponsibility{
			{Service: "ozg-10019", Placement: ozgv1.Placement{Level: ozgv1.LevelKreis, LegalBasis: "§ 1a AG-KJHG NRW", Authority: ozgv1.AuthorityJugendamt}},
			{Service: "ozg-10025", Placement: ozgv1.Placement{Level: ozgv1.LevelGemeinde, LegalBasis: "PStG"},
				Leistungen: []ozgv1.LeistungResponsibility{{Key: "99059002010000", Placement: ozgv1.Placement{Level: ozgv1.LevelLand, LegalBasis: "§ 1309 BGB"}}}},
		}},
	})
	kreis := lippe(ozgv1.ServiceImplementation{Service: "ozg-10019", State: ozgv1.StateInProgress})
	detmold := augustdorf(ozgv1.ServiceImplementation{Service: "ozg-10019", State: ozgv1.StateLive, URL: "https://kita.detmold.example.de"})
	detmold.Name, detmold.Spec.DisplayName, detmold.Spec.SizeClass = "detmold", "Stadt Detmold", ozgv1.SizeClassGrosse
	detmold.Spec.Responsibility = &ozgv1.AdministrationResponsibility{Profile: "nrw", Authorities: []ozgv1.Authority{ozgv1.AuthorityJugendamt}}
	lage := augustdorf()
	lage.Name, lage.Spec.DisplayName, lage.Spec.SizeClass = "lage", "Stadt Lage", ozgv1.SizeClassMittlere

	own, err := render.Portal(&ozgv1.ServicePortal{}, render.Inputs{Administration: detmold, Kreis: kreis, Profile: profile, Catalog: catalog})
	if err != nil {
		t.Fatal(err)
	}
	if k := byID(t, own.Document, "10019"); k.Responsible.Administration != "detmold" || k.State != portaldata.StateLive || k.URL != "https://kita.detmold.example.de" {
		t.Errorf("a town with its own Jugendamt: Kita %+v, state %q, link %q", *k.Responsible, k.State, k.URL)
	}
	neighbour, err := render.Portal(&ozgv1.ServicePortal{}, render.Inputs{Administration: lage, Kreis: kreis, Profile: profile, Catalog: catalog})
	if err != nil {
		t.Fatal(err)
	}
	if k := byID(t, neighbour.Document, "10019"); k.Responsible.Administration != "kreis-lippe" || k.State != portaldata.StateInProgress {
		t.Errorf("a town without one: Kita %+v, state %q, want the Kreis's", *k.Responsible, k.State)
	}

	e := byID(t, neighbour.Document, "10025")
	if e.Responsible.Administration != "lage" {
		t.Fatalf("marriage: %+v, want the Standesamt of the town", *e.Responsible)
	}
	if r := e.ResponsibleFor(&e.Leistungen[0]); r.Level != portaldata.LevelLand || r.DisplayName != "Land Nordrhein-Westfalen" {
		t.Errorf("the exemption: %+v, want the Land", *r)
	}
	if r := e.ResponsibleFor(&e.Leistungen[1]); r.Administration != "lage" {
		t.Errorf("the registration of the marriage: %+v, want the town", *r)
	}
	if len(e.LeistungResponsible) != 1 {
		t.Errorf("only the LeiKa services that differ are named: %v", e.LeistungResponsible)
	}
}
