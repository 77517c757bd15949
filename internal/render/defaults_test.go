package render_test

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/render"
)

// TestPortalFillsInTheCRDDefaults: a state or provider the API server
// would have defaulted renders as that default.
func TestPortalFillsInTheCRDDefaults(t *testing.T) {
	portal := &ozgv1.ServicePortal{Spec: ozgv1.ServicePortalSpec{PortalSettings: ozgv1.PortalSettings{
		Authentication: &ozgv1.PortalAuthentication{IssuerURL: "https://login.example.de", ClientID: "portal"},
	}}}
	adm := &ozgv1.Administration{
		ObjectMeta: metav1.ObjectMeta{Name: "detmold"},
		Spec: ozgv1.AdministrationSpec{
			Key: "05766020", DisplayName: "Detmold", Type: ozgv1.TypeKreisangehoerigeStadt,
			Services: []ozgv1.ServiceImplementation{{Service: "ozg-10110"}},
		},
	}
	catalog := render.NewCatalog([]*ozgv1.OZGService{{ObjectMeta: metav1.ObjectMeta{Name: "ozg-10110"},
		Spec: ozgv1.OZGServiceSpec{OZGID: "10110", Name: "Abfallentsorgung", Themenfeld: "Bauen & Wohnen"}}})
	res, err := render.Portal(portal, render.Inputs{Administration: adm, Catalog: catalog})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Document.Services[0].State; string(got) != string(ozgv1.DefaultServiceState) {
		t.Errorf("state %q, want the CRD default %q", got, ozgv1.DefaultServiceState)
	}
	if got := res.Document.Authentication.Provider; got != string(ozgv1.DefaultAuthenticationProvider) {
		t.Errorf("provider %q, want the CRD default %q", got, ozgv1.DefaultAuthenticationProvider)
	}
}
