package portal

import (
	"strings"
	"testing"

	"github.com/ozg-operator/ozg-operator/internal/portaldata"
)

// gemeindeDocument is a Gemeinde's content as the operator writes it with
// a responsibility profile: a shared catalogue, and each service with who
// is responsible.
func gemeindeDocument() *portaldata.Document {
	gemeinde := portaldata.Responsible{Level: portaldata.LevelGemeinde, Administration: "augustdorf", DisplayName: "Gemeinde Augustdorf"}
	kreis := portaldata.Responsible{Level: portaldata.LevelKreis, Administration: "kreis-lippe", DisplayName: "Kreis Lippe", PortalURL: "https://kreis-lippe.example"}
	bund := portaldata.Responsible{Level: portaldata.LevelBund, DisplayName: "Bund"}
	return &portaldata.Document{
		SchemaVersion:  portaldata.SchemaVersion,
		Catalog:        portaldata.CatalogFile,
		Administration: portaldata.Administration{Name: "augustdorf", Key: "05766004", DisplayName: "Gemeinde Augustdorf", Type: "KreisangehoerigeGemeinde", Parent: "kreis-lippe"},
		Authorities:    map[portaldata.Level]portaldata.Responsible{portaldata.LevelGemeinde: gemeinde, portaldata.LevelKreis: kreis, portaldata.LevelBund: bund},
		Services: []portaldata.Service{
			{OZGID: "10439", Name: "Kfz-Zulassung", Themenfeld: "Mobilität & Reisen", State: portaldata.StateLive,
				URL: "https://kfz.kreis-lippe.example", Responsible: &kreis},
			{OZGID: "10169", Name: "Führerschein", Themenfeld: "Mobilität & Reisen", State: portaldata.StateOpen, Responsible: &kreis},
			{OZGID: "10559", Name: "Meldebescheinigung", Themenfeld: "Ein- und Auswanderung", State: portaldata.StateOpen, Responsible: &gemeinde},
			{OZGID: "10096", Name: "Rentenversicherungskonto", Themenfeld: "Arbeit & Ruhestand", Responsible: &bund},
		},
	}
}

func TestPageAndAPISayWhoIsResponsible(t *testing.T) {
	s := newLoadedServer(t, gemeindeDocument())
	h := s.Handler()

	resp := getServices(t, h, "/api/v1/services")
	got := map[string]portaldata.Service{}
	for _, svc := range resp.Services {
		got[svc.OZGID] = svc
	}
	if len(got) != 4 {
		t.Fatalf("the API lists %d services, want 4", len(got))
	}
	for id, want := range map[string]struct{ level, administration, url string }{
		"10439": {"Kreis", "kreis-lippe", "https://kfz.kreis-lippe.example"},
		"10169": {"Kreis", "kreis-lippe", ""},
		"10559": {"Gemeinde", "augustdorf", ""},
		"10096": {"Bund", "", ""},
	} {
		svc := got[id]
		if svc.Responsible == nil || string(svc.Responsible.Level) != want.level || svc.Responsible.Administration != want.administration || svc.URL != want.url {
			t.Errorf("%s: responsible %+v, url %q; want %s %q, url %q", id, svc.Responsible, svc.URL, want.level, want.administration, want.url)
		}
		if svc.Name == "" {
			t.Errorf("%s has no name: the catalogue was not joined", id)
		}
	}

	body := getOK(t, h, "/?q=kfz", "text/html; charset=utf-8").body
	assertPageHas(t, body, "Zuständig", "Kreis Lippe", `href="https://kfz.kreis-lippe.example"`)
	body = getOK(t, h, "/?q=f%C3%BChrerschein", "text/html; charset=utf-8").body
	// Nothing online yet: citizens are sent to the Kreis, with its portal.
	assertPageHas(t, body, `Bitte wenden Sie sich an <a href="https://kreis-lippe.example">Kreis Lippe</a>.`)
	body = getOK(t, h, "/?q=rente", "text/html; charset=utf-8").body
	assertPageHas(t, body, "die zuständige Bundesbehörde")
	if strings.Contains(body, "Stand</dt>") {
		t.Error("a federal service shows a state, but no administration of the portal tracks it")
	}
}

