package portalverbund_test

import (
	"bytes"
	"testing"

	"github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/importer"
	"github.com/ozg-operator/ozg-operator/internal/importer/importertest"
	"github.com/ozg-operator/ozg-operator/internal/portaldata"
	"github.com/ozg-operator/ozg-operator/internal/portalverbund"
	"github.com/ozg-operator/ozg-operator/internal/portalverbund/portalverbundtest"
	"github.com/ozg-operator/ozg-operator/internal/render"
	"github.com/ozg-operator/ozg-operator/internal/responsibility"
)

// detmoldDocument renders Detmold's portal from the real catalogue, the
// NRW directory and the NRW responsibility profile, as the operator does.
func detmoldDocument(t *testing.T) (*portaldata.Document, *render.Catalog) {
	t.Helper()
	c := importertest.Catalog(t)
	adms := importertest.Administrations(t, importer.AdministrationOptions{Kreise: []string{"05766"}, WithKreise: true})
	byName := map[string]*v1alpha1.Administration{}
	for i := range adms.Items {
		byName[adms.Items[i].Name] = &adms.Items[i]
	}
	detmold := byName["detmold"]
	detmold.Spec.Services = []v1alpha1.ServiceImplementation{{Service: "ozg-10092", State: v1alpha1.StateLive, URL: "https://formulare.example.de/detmold/wohngeld",
		TrustLevel: v1alpha1.TrustLevelSubstantial}}
	entries := make([]*v1alpha1.OZGService, len(c.Services))
	for i := range c.Services {
		entries[i] = &c.Services[i]
	}
	catalog := render.NewCatalog(entries)
	res, err := render.Portal(&v1alpha1.ServicePortal{}, render.Inputs{
		Administration: detmold, Kreis: byName["kreis-lippe"], Profile: responsibility.Compile(importertest.NRWProfile(t)), Catalog: catalog,
		PublicURL: "https://detmold.serviceportal.example.de",
	})
	if err != nil {
		t.Fatal(err)
	}
	return res.Document, catalog
}

// The feed of a real portal validates against the schema and carries every
// LeiKa key of the catalogue's services, and the authorities by ARS.
func TestFeedOfARealPortal(t *testing.T) {
	doc, _ := detmoldDocument(t)
	data, err := portalverbund.Marshal(portalverbund.FromDocument(doc, ""), false)
	if err != nil {
		t.Fatal(err)
	}
	f := portalverbundtest.MustValidate(t, data)
	// One Zuständigkeit per service, and one per LeiKa service another
	// authority answers for.
	splits := 0
	for _, s := range doc.Services {
		splits += len(s.LeistungResponsible)
	}
	if len(f.Leistungen) != len(doc.Services) || len(f.Zustaendigkeiten) != len(doc.Services)+splits || splits == 0 {
		t.Errorf("%d Leistungen, %d Zuständigkeiten for %d services with %d LeiKa services elsewhere", len(f.Leistungen), len(f.Zustaendigkeiten), len(doc.Services), splits)
	}
	keys, urns := 0, 0
	for _, s := range doc.Services {
		for _, l := range s.Leistungen {
			if l.Key != "" {
				keys++
			}
		}
	}
	for _, l := range f.Leistungen {
		for _, k := range l.LeiKaLeistungen {
			if k.URN == portalverbund.LeiKaURNPrefix+k.Schluessel && k.Schluessel != "" {
				urns++
			}
		}
	}
	if keys < 4000 || urns != keys {
		t.Errorf("%d LeiKa URNs for %d keyed LeiKa services", urns, keys)
	}
	orgs := map[string]portalverbund.Organisationseinheit{}
	for _, o := range f.Organisationseinheiten {
		orgs[o.ID] = o
	}
	if o := orgs["057660020020"]; o.Name != "Detmold" || o.AGS != "05766020" || o.Anschrift == nil || o.Anschrift.Postleitzahl == "" {
		t.Errorf("Detmold = %+v", o)
	}
	if o := orgs["057660000000"]; o.Name != "Kreis Lippe" || o.Ebene != "Kreis" {
		t.Errorf("Kreis Lippe = %+v", o)
	}
	if o := orgs["050000000000"]; o.Name != "Land Nordrhein-Westfalen" || o.Ebene != "Land" {
		t.Errorf("Land = %+v", o)
	}
	levels := map[string]int{}
	for _, z := range f.Zustaendigkeiten {
		levels[z.Ebene]++
		// The Standesamt's marriage, with the exemption the president of
		// the Oberlandesgericht grants (§ 1309 Abs. 2 BGB).
		if z.Leistung == "10025" && (z.LeiKaLeistung == "") != (z.Ebene == "Gemeinde") {
			t.Errorf("marriage: %+v", z)
		}
		if z.Leistung == "10092" && (z.Onlinedienst == nil || z.Onlinedienst.Vertrauensniveau != "substanziell" || z.Organisationseinheit != "057660020020") {
			t.Errorf("Wohngeld: %+v", z)
		}
	}
	for _, level := range []string{"Bund", "Land", "Kreis", "Gemeinde"} {
		if levels[level] == 0 {
			t.Errorf("no service at level %s: %v", level, levels)
		}
	}
}

