package responsibility

import (
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

func service(name string, typisierungen ...[]string) *ozgv1.OZGService {
	s := &ozgv1.OZGService{ObjectMeta: metav1.ObjectMeta{Name: name}}
	for i, t := range typisierungen {
		s.Spec.Leistungen = append(s.Spec.Leistungen, ozgv1.LeiKaLeistung{Key: leikaKey(i), Name: "L", Typisierung: t})
	}
	return s
}

func leikaKey(i int) string { return "9901200" + string(rune('0'+i)) + "000000" }

func testProfile() *Profile {
	return Compile(&ozgv1.ResponsibilityProfile{
		ObjectMeta: metav1.ObjectMeta{Name: "nrw"},
		Spec: ozgv1.ResponsibilityProfileSpec{
			Land: "Nordrhein-Westfalen",
			Typisierung: []ozgv1.TypisierungRule{
				{Typisierung: "1", Level: ozgv1.LevelBund},
				{Typisierung: "5", Level: ozgv1.LevelGemeinde},
			},
			Services: []ozgv1.ServiceResponsibility{
				{Service: "ozg-10001", Placement: ozgv1.Placement{Level: ozgv1.LevelKreis, LegalBasis: "§ 46 FZV"}},
				{Service: "ozg-10002", Placement: ozgv1.Placement{Level: ozgv1.LevelKreis, LegalBasis: "§ 57 BauO NRW",
					HeldBy: []ozgv1.SizeClass{ozgv1.SizeClassGrosse, ozgv1.SizeClassMittlere}}},
				{Service: "ozg-10003", Placement: ozgv1.Placement{Level: ozgv1.LevelUnknown, Note: "mixed"}},
				{Service: "ozg-10004", Placement: ozgv1.Placement{Level: ozgv1.LevelGemeinde, LegalBasis: "§ 1 MG NRW"},
					Leistungen: []ozgv1.LeistungResponsibility{{Key: leikaKey(1), Placement: ozgv1.Placement{Level: ozgv1.LevelLand, LegalBasis: "x"}}}},
				{Service: "ozg-10040", Placement: ozgv1.Placement{Level: ozgv1.LevelKreis, LegalBasis: "§ 1a Abs. 1 AG-KJHG NRW",
					Authority: ozgv1.AuthorityJugendamt}},
				// A table entry wins over the typisierung.
				{Service: "ozg-10005", Placement: ozgv1.Placement{Level: ozgv1.LevelLand, LegalBasis: "y"}},
			},
		},
	})
}

func TestPlace(t *testing.T) {
	p := testProfile()
	cases := []struct {
		name   string
		svc    *ozgv1.OZGService
		level  ozgv1.Level
		source Source
	}{
		{"table", service("ozg-10001", []string{"2/3"}), ozgv1.LevelKreis, SourceTable},
		{"table says unknown", service("ozg-10003", []string{"1"}), ozgv1.LevelUnknown, SourceTable},
		{"table before typisierung", service("ozg-10005", []string{"1"}), ozgv1.LevelLand, SourceTable},
		{"all typisierung 1", service("ozg-20001", []string{"1"}, []string{"1"}), ozgv1.LevelBund, SourceTypisierung},
		{"all typisierung 5", service("ozg-20002", []string{"5"}), ozgv1.LevelGemeinde, SourceTypisierung},
		{"mixed 1 and 2/3 in one LeiKa service", service("ozg-20003", []string{"1", "2/3"}), ozgv1.LevelUnknown, SourceNone},
		{"1 and 5: two levels", service("ozg-20004", []string{"1"}, []string{"5"}), ozgv1.LevelUnknown, SourceNone},
		{"a LeiKa service without typisierung", service("ozg-20005", []string{"1"}, nil), ozgv1.LevelUnknown, SourceNone},
		{"no LeiKa services", service("ozg-20006"), ozgv1.LevelUnknown, SourceNone},
		{"typisierung without rule", service("ozg-20007", []string{"4"}), ozgv1.LevelUnknown, SourceNone},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := p.Place(tc.svc)
			if got.Level != tc.level || got.Source != tc.source {
				t.Errorf("Place = %s from %s, want %s from %s", got.Level, got.Source, tc.level, tc.source)
			}
			if got.Level == ozgv1.LevelUnknown && got.Note == "" {
				t.Error("an Unknown placement says why")
			}
			if got.Level != ozgv1.LevelUnknown && got.LegalBasis == "" {
				t.Error("a placement names its basis")
			}
		})
	}
	if got := (*Profile)(nil).Place(service("ozg-10001")); got.Level != ozgv1.LevelUnknown || got.Source != SourceNone {
		t.Errorf("no profile: %+v, want Unknown", got)
	}
}

