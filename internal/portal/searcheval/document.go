package searcheval

import (
	"fmt"
	"os"
	"path/filepath"

	"sigs.k8s.io/yaml"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/importer"
	"github.com/ozg-operator/ozg-operator/internal/portaldata"
	"github.com/ozg-operator/ozg-operator/internal/render"
	"github.com/ozg-operator/ozg-operator/internal/responsibility"
)

// Town is the portal the query set is run against: the demo's Augustdorf
// (Kreis Lippe), a small town whose portal lists the whole catalogue.
const Town = "Augustdorf"

// ProfileFile is the NRW responsibility profile, relative to the module
// root.
const ProfileFile = "config/profiles/nrw.yaml"

// NRWDocument renders the portal document of the administration named
// displayName from the reference data in dataDir (the catalogue and the
// NRW administrations) and the responsibility profile in profileFile, as
// the operator renders it into the portal's ConfigMap.
func NRWDocument(dataDir, profileFile, displayName string) (*portaldata.Document, error) {
	cat, err := importer.ReadCatalog(filepath.Join(dataDir, "ozg-katalog"))
	if err != nil {
		return nil, err
	}
	entries := make([]*ozgv1.OZGService, len(cat.Services))
	for i := range cat.Services {
		entries[i] = &cat.Services[i]
	}
	raw, err := os.ReadFile(profileFile)
	if err != nil {
		return nil, err
	}
	var profile ozgv1.ResponsibilityProfile
	if err := yaml.UnmarshalStrict(raw, &profile); err != nil {
		return nil, fmt.Errorf("%s: %w", profileFile, err)
	}
	adms, err := importer.ReadAdministrations(filepath.Join(dataDir, "kommunen-nrw.csv"), importer.AdministrationOptions{})
	if err != nil {
		return nil, err
	}
	in := render.Inputs{Profile: responsibility.Compile(&profile), Catalog: render.NewCatalog(entries)}
	for i := range adms.Items {
		if adms.Items[i].Spec.DisplayName == displayName {
			in.Administration = &adms.Items[i]
		}
	}
	if in.Administration == nil {
		return nil, fmt.Errorf("no administration %q in the reference data", displayName)
	}
	for i := range adms.Items {
		if adms.Items[i].Name == in.Administration.Spec.Parent {
			in.Kreis = &adms.Items[i]
		}
	}
	res, err := render.Portal(&ozgv1.ServicePortal{}, in)
	if err != nil {
		return nil, err
	}
	return res.Document, nil
}
