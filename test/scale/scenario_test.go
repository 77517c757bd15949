//go:build bench

package scale

import (
	"context"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"sigs.k8s.io/yaml"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/responsibility"
)

// dataDir is ../shared/data beside the checkout.
var dataDir = filepath.Join(moduleRoot, "..", "shared", "data")

const (
	// portalNamespace holds the portals and their children.
	portalNamespace = "portals"
	// publishedShare is the share of published portals: 16 of the 36 krz
	// portals were online in January 2023.
	publishedShare = 0.44
	// minServices and maxServices bound the number of OZG services an
	// administration tracks.
	minServices, maxServices = 100, 300
)

// scenario is what one benchmark loads: the catalogue, the administrations
// with their service states, and one portal per municipality.
type scenario struct {
	name            string
	services        []*ozgv1.OZGService
	profiles        []*ozgv1.ResponsibilityProfile
	administrations []*ozgv1.Administration
	portals         []*ozgv1.ServicePortal
}

// serviceStates counts the service states the administrations track.
func (s *scenario) serviceStates() int {
	n := 0
	for _, a := range s.administrations {
		n += len(a.Spec.Services)
	}
	return n
}

// published counts the portals with spec.publish.
func (s *scenario) published() int {
	n := 0
	for _, p := range s.portals {
		if p.Spec.Publish {
			n++
		}
	}
	return n
}

// nrwScenario is North Rhine-Westphalia: the 557 OZG services of the
// catalogue, the 427 administrations of kommunen-nrw.csv each tracking a
// seeded random 100-300 of them in mixed states, and a portal for each of
// the 396 municipalities, 44 % of them published.
func nrwScenario(tb testing.TB, rng *rand.Rand) *scenario {
	tb.Helper()
	catalog := readCatalog(tb)
	s := newScenario("NRW", catalog, readNRWAdministrations(tb), rng)
	s.profiles = []*ozgv1.ResponsibilityProfile{readNRWProfile(tb)}
	return s
}

// readNRWProfile reads the NRW responsibility profile the project ships,
// which readNRWAdministrations has every NRW administration select.
func readNRWProfile(tb testing.TB) *ozgv1.ResponsibilityProfile {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(moduleRoot, "config", "profiles", "nrw.yaml"))
	if err != nil {
		tb.Fatal(err)
	}
	p := &ozgv1.ResponsibilityProfile{}
	if err := yaml.UnmarshalStrict(data, p); err != nil {
		tb.Fatalf("config/profiles/nrw.yaml: %v", err)
	}
	return p
}

// germanyScenario is NRW plus synthetic municipalities up to total
// administrations: a stand-in for Germany's ~11,000 municipalities.
// Synthetic keys use the Land prefixes other than NRW's 05, so that they
// never collide with real NRW keys.
func germanyScenario(tb testing.TB, rng *rand.Rand, total int) *scenario {
	tb.Helper()
	catalog := readCatalog(tb)
	adms := readNRWAdministrations(tb)
	profiles := []*ozgv1.ResponsibilityProfile{readNRWProfile(tb)}
	lands := []string{"01", "02", "03", "04", "06", "07", "08", "09", "10", "11", "12", "13", "14", "15", "16"}
	for i := 0; len(adms) < total; i++ {
		land := lands[i%len(lands)]
		key := fmt.Sprintf("%s%06d", land, 100000+i/len(lands))
		adms = append(adms, &ozgv1.Administration{
			ObjectMeta: metav1.ObjectMeta{Name: "adm-" + key, Labels: map[string]string{
				ozgv1.LabelKreis: key[:5],
				ozgv1.LabelType:  string(ozgv1.TypeKreisangehoerigeGemeinde),
			}},
			Spec: ozgv1.AdministrationSpec{
				Key:         key,
				DisplayName: "Gemeinde " + key,
				Type:        ozgv1.TypeKreisangehoerigeGemeinde,
			},
		})
	}
	s := newScenario("Germany", catalog, adms, rng)
	s.profiles = profiles
	return s
}

// newScenario gives every administration its service states and every
// municipality (8-digit key) a portal.
func newScenario(name string, catalog []*ozgv1.OZGService, adms []*ozgv1.Administration, rng *rand.Rand) *scenario {
	s := &scenario{name: name, services: catalog, administrations: adms}
	for _, adm := range adms {
		adm.Spec.Services = randomServices(rng, catalog, minServices+rng.IntN(maxServices-minServices+1))
		if adm.Spec.Type == ozgv1.TypeKreis {
			continue
		}
		key := adm.Spec.Key
		s.portals = append(s.portals, &ozgv1.ServicePortal{
			ObjectMeta: metav1.ObjectMeta{Namespace: portalNamespace, Name: "portal-" + key},
			Spec: ozgv1.ServicePortalSpec{
				AdministrationRef: ozgv1.LocalObjectReference{Name: adm.Name},
				Hostname:          "portal-" + key + ".serviceportal.example.de",
				Publish:           rng.Float64() < publishedShare,
			},
		})
	}
	return s
}