func TestPlaceLeistung(t *testing.T) {
	p := testProfile()
	svc := service("ozg-10004", []string{"4"}, []string{"4"})
	if got := p.PlaceLeistung(svc, &svc.Spec.Leistungen[1]); got.Level != ozgv1.LevelLand {
		t.Errorf("LeiKa entry: %s, want Land", got.Level)
	}
	if got := p.PlaceLeistung(svc, &svc.Spec.Leistungen[0]); got.Level != ozgv1.LevelGemeinde {
		t.Errorf("LeiKa service without entry: %s, want the service's Gemeinde", got.Level)
	}
}

func adm(name string, typ ozgv1.AdministrationType, parent string, size ozgv1.SizeClass, overrides ...ozgv1.ResponsibilityOverride) *ozgv1.Administration {
	a := &ozgv1.Administration{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: ozgv1.AdministrationSpec{Type: typ, Parent: parent, SizeClass: size}}
	if len(overrides) > 0 {
		a.Spec.Responsibility = &ozgv1.AdministrationResponsibility{Profile: "nrw", Overrides: overrides}
	}
	return a
}

func TestFor(t *testing.T) {
	p := testProfile()
	kreis := adm("kreis-lippe", ozgv1.TypeKreis, "", "")
	delegating := adm("kreis-lippe", ozgv1.TypeKreis, "", "",
		ozgv1.ResponsibilityOverride{Service: "ozg-10001", Level: ozgv1.LevelGemeinde, Reason: "delegated to all"})
	small := adm("augustdorf", ozgv1.TypeKreisangehoerigeGemeinde, "kreis-lippe", "")
	mittlere := adm("bad-salzuflen", ozgv1.TypeKreisangehoerigeStadt, "kreis-lippe", ozgv1.SizeClassMittlere)
	city := adm("bielefeld", ozgv1.TypeKreisfreieStadt, "", "")
	delegated := adm("blomberg", ozgv1.TypeKreisangehoerigeStadt, "kreis-lippe", "",
		ozgv1.ResponsibilityOverride{Service: "ozg-10002", Level: ozgv1.LevelGemeinde, Reason: "Delegation by the Kreis"},
		ozgv1.ResponsibilityOverride{Service: "ozg-10001", Level: ozgv1.LevelKreis, Reason: "keeps it at the Kreis"})

	// Detmold runs its own Jugendamt; Lage, as large, does not.
	jugendamt := adm("detmold", ozgv1.TypeKreisangehoerigeStadt, "kreis-lippe", ozgv1.SizeClassGrosse)
	jugendamt.Spec.Responsibility = &ozgv1.AdministrationResponsibility{Profile: "nrw", Authorities: []ozgv1.Authority{ozgv1.AuthorityJugendamt}}
	noJugendamt := adm("lage", ozgv1.TypeKreisangehoerigeStadt, "kreis-lippe", ozgv1.SizeClassMittlere)
	jugendamtOverridden := jugendamt.DeepCopy()
	jugendamtOverridden.Spec.Responsibility.Overrides = []ozgv1.ResponsibilityOverride{{Service: "ozg-10040", Level: ozgv1.LevelKreis, Reason: "x"}}

	kfz, bau, melde, kita := service("ozg-10001"), service("ozg-10002"), service("ozg-10004"), service("ozg-10040")
	cases := []struct {
		name           string
		svc            *ozgv1.OZGService
		adm, kreis     *ozgv1.Administration
		level          ozgv1.Level
		administration string
		source         Source
	}{
		{"Kreis task of a small Gemeinde", kfz, small, kreis, ozgv1.LevelKreis, "kreis-lippe", SourceTable},
		{"Kreis task of a kreisfreie Stadt is its own", kfz, city, nil, ozgv1.LevelKreis, "bielefeld", SourceTable},
		{"building authority of a Mittlere Stadt", bau, mittlere, kreis, ozgv1.LevelGemeinde, "bad-salzuflen", SourceTable},
		{"building authority of a small Gemeinde", bau, small, kreis, ozgv1.LevelKreis, "kreis-lippe", SourceTable},
		{"building authority of a kreisfreie Stadt", bau, city, nil, ozgv1.LevelKreis, "bielefeld", SourceTable},
		{"Gemeinde task", melde, small, kreis, ozgv1.LevelGemeinde, "augustdorf", SourceTable},
		{"Gemeinde task seen from the Kreis names no one", melde, kreis, nil, ozgv1.LevelGemeinde, "", SourceTable},
		{"Kreis task seen from the Kreis", kfz, kreis, nil, ozgv1.LevelKreis, "kreis-lippe", SourceTable},
		{"override of the town", bau, delegated, kreis, ozgv1.LevelGemeinde, "blomberg", SourceOverride},
		{"override of the Kreis", kfz, small, delegating, ozgv1.LevelGemeinde, "augustdorf", SourceOverride},
		{"the town's override before the Kreis's", kfz, delegated, delegating, ozgv1.LevelKreis, "kreis-lippe", SourceOverride},
		{"Kreis not known", kfz, small, nil, ozgv1.LevelKreis, "kreis-lippe", SourceTable},
		{"Jugendamt task of a town with its own Jugendamt", kita, jugendamt, kreis, ozgv1.LevelGemeinde, "detmold", SourceTable},
		{"Jugendamt task of a town without one", kita, noJugendamt, kreis, ozgv1.LevelKreis, "kreis-lippe", SourceTable},
		{"Jugendamt task of a small Gemeinde", kita, small, kreis, ozgv1.LevelKreis, "kreis-lippe", SourceTable},
		{"Jugendamt task of a kreisfreie Stadt", kita, city, nil, ozgv1.LevelKreis, "bielefeld", SourceTable},
		{"an own authority does not carry other Kreis tasks", kfz, jugendamt, kreis, ozgv1.LevelKreis, "kreis-lippe", SourceTable},
		{"an override before the own authority", kita, jugendamtOverridden, kreis, ozgv1.LevelKreis, "kreis-lippe", SourceOverride},
		{"Bund names no administration", service("ozg-20001", []string{"1"}), small, kreis, ozgv1.LevelBund, "", SourceTypisierung},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := For(tc.svc.Name, p.Place(tc.svc), tc.adm, tc.kreis)
			if got.Level != tc.level || got.Administration != tc.administration || got.Placement.Source != tc.source {
				t.Errorf("For = %s %q from %s, want %s %q from %s", got.Level, got.Administration, got.Placement.Source,
					tc.level, tc.administration, tc.source)
			}
		})
	}
}

