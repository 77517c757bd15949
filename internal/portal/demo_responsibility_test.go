package portal

import (
	"os"
	"path/filepath"
	"testing"

	"sigs.k8s.io/yaml"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/importer"
	"github.com/ozg-operator/ozg-operator/internal/importer/importertest"
	"github.com/ozg-operator/ozg-operator/internal/portal/searcheval"
	"github.com/ozg-operator/ozg-operator/internal/portaldata"
	"github.com/ozg-operator/ozg-operator/internal/render"
	"github.com/ozg-operator/ozg-operator/internal/responsibility"
)

// TestDemoPortalsAgreeWithTheProfile asks the API of each of the demo's 39
// portals (the krz's 36 municipalities and three Kreise, imported from the
// reference data with the shipped NRW profile) who answers for every
// service and LeiKa service, and checks each answer against the profile
// read by hand below, a deliberately plain second reading of the rules
// (table, typisierung, overrides, size classes, own authorities).
func TestDemoPortalsAgreeWithTheProfile(t *testing.T) {
	if testing.Short() {
		t.Skip("renders and serves 39 portals")
	}
	root, err := importertest.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(root, searcheval.ProfileFile))
	if err != nil {
		t.Fatal(err)
	}
	var profile ozgv1.ResponsibilityProfile
	if err := yaml.UnmarshalStrict(raw, &profile); err != nil {
		t.Fatal(err)
	}
	cat, err := importer.ReadCatalog(importertest.CatalogDir(t))
	if err != nil {
		t.Fatal(err)
	}
	adms, err := importer.ReadAdministrations(importertest.AdministrationsFile(t), importer.AdministrationOptions{
		Kreise: []string{"05766", "05758", "05770"}, WithKreise: true, ITProvider: "krz"})
	if err != nil {
		t.Fatal(err)
	}
	if len(adms.Items) != 39 {
		t.Fatalf("%d demo administrations, want 39", len(adms.Items))
	}
	entries := make([]*ozgv1.OZGService, len(cat.Services))
	byID := map[string]*ozgv1.OZGService{}
	for i := range cat.Services {
		entries[i] = &cat.Services[i]
		byID[cat.Services[i].Spec.OZGID] = &cat.Services[i]
	}
	byName := map[string]*ozgv1.Administration{}
	for i := range adms.Items {
		byName[adms.Items[i].Name] = &adms.Items[i]
	}
	catalog, compiled := render.NewCatalog(entries), responsibility.Compile(&profile)
	oracle := handReading{profile: &profile, byName: byName}
	checked := 0
	for i := range adms.Items {
		adm := &adms.Items[i]
		res, err := render.Portal(&ozgv1.ServicePortal{}, render.Inputs{Administration: adm, Kreis: byName[adm.Spec.Parent], Profile: compiled, Catalog: catalog})
		if err != nil {
			t.Fatal(err)
		}
		got := getServices(t, newLoadedServer(t, res.Document).Handler(), "/api/v1/services").Services
		if len(got) != len(cat.Services) {
			t.Errorf("%s lists %d services, want %d", adm.Name, len(got), len(cat.Services))
		}
		for _, s := range got {
			svc := byID[s.OZGID]
			level, who := oracle.service(svc, adm)
			if s.Responsible == nil || s.Responsible.Level != portaldata.Level(level) || s.Responsible.Administration != who {
				t.Errorf("%s, %s: the API says %+v, the profile %s %q", adm.Name, svc.Name, s.Responsible, level, who)
				continue
			}
			for _, l := range svc.Spec.Leistungen {
				llevel, lwho := oracle.leistung(svc, l.Key, adm)
				r, split := s.LeistungResponsible[l.Key]
				switch {
				case (llevel != level || lwho != who) && (!split || r.Level != portaldata.Level(llevel) || r.Administration != lwho):
					t.Errorf("%s, %s, LeiKa %s: the API says %+v (split %v), the profile %s %q", adm.Name, svc.Name, l.Key, r, split, llevel, lwho)
				case llevel == level && lwho == who && split:
					t.Errorf("%s, %s, LeiKa %s: named apart, but answered for as the service", adm.Name, svc.Name, l.Key)
				}
				checked++
			}
		}
	}
	t.Logf("39 portals, %d LeiKa answers checked", checked)
}

