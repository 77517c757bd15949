// Command demo-seed gives the administrations of an IT provider demo
// content and creates their PortalFleet: each administration tracks a
// seeded random share of the OZG services its responsibility profile says
// it answers for itself, in mixed states, and 16 of the municipalities are
// published (the krz had 16 of 36 portals online in January 2023): the
// four the krz named then (Espelkamp, Stemwede, Petershagen, Löhne) and a
// seeded choice of the others. The Kreise, which hold vehicle
// registration and driving licences, are published too. It is part of
// `make demo`, not of the product.
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/responsibility"
)

func main() {
	var (
		provider, namespace, version, named string
		seed                                uint64
		published                           int
	)
	flag.StringVar(&provider, "it-provider", "krz", "IT provider label value of the administrations")
	flag.StringVar(&namespace, "namespace", "krz", "namespace of the fleet")
	flag.StringVar(&version, "version", "1.4.0", "portal version of the fleet template")
	flag.Uint64Var(&seed, "seed", 2023, "random seed")
	flag.IntVar(&published, "published", 16, "how many municipalities' portals are online")
	// krz, January 2023: Espelkamp, Stemwede, Petershagen and Löhne.
	flag.StringVar(&named, "publish-keys", "05770008,05770044,05770028,05758024", "AGS of municipalities that are published in any case")
	flag.Parse()
	if err := run(provider, namespace, version, seed, published, strings.Split(named, ",")); err != nil {
		fmt.Fprintln(os.Stderr, "demo-seed:", err)
		os.Exit(1)
	}
}

