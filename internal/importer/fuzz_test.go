package importer_test

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/importer"
)

var (
	agsOrKreisKey = regexp.MustCompile(`^([0-9]{5}|[0-9]{8})$`)
	fuzzHeader    = "schluessel,name,typ,kreis_schluessel,kreis,regierungsbezirk,einwohner_2011,anschrift,strasse,plz_ort\n"
)

// FuzzReadAdministrations feeds arbitrary files to the importer: it must
// never panic, and whatever it accepts must be objects the API accepts
// (names, keys and label values), with every other row accounted for.
func FuzzReadAdministrations(f *testing.F) {
	f.Add([]byte(fuzzHeader + `05766020,"Detmold, Stadt",kreisangehörige Stadt,05766,Lippe,Detmold,73000,Stadt Detmold,Marie-Curie-Str. 2,32756 Detmold` + "\n"))
	f.Add([]byte(fuzzHeader + "05766,Lippe,Kreis,,,Detmold,,,,\n"))
	f.Add([]byte("schluessel;name;typ;kreis_schluessel;kreis;regierungsbezirk;einwohner_2011;anschrift;strasse;plz_ort\n05111000;D\xfcsseldorf;kreisfreie Stadt;;;D\xfcsseldorf;1;;;\n"))
	f.Add([]byte(fuzzHeader + "0576,<script>,Dorf,x,,,-1,,,\n"))
	f.Add([]byte(fuzzHeader + `05766020,"unterminated`))
	f.Add([]byte(fuzzHeader + "05766,Lippe,Kreis,,,Detmold,,,\n05766008,Blomberg,kreisangehörige Stadt,05766,,,,,,,\n05766,Lippe"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "kommunen.csv")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		res, err := importer.ReadAdministrations(path, importer.AdministrationOptions{ITProvider: "krz"})
		if err != nil {
			return
		}
		// Each row is an object or rejected once (no filter is set).
		if r := res.Report; r.Objects+r.Rejected() != r.Rows {
			t.Fatalf("%s: the rows are not accounted for\n%s", r.Summary(), reportText(r))
		}
		for _, a := range res.Items {
			if errs := validation.IsDNS1035Label(a.Name); len(errs) > 0 {
				t.Fatalf("name %q: %v", a.Name, errs)
			}
			if !agsOrKreisKey.MatchString(a.Spec.Key) || (a.Spec.Type == v1alpha1.TypeKreis) != (len(a.Spec.Key) == 5) {
				t.Fatalf("%s: key %q does not fit type %s", a.Name, a.Spec.Key, a.Spec.Type)
			}
			for k, v := range a.Labels {
				if errs := validation.IsValidLabelValue(v); len(errs) > 0 {
					t.Fatalf("%s: label %s=%q: %v", a.Name, k, v, errs)
				}
			}
		}
	})
}
