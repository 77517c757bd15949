package portal

import (
	"fmt"

	"github.com/ozg-operator/ozg-operator/internal/portaldata"
)

// stateLabel is the German name of a state as citizens see it.
func stateLabel(s portaldata.State) string {
	switch s {
	case portaldata.StateLive:
		return "Online"
	case portaldata.StateInProgress:
		return "In Arbeit"
	case portaldata.StateOpen:
		return "Offen"
	}
	return string(s)
}

// responsibleLabel names who is responsible as citizens read it after
// "Zuständig:".
func responsibleLabel(r *portaldata.Responsible) string {
	if r.DisplayName != "" {
		return r.DisplayName
	}
	switch r.Level {
	case portaldata.LevelGemeinde:
		return "Ihre Stadt oder Gemeinde"
	case portaldata.LevelKreis:
		return "Ihr Kreis"
	case portaldata.LevelLand:
		return "Ihr Bundesland"
	case portaldata.LevelBund:
		return "Bund"
	case portaldata.LevelKammer:
		return "die zuständige Kammer (z. B. IHK, Handwerkskammer, Ärztekammer)"
	case portaldata.LevelSozialversicherung:
		return "Ihre Kranken-, Pflege-, Renten- oder Unfallversicherung"
	}
	return "nicht bekannt"
}

// contactLabel names whom citizens turn to, after "Bitte wenden Sie sich
// an", for a service another body is responsible for.
func contactLabel(r *portaldata.Responsible) string {
	switch {
	case r.Level == portaldata.LevelBund:
		return "die zuständige Bundesbehörde"
	case r.Level == portaldata.LevelLand && r.DisplayName != "":
		return "die zuständige Landesbehörde (" + r.DisplayName + ")"
	case r.Level == portaldata.LevelLand:
		return "die zuständige Landesbehörde"
	case r.Level == portaldata.LevelKammer:
		return "die zuständige Kammer"
	case r.Level == portaldata.LevelSozialversicherung:
		return "Ihre Kranken-, Pflege-, Renten- oder Unfallversicherung"
	case r.DisplayName != "":
		return r.DisplayName
	case r.Level == portaldata.LevelKreis:
		return "Ihre Kreisverwaltung"
	}
	return "Ihre Stadt- oder Gemeindeverwaltung"
}

// maturityNames are the German names of the OZG Reifegrade.
var maturityNames = [...]string{
	0: "Offline (keine Online-Informationen)",
	1: "Information (Informationen online verfügbar)",
	2: "Formular-Assistent (Antrag online ausfüllen, Nachweise nachreichen)",
	3: "Online-Leistung (Antrag samt Nachweisen vollständig online)",
	4: "Online-Transaktion (vollständig digital, Nachweise werden abgerufen)",
}

// maturityLabel describes an OZG Reifegrad in German for the "Reifegrad"
// entry of a service, e.g. "3 – Online-Leistung (…)".
func maturityLabel(m int32) string {
	if m < 0 || int(m) >= len(maturityNames) {
		return fmt.Sprint(m)
	}
	return fmt.Sprintf("%d – %s", m, maturityNames[m])
}