func run(provider, namespace, version string, seed uint64, published int, named []string) error {
	ctx := context.Background()
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return err
	}
	if err := ozgv1.AddToScheme(scheme); err != nil {
		return err
	}
	c, err := client.New(ctrl.GetConfigOrDie(), client.Options{Scheme: scheme})
	if err != nil {
		return err
	}
	var catalog ozgv1.OZGServiceList
	if err := c.List(ctx, &catalog); err != nil {
		return err
	}
	if len(catalog.Items) == 0 {
		return fmt.Errorf("no OZGService: import the catalogue first")
	}
	sort.Slice(catalog.Items, func(i, j int) bool { return catalog.Items[i].Name < catalog.Items[j].Name })

	var adms ozgv1.AdministrationList
	if err := c.List(ctx, &adms, client.MatchingLabels{ozgv1.LabelITProvider: provider}); err != nil {
		return err
	}
	if len(adms.Items) == 0 {
		return fmt.Errorf("no Administration has label %s=%s: import them first", ozgv1.LabelITProvider, provider)
	}
	sort.Slice(adms.Items, func(i, j int) bool { return adms.Items[i].Name < adms.Items[j].Name })
	byName := map[string]*ozgv1.Administration{}
	for i := range adms.Items {
		byName[adms.Items[i].Name] = &adms.Items[i]
	}
	profiles := map[string]*responsibility.Profile{}
	rng := rand.New(rand.NewPCG(seed, 0))
	states := []ozgv1.ServiceState{ozgv1.StateOpen, ozgv1.StateInProgress, ozgv1.StateLive}
	for _, adm := range adms.Items {
		profile, err := profileOf(ctx, c, &adm, profiles)
		if err != nil {
			return err
		}
		// Only what the administration answers for itself: a town does not
		// register cars, nor a Kreis residents.
		var own []string
		for i := range catalog.Items {
			e := &catalog.Items[i]
			if r := responsibility.For(e.Name, profile.Place(e), &adm, byName[adm.Spec.Parent]); r.Administration == adm.Name {
				own = append(own, e.Name)
			}
		}
		picked := rng.Perm(len(own))[:len(own)*(30+rng.IntN(50))/100]
		sort.Ints(picked)
		services := make([]ozgv1.ServiceImplementation, len(picked))
		for i, idx := range picked {
			s := ozgv1.ServiceImplementation{Service: own[idx], State: states[rng.IntN(len(states))]}
			if s.State == ozgv1.StateLive {
				s.Maturity = ptr.To(int32(2 + rng.IntN(3)))
				s.URL = fmt.Sprintf("https://formulare.%s.example.de/%s", adm.Name, own[idx])
				s.Tool = []string{"FormSolutions", "Civento", "OZG-Hub"}[rng.IntN(3)]
				// Illustrative, and drawn without the random source so that the
				// rest of the seed stays as it was: the more digital, the
				// stronger the identification it asks for.
				s.TrustLevel = []ozgv1.TrustLevel{ozgv1.TrustLevelLow, ozgv1.TrustLevelSubstantial, ozgv1.TrustLevelHigh}[*s.Maturity-2]
			}
			services[i] = s
		}
		patch := &ozgv1.Administration{
			TypeMeta:   metav1.TypeMeta{APIVersion: ozgv1.GroupVersion.String(), Kind: "Administration"},
			ObjectMeta: metav1.ObjectMeta{Name: adm.Name},
			Spec: ozgv1.AdministrationSpec{
				Key: adm.Spec.Key, DisplayName: adm.Spec.DisplayName, Type: adm.Spec.Type, Services: services,
			},
		}
		if err := apply(ctx, c, patch); err != nil {
			return fmt.Errorf("Administration %s: %w", adm.Name, err)
		}
	}

	online, err := choosePublished(adms.Items, named, published, rng)
	if err != nil {
		return err
	}

	// The namespace belongs to the provider (docs/tenancy.md).
	ns := &corev1.Namespace{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
		ObjectMeta: metav1.ObjectMeta{Name: namespace, Labels: map[string]string{ozgv1.LabelITProvider: provider}}}
	if err := apply(ctx, c, ns); err != nil {
		return err
	}
	fleet := &ozgv1.PortalFleet{
		TypeMeta:   metav1.TypeMeta{APIVersion: ozgv1.GroupVersion.String(), Kind: "PortalFleet"},
		ObjectMeta: metav1.ObjectMeta{Name: provider, Namespace: namespace},
		Spec: ozgv1.PortalFleetSpec{
			AdministrationSelector: metav1.LabelSelector{MatchLabels: map[string]string{ozgv1.LabelITProvider: provider}},
			Template: ozgv1.PortalTemplate{
				HostnamePattern: "$(name).serviceportal." + provider + ".example.de",
				PortalSettings: ozgv1.PortalSettings{
					Version: version,
					Links:   []ozgv1.PortalLink{{Name: "Wirtschafts-Service-Portal.NRW", URL: "https://service.wirtschaft.nrw"}},
				},
			},
			Publish: ozgv1.FleetPublish{Administrations: online},
			Rollout: ozgv1.FleetRollout{Waves: []ozgv1.RolloutWave{
				wave("lippe", "05766"), wave("herford", "05758"), wave("minden-luebbecke", "05770"),
			}},
		},
	}
	if err := apply(ctx, c, fleet); err != nil {
		return fmt.Errorf("PortalFleet: %w", err)
	}
	prog, err := g2bProgramme(catalog.Items, provider, namespace, rand.New(rand.NewPCG(seed, 1)))
	if err != nil {
		return err
	}
	if err := apply(ctx, c, prog); err != nil {
		return fmt.Errorf("ServiceProgramme: %w", err)
	}
	fmt.Printf("gave %d administrations content; fleet %s/%s publishes %d; programme %s/%s has %d and %d LeiKa services in priority 1 and 2\n",
		len(adms.Items), namespace, provider, len(online), namespace, prog.Name, len(prog.Spec.Priorities[0].LeiKaKeys), len(prog.Spec.Priorities[1].LeiKaKeys))
	return nil
}

// The krz working group G2B (2021) put 360 of about 1,100 business LeiKa
// services in priority 1 and 310 in priority 2, the rest in priority 3.
// Its list is not public, so the demo draws its own: the business services
// are those of the Themenfeld "Unternehmensführung & -entwicklung" (1,013
// with a LeiKa key, 1,059 in all), priorities 1 and 2 a seeded random
// choice among those a municipality or the Land executes (typisierung 2/3,
// 3, 4 or 5: 873 of them; type 1 is federal execution, nothing a portal of
// the krz builds), priority 3 the rest of the Themenfeld by label. The
// target dates are illustrative.
const (
	g2bThemenfeld = "Unternehmensführung & -entwicklung"
	g2bPriority1  = 360
	g2bPriority2  = 310
)

