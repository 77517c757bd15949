package coverage_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gotest.tools/v3/golden"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/coverage"
	"github.com/ozg-operator/ozg-operator/internal/output"
)

func service(id, name, themenfeld string) ozgv1.OZGService {
	return ozgv1.OZGService{
		ObjectMeta: metav1.ObjectMeta{Name: "ozg-" + id},
		Spec:       ozgv1.OZGServiceSpec{OZGID: id, Name: name, Themenfeld: themenfeld},
	}
}

// portal is an administration's portal status: nil for none.
func portal(name string, ready, published bool) *ozgv1.AdministrationPortalStatus {
	return &ozgv1.AdministrationPortalStatus{Name: name, Namespace: "krz", Ready: ready, Published: published}
}

// adm builds an administration; services alternate OZG-ID and state.
// The Kreis is the key's first five digits; no label is read.
func adm(name, key string, typ ozgv1.AdministrationType, displayName string, p *ozgv1.AdministrationPortalStatus, services ...string) ozgv1.Administration {
	a := ozgv1.Administration{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       ozgv1.AdministrationSpec{Key: key, DisplayName: displayName, Type: typ},
		Status:     ozgv1.AdministrationStatus{Portal: p},
	}
	for i := 0; i+1 < len(services); i += 2 {
		a.Spec.Services = append(a.Spec.Services, ozgv1.ServiceImplementation{Service: "ozg-" + services[i], State: ozgv1.ServiceState(services[i+1])})
	}
	return a
}

// fixture is a small catalogue and six administrations in four Kreise
// (a Land office's key 05000000 counts as the kreisfreie Stadt it claims
// to be), covering every portal state and a service missing from the
// catalogue.
func fixture() ([]ozgv1.Administration, []ozgv1.OZGService) {
	services := []ozgv1.OZGService{
		service("10110", "Abfallentsorgung", "Bauen & Wohnen"),
		service("10513", "Abbruchgenehmigung", "Bauen & Wohnen"),
		service("10400", "Wohngeld", "Bauen & Wohnen"),
		service("10200", "Kindergeld", "Familie & Kind"),
		service("10300", "Hundesteuer", "Steuern & Zoll"),
		service("10900", "Heimatpflege <lokal>", "Kultur & \"Heimat\""), // not one of the 14
	}
	adms := []ozgv1.Administration{
		adm("kreis-herford", "05758", ozgv1.TypeKreis, "Kreis Herford", portal("kreis-herford", true, true),
			"10200", "Live", "10300", "InProgress"),
		adm("herford", "05758012", ozgv1.TypeKreisangehoerigeStadt, "Herford", portal("herford", true, true),
			"10110", "Live", "10513", "Live", "10300", "Open", "99999", "Live"),
		adm("buende", "05758004", ozgv1.TypeKreisangehoerigeStadt, "Bünde", portal("buende", true, false),
			"10110", "Live", "10513", "InProgress"),
		adm("bielefeld", "05711000", ozgv1.TypeKreisfreieStadt, "Bielefeld", portal("bielefeld", false, true),
			"10110", "Live", "10200", "Live"),
		adm("detmold", "05766020", ozgv1.TypeKreisangehoerigeStadt, "Detmold", nil,
			"10110", "Open"),
		adm("landesamt", "05000000", ozgv1.TypeKreisfreieStadt, "Landesamt", portal("landesamt", true, true),
			"10300", "Live", "10900", "Live"),
	}
	// Tools as administrations type them: "Form Solutions" is FormSolutions.
	for _, t := range []struct {
		adm, tool string
		service   int
	}{{"kreis-herford", "civento ", 0}, {"herford", "FormSolutions", 0}, {"herford", "Civento", 1}, {"buende", "Form Solutions", 0}, {"bielefeld", "FormSolutions", 0}} {
		for i := range adms {
			if adms[i].Name == t.adm {
				adms[i].Spec.Services[t.service].Tool = t.tool
			}
		}
	}
	for i, pop := range []int64{0, 63786, 44573, 334195, 74388, 0} {
		if pop > 0 {
			adms[i].Spec.Population = &pop
		}
	}
	return adms, services
}

