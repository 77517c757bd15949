package portal

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/importer"
	"github.com/ozg-operator/ozg-operator/internal/render"
)

// The portal's rows of the bad-input matrix (docs/bad-input.md).

// TestBadInputMarkupFromCSVIsEscaped follows markup from the CSV files
// through the importer (which keeps it as data) and the operator's
// rendering to the page: citizens see the text, the browser never sees
// an element.
func TestBadInputMarkupFromCSVIsEscaped(t *testing.T) {
	const (
		admName     = `<script>alert(1)</script>`
		serviceName = `"><img src=x onerror=alert(2)>`
		leikaName   = `<script>alert(3)</script>`
	)
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		must(t, os.WriteFile(path, []byte(content), 0o600))
		return path
	}
	kommunen := write("kommunen.csv", "schluessel,name,typ,kreis_schluessel,kreis,regierungsbezirk,einwohner_2011,anschrift,strasse,plz_ort\n"+
		"05766,Lippe,Kreis,,,Detmold,,,,\n"+
		`05766020,"`+admName+`, Stadt",kreisangehörige Stadt,05766,Lippe,Detmold,73000,Stadt Detmold,Marie-Curie-Str. 2,32756 Detmold`+"\n")
	write(importer.ThemenfelderFile, "themenfeld\nBauen & Wohnen\n")
	write(importer.LebenslagenFile, "themenfeld,lebenslage\nBauen & Wohnen,Wohnen & Umzug\n")
	write(importer.OZGLeistungenFile, "ozg_id,bezeichnung,themenfeld,lebenslage\n"+`10110,"""><img src=x onerror=alert(2)>",Bauen & Wohnen,Wohnen & Umzug`+"\n")
	write(importer.LeiKaLeistungenFile, "leika_schluessel,bezeichnung,ozg_id,typisierung,rechtsgrundlage,sdg1,sdg2\n"+
		"99013001000000,"+leikaName+",10110,5,,0,0\n")

	adms, err := importer.ReadAdministrations(kommunen, importer.AdministrationOptions{})
	must(t, err)
	catalog, err := importer.ReadCatalog(dir)
	must(t, err)
	if adms.Report.Rejected() != 0 || catalog.Report.Rejected() != 0 {
		t.Fatalf("the importer rejected markup: %s; %s", adms.Report.Summary(), catalog.Report.Summary())
	}
	var adm *ozgv1.Administration
	for i := range adms.Items {
		if adms.Items[i].Spec.DisplayName == admName {
			adm = &adms.Items[i]
		}
	}
	if adm == nil || adm.Name != "script-alert-1-script" {
		t.Fatalf("no administration with display name %q: %+v", admName, adms.Items)
	}
	adm.Spec.Services = []ozgv1.ServiceImplementation{{Service: "ozg-10110", State: ozgv1.StateLive, URL: "https://formulare.example.de/abfall"}}
	portal := &ozgv1.ServicePortal{Spec: ozgv1.ServicePortalSpec{
		AdministrationRef: ozgv1.LocalObjectReference{Name: adm.Name},
		PortalSettings: ozgv1.PortalSettings{Links: []ozgv1.PortalLink{
			{Name: "<b>Wirtschaft</b>", URL: "https://wirtschaft.example.de/?a=1&b=<x>"},
		}},
	}}
	var entries []*ozgv1.OZGService
	for i := range catalog.Services {
		entries = append(entries, &catalog.Services[i])
	}
	rendered, err := render.Portal(portal, render.Inputs{Administration: adm, Catalog: render.NewCatalog(entries)})
	must(t, err)
	if rendered.Offered != 1 || rendered.Document.Services[0].Name != serviceName || rendered.Document.Services[0].Leistungen[0].Name != leikaName {
		t.Fatalf("rendered document lost the names: %+v", rendered.Document.Services)
	}

	s := newLoadedServer(t, rendered.Document)
	assertNoInjection(t, s.Handler(), []string{"/", "/?q=alert", "/?q=%3Cscript%3E", "/nicht-da"},
		[]string{admName, serviceName, leikaName, "<b>Wirtschaft", "<img", "<x>"}, "script", "img", "b")
	assertPageHas(t, get(t, s.Handler(), "/").body,
		`&lt;script&gt;alert(1)&lt;/script&gt;`,
		`&#34;&gt;&lt;img src=x onerror=alert(2)&gt;`,
		`&lt;script&gt;alert(3)&lt;/script&gt;`,
		`&lt;b&gt;Wirtschaft&lt;/b&gt;`,
	)

	// The JSON API returns the exact strings, JSON-escaped.
	got := getServices(t, s.Handler(), "/api/v1/services")
	if len(got.Services) != 1 || got.Services[0].Name != serviceName {
		t.Errorf("API services = %+v, want the exact name %q", got.Services, serviceName)
	}
}

// TestBadInputHostileDocumentKeepsLastGood: a portal.json the operator
// would never write (a hand-edited ConfigMap with a javascript: link, a
// link without host or with credentials) is
// refused by the portal server, which keeps serving the last valid
// document instead of rendering the link or going blank.
func TestBadInputHostileDocumentKeepsLastGood(t *testing.T) {
	vol := newConfigMapVolume(t)
	good := sampleDocument()
	vol.write(t, marshal(t, good))
	s, err := New(Options{DataPath: vol.path()})
	must(t, err)
	must(t, s.Reload())

	for _, tc := range []struct{ url, want string }{
		{"javascript:alert(1)", `.url: must be an absolute http(s) URL, got "javascript:alert(1)"`},
		// These two pass the CRD's CEL rule (docs/bad-input.md, known gaps).
		{"http:///wohngeld", `.url: must have a host, got "http:///wohngeld"`},
		{"https://user:geheim@musterstadt.example/wohngeld", ".url: must not contain user information"},
	} {
		hostile := strings.Replace(string(marshal(t, good)), "https://musterstadt.example/wohngeld", tc.url, 1)
		if !strings.Contains(hostile, tc.url) {
			t.Fatal("the fixture has no service link to replace")
		}
		vol.write(t, []byte(hostile))
		if err := s.Reload(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Reload with %s = %v, want %q", tc.url, err, tc.want)
		}
	}
	if !s.Catalog().Ready() {
		t.Fatal("the server dropped its last valid document")
	}
	body := get(t, s.Handler(), "/").body
	if strings.Contains(body, "javascript:") || strings.Contains(body, "geheim") || !strings.Contains(body, `href="https://musterstadt.example/wohngeld"`) {
		t.Error("the page does not show the last valid document")
	}
}
