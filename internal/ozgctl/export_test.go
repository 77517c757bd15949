package ozgctl_test

import (
	"strings"
	"testing"

	"gotest.tools/v3/golden"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/portaldata"
	"github.com/ozg-operator/ozg-operator/internal/portalverbund/portalverbundtest"
	"github.com/ozg-operator/ozg-operator/internal/render"
	"github.com/ozg-operator/ozg-operator/internal/responsibility"
)

const exportNamespace = "export-cli"

// createExportFixture creates a Kreis with two municipalities, their
// portals in a fleet (and one outside it), and the content the operator
// renders for them, with the operator's own renderer: three portals have
// their ConfigMap, export-d has none yet.
func createExportFixture(t *testing.T) {
	t.Helper()
	requireCluster(t)
	create(t, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: exportNamespace}})
	entries := []*v1alpha1.OZGService{
		{ObjectMeta: metav1.ObjectMeta{Name: "ozg-99961"}, Spec: v1alpha1.OZGServiceSpec{OZGID: "99961", Name: "Hundesteuer", Themenfeld: "Steuern & Zoll",
			Leistungen: []v1alpha1.LeiKaLeistung{{Key: "99961000000001", Name: "Hundesteuer Anmeldung", Typisierung: []string{"5"}}, {Name: "Hundesteuer Auskunft"}}}},
		{ObjectMeta: metav1.ObjectMeta{Name: "ozg-99962"}, Spec: v1alpha1.OZGServiceSpec{OZGID: "99962", Name: "Führerschein", Themenfeld: "Mobilität & Reisen",
			EfA:        &v1alpha1.EfAService{Provider: "Land Hessen", URL: "https://efa.example.de/fuehrerschein"},
			Leistungen: []v1alpha1.LeiKaLeistung{{Key: "99962000000001", Name: "Fahrerlaubnis Ersterteilung", Typisierung: []string{"2/3"}}}}},
		{ObjectMeta: metav1.ObjectMeta{Name: "ozg-99963"}, Spec: v1alpha1.OZGServiceSpec{OZGID: "99963", Name: "Elterngeld", Themenfeld: "Familie & Kind",
			Leistungen: []v1alpha1.LeiKaLeistung{{Key: "99963000000001", Name: "Elterngeld Bewilligung", Typisierung: []string{"1"}}}}},
	}
	// Hundesteuer is the Gemeinde's, the driving licence the Kreis's,
	// type 1 the Bund's.
	profile := responsibility.Compile(&v1alpha1.ResponsibilityProfile{
		ObjectMeta: metav1.ObjectMeta{Name: "export"},
		Spec: v1alpha1.ResponsibilityProfileSpec{
			Land:        "Testland",
			Typisierung: []v1alpha1.TypisierungRule{{Typisierung: "1", Level: v1alpha1.LevelBund}},
			Services: []v1alpha1.ServiceResponsibility{
				{Service: "ozg-99961", Placement: v1alpha1.Placement{Level: v1alpha1.LevelGemeinde, LegalBasis: "KAG"}},
				{Service: "ozg-99962", Placement: v1alpha1.Placement{Level: v1alpha1.LevelKreis, LegalBasis: "FeV"}},
			},
		},
	})
	for _, e := range entries {
		create(t, e)
	}
	catalog := render.NewCatalog(entries)
	kreis := &v1alpha1.Administration{
		ObjectMeta: metav1.ObjectMeta{Name: "export-kreis"},
		Spec: v1alpha1.AdministrationSpec{Key: "09983", ARS: "099830000000", DisplayName: "Kreis Export", Type: v1alpha1.TypeKreis,
			Address: &v1alpha1.PostalAddress{Street: "Kreishaus 1", PostalCode: "99830", City: "Exportstadt"}},
	}
	create(t, kreis)
	gemeinde := func(name, key, ars string, services ...v1alpha1.ServiceImplementation) *v1alpha1.Administration {
		adm := &v1alpha1.Administration{
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: v1alpha1.AdministrationSpec{Key: key, ARS: ars, DisplayName: "Gemeinde " + name, Type: v1alpha1.TypeKreisangehoerigeGemeinde,
				Parent: "export-kreis", SizeClass: v1alpha1.SizeClassGemeinde,
				Address:  &v1alpha1.PostalAddress{Recipient: "Gemeinde " + name, Street: "Rathausplatz 1", PostalCode: "99831", City: name},
				Services: services},
		}
		create(t, adm)
		return adm
	}
	adms := []*v1alpha1.Administration{
		gemeinde("export-a", "09983001", "099835001001", v1alpha1.ServiceImplementation{Service: "ozg-99961", State: v1alpha1.StateLive,
			Maturity: ptr.To[int32](3), URL: "https://formulare.example.de/export-a/hundesteuer", TrustLevel: v1alpha1.TrustLevelSubstantial}),
		gemeinde("export-b", "09983002", "", v1alpha1.ServiceImplementation{Service: "ozg-99961", State: v1alpha1.StateInProgress}),
		gemeinde("export-c", "09983003", "099835001003"),
		gemeinde("export-d", "09983004", "099835001004"),
	}
	create(t, &v1alpha1.PortalFleet{
		ObjectMeta: metav1.ObjectMeta{Name: "export", Namespace: exportNamespace},
		Spec: v1alpha1.PortalFleetSpec{
			AdministrationSelector: metav1.LabelSelector{MatchLabels: map[string]string{"example.de/export": "fleet"}},
			Template:               v1alpha1.PortalTemplate{HostnamePattern: "$(name).serviceportal.example.de"},
			Rollout: v1alpha1.FleetRollout{Waves: []v1alpha1.RolloutWave{{
				Name: "alle", Selector: metav1.LabelSelector{}, MaxUnavailable: ptr.To(intstr.FromInt32(1)),
			}}},
		},
	})
	for i, adm := range adms {
		portal := &v1alpha1.ServicePortal{
			ObjectMeta: metav1.ObjectMeta{Name: adm.Name, Namespace: exportNamespace, Labels: map[string]string{}},
			Spec: v1alpha1.ServicePortalSpec{AdministrationRef: v1alpha1.LocalObjectReference{Name: adm.Name},
				Hostname: adm.Name + ".serviceportal.example.de"},
		}
		if adm.Name != "export-c" {
			portal.Labels[v1alpha1.LabelFleet] = "export"
		}
		create(t, portal)
		if adm.Name == "export-d" {
			continue
		}
		rendered, err := render.Portal(portal, render.Inputs{Administration: adms[i], Kreis: kreis, Catalog: catalog, Profile: profile,
			PublicURL: "https://" + portal.Spec.Hostname})
		if err != nil {
			t.Fatal(err)
		}
		create(t, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: portal.Name, Namespace: exportNamespace},
			Data: map[string]string{portaldata.ConfigMapKey: string(rendered.JSON)}})
	}
	cat, err := portaldata.MarshalCatalog(render.CatalogDocument(catalog))
	if err != nil {
		t.Fatal(err)
	}
	create(t, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: portaldata.CatalogConfigMapName, Namespace: exportNamespace},
		BinaryData: map[string][]byte{portaldata.CatalogFile: cat}})
}

