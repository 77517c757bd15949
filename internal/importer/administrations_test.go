package importer_test

import (
	"fmt"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/importer"
	"github.com/ozg-operator/ozg-operator/internal/importer/importertest"
)

// The Kreise Lippe, Herford and Minden-Lübbecke, whose 36 municipalities
// the IT provider krz serves.
var krzKreise = []string{"05766", "05758", "05770"}

func TestReadAdministrationsRealData(t *testing.T) {
	file := importertest.AdministrationsFile(t)
	a, err := importer.ReadAdministrations(file, importer.AdministrationOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(a.Items); got != 427 {
		t.Errorf("got %d administrations, want 427", got)
	}
	if a.Report.Rows != 427 || a.Report.Objects != 427 || a.Report.Rejected() != 0 {
		t.Errorf("report: %s", a.Report.Summary())
	}
	// The one municipality without a 2011 record.
	checkReported(t, a.Report,
		file+":133:7: warning: einwohner_2011: no population, left empty",
		file+":133:8: warning: anschrift: no address, left empty",
	)

	types := map[v1alpha1.AdministrationType]int{}
	byName := map[string]v1alpha1.Administration{}
	for _, adm := range a.Items {
		types[adm.Spec.Type]++
		byName[adm.Name] = adm
		if errs := validation.IsDNS1123Label(adm.Name); len(errs) > 0 {
			t.Errorf("name %q: %v", adm.Name, errs)
		}
		for k, v := range adm.Labels {
			if errs := validation.IsValidLabelValue(v); len(errs) > 0 {
				t.Errorf("%s: label %s=%q: %v", adm.Name, k, v, errs)
			}
		}
		if adm.Spec.Type == v1alpha1.TypeKreisangehoerigeStadt || adm.Spec.Type == v1alpha1.TypeKreisangehoerigeGemeinde {
			parent, ok := byNameLookup(a.Items, adm.Spec.Parent)
			if !ok || parent.Spec.Type != v1alpha1.TypeKreis || parent.Spec.Key != adm.Labels[v1alpha1.LabelKreis] {
				t.Errorf("%s: parent %q is not its Kreis %s", adm.Name, adm.Spec.Parent, adm.Labels[v1alpha1.LabelKreis])
			}
		}
	}
	want := map[v1alpha1.AdministrationType]int{
		v1alpha1.TypeKreis:                    31,
		v1alpha1.TypeKreisfreieStadt:          22,
		v1alpha1.TypeKreisangehoerigeStadt:    248,
		v1alpha1.TypeKreisangehoerigeGemeinde: 126,
	}
	for typ, n := range want {
		if types[typ] != n {
			t.Errorf("got %d of type %s, want %d", types[typ], typ, n)
		}
	}

	duesseldorf := byName["duesseldorf"]
	if duesseldorf.Spec.Key != "05111000" || duesseldorf.Spec.Type != v1alpha1.TypeKreisfreieStadt ||
		duesseldorf.Spec.DisplayName != "Düsseldorf" || duesseldorf.Spec.Parent != "" ||
		duesseldorf.Spec.Region != "Düsseldorf" || *duesseldorf.Spec.Population != 592393 ||
		duesseldorf.Labels[v1alpha1.LabelKreis] != "05111" ||
		duesseldorf.Labels[v1alpha1.LabelType] != "KreisfreieStadt" ||
		duesseldorf.Annotations[importer.AnnotationOfficialName] != "Düsseldorf, Stadt" {
		t.Errorf("duesseldorf is %+v %+v", duesseldorf.ObjectMeta, duesseldorf.Spec)
	}
	// The double blank of the source is collapsed.
	if got := *duesseldorf.Spec.Address; got != (v1alpha1.PostalAddress{Recipient: "Stadt Düsseldorf", Street: "Marktplatz 1-2", PostalCode: "40213", City: "Düsseldorf"}) {
		t.Errorf("duesseldorf address is %+v", got)
	}

	herford := byName["herford"]
	if herford.Spec.Parent != "kreis-herford" || herford.Labels[v1alpha1.LabelKreis] != "05758" {
		t.Errorf("herford is %+v %+v", herford.Labels, herford.Spec)
	}
	kreis := byName["kreis-herford"]
	if kreis.Spec.Key != "05758" || kreis.Spec.DisplayName != "Kreis Herford" || kreis.Spec.Population != nil ||
		kreis.Spec.Address != nil || kreis.Labels[v1alpha1.LabelKreis] != "05758" || kreis.Labels[v1alpha1.LabelType] != "Kreis" {
		t.Errorf("kreis-herford is %+v %+v", kreis.Labels, kreis.Spec)
	}
	for name, display := range map[string]string{
		"rhein-kreis-neuss":      "Rhein-Kreis Neuss",
		"hochsauerlandkreis":     "Hochsauerlandkreis",
		"staedteregion-aachen":   "Städteregion Aachen",
		"kreis-minden-luebbecke": "Kreis Minden-Lübbecke",
		"froendenberg-ruhr":      "Fröndenberg/Ruhr",
		"hagen":                  "Hagen",
	} {
		if got := byName[name].Spec.DisplayName; got != display {
			t.Errorf("%s has display name %q, want %q", name, got, display)
		}
	}
}

func byNameLookup(items []v1alpha1.Administration, name string) (v1alpha1.Administration, bool) {
	for _, a := range items {
		if a.Name == name {
			return a, true
		}
	}
	return v1alpha1.Administration{}, false
}

func TestReadAdministrationsKreisFilter(t *testing.T) {
	file := importertest.AdministrationsFile(t)
	a, err := importer.ReadAdministrations(file, importer.AdministrationOptions{ITProvider: "krz", Kreise: krzKreise})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(a.Items); got != 36 {
		t.Errorf("got %d administrations for the krz Kreise, want 36", got)
	}
	if a.Report.Filtered != 427-36 {
		t.Errorf("report: %s", a.Report.Summary())
	}
	for _, adm := range a.Items {
		kreis := adm.Labels[v1alpha1.LabelKreis]
		if adm.Spec.Type == v1alpha1.TypeKreis || (kreis != "05766" && kreis != "05758" && kreis != "05770") {
			t.Errorf("%s (%s, Kreis %s) is not a municipality of the krz Kreise", adm.Name, adm.Spec.Type, kreis)
		}
		if adm.Spec.ITProvider != "krz" || adm.Labels[v1alpha1.LabelITProvider] != "krz" {
			t.Errorf("%s: itProvider %q, label %q", adm.Name, adm.Spec.ITProvider, adm.Labels[v1alpha1.LabelITProvider])
		}
	}

	// A kreisfreie Stadt is selected by its own 5-digit prefix.
	a, err = importer.ReadAdministrations(file, importer.AdministrationOptions{ITProvider: "regio iT", Kreise: []string{"05334", "05711"}})
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, adm := range a.Items {
		names[adm.Name] = true
		if adm.Labels[v1alpha1.LabelITProvider] != "regio-it" {
			t.Errorf("%s: it-provider label %q, want regio-it", adm.Name, adm.Labels[v1alpha1.LabelITProvider])
		}
	}
	if !names["bielefeld"] || !names["aachen"] || names["staedteregion-aachen"] || len(names) != 11 {
		t.Errorf("Städteregion Aachen and Bielefeld selected %v, want the 10 municipalities of the Städteregion and Bielefeld", names)
	}

	for _, bad := range [][]string{{"0576"}, {"05999"}} {
		if _, err := importer.ReadAdministrations(file, importer.AdministrationOptions{Kreise: bad}); err == nil || !strings.Contains(err.Error(), bad[0]) {
			t.Errorf("--kreis %s: got error %v, want one naming it", bad[0], err)
		}
	}
}

const adminHeader = "schluessel,name,typ,kreis_schluessel,kreis,regierungsbezirk,einwohner_2011,anschrift,strasse,plz_ort\n"

func TestReadAdministrationsNameCollisions(t *testing.T) {
	file := writeKommunen(t, []byte(adminHeader+
		"07111,Neustadt,Kreis,,,Nord,,,,\n"+
		"07222,Südkreis,Kreis,,,Süd,,,,\n"+
		"07111001,\"Neustadt, Stadt\",kreisangehörige Stadt,07111,Neustadt,Nord,100,,,\n"+
		"07222001,Neustadt,kreisangehörige Gemeinde,07222,Südkreis,Süd,200,,Hauptstr. 1,12345 Neustadt\n"+
		"07222002,Altdorf,kreisangehörige Gemeinde,,Südkreis,Süd,300,,,Altdorf\n"+
		"07222003,Altdorf,Amt,07222,Südkreis,Süd,300,,,\n"))

	want := map[string]string{ // name -> parent
		"kreis-neustadt":    "",
		"suedkreis":         "",
		"neustadt-07111001": "kreis-neustadt",
		"neustadt-07222001": "suedkreis",
		"altdorf":           "suedkreis",
	}
	for _, filter := range [][]string{nil, {"07222"}} {
		a, err := importer.ReadAdministrations(file, importer.AdministrationOptions{Kreise: filter})
		if err != nil {
			t.Fatal(err)
		}
		for _, adm := range a.Items {
			parent, ok := want[adm.Name]
			if !ok || adm.Spec.Parent != parent {
				t.Errorf("filter %v: got %s with parent %q, want one of %v", filter, adm.Name, adm.Spec.Parent, want)
			}
		}
		if filter == nil && len(a.Items) != len(want) {
			t.Errorf("got %d administrations, want %d", len(a.Items), len(want))
		}
		if filter != nil && len(a.Items) != 2 {
			t.Errorf("filter %v: got %d administrations, want 2", filter, len(a.Items))
		}
		for _, issue := range []string{
			file + ":6:4: warning: kreis_schluessel: empty, taken from the key: 07222",
			file + ":6:10: warning: plz_ort: \"Altdorf\" is not a 5-digit postal code and a place, kept as city",
			file + ":7:3: rejected: typ: unknown type \"Amt\"",
		} {
			if !reported(a.Report, issue) {
				t.Errorf("filter %v: report lacks %s\n%s", filter, issue, reportText(a.Report))
			}
		}
	}
}

func TestReadAdministrationsRejectsBadKeys(t *testing.T) {
	file := writeKommunen(t, []byte(adminHeader+
		"0711,Nord,Kreis,,,Nord,,,,\n"+
		"0711100,Kurz,kreisangehörige Stadt,07111,,Nord,1,,,\n"+
		"07111001,Eins,kreisangehörige Stadt,07111,,Nord,1,,,\n"+
		"07111001,Zwei,kreisangehörige Stadt,07111,,Nord,1,,,\n"))
	a, err := importer.ReadAdministrations(file, importer.AdministrationOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkReported(t, a.Report,
		file+`:2:1: rejected: schluessel: key "0711" of a Kreis is not 5 digits`,
		file+`:3:1: rejected: schluessel: key "0711100" of a municipality is not 8 digits (AGS)`,
		file+`:5:1: rejected: schluessel: key 07111001 is used before on line 4`,
		file+`:4:4: warning: kreis_schluessel: Kreis 07111 is not in the file, parent left empty`,
	)
	if len(a.Items) != 1 || a.Report.Rejected() != 3 {
		t.Errorf("got %d administrations and %d rejected rows, want 1 and 3", len(a.Items), a.Report.Rejected())
	}
}

func TestReadAdministrationsMissingColumn(t *testing.T) {
	file := writeKommunen(t, []byte(strings.Replace(adminHeader, ",einwohner_2011", "", 1)+"05111000,Düsseldorf,kreisfreie Stadt,,,Düsseldorf,,,\n"))
	_, err := importer.ReadAdministrations(file, importer.AdministrationOptions{})
	if err == nil || !strings.Contains(err.Error(), `"einwohner_2011"`) || !strings.Contains(err.Error(), file) {
		t.Errorf("got error %v, want one naming einwohner_2011 and %s", err, file)
	}
}

// Size classes follow § 4 GO NRW from the 2011 population, and every NRW
// administration selects the NRW profile.
func TestReadAdministrationsSizeClassAndProfile(t *testing.T) {
	file := importertest.AdministrationsFile(t)
	a, err := importer.ReadAdministrations(file, importer.AdministrationOptions{})
	if err != nil {
		t.Fatal(err)
	}
	classes := map[v1alpha1.SizeClass]int{}
	for _, adm := range a.Items {
		if adm.Spec.Responsibility == nil || adm.Spec.Responsibility.Profile != importer.NRWProfile {
			t.Errorf("%s: responsibility %+v, want profile %s", adm.Name, adm.Spec.Responsibility, importer.NRWProfile)
		}
		kreisangehoerig := adm.Spec.Type == v1alpha1.TypeKreisangehoerigeStadt || adm.Spec.Type == v1alpha1.TypeKreisangehoerigeGemeinde
		if !kreisangehoerig || adm.Spec.Population == nil {
			if adm.Spec.SizeClass != "" {
				t.Errorf("%s (%s, population %v) has size class %s", adm.Name, adm.Spec.Type, adm.Spec.Population, adm.Spec.SizeClass)
			}
			continue
		}
		classes[adm.Spec.SizeClass]++
		p := *adm.Spec.Population
		want := v1alpha1.SizeClassGemeinde
		if p > 60_000 {
			want = v1alpha1.SizeClassGrosse
		} else if p > 25_000 {
			want = v1alpha1.SizeClassMittlere
		}
		if adm.Spec.SizeClass != want {
			t.Errorf("%s: %d inhabitants, size class %s, want %s", adm.Name, p, adm.Spec.SizeClass, want)
		}
	}
	// Named cases: Gütersloh (96,758 inhabitants) is a Große, Bad Salzuflen
	// (53,812) by law a Mittlere kreisangehörige Stadt (a Große only on its
	// application, which spec.sizeClass records), Augustdorf (9,557) a Gemeinde.
	for name, want := range map[string]v1alpha1.SizeClass{
		"guetersloh": v1alpha1.SizeClassGrosse, "bad-salzuflen": v1alpha1.SizeClassMittlere, "augustdorf": v1alpha1.SizeClassGemeinde,
	} {
		if adm, ok := byNameLookup(a.Items, name); !ok || adm.Spec.SizeClass != want {
			t.Errorf("%s: size class %q, want %s", name, adm.Spec.SizeClass, want)
		}
	}
	if classes[v1alpha1.SizeClassGrosse] == 0 || classes[v1alpha1.SizeClassMittlere] == 0 || classes[v1alpha1.SizeClassGemeinde] == 0 {
		t.Errorf("size classes %v: every class occurs in NRW", classes)
	}

	a, err = importer.ReadAdministrations(file, importer.AdministrationOptions{ResponsibilityProfile: "custom", Kreise: krzKreise})
	if err != nil {
		t.Fatal(err)
	}
	for _, adm := range a.Items {
		if adm.Spec.Responsibility == nil || adm.Spec.Responsibility.Profile != "custom" {
			t.Errorf("%s: responsibility %+v, want the profile asked for", adm.Name, adm.Spec.Responsibility)
		}
	}
}

func TestReadAdministrationsWithKreise(t *testing.T) {
	file := importertest.AdministrationsFile(t)
	a, err := importer.ReadAdministrations(file, importer.AdministrationOptions{Kreise: krzKreise, WithKreise: true})
	if err != nil {
		t.Fatal(err)
	}
	kreise := map[string]bool{}
	for _, adm := range a.Items {
		if adm.Spec.Type == v1alpha1.TypeKreis {
			kreise[adm.Name] = true
		}
	}
	if len(a.Items) != 39 || len(kreise) != 3 || !kreise["kreis-lippe"] || !kreise["kreis-herford"] || !kreise["kreis-minden-luebbecke"] {
		t.Errorf("got %d administrations with the Kreise %v, want the 36 municipalities and the 3 krz Kreise", len(a.Items), kreise)
	}
	if _, err := importer.ReadAdministrations(file, importer.AdministrationOptions{WithKreise: true}); err == nil || !strings.Contains(err.Error(), "--kreis") {
		t.Errorf("WithKreise without Kreise: error %v, want one naming --kreis", err)
	}
}

// Every NRW administration gets an ARS derived from its key (NRW has no
// Gemeindeverbände), which the API's rule accepts.
func TestReadAdministrationsDerivesNRWARS(t *testing.T) {
	a, err := importer.ReadAdministrations(importertest.AdministrationsFile(t), importer.AdministrationOptions{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, adm := range a.Items {
		ars := adm.Spec.ARS
		if len(ars) != 12 || !importer.ARSExtendsKey(ars, adm.Spec.Key, adm.Spec.Type) {
			t.Errorf("%s (key %s): ARS %q does not extend the key", adm.Name, adm.Spec.Key, ars)
		}
		if other, dup := seen[ars]; dup {
			t.Errorf("%s and %s share the ARS %s", adm.Name, other, ars)
		}
		seen[ars] = adm.Name
	}
	byName := map[string]string{}
	for _, adm := range a.Items {
		byName[adm.Name] = adm.Spec.ARS
	}
	// Values of the Destatis directory.
	for name, want := range map[string]string{
		"detmold":     "057660020020",
		"koeln":       "053150000000",
		"kreis-lippe": "057660000000",
		"herford":     "057580012012",
	} {
		if byName[name] != want {
			t.Errorf("%s has ARS %q, want %s", name, byName[name], want)
		}
	}
}

// An ars column is taken where it fits the key; a value that does not is
// a warning naming the row, and NRW keys fall back to the derived ARS.
func TestReadAdministrationsARSColumn(t *testing.T) {
	file := writeKommunen(t, []byte(adminHeader[:len(adminHeader)-1]+",ars\n"+
		"07111,Nord,Kreis,,,Nord,,,,,071110000000\n"+
		"07111001,Eins,kreisangehörige Stadt,07111,,Nord,1,,,,071115001001\n"+
		"07111002,Zwei,kreisangehörige Stadt,07111,,Nord,1,,,,07111500100\n"+
		"07111003,Drei,kreisangehörige Stadt,07111,,Nord,1,,,,071115001004\n"+
		"05766020,Detmold,kreisangehörige Stadt,05766,,Detmold,1,,,,0576600200x0\n"))
	a, err := importer.ReadAdministrations(file, importer.AdministrationOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkReported(t, a.Report,
		file+`:4:11: warning: ars: "07111500100" is not a 12-digit Amtlicher Regionalschlüssel, left empty`,
		file+`:5:11: warning: ars: 071115001004 does not extend the key 07111003, left empty`,
		file+`:6:11: warning: ars: "0576600200x0" is not a 12-digit Amtlicher Regionalschlüssel; derived 057660020020 from the key`,
	)
	got := map[string]string{}
	for _, adm := range a.Items {
		got[adm.Name] = adm.Spec.ARS
	}
	want := map[string]string{"kreis-nord": "071110000000", "eins": "071115001001", "zwei": "", "drei": "", "detmold": "057660020020"}
	for name, ars := range want {
		if got[name] != ars {
			t.Errorf("%s has ARS %q, want %q", name, got[name], ars)
		}
	}
}

// Populations as spreadsheets write them are read as counts; a number
// with other points is warned about and left empty, not multiplied
// ("9860.0" once became 98,600 inhabitants and a Große kreisangehörige
// Stadt, which holds Kreis tasks).
func TestReadAdministrationsPopulationFormats(t *testing.T) {
	rows := []struct {
		value string
		want  int64 // 0: left empty with a warning
	}{
		{"9557", 9557}, {"9.557", 9557}, {"1.234.567", 1234567}, {"9557,0", 9557}, {"9.557,00", 9557},
		{"9860.0", 9860}, {"8.5", 0}, {"5.381.2", 0}, {"9,5", 0}, {"95.57", 0}, {"-3", 0},
	}
	data := adminHeader + "05766,Lippe,Kreis,,,Detmold,,,,\n"
	for i, r := range rows {
		data += fmt.Sprintf("057660%02d,Ort %d,kreisangehörige Gemeinde,05766,Lippe,Detmold,%q,Gemeinde,Straße 1,32832 Ort\n", i+1, i, r.value)
	}
	a, file, err := readKommunen(t, []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]*int64{}
	for _, adm := range a.Items {
		byKey[adm.Spec.Key] = adm.Spec.Population
	}
	for i, r := range rows {
		got := byKey[fmt.Sprintf("057660%02d", i+1)]
		warning := fmt.Sprintf("%s:%d:7: warning: einwohner_2011: %q is not a number of inhabitants, left empty", file, i+3, r.value)
		switch {
		case r.want == 0 && (got != nil || !reported(a.Report, warning)):
			t.Errorf("%q: population %v, want none and %s", r.value, got, warning)
		case r.want != 0 && (got == nil || *got != r.want):
			t.Errorf("%q: population %v, want %d", r.value, got, r.want)
		}
	}
}

// With --kreis K --with-kreise the Kreis' own row is imported, so its
// issues are reported too (and fail --strict); without --with-kreise they
// are not.
func TestReadAdministrationsWithKreiseReportsTheKreisRow(t *testing.T) {
	data := adminHeader + "05766,Lippe,Kreis,,,Detmold,,Kreis Lippe,,Detmold\n" +
		"05766004,Augustdorf,kreisangehörige Gemeinde,05766,Lippe,Detmold,9557,Gemeinde Augustdorf,Pivitsheider Straße 16,32832 Augustdorf\n" +
		"05766,Lippe,Kreis,,,Detmold,,,,\n"
	file := writeKommunen(t, []byte(data))
	duplicate := file + ":4:1: rejected: schluessel: key 05766 is used before on line 2"
	address := file + `:2:10: warning: plz_ort: "Detmold" is not a 5-digit postal code and a place, kept as city`
	for _, withKreise := range []bool{false, true} {
		a, err := importer.ReadAdministrations(file, importer.AdministrationOptions{Kreise: []string{"05766"}, WithKreise: withKreise})
		if err != nil {
			t.Fatal(err)
		}
		for _, issue := range []string{duplicate, address} {
			if reported(a.Report, issue) != withKreise {
				t.Errorf("--with-kreise %v: reported %v, want %v: %s\n%s", withKreise, !withKreise, withKreise, issue, reportText(a.Report))
			}
		}
	}
}