func report() *coverage.Report {
	adms, services := fixture()
	return coverage.Compute(coverage.Input{Administrations: adms, Services: services, KreisNames: coverage.KreisNames(adms)})
}

func TestCounts(t *testing.T) {
	r := report()
	total := r.Total
	if total.Administrations != 6 || total.PortalsOnline != 3 || total.Services != 6 ||
		total.Counts != (coverage.Counts{Tracked: 13, Live: 9, Online: 6}) || total.ShareOnline == nil || *total.ShareOnline != 0.4615 {
		t.Errorf("total %+v, want 6 administrations, 3 portals online, 6 services, 13 tracked, 9 live, 6 online, share 0.4615", total)
	}
	bauen := r.Themenfelder[slices.Index(coverage.Themenfelder, "Bauen & Wohnen")]
	// Tracked: herford 2, buende 2, bielefeld 1, detmold 1; live: herford
	// 2, buende 1, bielefeld 1; online only herford's.
	if want := (coverage.Counts{Tracked: 6, Live: 4, Online: 2}); bauen.Services != 3 || bauen.Counts != want {
		t.Errorf("Bauen & Wohnen: %d services, %+v; want 3, %+v", bauen.Services, bauen.Counts, want)
	}
	if c := r.Cell("Bauen & Wohnen", "05758"); c != (coverage.Counts{Tracked: 4, Live: 3, Online: 2}) {
		t.Errorf("cell Bauen & Wohnen, 05758: %+v", c)
	}
	if c := r.Cell(coverage.NotInCatalogue, "05758"); c != (coverage.Counts{Tracked: 1, Live: 1, Online: 1}) {
		t.Errorf("cell %s, 05758: %+v", coverage.NotInCatalogue, c)
	}
	var kreise []string
	for _, k := range r.Kreise {
		kreise = append(kreise, k.Key+"="+k.Name)
	}
	if want := "05000=Landesamt 05711=Bielefeld 05758=Kreis Herford 05766=05766"; strings.Join(kreise, " ") != want {
		t.Errorf("Kreise %v, want %s", kreise, want)
	}
}