var serviceStates = []ozgv1.ServiceState{ozgv1.StateOpen, ozgv1.StateInProgress, ozgv1.StateLive}

// randomServices picks n distinct catalogue entries in random states.
func randomServices(rng *rand.Rand, catalog []*ozgv1.OZGService, n int) []ozgv1.ServiceImplementation {
	picked := rng.Perm(len(catalog))[:n]
	services := make([]ozgv1.ServiceImplementation, n)
	for i, idx := range picked {
		services[i] = ozgv1.ServiceImplementation{Service: catalog[idx].Name, State: serviceStates[rng.IntN(len(serviceStates))]}
	}
	return services
}

// readCatalog returns the OZG services of ozg-leistungen.csv. The LeiKa
// services they bundle are left out: the roll-up does not read them.
func readCatalog(tb testing.TB) []*ozgv1.OZGService {
	tb.Helper()
	var services []*ozgv1.OZGService
	for _, row := range readCSV(tb, filepath.Join(dataDir, "ozg-katalog", "ozg-leistungen.csv")) {
		id := row["ozg_id"]
		services = append(services, &ozgv1.OZGService{
			ObjectMeta: metav1.ObjectMeta{Name: "ozg-" + id, Labels: map[string]string{ozgv1.LabelOZGID: id}},
			Spec: ozgv1.OZGServiceSpec{
				OZGID: id, Name: row["bezeichnung"], Themenfeld: row["themenfeld"], Lebenslage: row["lebenslage"],
			},
		})
	}
	return services
}

// administrationTypes maps the typ column of kommunen-nrw.csv to the API.
var administrationTypes = map[string]ozgv1.AdministrationType{
	"Kreis":                    ozgv1.TypeKreis,
	"kreisfreie Stadt":         ozgv1.TypeKreisfreieStadt,
	"kreisangehörige Stadt":    ozgv1.TypeKreisangehoerigeStadt,
	"kreisangehörige Gemeinde": ozgv1.TypeKreisangehoerigeGemeinde,
}

// readNRWAdministrations returns the administrations of kommunen-nrw.csv,
// named adm-<key>, without services.
func readNRWAdministrations(tb testing.TB) []*ozgv1.Administration {
	tb.Helper()
	var adms []*ozgv1.Administration
	for _, row := range readCSV(tb, filepath.Join(dataDir, "kommunen-nrw.csv")) {
		key := row["schluessel"]
		typ, ok := administrationTypes[row["typ"]]
		if !ok {
			tb.Fatalf("kommunen-nrw.csv: %s has unknown type %q", key, row["typ"])
		}
		kreis := row["kreis_schluessel"]
		if typ == ozgv1.TypeKreis {
			kreis = key
		}
		adm := &ozgv1.Administration{
			ObjectMeta: metav1.ObjectMeta{Name: "adm-" + key, Labels: map[string]string{ozgv1.LabelType: string(typ)}},
			Spec: ozgv1.AdministrationSpec{
				Key: key, DisplayName: row["name"], Type: typ, Region: row["regierungsbezirk"],
			},
		}
		if kreis != "" {
			adm.Labels[ozgv1.LabelKreis] = kreis
		}
		if row["kreis_schluessel"] != "" {
			adm.Spec.Parent = "adm-" + row["kreis_schluessel"]
		}
		if n, err := strconv.ParseInt(row["einwohner_2011"], 10, 64); err == nil {
			adm.Spec.Population = &n
		}
		// As ozgctl import administrations sets them for NRW.
		adm.Spec.Responsibility = &ozgv1.AdministrationResponsibility{Profile: "nrw"}
		if responsibility.Kreisangehoerig(adm) && adm.Spec.Population != nil {
			adm.Spec.SizeClass = responsibility.NRWSizeClass(*adm.Spec.Population)
		}
		adms = append(adms, adm)
	}
	return adms
}

// readCSV returns the rows of a CSV file with a header as maps by column.
func readCSV(tb testing.TB, path string) []map[string]string {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatalf("reading shared data (../shared/data must sit beside the checkout): %v", err)
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	rows := make([]map[string]string, 0, len(records)-1)
	for _, rec := range records[1:] {
		row := make(map[string]string, len(rec))
		for i, col := range records[0] {
			row[col] = rec[i]
		}
		rows = append(rows, row)
	}
	return rows
}

