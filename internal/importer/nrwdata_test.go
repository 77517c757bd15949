package importer_test

import (
	"slices"
	"testing"

	"github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/importer"
	"github.com/ozg-operator/ozg-operator/internal/importer/importertest"
	"github.com/ozg-operator/ozg-operator/internal/responsibility"
)

// TestNRWJugendaemter: NRW has 186 Jugendämter (Landtag NRW, Drucksache
// 17/6817; LVR 2024): the 22 kreisfreie Städte, 27 of the 31 Kreise
// (StädteRegion Aachen counted as one) and 137 kreisangehörige towns. The
// LWL's count (91) and the LVR's (95) add up to it.
func TestNRWJugendaemter(t *testing.T) {
	facts, err := importer.LoadNRWFacts()
	if err != nil {
		t.Fatal(err)
	}
	all := importertest.Administrations(t, importer.AdministrationOptions{})
	byKey := map[string]*v1alpha1.Administration{}
	for i := range all.Items {
		byKey[all.Items[i].Spec.Key] = &all.Items[i]
	}
	types := map[v1alpha1.AdministrationType]int{}
	regions := map[bool]int{} // Westfalen-Lippe (LWL) or Rheinland (LVR)
	for key := range facts.Jugendaemter {
		a := byKey[key]
		if a == nil {
			t.Errorf("%s (%s) is not in the NRW directory", key, facts.Jugendaemter[key])
			continue
		}
		types[a.Spec.Type]++
		regions[a.Spec.Region == "Münster" || a.Spec.Region == "Detmold" || a.Spec.Region == "Arnsberg"]++
	}
	if len(facts.Jugendaemter) != 186 || types[v1alpha1.TypeKreisfreieStadt] != 22 || types[v1alpha1.TypeKreis] != 27 ||
		types[v1alpha1.TypeKreisangehoerigeStadt]+types[v1alpha1.TypeKreisangehoerigeGemeinde] != 137 {
		t.Errorf("%d Jugendämter by type %v, want 186: 22 kreisfreie Städte, 27 Kreise, 137 towns", len(facts.Jugendaemter), types)
	}
	if regions[true] != 91 || regions[false] != 95 {
		t.Errorf("%d Jugendämter in Westfalen-Lippe, %d in the Rheinland; want the LWL's 91 and the LVR's 95", regions[true], regions[false])
	}
	// A Kreis without one: each of its towns runs its own, except
	// Breckerfeld, whose Jugendamt is Ennepetal's by agreement.
	for _, a := range all.Items {
		if a.Spec.Type != v1alpha1.TypeKreis || facts.Jugendaemter[a.Spec.Key] != "" {
			continue
		}
		for _, m := range all.Items {
			if m.Spec.Parent == a.Name && facts.Jugendaemter[m.Spec.Key] == "" && m.Name != "breckerfeld" {
				t.Errorf("%s has no Jugendamt, and neither has its town %s", a.Name, m.Name)
			}
		}
	}

	// The krz area, town by town: the importer gives the towns that run
	// their own the authority, the others none.
	krz := importertest.Administrations(t, importer.AdministrationOptions{Kreise: krzKreise})
	own := []string{"bad-oeynhausen", "bad-salzuflen", "buende", "detmold", "herford", "lage", "lemgo", "loehne", "minden", "porta-westfalica"}
	var got []string
	for _, a := range krz.Items {
		if responsibility.Runs(&a, v1alpha1.AuthorityJugendamt) {
			got = append(got, a.Name)
		}
	}
	if !slices.Equal(got, own) {
		t.Errorf("krz towns with their own Jugendamt: %v, want %v (not Vlotho, Lübbecke, Espelkamp)", got, own)
	}
}

// TestNRWDelegations: the three krz Kreise have their towns decide on
// Sozialhilfe (Hilfe zum Lebensunterhalt and Grundsicherung); the importer
// writes that as Kreis overrides, which reach every municipality. Each
// delegation moves a Kreis task of the profile.
func TestNRWDelegations(t *testing.T) {
	a := importertest.Administrations(t, importer.AdministrationOptions{Kreise: append(krzKreise, "05754"), WithKreise: true})
	c := importertest.Catalog(t)
	profile := responsibility.Compile(importertest.NRWProfile(t))
	byName := map[string]*v1alpha1.Administration{}
	for i := range a.Items {
		byName[a.Items[i].Name] = &a.Items[i]
	}
	for _, name := range []string{"kreis-lippe", "kreis-herford", "kreis-minden-luebbecke"} {
		k := byName[name]
		if k == nil || k.Spec.Responsibility == nil || len(k.Spec.Responsibility.Overrides) != 2 {
			t.Fatalf("%s: %+v, want the two Sozialhilfe delegations", name, k)
		}
		for _, o := range k.Spec.Responsibility.Overrides {
			i := slices.IndexFunc(c.Services, func(s v1alpha1.OZGService) bool { return s.Name == o.Service })
			if i < 0 || profile.Place(&c.Services[i]).Level != v1alpha1.LevelKreis || o.Level != v1alpha1.LevelGemeinde || o.Reason == "" {
				t.Errorf("%s delegates %s to %s: not a Kreis task of the profile, or without its reason", name, o.Service, o.Level)
			}
		}
	}
	if r := byName["kreis-guetersloh"].Spec.Responsibility; r == nil || len(r.Overrides) != 0 {
		t.Errorf("a Kreis not researched gets no delegation: %+v", r)
	}
	// Grundsicherung for a citizen of Augustdorf: the Rathaus.
	i := slices.IndexFunc(c.Services, func(s v1alpha1.OZGService) bool { return s.Name == "ozg-10084" })
	if r := responsibility.For("ozg-10084", profile.Place(&c.Services[i]), byName["augustdorf"], byName["kreis-lippe"]); r.Administration != "augustdorf" {
		t.Errorf("Grundsicherung in Augustdorf: %+v, want the town", r)
	}
}