func TestNRWSizeClass(t *testing.T) {
	cases := []struct {
		population int64
		want       ozgv1.SizeClass
	}{
		{0, ozgv1.SizeClassGemeinde},
		{25_000, ozgv1.SizeClassGemeinde},
		{25_001, ozgv1.SizeClassMittlere},
		{60_000, ozgv1.SizeClassMittlere},
		{60_001, ozgv1.SizeClassGrosse},
	}
	for _, tc := range cases {
		if got := NRWSizeClass(tc.population); got != tc.want {
			t.Errorf("NRWSizeClass(%d) = %s, want %s", tc.population, got, tc.want)
		}
	}
	if got := SizeClassOf(adm("x", ozgv1.TypeKreisfreieStadt, "", "")); got != "" {
		t.Errorf("a kreisfreie Stadt has no size class, got %s", got)
	}
	if got := SizeClassOf(adm("x", ozgv1.TypeKreisangehoerigeGemeinde, "k", "")); got != ozgv1.SizeClassGemeinde {
		t.Errorf("an unset size class counts as Gemeinde, got %s", got)
	}
}

// TestSplits: a bundled service whose LeiKa services sit at other levels
// lists them under their own authority, for each administration.
func TestSplits(t *testing.T) {
	p := Compile(&ozgv1.ResponsibilityProfile{
		ObjectMeta: metav1.ObjectMeta{Name: "nrw"},
		Spec: ozgv1.ResponsibilityProfileSpec{Land: "Nordrhein-Westfalen", Services: []ozgv1.ServiceResponsibility{
			// Standesamt, with the OLG's exemption at the Land and a
			// Jugendamt part.
			{Service: "ozg-10025", Placement: ozgv1.Placement{Level: ozgv1.LevelGemeinde, LegalBasis: "PStG"},
				Leistungen: []ozgv1.LeistungResponsibility{
					{Key: leikaKey(1), Placement: ozgv1.Placement{Level: ozgv1.LevelLand, LegalBasis: "§ 1309 BGB"}},
					{Key: leikaKey(2), Placement: ozgv1.Placement{Level: ozgv1.LevelKreis, LegalBasis: "SGB VIII", Authority: ozgv1.AuthorityJugendamt}},
					{Key: leikaKey(3), Placement: ozgv1.Placement{Level: ozgv1.LevelGemeinde, LegalBasis: "PStG"}},
					{Key: leikaKey(5), Placement: ozgv1.Placement{Level: ozgv1.LevelLand, LegalBasis: "not in the catalogue"}},
				}},
		}},
	})
	svc := service("ozg-10025", []string{"5"}, []string{"4"}, []string{"2/3"}, []string{"5"})
	kreis := adm("kreis-lippe", ozgv1.TypeKreis, "", "")
	small := adm("augustdorf", ozgv1.TypeKreisangehoerigeGemeinde, "kreis-lippe", "")
	own := adm("detmold", ozgv1.TypeKreisangehoerigeStadt, "kreis-lippe", ozgv1.SizeClassGrosse)
	own.Spec.Responsibility = &ozgv1.AdministrationResponsibility{Profile: "nrw", Authorities: []ozgv1.Authority{ozgv1.AuthorityJugendamt}}
	moved := adm("blomberg", ozgv1.TypeKreisangehoerigeStadt, "kreis-lippe", "",
		ozgv1.ResponsibilityOverride{Service: "ozg-10025", Level: ozgv1.LevelKreis, Reason: "Standesamt of the Kreis"})

	type split struct {
		key, administration string
		level               ozgv1.Level
	}
	cases := []struct {
		name string
		adm  *ozgv1.Administration
		want []split
	}{
		{"small Gemeinde", small, []split{{leikaKey(1), "", ozgv1.LevelLand}, {leikaKey(2), "kreis-lippe", ozgv1.LevelKreis}}},
		// Its own Jugendamt: the Jugendamt part is the town's, as the service.
		{"town with its own Jugendamt", own, []split{{leikaKey(1), "", ozgv1.LevelLand}}},
		// The override moves the service and its LeiKa services at the
		// service's level (leikaKey(3)) to the Kreis, where the Jugendamt
		// part is too; the Land's part stays.
		{"service moved to the Kreis", moved, []split{{leikaKey(1), "", ozgv1.LevelLand}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			placed := p.Place(svc)
			r := For(svc.Name, placed, tc.adm, kreis)
			var got []split
			for _, s := range p.Splits(svc, placed, r, tc.adm, kreis) {
				got = append(got, split{s.Key, s.Responsible.Administration, s.Responsible.Level})
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Splits = %v, want %v (service: %s %q)", got, tc.want, r.Level, r.Administration)
			}
			// ForLeistungen: the splits where they are, the service's answer elsewhere.
			all := p.ForLeistungen(svc, tc.adm, kreis)
			for i, l := range svc.Spec.Leistungen {
				want := split{l.Key, r.Administration, r.Level}
				if j := slices.IndexFunc(tc.want, func(s split) bool { return s.key == l.Key }); j >= 0 {
					want = tc.want[j]
				}
				if got := (split{l.Key, all[i].Administration, all[i].Level}); got != want {
					t.Errorf("ForLeistungen[%d] = %v, want %v", i, got, want)
				}
			}
		})
	}
}
