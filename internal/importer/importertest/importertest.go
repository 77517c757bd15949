// Package importertest locates the shared reference data that the
// importer's and ozgctl's tests run against.
package importertest

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/importer"
)

// DataDirEnv overrides where the reference data is looked for.
const DataDirEnv = "OZG_DATA_DIR"

// ModuleRoot returns the directory holding go.mod, searched upwards from
// the working directory (a test's package directory).
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// DataDir returns the reference data directory: $OZG_DATA_DIR, or
// ../shared/data next to the module root. It skips the test when the data
// is not there, since it lives outside the repository.
func DataDir(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv(DataDirEnv)
	if dir == "" {
		root, err := ModuleRoot()
		if err != nil {
			tb.Fatal(err)
		}
		dir = filepath.Join(root, "..", "shared", "data")
	}
	if _, err := os.Stat(filepath.Join(dir, "kommunen-nrw.csv")); err != nil {
		tb.Skipf("reference data not found (set %s): %v", DataDirEnv, err)
	}
	return dir
}

// CatalogDir returns the catalogue directory of the reference data.
func CatalogDir(tb testing.TB) string {
	tb.Helper()
	return filepath.Join(DataDir(tb), "ozg-katalog")
}

// AdministrationsFile returns the NRW administrations file of the
// reference data.
func AdministrationsFile(tb testing.TB) string {
	tb.Helper()
	return filepath.Join(DataDir(tb), "kommunen-nrw.csv")
}

// Catalog reads the catalogue of the reference data.
func Catalog(tb testing.TB) *importer.Catalog {
	tb.Helper()
	c, err := importer.ReadCatalog(CatalogDir(tb))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// Administrations reads the NRW administrations of the reference data with
// opts.
func Administrations(tb testing.TB, opts importer.AdministrationOptions) *importer.Administrations {
	tb.Helper()
	a, err := importer.ReadAdministrations(AdministrationsFile(tb), opts)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// NRWProfile reads the NRW responsibility table the project ships
// (hack/profiles/nrw/services.csv) as hack/gen-profiles.sh does.
func NRWProfile(tb testing.TB) *v1alpha1.ResponsibilityProfile {
	tb.Helper()
	root, err := ModuleRoot()
	if err != nil {
		tb.Fatal(err)
	}
	p, err := importer.ReadProfile(filepath.Join(root, "hack", "profiles", "nrw", "services.csv"),
		importer.ProfileOptions{Name: importer.NRWProfile, Land: "Nordrhein-Westfalen", Typisierung: importer.NRWTypisierung})
	if err != nil {
		tb.Fatal(err)
	}
	return &p.Profile
}
