package slug_test

import (
	"strings"
	"testing"

	"github.com/ozg-operator/ozg-operator/internal/importer/slug"
)

func TestMake(t *testing.T) {
	for in, want := range map[string]string{
		"Bauen & Wohnen":                      "bauen-und-wohnen",
		"Unternehmensführung & -entwicklung":  "unternehmensfuehrung-und-entwicklung",
		"Mobilität & Reisen":                  "mobilitaet-und-reisen",
		"Querschnitt ":                        "querschnitt",
		"Städteregion Aachen":                 "staedteregion-aachen",
		"Fröndenberg/Ruhr":                    "froendenberg-ruhr",
		"Übach-Palenberg":                     "uebach-palenberg",
		"Weißenthurm":                         "weissenthurm",
		"Café Crème":                          "cafe-creme",
		"regio iT":                            "regio-it",
		"  --(Drohender) Arbeitsplatzverlust": "drohender-arbeitsplatzverlust",
		"???":                                 "",
	} {
		if got := slug.Make(in); got != want {
			t.Errorf("Make(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLabelValueFitsALabel(t *testing.T) {
	got := slug.LabelValue(strings.Repeat("ab ", 40))
	if len(got) > slug.MaxLabelValue || strings.HasSuffix(got, "-") {
		t.Errorf("LabelValue gave %q (%d bytes)", got, len(got))
	}
}