func TestMergeIsDeterministic(t *testing.T) {
	doc, _ := detmoldDocument(t)
	other := *doc
	other.Administration.Name, other.Administration.Key, other.Administration.ARS, other.Administration.DisplayName = "lage", "05766040", "057660040040", "Lage"
	a, b := portalverbund.FromDocument(doc, ""), portalverbund.FromDocument(&other, "")
	one, _ := portalverbund.Marshal(portalverbund.Merge(a, b), true)
	two, _ := portalverbund.Marshal(portalverbund.Merge(b, a), true)
	if !bytes.Equal(one, two) {
		t.Errorf("the order of the feeds changes the merge")
	}
	m := portalverbundtest.MustValidate(t, one)
	if len(m.Gebiete) != 2 || len(m.Leistungen) != len(doc.Services) || len(m.Zustaendigkeiten) != len(a.Zustaendigkeiten)+len(b.Zustaendigkeiten) {
		t.Errorf("merge: %d Gebiete, %d Leistungen, %d Zuständigkeiten", len(m.Gebiete), len(m.Leistungen), len(m.Zustaendigkeiten))
	}
	// A second portal of the same administration adds nothing.
	if again := portalverbund.Merge(a, a); len(again.Zustaendigkeiten) != len(a.Zustaendigkeiten) || len(again.Gebiete) != 1 {
		t.Errorf("the same area twice: %d Gebiete, %d Zuständigkeiten", len(again.Gebiete), len(again.Zustaendigkeiten))
	}
}

// The schema is strict enough to catch a broken feed.
func TestSchemaRejectsBrokenFeeds(t *testing.T) {
	for name, feed := range map[string]string{
		"no lists":             `{"schemaVersion": 1}`,
		"another version":      `{"schemaVersion": 2, "gebiete": [], "organisationseinheiten": [], "leistungen": [], "zustaendigkeiten": []}`,
		"OZG-ID of 4 digits":   `{"schemaVersion": 1, "gebiete": [], "organisationseinheiten": [], "leistungen": [{"ozgId": "1040", "bezeichnung": "x", "themenfeld": "y", "leikaLeistungen": []}], "zustaendigkeiten": []}`,
		"URN without key":      `{"schemaVersion": 1, "gebiete": [], "organisationseinheiten": [], "leistungen": [{"ozgId": "10400", "bezeichnung": "x", "themenfeld": "y", "leikaLeistungen": [{"urn": "urn:de:fim:leika:leistung:99107001000000", "bezeichnung": "z"}]}], "zustaendigkeiten": []}`,
		"unknown trust level":  `{"schemaVersion": 1, "gebiete": [], "organisationseinheiten": [], "leistungen": [], "zustaendigkeiten": [{"leistung": "10400", "gebiet": "05766020", "ebene": "Gemeinde", "onlinedienst": {"url": "https://x.example", "vertrauensniveau": "mittel"}}]}`,
		"relative online link": `{"schemaVersion": 1, "gebiete": [], "organisationseinheiten": [], "leistungen": [], "zustaendigkeiten": [{"leistung": "10400", "gebiet": "05766020", "ebene": "Gemeinde", "onlinedienst": {"url": "/wohngeld"}}]}`,
		"ARS of 11 digits":     `{"schemaVersion": 1, "gebiete": [{"id": "05766020", "name": "Detmold", "ags": "05766020", "ars": "05766002002"}], "organisationseinheiten": [], "leistungen": [], "zustaendigkeiten": []}`,
	} {
		if err := portalverbundtest.Validate([]byte(feed)); err == nil {
			t.Errorf("%s: the schema accepts %s", name, feed)
		}
	}
}