func g2bProgramme(catalog []ozgv1.OZGService, provider, namespace string, rng *rand.Rand) (*ozgv1.ServiceProgramme, error) {
	var candidates []string
	label := ""
	for _, s := range catalog {
		if s.Spec.Themenfeld != g2bThemenfeld {
			continue
		}
		label = s.Labels[ozgv1.LabelThemenfeld]
		for _, l := range s.Spec.Leistungen {
			if l.Key != "" && slices.ContainsFunc(l.Typisierung, municipalOrLand) {
				candidates = append(candidates, l.Key)
			}
		}
	}
	slices.Sort(candidates)
	candidates = slices.Compact(candidates)
	if len(candidates) < g2bPriority1+g2bPriority2 || label == "" {
		return nil, fmt.Errorf("the catalogue has %d business LeiKa services a municipality or the Land executes, the G2B programme needs %d", len(candidates), g2bPriority1+g2bPriority2)
	}
	rng.Shuffle(len(candidates), func(i, j int) { candidates[i], candidates[j] = candidates[j], candidates[i] })
	p1, p2 := slices.Sorted(slices.Values(candidates[:g2bPriority1])), slices.Sorted(slices.Values(candidates[g2bPriority1:g2bPriority1+g2bPriority2]))
	return &ozgv1.ServiceProgramme{
		TypeMeta:   metav1.TypeMeta{APIVersion: ozgv1.GroupVersion.String(), Kind: "ServiceProgramme"},
		ObjectMeta: metav1.ObjectMeta{Name: provider + "-g2b", Namespace: namespace},
		Spec: ozgv1.ServiceProgrammeSpec{
			DisplayName:            provider + " G2B",
			AdministrationSelector: metav1.LabelSelector{MatchLabels: map[string]string{ozgv1.LabelITProvider: provider}},
			Priorities: []ozgv1.ProgrammePriority{
				{Priority: 1, TargetDate: "2023-12-31", LeiKaKeys: p1},
				{Priority: 2, TargetDate: "2024-12-31", LeiKaKeys: p2},
				{Priority: 3, ServiceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{ozgv1.LabelThemenfeld: label}}},
			},
		},
	}, nil
}

// municipalOrLand tells whether a typisierung has a municipality or the
// Land execute the service.
func municipalOrLand(t string) bool {
	return t == "2/3" || t == "3" || t == "4" || t == "5" || t == "2"
}

// profileOf is the compiled responsibility profile adm selects, nil if it
// selects none; profiles caches them by name.
func profileOf(ctx context.Context, c client.Client, adm *ozgv1.Administration, profiles map[string]*responsibility.Profile) (*responsibility.Profile, error) {
	if adm.Spec.Responsibility == nil || adm.Spec.Responsibility.Profile == "" {
		return nil, nil
	}
	name := adm.Spec.Responsibility.Profile
	if p, ok := profiles[name]; ok {
		return p, nil
	}
	p := &ozgv1.ResponsibilityProfile{}
	if err := c.Get(ctx, client.ObjectKey{Name: name}, p); err != nil {
		return nil, fmt.Errorf("responsibility profile of %s: %w", adm.Name, err)
	}
	profiles[name] = responsibility.Compile(p)
	return profiles[name], nil
}

// choosePublished names the published administrations: every Kreis, the
// municipalities with the named keys, and a seeded choice of the other
// municipalities up to published.
func choosePublished(adms []ozgv1.Administration, named []string, published int, rng *rand.Rand) ([]string, error) {
	var online, others []string
	found := map[string]bool{}
	for _, adm := range adms {
		switch {
		case adm.Spec.Type == ozgv1.TypeKreis:
			online = append(online, adm.Name)
		case slices.Contains(named, adm.Spec.Key):
			online = append(online, adm.Name)
			found[adm.Spec.Key] = true
			published--
		default:
			others = append(others, adm.Name)
		}
	}
	for _, key := range named {
		if !found[key] {
			return nil, fmt.Errorf("no administration has the key %s to publish", key)
		}
	}
	for _, i := range rng.Perm(len(others))[:max(0, min(published, len(others)))] {
		online = append(online, others[i])
	}
	sort.Strings(online)
	return online, nil
}

func wave(name, kreis string) ozgv1.RolloutWave {
	return ozgv1.RolloutWave{
		Name:           name,
		Selector:       metav1.LabelSelector{MatchLabels: map[string]string{ozgv1.LabelKreis: kreis}},
		MaxUnavailable: ptr.To(intstr.FromString("25%")),
	}
}

// apply server-side applies obj's set fields as the demo's field manager.
func apply(ctx context.Context, c client.Client, obj client.Object) error {
	content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return err
	}
	delete(content, "status")
	if md, ok := content["metadata"].(map[string]any); ok {
		delete(md, "creationTimestamp")
	}
	u := client.ApplyConfigurationFromUnstructured(&unstructured.Unstructured{Object: content})
	return c.Apply(ctx, u, client.FieldOwner("ozg-demo"), client.ForceOwnership)
}
