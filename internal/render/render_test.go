package render_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/portaldata"
	"github.com/ozg-operator/ozg-operator/internal/render"
)

// catalogOf is a catalogue of the given entries.
func catalogOf(entries ...ozgv1.OZGServiceSpec) *render.Catalog {
	var objs []*ozgv1.OZGService
	for i := range entries {
		objs = append(objs, &ozgv1.OZGService{ObjectMeta: metav1.ObjectMeta{Name: "ozg-" + entries[i].OZGID}, Spec: entries[i]})
	}
	return render.NewCatalog(objs)
}

var (
	abfall = ozgv1.OZGServiceSpec{OZGID: "10110", Name: "Abfallentsorgung", Themenfeld: "Umwelt",
		Leistungen: []ozgv1.LeiKaLeistung{{Key: "99013007000000", Name: "Abfallentsorgung Sperrmüll", Typisierung: []string{"4"}}}}
	abbruch = ozgv1.OZGServiceSpec{OZGID: "10513", Name: "Abbruchgenehmigung", Themenfeld: "Bauen & Wohnen",
		EfA: &ozgv1.EfAService{Provider: "Hessen", URL: "https://efa.example.de/abbruch"}}
)

func detmold(services ...ozgv1.ServiceImplementation) *ozgv1.Administration {
	return &ozgv1.Administration{
		ObjectMeta: metav1.ObjectMeta{Name: "detmold"},
		Spec: ozgv1.AdministrationSpec{Key: "05766020", DisplayName: "Detmold", Type: ozgv1.TypeKreisangehoerigeStadt,
			Parent: "kreis-lippe", Services: services},
	}
}

