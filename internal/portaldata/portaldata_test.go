package portaldata

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func ptr[T any](v T) *T { return &v }

func sampleDocument() *Document {
	return &Document{
		SchemaVersion: SchemaVersion,
		Administration: Administration{
			Name:        "stadt-musterstadt",
			Key:         "05913000",
			DisplayName: "Stadt Musterstadt",
			Type:        "KreisfreieStadt",
		},
		Services: []Service{
			{OZGID: "10110", Name: "Wohngeld", Themenfeld: "Bauen & Wohnen", State: StateLive, Maturity: ptr[int32](3),
				URL:        "https://wohngeld.example.de/antrag",
				Leistungen: []Leistung{{Key: "99107001000000", Name: "Wohngeld Mietzuschuss", Typisierung: []string{"4", "2/3"}}}},
			{OZGID: "10045", Name: "Anmeldung einer Wohnung", Themenfeld: "Ein- und Auswanderung", State: StateOpen},
			{OZGID: "10002", Name: "Änderung der Meldeadresse", Themenfeld: "Ein- und Auswanderung", State: StateInProgress,
				EfA: &EfA{Provider: "Hamburg", URL: "https://efa.example.de/ummeldung"}},
			{OZGID: "10001", Name: "Baugenehmigung", Themenfeld: "Bauen & Wohnen", State: StateLive},
		},
		Links:          []Link{{Name: "Wirtschaftsserviceportal NRW", URL: "https://wirtschaft.example.de"}},
		Authentication: &Authentication{Provider: "Servicekonto", IssuerURL: "https://login.example.de", ClientID: "portal"},
		Payment:        &Payment{Provider: "ePayBL"},
	}
}

// marshalInAnyOrder marshals the sample, which must give the same bytes
// with its services reversed, and returns the bytes and what parse reads
// from them.
func marshalInAnyOrder[T any](t *testing.T, sample func() T, reverse func(T),
	marshal func(T) ([]byte, error), parse func([]byte) (T, error)) ([]byte, T) {
	t.Helper()
	want, err := marshal(sample())
	if err != nil {
		t.Fatal(err)
	}
	shuffled := sample()
	reverse(shuffled)
	got, err := marshal(shuffled)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("marshalling depends on input order:\n%s\n%s", got, want)
	}
	parsed, err := parse(want)
	if err != nil {
		t.Fatal(err)
	}
	return want, parsed
}

func TestMarshalIsDeterministicAndSorted(t *testing.T) {
	want, parsed := marshalInAnyOrder(t, sampleDocument, func(d *Document) { slices.Reverse(d.Services) }, Marshal, Parse)
	var names []string
	for _, s := range parsed.Services {
		names = append(names, s.Themenfeld+"/"+s.Name)
	}
	wantNames := []string{
		"Bauen & Wohnen/Baugenehmigung",
		"Bauen & Wohnen/Wohngeld",
		// Ä sorts as A, not after Z.
		"Ein- und Auswanderung/Änderung der Meldeadresse",
		"Ein- und Auswanderung/Anmeldung einer Wohnung",
	}
	if !slices.Equal(names, wantNames) {
		t.Errorf("order = %q, want %q", names, wantNames)
	}
	if got := parsed.Services[1].Leistungen[0].Typisierung; !slices.Equal(got, []string{"2/3", "4"}) {
		t.Errorf("typisierung = %q, want sorted", got)
	}

	again, err := Marshal(parsed)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, want) {
		t.Errorf("Marshal(Parse(x)) != x:\n%s\n%s", again, want)
	}
}

func TestMarshalDoesNotModifyInput(t *testing.T) {
	doc := sampleDocument()
	before, _ := json.Marshal(doc)
	if _, err := Marshal(doc); err != nil {
		t.Fatal(err)
	}
	after, _ := json.Marshal(doc)
	if !bytes.Equal(before, after) {
		t.Errorf("Marshal modified its input")
	}
}

