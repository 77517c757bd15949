package coverage

import (
	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/percent"
	"github.com/ozg-operator/ozg-operator/internal/responsibility"
)

// BusinessLebenslagen are the business situations (Unternehmenslagen) of
// the OZG catalogue, by their Lebenslage: a LeiKa service whose OZG service
// sits in one concerns businesses. The catalogue's other Lebenslagen are
// citizens' life situations.
var BusinessLebenslagen = map[string]bool{
	"Arbeitgeber sein":                          true,
	"Arbeitssicherheit":                         true,
	"Aus-, Weiterbildung & Sachkunde":           true,
	"Ausschreibungen & öffentliche Aufträge":    true,
	"Auslandsgeschäft":                          true,
	"Anlagen & Stoffe":                          true,
	"Bauen & Immobilien":                        true,
	"Finanzierung & Förderung":                  true,
	"Forschung & Entwicklung":                   true,
	"Geschäftsauflösung & Unternehmensübergang": true,
	"Logistik & Transport":                      true,
	"Querschnitt Unternehmen":                   true,
	"Statistik- & Berichtspflichten":            true,
	"Steuern & Abgaben":                         true,
	"Unternehmensstart & Gewerbezulassung":      true,
	"Veranstaltungen":                           true,
}

// LevelOrder lists the levels as the level view shows them.
var LevelOrder = []ozgv1.Level{ozgv1.LevelGemeinde, ozgv1.LevelKreis, ozgv1.LevelLand, ozgv1.LevelBund,
	ozgv1.LevelKammer, ozgv1.LevelSozialversicherung, ozgv1.LevelUnknown}

// KreisOrGemeinde is the row of the level view that counts the LeiKa
// services that fall to the Kreis or the Gemeinde: those that concern the
// municipalities of an area, as the IT provider krz counted them.
const KreisOrGemeinde = "Kreis or Gemeinde"

// LevelRow counts the catalogue's LeiKa services that fall to one level
// for the citizens of at least one administration reported on.
type LevelRow struct {
	Level string `json:"level"`
	// LeiKa counts LeiKa services (each row of an OZG service's
	// leistungen, keyed or not), Business those of them that concern
	// businesses (BusinessLebenslagen).
	LeiKa    int `json:"leika"`
	Business int `json:"business"`
	// MaxShare is the largest share of the LeiKa services one
	// administration's portal lists that fall to the level.
	MaxShare *float64 `json:"maxShare"`
}

// levelRows places every LeiKa service of the catalogue for the citizens
// of each municipality among adms (Kreise have none of their own) by their
// profile, LeiKa-level placements included.
func levelRows(adms []ozgv1.Administration, byName map[string]*ozgv1.Administration, services []ozgv1.OZGService,
	profiles map[string]*responsibility.Profile) []LevelRow {
	type leika struct{ service, index int }
	at := map[string]map[leika]bool{}
	maxShare := map[string]float64{}
	total := 0
	for i := range services {
		total += len(services[i].Spec.Leistungen)
	}
	for i := range adms {
		adm := &adms[i]
		if !municipality(adm) || adm.Spec.Responsibility == nil || total == 0 {
			continue
		}
		profile := profiles[adm.Spec.Responsibility.Profile]
		var kreis *ozgv1.Administration
		if responsibility.Kreisangehoerig(adm) {
			kreis = byName[adm.Spec.Parent]
		}
		counts := map[string]int{}
		for s := range services {
			for j, r := range profile.ForLeistungen(&services[s], adm, kreis) {
				names := []string{string(r.Level)}
				if r.Level == ozgv1.LevelKreis || r.Level == ozgv1.LevelGemeinde {
					names = append(names, KreisOrGemeinde)
				}
				for _, n := range names {
					if at[n] == nil {
						at[n] = map[leika]bool{}
					}
					at[n][leika{s, j}] = true
					counts[n]++
				}
			}
		}
		for n, c := range counts {
			maxShare[n] = max(maxShare[n], float64(c)/float64(total))
		}
	}
	var rows []LevelRow
	names := make([]string, 0, len(LevelOrder)+1)
	for _, l := range LevelOrder {
		names = append(names, string(l))
	}
	for _, n := range append(names, KreisOrGemeinde) {
		row := LevelRow{Level: n, LeiKa: len(at[n])}
		for l := range at[n] {
			if BusinessLebenslagen[services[l.service].Spec.Lebenslage] {
				row.Business++
			}
		}
		if s, ok := maxShare[n]; ok {
			s, _ = percent.Fraction(s)
			row.MaxShare = &s
		}
		rows = append(rows, row)
	}
	return rows
}
