package portaldata

import (
	"bytes"
	"compress/gzip"
	"slices"
	"strings"
	"testing"
)

func sampleCatalog() *CatalogDocument {
	return &CatalogDocument{
		SchemaVersion: SchemaVersion,
		Services: []CatalogService{
			{OZGID: "10439", Name: "Fahrzeugzulassung", Themenfeld: "Mobilität & Reisen",
				Leistungen: []Leistung{{Key: "99036001000000", Name: "Zulassung eines Fahrzeugs", Typisierung: []string{"4", "2/3"}}}},
			{OZGID: "10096", Name: "Rentenversicherungskonto", Themenfeld: "Arbeit & Ruhestand",
				EfA: &EfA{Provider: "Deutsche Rentenversicherung", URL: "https://rente.example.de"}},
			{OZGID: "10559", Name: "Meldebescheinigung", Themenfeld: "Ein- und Auswanderung"},
		},
	}
}

// A document that names the catalogue carries only what depends on the
// administration; Join adds the rest.
func sharedDocument() *Document {
	return &Document{
		SchemaVersion:  SchemaVersion,
		Catalog:        CatalogFile,
		Administration: Administration{Name: "augustdorf", Key: "05766004", DisplayName: "Gemeinde Augustdorf", Type: "KreisangehoerigeGemeinde", Parent: "kreis-lippe"},
		Authorities: map[Level]Responsible{
			LevelGemeinde: {Level: LevelGemeinde, Administration: "augustdorf", DisplayName: "Gemeinde Augustdorf"},
			LevelKreis:    {Level: LevelKreis, Administration: "kreis-lippe", DisplayName: "Kreis Lippe", PortalURL: "https://kreis-lippe.example.de"},
			LevelBund:     {Level: LevelBund, DisplayName: "Bund"},
		},
		Services: []Service{
			{OZGID: "10559", State: StateLive, URL: "https://augustdorf.example.de/melde",
				Responsible: &Responsible{Level: LevelGemeinde, Administration: "augustdorf", DisplayName: "Gemeinde Augustdorf"}},
			{OZGID: "10439", State: StateLive, URL: "https://kfz.kreis-lippe.example.de",
				Responsible: &Responsible{Level: LevelKreis, Administration: "kreis-lippe", DisplayName: "Kreis Lippe", PortalURL: "https://kreis-lippe.example.de"}},
			{OZGID: "10096", URL: "https://rente.example.de", Responsible: &Responsible{Level: LevelBund, DisplayName: "Bund"}},
			{OZGID: "99999", Responsible: &Responsible{Level: LevelUnknown}},
		},
	}
}

func TestCatalogRoundTripIsDeterministic(t *testing.T) {
	_, c := marshalInAnyOrder(t, sampleCatalog, func(c *CatalogDocument) { slices.Reverse(c.Services) }, MarshalCatalog, ParseCatalog)
	var ids []string
	for _, s := range c.Services {
		ids = append(ids, s.OZGID)
	}
	if !slices.Equal(ids, []string{"10096", "10439", "10559"}) {
		t.Errorf("services are %v, want sorted by OZG-ID", ids)
	}
	if got := c.Services[1].Leistungen[0].Typisierung; !slices.Equal(got, []string{"2/3", "4"}) {
		t.Errorf("typisierung is %v, want sorted", got)
	}
}

