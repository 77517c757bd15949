package controllers

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/admservices"
	"github.com/ozg-operator/ozg-operator/internal/render"
)

// A reconcile skips the render when the fingerprint of the content's
// sources is the one of the content applied, so every source that
// render.Portal reads must move it, and a reconcile that changed nothing
// must find the same one.
func TestContentFingerprintMovesWithEverySource(t *testing.T) {
	object := func(name, uid string) metav1.ObjectMeta {
		return metav1.ObjectMeta{Name: name, UID: types.UID(uid), Generation: 1}
	}
	sources := func() (*ozgv1.ServicePortal, contentSources) {
		portal := &ozgv1.ServicePortal{ObjectMeta: object("lemgo", "p1")}
		adm := &ozgv1.Administration{ObjectMeta: object("lemgo", "a1")}
		adm.Annotations = map[string]string{admservices.Annotation: "ozg-compact-1:entries"}
		kreis := &ozgv1.Administration{ObjectMeta: object("kreis-lippe", "k1")}
		profile := &ozgv1.ResponsibilityProfile{ObjectMeta: object("nrw", "r1")}
		catalog := render.NewCatalog([]*ozgv1.OZGService{
			{ObjectMeta: object("ozg-10110", "s1"), Spec: ozgv1.OZGServiceSpec{OZGID: "10110"}},
			{ObjectMeta: object("ozg-10111", "s2"), Spec: ozgv1.OZGServiceSpec{OZGID: "10111"}},
		})
		return portal, contentSources{
			Inputs: render.Inputs{
				Administration: adm, Kreis: kreis, Catalog: catalog,
				KreisPortalURL: "https://kreis-lippe.example", PublicURL: "https://lemgo.example",
			},
			profile:            profile,
			catalogFingerprint: catalogFingerprint(catalog),
		}
	}
	portal, src := sources()
	want := contentFingerprint(portal, src)
	if again, again2 := sources(); contentFingerprint(again, again2) != want {
		t.Fatal("the same sources have another fingerprint")
	}
	changes := map[string]func(*ozgv1.ServicePortal, *contentSources){
		"the portal's spec":         func(p *ozgv1.ServicePortal, _ *contentSources) { p.Generation++ },
		"a portal recreated":        func(p *ozgv1.ServicePortal, _ *contentSources) { p.UID = "p2" },
		"the Administration's spec": func(_ *ozgv1.ServicePortal, s *contentSources) { s.Administration.Generation++ },
		"the Administration's service entries": func(_ *ozgv1.ServicePortal, s *contentSources) {
			s.Administration.Annotations[admservices.Annotation] = "ozg-compact-1:other"
		},
		"an Administration recreated": func(_ *ozgv1.ServicePortal, s *contentSources) { s.Administration.UID = "a2" },
		"the Kreis's spec":            func(_ *ozgv1.ServicePortal, s *contentSources) { s.Kreis.Generation++ },
		"the Kreis's service entries": func(_ *ozgv1.ServicePortal, s *contentSources) {
			s.Kreis.Annotations = map[string]string{admservices.Annotation: "ozg-compact-1:kreis"}
		},
		"no Kreis":           func(_ *ozgv1.ServicePortal, s *contentSources) { s.Kreis = nil },
		"the profile's spec": func(_ *ozgv1.ServicePortal, s *contentSources) { s.profile.Generation++ },
		"no profile":         func(_ *ozgv1.ServicePortal, s *contentSources) { s.profile = nil },
		"the Kreis's portal": func(_ *ozgv1.ServicePortal, s *contentSources) { s.KreisPortalURL = "" },
		"the portal's URL":   func(_ *ozgv1.ServicePortal, s *contentSources) { s.PublicURL = "https://www.lemgo.example" },
		"a catalogue entry's spec": func(_ *ozgv1.ServicePortal, s *contentSources) {
			s.Catalog.Each(func(e *ozgv1.OZGService) { e.Generation = 2 })
		},
		"a catalogue entry less": func(_ *ozgv1.ServicePortal, s *contentSources) {
			var first *ozgv1.OZGService
			s.Catalog.Each(func(e *ozgv1.OZGService) {
				if first == nil {
					first = e
				}
			})
			s.Catalog = render.NewCatalog([]*ozgv1.OZGService{first})
		},
	}
	for name, change := range changes {
		portal, src := sources()
		change(portal, &src)
		// As the catalogue's cache fingerprints what it lists.
		src.catalogFingerprint = catalogFingerprint(src.Catalog)
		if contentFingerprint(portal, src) == want {
			t.Errorf("%s: the fingerprint stays the same, so the portal would keep its old content", name)
		}
	}
}
