package importer_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ozg-operator/ozg-operator/internal/importer"
)

// TestAdministrationNamesStartWithALetter: a fleet names each portal after
// its administration, and a portal's Service needs a DNS-1035 label, so an
// official name that starts with a digit gets a prefix (found by
// FuzzReadAdministrations).
func TestAdministrationNamesStartWithALetter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kommunen.csv")
	data := fuzzHeader +
		"05766020,\"1. Gemeinde, Stadt\",kreisangehörige Stadt,05766,Lippe,Detmold,1,,,\n" +
		"05766024,00,kreisangehörige Gemeinde,05766,Lippe,Detmold,1,,,\n" +
		"05766,4711,Kreis,,,Detmold,,,,\n"
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := importer.ReadAdministrations(path, importer.AdministrationOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"adm-1-gemeinde": true, "adm-00": true, "kreis-4711": true}
	if len(res.Items) != len(want) {
		t.Fatalf("got %d administrations, want %d", len(res.Items), len(want))
	}
	for _, a := range res.Items {
		if !want[a.Name] {
			t.Errorf("unexpected name %q (key %s); want one of %v", a.Name, a.Spec.Key, want)
		}
	}
}