// create writes the scenario into the cluster: the catalogue and the
// profiles, then the administrations, then the namespace and the portals, each with the given
// number of concurrent workers.
func (s *scenario) create(ctx context.Context, c client.Client, workers int) error {
	create := func(ctx context.Context, obj client.Object) error {
		// Names are unique by construction: AlreadyExists means that a
		// retried request had succeeded before its answer was lost.
		return client.IgnoreAlreadyExists(c.Create(ctx, obj))
	}
	if err := forEach(ctx, workers, s.services, func(ctx context.Context, o *ozgv1.OZGService) error { return create(ctx, o) }); err != nil {
		return fmt.Errorf("creating OZG services: %w", err)
	}
	if err := forEach(ctx, workers, s.profiles, func(ctx context.Context, o *ozgv1.ResponsibilityProfile) error { return create(ctx, o) }); err != nil {
		return fmt.Errorf("creating responsibility profiles: %w", err)
	}
	if err := forEach(ctx, workers, s.administrations, func(ctx context.Context, o *ozgv1.Administration) error { return create(ctx, o) }); err != nil {
		return fmt.Errorf("creating administrations: %w", err)
	}
	if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: portalNamespace}}); err != nil {
		return fmt.Errorf("creating namespace: %w", err)
	}
	if err := forEach(ctx, workers, s.portals, func(ctx context.Context, o *ozgv1.ServicePortal) error { return create(ctx, o) }); err != nil {
		return fmt.Errorf("creating portals: %w", err)
	}
	return nil
}

// changeSet is the edit of the change experiment: portals whose publish
// flips and administrations some of whose service states change.
type changeSet struct {
	portals         []*ozgv1.ServicePortal
	administrations []*ozgv1.Administration
	// statesPerAdministration is how many service states change in each.
	statesPerAdministration int
}

// pickChanges chooses the portals and the administrations (municipalities
// with a portal, so that their content changes roll the portal) to change.
func (s *scenario) pickChanges(rng *rand.Rand, portals, adms, statesPerAdministration int) changeSet {
	cs := changeSet{statesPerAdministration: statesPerAdministration}
	for _, i := range rng.Perm(len(s.portals))[:portals] {
		cs.portals = append(cs.portals, s.portals[i])
	}
	byName := make(map[string]*ozgv1.Administration, len(s.administrations))
	for _, a := range s.administrations {
		byName[a.Name] = a
	}
	for _, i := range rng.Perm(len(s.portals))[:adms] {
		cs.administrations = append(cs.administrations, byName[s.portals[i].Spec.AdministrationRef.Name])
	}
	return cs
}

// apply flips the portals' publish and moves the chosen service states of
// each administration to the next state (Open, InProgress, Live, Open).
// It returns the generation each changed object has now: the change has
// converged only once every status reports at least that generation.
func (cs changeSet) apply(ctx context.Context, c client.Client, rng *rand.Rand) (map[string]int64, error) {
	generations := map[string]int64{}
	for _, p := range cs.portals {
		live := &ozgv1.ServicePortal{}
		if err := c.Get(ctx, client.ObjectKeyFromObject(p), live); err != nil {
			return nil, err
		}
		base := live.DeepCopy()
		live.Spec.Publish = !live.Spec.Publish
		// A merge patch without optimistic lock: the operator's status
		// writes must not make the benchmark's edit conflict.
		if err := c.Patch(ctx, live, client.MergeFrom(base)); err != nil {
			return nil, err
		}
		generations[objectKey(kindPortal, live)] = live.Generation
	}
	for _, a := range cs.administrations {
		live := &ozgv1.Administration{}
		if err := c.Get(ctx, client.ObjectKeyFromObject(a), live); err != nil {
			return nil, err
		}
		base := live.DeepCopy()
		for _, i := range rng.Perm(len(live.Spec.Services))[:cs.statesPerAdministration] {
			s := &live.Spec.Services[i]
			s.State = nextState(s.State)
		}
		if err := c.Patch(ctx, live, client.MergeFrom(base)); err != nil {
			return nil, err
		}
		generations[objectKey(kindAdministration, live)] = live.Generation
	}
	return generations, nil
}

func nextState(s ozgv1.ServiceState) ozgv1.ServiceState {
	switch s {
	case ozgv1.StateOpen, "":
		return ozgv1.StateInProgress
	case ozgv1.StateInProgress:
		return ozgv1.StateLive
	}
	return ozgv1.StateOpen
}