func TestPortal(t *testing.T) {
	secretRef := ozgv1.SecretKeyReference{Name: "oidc", Key: "client-secret"}
	withLogin := &ozgv1.ServicePortal{Spec: ozgv1.ServicePortalSpec{PortalSettings: ozgv1.PortalSettings{
		Authentication: &ozgv1.PortalAuthentication{Provider: ozgv1.ProviderBundID, IssuerURL: "https://id.bund.de", ClientID: "detmold", ClientSecretRef: secretRef},
		Payment:        &ozgv1.PortalPayment{Provider: "ePayBL", SecretRef: &ozgv1.SecretKeyReference{Name: "epay", Key: "token"}},
		Links:          []ozgv1.PortalLink{{Name: "Wirtschafts-Service-Portal.NRW", URL: "https://service.wirtschaft.nrw"}},
	}}}
	for _, tc := range []struct {
		name          string
		portal        *ozgv1.ServicePortal
		adm           *ozgv1.Administration
		catalog       *render.Catalog
		offered, live int32
		missing       []string
		services      []string // OZG ids in document order
		check         func(t *testing.T, doc *portaldata.Document)
	}{
		{"no services", &ozgv1.ServicePortal{}, detmold(), catalogOf(abfall), 0, 0, nil, nil, func(t *testing.T, doc *portaldata.Document) {
			if doc.Administration.Key != "05766020" || doc.Administration.Parent != "kreis-lippe" || doc.Authentication != nil || doc.Payment != nil {
				t.Errorf("document %+v", doc)
			}
		}},
		{"joined with the catalogue, in the administration's order", &ozgv1.ServicePortal{}, detmold(
			ozgv1.ServiceImplementation{Service: "ozg-10513", State: ozgv1.StateInProgress, Tool: "Formularserver NRW"},
			ozgv1.ServiceImplementation{Service: "ozg-10110", State: ozgv1.StateLive, URL: "https://formulare.example.de/abfall"},
		), catalogOf(abfall, abbruch), 2, 2, nil, []string{"10513", "10110"}, func(t *testing.T, doc *portaldata.Document) {
			s := doc.Services[1]
			if s.Name != "Abfallentsorgung" || s.URL != "https://formulare.example.de/abfall" || len(s.Leistungen) != 1 || s.Leistungen[0].Key != "99013007000000" {
				t.Errorf("service %+v", s)
			}
			if e := doc.Services[0].EfA; e == nil || e.URL != "https://efa.example.de/abbruch" || doc.Services[0].Tool != "Formularserver NRW" {
				t.Errorf("EfA service %+v", doc.Services[0])
			}
		}},
		{"a service the catalogue lacks is left out and named", &ozgv1.ServicePortal{}, detmold(
			ozgv1.ServiceImplementation{Service: "ozg-99999", State: ozgv1.StateLive},
			ozgv1.ServiceImplementation{Service: "ozg-10110", State: ozgv1.StateLive},
		), catalogOf(abfall), 1, 1, []string{"ozg-99999"}, []string{"10110"}, nil},
		{"public login and payment settings, never their secrets", withLogin, detmold(), catalogOf(), 0, 0, nil, nil, func(t *testing.T, doc *portaldata.Document) {
			if a := doc.Authentication; a == nil || a.Provider != "BundID" || a.IssuerURL != "https://id.bund.de" || a.ClientID != "detmold" {
				t.Errorf("authentication %+v", doc.Authentication)
			}
			if doc.Payment == nil || doc.Payment.Provider != "ePayBL" || len(doc.Links) != 1 {
				t.Errorf("payment %+v, links %+v", doc.Payment, doc.Links)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := render.Portal(tc.portal, render.Inputs{Administration: tc.adm, Catalog: tc.catalog})
			if err != nil {
				t.Fatal(err)
			}
			if res.Offered != tc.offered || res.Live != tc.live || !slices.Equal(res.Missing, tc.missing) {
				t.Errorf("offered %d, live %d, missing %v; want %d, %d, %v", res.Offered, res.Live, res.Missing, tc.offered, tc.live, tc.missing)
			}
			var ids []string
			for _, s := range res.Document.Services {
				ids = append(ids, s.OZGID)
			}
			if !slices.Equal(ids, tc.services) {
				t.Errorf("services %v, want %v", ids, tc.services)
			}
			for _, secret := range []string{"client-secret", "oidc", "epay", "token"} {
				if bytes.Contains(res.JSON, []byte(`"`+secret+`"`)) {
					t.Errorf("the document names the secret %q: %s", secret, res.JSON)
				}
			}
			// The stored encoding is what the portal server reads back.
			doc, err := portaldata.Parse(res.JSON)
			if err != nil {
				t.Fatalf("the rendered JSON does not parse: %v", err)
			}
			if doc.Administration.Name != "detmold" || len(doc.Services) != len(tc.services) {
				t.Errorf("parsed back %+v", doc)
			}
			if tc.check != nil {
				tc.check(t, res.Document)
			}
		})
	}
}

// TestPortalIsDeterministic: the same input renders the same bytes and
// checksum, and a content change moves the checksum (which rolls the pods).
func TestPortalIsDeterministic(t *testing.T) {
	adm := detmold(ozgv1.ServiceImplementation{Service: "ozg-10110", State: ozgv1.StateInProgress},
		ozgv1.ServiceImplementation{Service: "ozg-10513"})
	first, err := render.Portal(&ozgv1.ServicePortal{}, render.Inputs{Administration: adm, Catalog: catalogOf(abfall, abbruch)})
	if err != nil {
		t.Fatal(err)
	}
	again, _ := render.Portal(&ozgv1.ServicePortal{}, render.Inputs{Administration: adm, Catalog: catalogOf(abfall, abbruch)})
	if !bytes.Equal(first.JSON, again.JSON) || first.Checksum != again.Checksum || len(first.Checksum) != 64 {
		t.Fatalf("two renders differ: %s vs %s", first.Checksum, again.Checksum)
	}
	adm.Spec.Services[0].State = ozgv1.StateLive
	changed, _ := render.Portal(&ozgv1.ServicePortal{}, render.Inputs{Administration: adm, Catalog: catalogOf(abfall, abbruch)})
	if changed.Checksum == first.Checksum || !strings.Contains(string(changed.JSON), `"Live"`) {
		t.Fatalf("a state change kept the checksum %s", first.Checksum)
	}
}