// handReading reads a profile's rules plainly, for one administration's
// citizens.
type handReading struct {
	profile *ozgv1.ResponsibilityProfile
	byName  map[string]*ozgv1.Administration
}

// service is the level and administration that answer for svc.
func (h handReading) service(svc *ozgv1.OZGService, adm *ozgv1.Administration) (ozgv1.Level, string) {
	p := h.entry(svc)
	return h.answer(svc.Name, p, adm, true)
}

// leistung is the level and administration that answer for the LeiKa
// service key of svc: its own table row if it has one, else the service's.
// An override moves it only where it sits with the service.
func (h handReading) leistung(svc *ozgv1.OZGService, key string, adm *ozgv1.Administration) (ozgv1.Level, string) {
	service := h.entry(svc)
	for _, s := range h.profile.Spec.Services {
		for _, l := range s.Leistungen {
			if s.Service == svc.Name && l.Key == key && key != "" {
				return h.answer(svc.Name, l.Placement, adm, l.Level == service.Level)
			}
		}
	}
	return h.answer(svc.Name, service, adm, true)
}

// entry is svc's table row, else what its typisierung says, else Unknown.
func (h handReading) entry(svc *ozgv1.OZGService) ozgv1.Placement {
	for _, s := range h.profile.Spec.Services {
		if s.Service == svc.Name {
			return s.Placement
		}
	}
	levels := map[ozgv1.Level]bool{}
	for _, l := range svc.Spec.Leistungen {
		if len(l.Typisierung) == 0 {
			return ozgv1.Placement{Level: ozgv1.LevelUnknown}
		}
		for _, t := range l.Typisierung {
			found := false
			for _, r := range h.profile.Spec.Typisierung {
				if r.Typisierung == t {
					levels[r.Level], found = true, true
				}
			}
			if !found {
				return ozgv1.Placement{Level: ozgv1.LevelUnknown}
			}
		}
	}
	if len(levels) != 1 {
		return ozgv1.Placement{Level: ozgv1.LevelUnknown}
	}
	for l := range levels {
		return ozgv1.Placement{Level: l}
	}
	return ozgv1.Placement{}
}

// answer applies the administration's rules to a placement: its own
// override or its Kreis's (where overridable), then the size classes and
// authorities of a kreisangehörige town; and names who is at the level.
func (h handReading) answer(service string, p ozgv1.Placement, adm *ozgv1.Administration, overridable bool) (ozgv1.Level, string) {
	kreis := h.byName[adm.Spec.Parent]
	level := p.Level
	overridden := false
	for _, a := range []*ozgv1.Administration{adm, kreis} {
		if a == nil || a.Spec.Responsibility == nil || !overridable || overridden {
			continue
		}
		for _, o := range a.Spec.Responsibility.Overrides {
			if o.Service == service {
				level, overridden = o.Level, true
			}
		}
	}
	town := adm.Spec.Type == ozgv1.TypeKreisangehoerigeStadt || adm.Spec.Type == ozgv1.TypeKreisangehoerigeGemeinde
	if !overridden && level == ozgv1.LevelKreis && town {
		size := adm.Spec.SizeClass
		if size == "" {
			size = ozgv1.SizeClassGemeinde
		}
		for _, c := range p.HeldBy {
			if c == size {
				level = ozgv1.LevelGemeinde
			}
		}
		if adm.Spec.Responsibility != nil && p.Authority != "" {
			for _, a := range adm.Spec.Responsibility.Authorities {
				if a == p.Authority {
					level = ozgv1.LevelGemeinde
				}
			}
		}
	}
	switch {
	case level == ozgv1.LevelGemeinde && adm.Spec.Type != ozgv1.TypeKreis:
		return level, adm.Name
	case level == ozgv1.LevelKreis && town:
		return level, adm.Spec.Parent
	case level == ozgv1.LevelKreis:
		return level, adm.Name
	}
	return level, ""
}