// TestWireFormat pins the field names: they are the contract between the
// operator and portal images of different versions.
func TestWireFormat(t *testing.T) {
	doc := &Document{
		SchemaVersion:  1,
		Administration: Administration{Name: "kreis-x", Key: "05913", DisplayName: "Kreis X", Type: "Kreis", Parent: "p"},
		Services: []Service{{OZGID: "10110", Name: "N", Themenfeld: "T", Lebenslage: "L", State: StateLive,
			Maturity: ptr[int32](0), Tool: "Formsolutions", URL: "https://a.example",
			EfA:        &EfA{Provider: "NRW", URL: "https://b.example"},
			Leistungen: []Leistung{{Key: "99107001000000", Name: "LN", Typisierung: []string{"1"}}}}},
		Links:          []Link{{Name: "W", URL: "https://c.example"}},
		Authentication: &Authentication{Provider: "BundID", IssuerURL: "https://d.example", ClientID: "c"},
		Payment:        &Payment{Provider: "ePayBL"},
	}
	got, err := Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"schemaVersion":1,"administration":{"name":"kreis-x","key":"05913","displayName":"Kreis X","type":"Kreis","parent":"p"},` +
		`"services":[{"ozgId":"10110","name":"N","themenfeld":"T","lebenslage":"L","state":"Live","maturity":0,"tool":"Formsolutions",` +
		`"url":"https://a.example","efa":{"provider":"NRW","url":"https://b.example"},` +
		`"leistungen":[{"key":"99107001000000","name":"LN","typisierung":["1"]}]}],` +
		`"links":[{"name":"W","url":"https://c.example"}],` +
		`"authentication":{"provider":"BundID","issuerURL":"https://d.example","clientID":"c"},"payment":{"provider":"ePayBL"}}`
	if string(got) != want {
		t.Errorf("wire format changed:\n got %s\nwant %s", got, want)
	}

	empty := &Document{SchemaVersion: 1, Administration: doc.Administration}
	got, err = Marshal(empty)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(got), `"services":[]`) {
		t.Errorf("no services should encode as [], got %s", got)
	}
}

// An authority's keys and address travel once, in authorities: a service
// whose responsible entry equals its level's authority carries only the
// level, and Parse gives it the whole entry back.
func TestAuthoritiesCarryKeysAndAddresses(t *testing.T) {
	kreis := Responsible{Level: LevelKreis, Administration: "kreis-lippe", DisplayName: "Kreis Lippe", Key: "05766", ARS: "057660000000",
		Address: Address{Street: "Felix-Fechenbach-Straße 5", PostalCode: "32756", City: "Detmold"}}
	doc := &Document{
		SchemaVersion:  SchemaVersion,
		Administration: Administration{Name: "detmold", Key: "05766020", ARS: "057660020020", DisplayName: "Detmold", Type: "KreisangehoerigeStadt"},
		PublicURL:      "https://detmold.example.de",
		Authorities:    map[Level]Responsible{LevelKreis: kreis},
		Services: []Service{{OZGID: "10439", Name: "Kfz", Themenfeld: "T", State: StateLive, TrustLevel: TrustLevelHigh,
			Responsible: &Responsible{Level: LevelKreis, Administration: "kreis-lippe", DisplayName: "Kreis Lippe", Key: "05766", ARS: "057660000000",
				Address: kreis.Address}}},
	}
	data, err := Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"responsible":{"level":"Kreis"}`, `"publicURL":"https://detmold.example.de"`, `"ars":"057660020020"`, `"trustLevel":"High"`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("document lacks %s: %s", want, data)
		}
	}
	if strings.Count(string(data), "Felix-Fechenbach") != 1 {
		t.Errorf("the Kreis' address is repeated: %s", data)
	}
	back, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if got := *back.Services[0].Responsible; got != kreis {
		t.Errorf("responsible after Parse = %+v, want %+v", got, kreis)
	}
}