// TestLeiKaServicesUnderTheirOwnAuthority: a bundled service whose LeiKa
// services sit at different levels names, on its page and in the API, who
// answers for each LeiKa service that is not the service's authority's.
func TestLeiKaServicesUnderTheirOwnAuthority(t *testing.T) {
	doc := gemeindeDocument()
	gemeinde, kreis := doc.Authorities[portaldata.LevelGemeinde], doc.Authorities[portaldata.LevelKreis]
	doc.Services = append(doc.Services, portaldata.Service{OZGID: "10025", Name: "Eheschließung", Themenfeld: "Familie & Kind",
		State: portaldata.StateOpen, Responsible: &gemeinde,
		Leistungen: []portaldata.Leistung{{Key: "99059002010000", Name: "Befreiung vom Eheverbot"}, {Key: "99059002011000", Name: "Anmeldung der Eheschließung"},
			{Key: "99059002012000", Name: "Beglaubigung für Notare"}},
		LeistungResponsible: map[string]portaldata.Responsible{"99059002010000": kreis, "99059002012000": {Level: portaldata.LevelKammer}},
	})
	h := newLoadedServer(t, doc).Handler()

	body := getOK(t, h, "/leistungen/10025", "text/html; charset=utf-8").body
	assertPageHas(t, body, `Befreiung vom Eheverbot <span class="meta">(LeiKa-Schlüssel 99059002010000)</span> <span class="leistung-responsible">– zuständig: <a href="https://kreis-lippe.example">Kreis Lippe</a></span>`)
	// A Kammer is named by its kind: which one follows from the profession.
	assertPageHas(t, body, `– zuständig: die zuständige Kammer (z. B. IHK, Handwerkskammer, Ärztekammer)`)
	if strings.Count(body, "leistung-responsible") != 2 {
		t.Error("a LeiKa service of the service's own authority names it again")
	}
	for _, svc := range getServices(t, h, "/api/v1/services?q=Eheschließung").Services {
		if svc.OZGID == "10025" {
			if r, ok := svc.LeistungResponsible["99059002010000"]; !ok || r.Administration != "kreis-lippe" || r.PortalURL != "https://kreis-lippe.example" {
				t.Errorf("API: leistungResponsible %+v, want the Kreis with its portal", svc.LeistungResponsible)
			}
			return
		}
	}
	t.Error("the API does not find Eheschließung")
}

func TestCatalogueChangeReloads(t *testing.T) {
	doc := gemeindeDocument()
	vol := newConfigMapVolume(t)
	vol.writeFiles(t, sharedFiles(t, doc))
	s, err := New(Options{DataPath: vol.path()})
	must(t, err)
	must(t, s.Reload())

	// Only the shared catalogue changes: a service is renamed.
	doc.Services[0].Name = "Fahrzeugzulassung"
	vol.writeFiles(t, sharedFiles(t, doc))
	must(t, s.Reload())
	assertPageHas(t, getOK(t, s.Handler(), "/?q=10439", "text/html; charset=utf-8").body, "Fahrzeugzulassung")

	// A broken catalogue keeps the last good content.
	files := sharedFiles(t, doc)
	files[portaldata.CatalogFile] = []byte("not gzip")
	vol.writeFiles(t, files)
	if err := s.Reload(); err == nil || !strings.Contains(err.Error(), "catalog.json.gz") {
		t.Fatalf("Reload() = %v, want an error naming the catalogue", err)
	}
	assertPageHas(t, getOK(t, s.Handler(), "/?q=10439", "text/html; charset=utf-8").body, "Fahrzeugzulassung")
}
