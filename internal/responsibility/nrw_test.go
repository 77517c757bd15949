package responsibility_test

import (
	"slices"
	"strings"
	"testing"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/importer"
	"github.com/ozg-operator/ozg-operator/internal/importer/importertest"
	"github.com/ozg-operator/ozg-operator/internal/responsibility"
)

// TestNRWCases: the cases of NRW law below the Land, each for the
// administration it applies to, from the shipped table and the NRW
// directory as `ozgctl import` reads them (own Jugendamt and delegations
// included).
func TestNRWCases(t *testing.T) {
	cat := importertest.Catalog(t)
	adms := importertest.Administrations(t, importer.AdministrationOptions{})
	byName := map[string]*ozgv1.Administration{}
	for i := range adms.Items {
		byName[adms.Items[i].Name] = &adms.Items[i]
	}
	profile := responsibility.Compile(importertest.NRWProfile(t))
	// answer is who answers for the service ozgID, or for its LeiKa
	// service key, to the citizens of adm.
	answer := func(t *testing.T, adm, ozgID, key string) responsibility.Responsible {
		t.Helper()
		a := byName[adm]
		i := slices.IndexFunc(cat.Services, func(s ozgv1.OZGService) bool { return s.Spec.OZGID == ozgID })
		if a == nil || i < 0 {
			t.Fatalf("no administration %s or service %s", adm, ozgID)
		}
		svc := &cat.Services[i]
		if key == "" {
			return responsibility.For(svc.Name, profile.Place(svc), a, byName[a.Spec.Parent])
		}
		j := slices.IndexFunc(svc.Spec.Leistungen, func(l ozgv1.LeiKaLeistung) bool { return l.Key == key })
		if j < 0 {
			t.Fatalf("%s bundles no LeiKa service %s", ozgID, key)
		}
		return profile.ForLeistungen(svc, a, byName[a.Spec.Parent])[j]
	}
	cases := []struct {
		name, adm, ozgID, key string
		level                 ozgv1.Level
		administration        string
		// note is a word the placement's note or reason must contain.
		note string
	}{
		{"Kita place in a town with its own Jugendamt", "detmold", "10019", "", ozgv1.LevelGemeinde, "detmold", ""},
		{"Kita place in a town without one", "blomberg", "10019", "", ozgv1.LevelKreis, "kreis-lippe", ""},
		{"Kita place in a Mittlere Stadt without one", "vlotho", "10019", "", ozgv1.LevelKreis, "kreis-herford", ""},
		{"Kita place in a kreisfreie Stadt", "bielefeld", "10019", "", ozgv1.LevelKreis, "bielefeld", ""},
		{"Unterhaltsvorschuss in Minden, which runs its Jugendamt", "minden", "10035", "", ozgv1.LevelGemeinde, "minden", ""},
		{"a pupil's BAföG in a Kreis town", "augustdorf", "10056", "99022001017002", ozgv1.LevelKreis, "kreis-lippe", ""},
		{"a pupil's BAföG in a kreisfreie Stadt", "bielefeld", "10056", "99022001017002", ozgv1.LevelKreis, "bielefeld", ""},
		{"a student's BAföG", "augustdorf", "10056", "99022001017003", ozgv1.LevelLand, "", "Studierendenwerk"},
		{"a parking fine in a small Gemeinde: no LeiKa service of its own", "augustdorf", "10243", "", ozgv1.LevelKreis, "kreis-lippe", "parking offences"},
		{"a Halteverbotszone for a move in a Mittlere Stadt", "lage", "10348", "99108011000000", ozgv1.LevelGemeinde, "lage", ""},
		{"a Halteverbotszone for a move in a small Gemeinde", "augustdorf", "10348", "99108011000000", ozgv1.LevelKreis, "kreis-lippe", ""},
		{"a disabled person's parking card in a Mittlere Stadt", "lemgo", "10173", "99108009000000", ozgv1.LevelGemeinde, "lemgo", ""},
		{"a disabled person's parking card in a small Gemeinde", "kalletal", "10173", "99108009000000", ozgv1.LevelKreis, "kreis-lippe", ""},
		{"Bewohnerparken in a Große Stadt", "detmold", "10173", "99108001000000", ozgv1.LevelGemeinde, "detmold", ""},
		{"Grundsicherung, delegated by the Kreis Lippe", "augustdorf", "10084", "", ozgv1.LevelGemeinde, "augustdorf", "Heranziehung"},
		{"Grundsicherung, delegated by the Kreis Herford", "spenge", "10084", "", ozgv1.LevelGemeinde, "spenge", "Rathaus"},
		{"Grundsicherung in a Kreis not researched", "rietberg", "10084", "", ozgv1.LevelKreis, "kreis-guetersloh", ""},
		{"a game accident", "augustdorf", "10171", "", ozgv1.LevelLand, "", "police"},
		{"a change of name for an important reason", "augustdorf", "10029", "99083001011001", ozgv1.LevelKreis, "kreis-lippe", ""},
		{"a declaration of name at the Standesamt", "augustdorf", "10029", "99083005001000", ozgv1.LevelGemeinde, "augustdorf", ""},
		{"the exemption from a marriage impediment", "augustdorf", "10025", "99059002010000", ozgv1.LevelLand, "", "Oberlandesgericht"},
		{"Elterngeld in Arnsberg: the Hochsauerlandkreis's", "arnsberg", "10000", "", ozgv1.LevelKreis, "hochsauerlandkreis", ""},
		{"the pension account", "augustdorf", "10096", "", ozgv1.LevelSozialversicherung, "", "Rentenversicherung"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := answer(t, tc.adm, tc.ozgID, tc.key)
			if r.Level != tc.level || r.Administration != tc.administration {
				t.Errorf("%s %q, want %s %q (%s)", r.Level, r.Administration, tc.level, tc.administration, r.Placement.Note)
			}
			if !strings.Contains(r.Placement.Note, tc.note) {
				t.Errorf("the note %q does not say %q", r.Placement.Note, tc.note)
			}
		})
	}
}