// TestLeistungResponsible: a LeiKa service another authority answers for
// keeps its own responsible entry, compacted to its level like the
// services' and filled again by Parse.
func TestLeistungResponsible(t *testing.T) {
	kreis := Responsible{Level: LevelKreis, Administration: "kreis-lippe", DisplayName: "Kreis Lippe", Key: "05766"}
	land := Responsible{Level: LevelLand, DisplayName: "Land Nordrhein-Westfalen"}
	doc := &Document{
		SchemaVersion:  SchemaVersion,
		Administration: Administration{Name: "augustdorf", Key: "05766004", DisplayName: "Augustdorf", Type: "KreisangehoerigeGemeinde"},
		Authorities:    map[Level]Responsible{LevelKreis: kreis, LevelLand: land},
		Services: []Service{{OZGID: "10025", Name: "Eheschließung", Themenfeld: "Familie & Kind", State: StateOpen,
			Responsible: &Responsible{Level: LevelGemeinde, Administration: "augustdorf"},
			Leistungen: []Leistung{{Key: "99059002010000", Name: "Befreiung vom Eheverbot"}, {Key: "99059002011000", Name: "Anmeldung"},
				{Key: "99059002012000", Name: "Beratung"}},
			LeistungResponsible: map[string]Responsible{"99059002010000": land, "99059002012000": kreis},
		}},
	}
	data, err := Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if want := `"leistungResponsible":{"99059002010000":{"level":"Land"},"99059002012000":{"level":"Kreis"}}`; !strings.Contains(string(data), want) {
		t.Errorf("document lacks %s: %s", want, data)
	}
	back, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	s := &back.Services[0]
	for i, want := range []Responsible{land, *s.Responsible, kreis} {
		if got := s.ResponsibleFor(&s.Leistungen[i]); *got != want {
			t.Errorf("LeiKa %s: responsible %+v, want %+v", s.Leistungen[i].Key, *got, want)
		}
	}
	for name, mutate := range map[string]func(*Document){
		"must be keyed by 14-digit LeiKa keys":          func(d *Document) { d.Services[0].LeistungResponsible["9905"] = land },
		"names LeiKa service 99000000000000, which the": func(d *Document) { d.Services[0].LeistungResponsible["99000000000000"] = land },
		"leistungResponsible.99059002010000.level":      func(d *Document) { d.Services[0].LeistungResponsible["99059002010000"] = Responsible{Level: "Amt"} },
	} {
		bad := doc.clone()
		mutate(bad)
		if _, err := Marshal(bad); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("Marshal = %v, want an error with %q", err, name)
		}
	}
}