func TestJoinFillsTheCatalogPartAndNamesWhatIsMissing(t *testing.T) {
	data, err := Marshal(sharedDocument())
	if err != nil {
		t.Fatalf("a document naming the catalogue needs no names: %v", err)
	}
	if n := bytes.Count(data, []byte(`"Kreis Lippe"`)); n != 1 {
		t.Errorf("the Kreis's name is in the document %d times, want once (its authority)", n)
	}
	doc, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	missing := doc.Join(sampleCatalog())
	if !slices.Equal(missing, []string{"99999"}) {
		t.Errorf("missing = %v, want [99999]", missing)
	}
	var names []string
	for _, s := range doc.Services {
		names = append(names, s.Name)
	}
	// Sorted by Themenfeld, then name, once the names are known.
	if want := []string{"Rentenversicherungskonto", "Meldebescheinigung", "Fahrzeugzulassung"}; !slices.Equal(names, want) {
		t.Errorf("services are %v, want %v", names, want)
	}
	rente := doc.Services[0]
	if rente.EfA == nil || rente.State != "" || rente.Responsible.Level != LevelBund {
		t.Errorf("the Bund's service is %+v, want its EfA from the catalogue, no state, level Bund", rente)
	}
	if url, efa := rente.LinkURL(); url != "https://rente.example.de" || !efa {
		t.Errorf("LinkURL() = %q, %v, want the EfA service", url, efa)
	}
	kfz := doc.Services[2]
	if kfz.Own(doc) || len(kfz.Leistungen) != 1 {
		t.Errorf("the Kreis's service is %+v, want not own and its LeiKa service joined", kfz)
	}
	if r := kfz.Responsible; r.DisplayName != "Kreis Lippe" || r.PortalURL != "https://kreis-lippe.example.de" {
		t.Errorf("the Kreis's service has responsible %+v, want the Kreis's authority", *r)
	}
	if !doc.Services[1].Own(doc) {
		t.Error("the Gemeinde's own service is not Own")
	}
}

func TestParseCatalogRejects(t *testing.T) {
	gz := func(s string) []byte {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		_, _ = w.Write([]byte(s))
		_ = w.Close()
		return b.Bytes()
	}
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"not gzip", []byte(`{"schemaVersion":2}`), "decompressing catalogue"},
		{"not JSON", gz("services"), "decoding catalogue"},
		{"trailing data", gz(`{"schemaVersion":2,"services":[]} {}`), "unexpected data"},
		{"version", gz(`{"schemaVersion":1,"services":[]}`), "schemaVersion: unsupported version 1"},
		{"no name", gz(`{"schemaVersion":2,"services":[{"ozgId":"10439","themenfeld":"X"}]}`), "services[0].name: is required"},
		{"duplicate", gz(`{"schemaVersion":2,"services":[{"ozgId":"10439","name":"A","themenfeld":"X"},{"ozgId":"10439","name":"B","themenfeld":"X"}]}`), "duplicate OZG-ID"},
		{"EfA link", gz(`{"schemaVersion":2,"services":[{"ozgId":"10439","name":"A","themenfeld":"X","efa":{"provider":"P","url":"javascript:x"}}]}`), "services[0].efa.url"},
		{"no OZG-ID", gz(`{"schemaVersion":2,"services":[{"ozgId":"1043","name":"A","themenfeld":"X"}]}`), "services[0].ozgId"},
		{"too large", gz(`{"schemaVersion":2,"services":[],"x":"` + strings.Repeat("a", MaxDocumentSize) + `"}`), "larger than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCatalog(tc.data)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ParseCatalog() error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestVersion1DocumentsStillParse(t *testing.T) {
	doc := sampleDocument()
	doc.SchemaVersion = 1
	data, err := Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := Parse(data)
	if err != nil {
		t.Fatalf("a portal server must read what an older operator wrote: %v", err)
	}
	for i := range parsed.Services {
		if !parsed.Services[i].Own(parsed) {
			t.Errorf("service %s of a version 1 document is not the administration's own", parsed.Services[i].OZGID)
		}
	}
	// Version 1 linked the EfA service when the administration had no link.
	s := parsed.Services[slices.IndexFunc(parsed.Services, func(s Service) bool { return s.OZGID == "10002" })]
	if url, efa := s.LinkURL(); url != "https://efa.example.de/ummeldung" || !efa {
		t.Errorf("LinkURL() = %q, %v, want the EfA service", url, efa)
	}
}