func TestEveryThemenfeldIsListed(t *testing.T) {
	r := coverage.Compute(coverage.Input{})
	if len(r.Themenfelder) != 14 {
		t.Fatalf("an empty report lists %d Themenfelder, want 14", len(r.Themenfelder))
	}
	for i, row := range r.Themenfelder {
		if row.Themenfeld != coverage.Themenfelder[i] || row.Tracked != 0 {
			t.Errorf("row %d: %+v", i, row)
		}
	}
	var out bytes.Buffer
	if err := output.Write(&out, "json", r.View(coverage.ByAdministration)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"rows": []`) {
		t.Errorf("an empty view is not an empty list:\n%s", out.String())
	}
}

func TestOutputGolden(t *testing.T) {
	r := report()
	for _, by := range coverage.Views {
		for _, name := range []string{"table", "csv", "json"} {
			t.Run(string(by)+"."+name, func(t *testing.T) {
				var out bytes.Buffer
				if err := output.Write(&out, name, r.View(by)); err != nil {
					t.Fatal(err)
				}
				// go test -update rewrites testdata/*.golden.
				golden.Assert(t, out.String(), "by-"+string(by)+"."+name+".golden")
			})
		}
	}
}

func TestUnknownView(t *testing.T) {
	if err := output.Write(io.Discard, "table", report().View("lebenslage")); err == nil || !strings.Contains(err.Error(), "unknown view") {
		t.Errorf("got %v, want an unknown view error", err)
	}
}

// svgNode is any element of the SVG document, with its text.
type svgNode struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Text     string     `xml:",chardata"`
	Children []svgNode  `xml:",any"`
}

func (n *svgNode) walk(visit func(*svgNode)) {
	visit(n)
	for i := range n.Children {
		n.Children[i].walk(visit)
	}
}

func TestSVGIsWellFormedAndListsEveryThemenfeld(t *testing.T) {
	var out bytes.Buffer
	if err := report().WriteSVG(&out); err != nil {
		t.Fatal(err)
	}
	if golden.FlagUpdate() {
		// Not compared, only kept to look at.
		_ = os.WriteFile(filepath.Join("testdata", "heatmap.svg"), out.Bytes(), 0o644)
	}
	var root svgNode
	dec := xml.NewDecoder(&out)
	dec.Strict = true
	if err := dec.Decode(&root); err != nil {
		t.Fatalf("the SVG does not parse: %v", err)
	}
	if root.XMLName.Space != "http://www.w3.org/2000/svg" || root.XMLName.Local != "svg" {
		t.Fatalf("root element is %v", root.XMLName)
	}
	texts := map[string]bool{}
	elements := map[string]int{}
	root.walk(func(n *svgNode) {
		elements[n.XMLName.Local]++
		if n.XMLName.Local == "text" {
			texts[n.Text] = true
		}
	})
	for _, tf := range append(slices.Clone(coverage.Themenfelder), "Kultur & \"Heimat\"", coverage.NotInCatalogue) {
		if !texts[tf] {
			t.Errorf("no row label %q", tf)
		}
	}
	// Herford's 63,786 inhabitants reach 2 of Bauen & Wohnen's 3 services,
	// Bünde's 44,573 none: 39% for the Kreis.
	for _, kreis := range []string{"Bielefeld", "Kreis Herford", "05766", "Landesamt",
		"Kreis or kreisfreie Stadt (columns; those with inhabitants counted first)", "Themenfeld (rows)", "0%", "39%", "–"} {
		if !texts[kreis] {
			t.Errorf("no text %q", kreis)
		}
	}
	// 16 rows × 4 columns, each with a tooltip, plus the document's title.
	if elements["title"] != 16*4+1 || elements["desc"] != 1 {
		t.Errorf("%d title and %d desc elements, want 65 and 1", elements["title"], elements["desc"])
	}
}

// TestPopulationReach: a municipality's inhabitants reach what its Kreis
// has online, what it has online itself, and EfA services; a Kreis's
// inhabitants are its municipalities'.
func TestPopulationReach(t *testing.T) {
	services := []ozgv1.OZGService{
		service("10439", "Fahrzeugzulassung", "Mobilität & Reisen"),
		service("10559", "Meldebescheinigung", "Ein- & Auswanderung"),
		service("10096", "Rentenauskunft", "Arbeit & Ruhestand"),
	}
	services[2].Spec.EfA = &ozgv1.EfAService{Provider: "DRV", URL: "https://rente.example.de"}
	profile := ozgv1.ResponsibilityProfile{
		ObjectMeta: metav1.ObjectMeta{Name: "nrw"},
		Spec: ozgv1.ResponsibilityProfileSpec{Land: "Nordrhein-Westfalen", Services: []ozgv1.ServiceResponsibility{
			{Service: "ozg-10439", Placement: ozgv1.Placement{Level: ozgv1.LevelKreis, LegalBasis: "FZV"}},
			{Service: "ozg-10559", Placement: ozgv1.Placement{Level: ozgv1.LevelGemeinde, LegalBasis: "MG NRW"}},
			{Service: "ozg-10096", Placement: ozgv1.Placement{Level: ozgv1.LevelBund, LegalBasis: "SGB VI"}},
		}},
	}
	withProfile := func(a ozgv1.Administration, parent string, pop int64) ozgv1.Administration {
		a.Spec.Parent, a.Spec.Population = parent, &pop
		a.Spec.Responsibility = &ozgv1.AdministrationResponsibility{Profile: "nrw"}
		return a
	}
	kreis := adm("kreis-lippe", "05766", ozgv1.TypeKreis, "Kreis Lippe", portal("kreis-lippe", true, true), "10439", "Live")
	kreis.Spec.Responsibility = &ozgv1.AdministrationResponsibility{Profile: "nrw"}
	adms := []ozgv1.Administration{
		kreis,
		withProfile(adm("augustdorf", "05766004", ozgv1.TypeKreisangehoerigeGemeinde, "Augustdorf", portal("augustdorf", true, true),
			"10559", "Live"), "kreis-lippe", 10000),
		// No portal: its own Live service is not online, the Kreis's is.
		withProfile(adm("lage", "05766040", ozgv1.TypeKreisangehoerigeStadt, "Lage", nil, "10559", "Live"), "kreis-lippe", 30000),
	}
	r := coverage.Compute(coverage.Input{Administrations: adms, Services: services, Profiles: []ozgv1.ResponsibilityProfile{profile},
		KreisNames: coverage.KreisNames(adms)})

	share := func(r coverage.Reach) float64 {
		s, ok := r.Share()
		if !ok {
			t.Fatalf("no reach in %+v", r)
		}
		return s
	}
	byName := map[string]coverage.AdministrationRow{}
	for _, a := range r.Administrations {
		byName[a.Name] = a
	}
	if a := byName["augustdorf"]; a.Reachable != 3 || share(a.Reach) != 1 {
		t.Errorf("augustdorf reaches %d services (%v), want all 3", a.Reachable, a.PopulationReach)
	}
	if a := byName["lage"]; a.Reachable != 2 {
		t.Errorf("lage reaches %d services, want the Kreis's and the EfA service", a.Reachable)
	}
	if a := byName["kreis-lippe"]; a.PopulationReach != nil || a.Population != 0 {
		t.Errorf("a Kreis has no inhabitants of its own: %+v", a.Reach)
	}
	// (10,000 × 3 + 30,000 × 2) / (40,000 × 3)
	if k := r.Kreise[0]; k.Population != 40000 || share(k.Reach) != 0.75 || *k.PopulationReach != 0.75 {
		t.Errorf("Kreis %s: population %d, reach %v; want 40000, 0.75", k.Name, k.Population, k.PopulationReach)
	}
	if got := share(r.Total.Reach); got != 0.75 {
		t.Errorf("total reach %v, want 0.75", got)
	}
	// Vehicles are online for everyone via the Kreis; registration only
	// for Augustdorf's 10,000.
	if got := share(r.CellReach("Mobilität & Reisen", "05766")); got != 1 {
		t.Errorf("Mobilität & Reisen in Lippe: %v, want 1", got)
	}
	if got := share(r.CellReach("Ein- & Auswanderung", "05766")); got != 0.25 {
		t.Errorf("Ein- & Auswanderung in Lippe: %v, want 0.25", got)
	}

	var svg bytes.Buffer
	if err := r.WriteSVG(&svg); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Kreis or kreisfreie Stadt", "Themenfeld (rows)", "for its 40000 inhabitants 25% of the 1 services are online"} {
		if !strings.Contains(svg.String(), want) {
			t.Errorf("the heat map lacks %q", want)
		}
	}
}

// TestHeatMapShowsKreiseWithDataFirst: the first columns are the Kreise
// whose inhabitants are counted, so that the first screen is not empty.
func TestHeatMapShowsKreiseWithDataFirst(t *testing.T) {
	adms, services := fixture()
	for i := range adms {
		if adms[i].Name == "bielefeld" {
			adms[i].Spec.Population = nil // first by key, now without data
		}
	}
	r := coverage.Compute(coverage.Input{Administrations: adms, Services: services, KreisNames: coverage.KreisNames(adms)})
	var svg bytes.Buffer
	if err := r.WriteSVG(&svg); err != nil {
		t.Fatal(err)
	}
	body := svg.String()
	order := func(label string) int {
		i := strings.Index(body, ">"+label+"</text>")
		if i < 0 {
			t.Fatalf("no column %q", label)
		}
		return i
	}
	if !(order("Kreis Herford") < order("05766") && order("05766") < order("Landesamt") && order("Landesamt") < order("Bielefeld")) {
		t.Errorf("columns are not the Kreise with data first, in key order: Herford %d, 05766 %d, Landesamt %d, Bielefeld %d",
			order("Kreis Herford"), order("05766"), order("Landesamt"), order("Bielefeld"))
	}
}