func TestParseIgnoresUnknownFields(t *testing.T) {
	data := `{"schemaVersion":1,"future":true,"administration":{"name":"a","key":"05913000","displayName":"A","type":"KreisfreieStadt","x":1},
		"services":[{"ozgId":"10110","name":"N","themenfeld":"T","state":"Open","newField":"y"}]}`
	doc, err := Parse([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Services) != 1 {
		t.Errorf("services = %d, want 1", len(doc.Services))
	}
}

func TestParseRejects(t *testing.T) {
	valid, err := Marshal(sampleDocument())
	if err != nil {
		t.Fatal(err)
	}
	mutate := func(f func(d *Document)) string {
		d := sampleDocument()
		f(d)
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	tests := []struct {
		name, data, wantErr string
	}{
		{"not JSON", "{", "decoding document"},
		{"trailing data", string(valid) + "{}", "unexpected data"},
		{"newer schema version", mutate(func(d *Document) { d.SchemaVersion = 3 }), "schemaVersion: unsupported version 3"},
		{"catalogue in version 1", mutate(func(d *Document) { d.SchemaVersion, d.Catalog = 1, CatalogFile }), "catalog: needs schemaVersion 2"},
		{"catalogue path", mutate(func(d *Document) { d.Catalog = "../../etc/passwd" }), "catalog: must be a file name"},
		{"state missing in version 1", mutate(func(d *Document) { d.SchemaVersion, d.Services[0].State = 1, "" }), "services[0].state"},
		{"bad level", mutate(func(d *Document) { d.Services[0].Responsible = &Responsible{Level: "Bezirk"} }), "services[0].responsible.level"},
		{"responsible portal URL", mutate(func(d *Document) {
			d.Services[0].Responsible = &Responsible{Level: LevelKreis, PortalURL: "javascript:alert(1)"}
		}), "services[0].responsible.portalURL"},
		{"unknown authority level", mutate(func(d *Document) { d.Authorities = map[Level]Responsible{"Bezirk": {}} }), `authorities: unknown level "Bezirk"`},
		{"name missing without catalogue", mutate(func(d *Document) { d.Services[0].Name = "" }), "services[0].name: is required"},
		{"missing administration key", mutate(func(d *Document) { d.Administration.Key = "" }), "administration.key"},
		{"bad OZG-ID", mutate(func(d *Document) { d.Services[0].OZGID = "1011" }), "services[0].ozgId: must be 5 digits"},
		{"duplicate OZG-ID", mutate(func(d *Document) { d.Services[1].OZGID = d.Services[0].OZGID }), "duplicate OZG-ID"},
		{"bad state", mutate(func(d *Document) { d.Services[0].State = "Done" }), "services[0].state"},
		{"maturity out of range", mutate(func(d *Document) { d.Services[0].Maturity = ptr[int32](5) }), "services[0].maturity"},
		{"javascript URL", mutate(func(d *Document) { d.Services[0].URL = "javascript:alert(1)" }), "services[0].url: must be an absolute http(s) URL"},
		{"relative URL", mutate(func(d *Document) { d.Services[0].URL = "/antrag" }), "services[0].url"},
		{"URL with credentials", mutate(func(d *Document) { d.Links[0].URL = "https://u:p@x.example" }), "links[0].url: must not contain user information"},
		{"http issuer", mutate(func(d *Document) { d.Authentication.IssuerURL = "http://login.example.de" }), "authentication.issuerURL: must be an absolute https URL"},
		{"bad LeiKa key", mutate(func(d *Document) { d.Services[0].Leistungen[0].Key = "123" }), "leistungen[0].key"},
		{"bad Typisierung", mutate(func(d *Document) { d.Services[0].Leistungen[0].Typisierung = []string{"12"} }), "typisierung[0]"},
		{"missing name", mutate(func(d *Document) { d.Services[0].Name = "" }), "services[0].name: is required"},
		{"EfA without URL", mutate(func(d *Document) { d.Services[2].EfA.URL = "" }), "services[2].efa.url: is required"},
		{"ARS of 11 digits", mutate(func(d *Document) { d.Administration.ARS = "05766002002" }), "administration.ars: must be a 12-digit"},
		{"authority ARS with letters", mutate(func(d *Document) {
			d.Authorities = map[Level]Responsible{LevelKreis: {Level: LevelKreis, ARS: "05766000000x"}}
		}), "authorities.Kreis.ars"},
		{"authority postal code", mutate(func(d *Document) {
			d.Authorities = map[Level]Responsible{LevelKreis: {Level: LevelKreis, Address: Address{PostalCode: "3275"}}}
		}), "authorities.Kreis.address.postalCode: must be 5 digits"},
		{"unknown trust level", mutate(func(d *Document) { d.Services[0].TrustLevel = "Hoch" }), "services[0].trustLevel: must be Low, Substantial or High"},
		{"public URL with a path", mutate(func(d *Document) { d.PublicURL = "https://portal.example.de/start" }), "publicURL: must be scheme and host only"},
		{"javascript public URL", mutate(func(d *Document) { d.PublicURL = "javascript:alert(1)" }), "publicURL: must be an absolute http(s) URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Parse() error = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestValidateReportsAllProblemsBounded(t *testing.T) {
	d := sampleDocument()
	d.Services = nil
	for i := 0; i < 50; i++ {
		d.Services = append(d.Services, Service{OZGID: "x", Name: "n", Themenfeld: "t", State: StateOpen})
	}
	err := d.Validate()
	if err == nil {
		t.Fatal("want an error")
	}
	if n := strings.Count(err.Error(), "\n") + 1; n != maxErrors+1 {
		t.Errorf("got %d error lines, want %d", n, maxErrors+1)
	}
	if !strings.Contains(err.Error(), "more problems") {
		t.Errorf("error does not say that problems were dropped: %v", err)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	data, err := Marshal(sampleDocument())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, ConfigMapKey)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	doc, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Administration.DisplayName != "Stadt Musterstadt" {
		t.Errorf("displayName = %q", doc.Administration.DisplayName)
	}

	if _, err := Load(filepath.Join(dir, "missing.json")); !os.IsNotExist(err) {
		t.Errorf("Load(missing) error = %v, want not-exist", err)
	}

	big := filepath.Join(dir, "big.json")
	if err := os.WriteFile(big, bytes.Repeat([]byte(" "), MaxDocumentSize+1), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(big); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("Load(big) error = %v, want size error", err)
	}
}

func TestLinkURL(t *testing.T) {
	own := Service{URL: "https://own.example", EfA: &EfA{URL: "https://efa.example"}}
	if u, efa := own.LinkURL(); u != "https://own.example" || efa {
		t.Errorf("own URL: got %q, %v", u, efa)
	}
	efaOnly := Service{EfA: &EfA{URL: "https://efa.example"}}
	if u, efa := efaOnly.LinkURL(); u != "https://efa.example" || !efa {
		t.Errorf("EfA URL: got %q, %v", u, efa)
	}
	if u, _ := (&Service{}).LinkURL(); u != "" {
		t.Errorf("no URL: got %q", u)
	}
}

// TestSortServicesOrdersAsGermanReads checks SortServices against the
// order written out comparison by comparison: folded Themenfeld, raw
// Themenfeld, folded name, raw name, OZG-ID, then input order.
func TestSortServicesOrdersAsGermanReads(t *testing.T) {
	var services []Service
	for i, name := range []string{"Änderung", "anderung", "Anmeldung", "Zulassung", "ändern", "Straße", "Strasse", "strasse", "Zulassung"} {
		for j, tf := range []string{"Ein- und Auswanderung", "Bauen & Wohnen", "bauen & wohnen", "Öffentliche Ordnung"} {
			services = append(services, Service{OZGID: fmt.Sprintf("%05d", 99999-i*7-j*3), Name: name, Themenfeld: tf})
		}
	}
	services = append(services, services[0]) // an exact duplicate keeps its place
	fold := func(s string) string {
		return strings.NewReplacer("ä", "a", "ö", "o", "ü", "u", "ß", "ss").Replace(strings.ToLower(s))
	}
	want := slices.Clone(services)
	slices.SortStableFunc(want, func(a, b Service) int {
		return cmp.Or(strings.Compare(fold(a.Themenfeld), fold(b.Themenfeld)), strings.Compare(a.Themenfeld, b.Themenfeld),
			strings.Compare(fold(a.Name), fold(b.Name)), strings.Compare(a.Name, b.Name), strings.Compare(a.OZGID, b.OZGID))
	})
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		got := slices.Clone(services)
		rng.Shuffle(len(got), func(i, j int) { got[i], got[j] = got[j], got[i] })
		SortServices(got)
		if !slices.EqualFunc(got, want, func(a, b Service) bool {
			return a.OZGID == b.OZGID && a.Name == b.Name && a.Themenfeld == b.Themenfeld
		}) {
			t.Fatalf("order after a shuffle differs:\n got %v\nwant %v", got, want)
		}
	}
	if want[0].Themenfeld != "Bauen & Wohnen" || want[len(want)-1].Themenfeld != "Öffentliche Ordnung" {
		t.Errorf("Themenfelder from %q to %q, want Bauen & Wohnen first and Öffentliche Ordnung (as O) last", want[0].Themenfeld, want[len(want)-1].Themenfeld)
	}
}

// A portal names its few authorities on each of its services: an entry
// equal to its level's authority is checked once, as the authority, and
// one that differs is checked as its service's.
func TestValidateChecksAnAuthorityOnce(t *testing.T) {
	d := sampleDocument()
	kreis := Responsible{Level: LevelKreis, Administration: "kreis-lippe", ARS: "05766000000x"}
	d.Authorities = map[Level]Responsible{LevelKreis: kreis}
	d.Services[0].Responsible = &kreis
	d.Services[1].Responsible = &Responsible{Level: LevelKreis}
	other := kreis
	other.PortalURL = "javascript:alert(1)"
	d.Services[2].Responsible = &other
	err := d.Validate()
	if err == nil {
		t.Fatal("Validate() = nil, want the authority's ARS and the other entry's portal URL")
	}
	msg := err.Error()
	for _, want := range []string{"authorities.Kreis.ars", "services[2].responsible.portalURL", "services[2].responsible.ars"} {
		if !strings.Contains(msg, want) {
			t.Errorf("Validate() = %v, want it to name %s", err, want)
		}
	}
	if strings.Contains(msg, "services[0].responsible") {
		t.Errorf("Validate() = %v, reports the authority again as services[0]'s", err)
	}
}