func TestExportPortalverbund(t *testing.T) {
	createExportFixture(t)
	args := []string{"export", "portalverbund", "--fleet", "export", "-n", exportNamespace, "--kubeconfig", kubeconfig}
	stdout, stderr, err := ozgctlRun(t.Context(), args...)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if want := "Warning: left out, no rendered content yet: export-d\n"; stderr != want {
		t.Errorf("stderr = %q, want %q", stderr, want)
	}
	// go test -update rewrites the golden file.
	golden.Assert(t, stdout, "export-portalverbund.json.golden")
	f := portalverbundtest.MustValidate(t, []byte(stdout))

	// The fleet's two portals with content, by id: the ARS, else the AGS.
	var gebiete []string
	for _, g := range f.Gebiete {
		gebiete = append(gebiete, g.ID+" "+g.Portal)
	}
	if got, want := strings.Join(gebiete, ", "), "09983002 https://export-b.serviceportal.example.de, 099835001001 https://export-a.serviceportal.example.de"; got != want {
		t.Errorf("gebiete = %s, want %s", got, want)
	}
	// Both portals list the three services; the Kreis, the Land and the
	// Bund are named once.
	if len(f.Leistungen) != 3 || len(f.Zustaendigkeiten) != 6 {
		t.Errorf("%d Leistungen and %d Zuständigkeiten, want 3 and 6", len(f.Leistungen), len(f.Zustaendigkeiten))
	}
	var orgs []string
	for _, o := range f.Organisationseinheiten {
		orgs = append(orgs, o.ID+" "+o.Ebene+" "+o.Name)
	}
	if got, want := strings.Join(orgs, ", "), "099830000000 Kreis Kreis Export, 09983002 Gemeinde Gemeinde export-b, 099835001001 Gemeinde Gemeinde export-a, bund Bund Bund"; got != want {
		t.Errorf("organisationseinheiten = %s\nwant %s", got, want)
	}
	byKey := map[string]string{}
	for _, z := range f.Zustaendigkeiten {
		v := z.Ebene + " " + z.Organisationseinheit + " " + z.Stand
		if od := z.Onlinedienst; od != nil {
			v += " " + od.URL + " " + od.Vertrauensniveau
		}
		byKey[z.Gebiet+"/"+z.Leistung] = v
	}
	for key, want := range map[string]string{
		"099835001001/99961": "Gemeinde 099835001001 Live https://formulare.example.de/export-a/hundesteuer substanziell",
		"09983002/99961":     "Gemeinde 09983002 InProgress",
		"099835001001/99962": "Kreis 099830000000 Open https://efa.example.de/fuehrerschein ",
		"09983002/99963":     "Bund bund ",
	} {
		if byKey[key] != want {
			t.Errorf("%s: %q, want %q", key, byKey[key], want)
		}
	}

	// Deterministic: a second run gives the same bytes.
	again, _, err := ozgctlRun(t.Context(), args...)
	if err != nil || again != stdout {
		t.Errorf("a second export differs (err %v)", err)
	}

	// Without --fleet, every portal of the namespace.
	all := portalverbundtest.MustValidate(t, []byte(run(t, "export", "portalverbund", "-n", exportNamespace)))
	if len(all.Gebiete) != 3 {
		t.Errorf("namespace export has %d Gebiete, want 3 (export-a, -b, -c)", len(all.Gebiete))
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--fleet", "nope", "-n", exportNamespace}, `PortalFleet "nope" not found in namespace "export-cli" (--fleet)`},
		{[]string{"-n", "export-leer"}, `no portal of namespace "export-leer" has rendered content to export`},
		{[]string{"-o", "yaml", "-n", exportNamespace}, `--output "yaml" is not supported, want json`},
	} {
		_, _, err := ozgctlRun(t.Context(), append(append([]string{"export", "portalverbund"}, tc.args...), "--kubeconfig", kubeconfig)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want %q", tc.args, err, tc.want)
		}
	}
}
