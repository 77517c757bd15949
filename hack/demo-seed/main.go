// Command demo-seed gives the administrations of an IT provider demo
// content and creates their PortalFleet: each administration tracks a
// seeded random set of real OZG services in mixed states, and a seeded
// choice of them is published (the krz had 16 of 36 portals online in
// January 2023). It is part of `make demo`, not of the product.
package main

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"

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
)

func main() {
	var (
		provider, namespace, catalog, version string
		seed                                  uint64
		published                             int
	)
	flag.StringVar(&provider, "it-provider", "krz", "IT provider label value of the administrations")
	flag.StringVar(&namespace, "namespace", "krz", "namespace of the fleet")
	flag.StringVar(&catalog, "catalog", "../shared/data/ozg-katalog/ozg-leistungen.csv", "OZG services to draw from")
	flag.StringVar(&version, "version", "1.4.0", "portal version of the fleet template")
	flag.Uint64Var(&seed, "seed", 2023, "random seed")
	flag.IntVar(&published, "published", 16, "how many portals are online")
	flag.Parse()
	if err := run(provider, namespace, catalog, version, seed, published); err != nil {
		fmt.Fprintln(os.Stderr, "demo-seed:", err)
		os.Exit(1)
	}
}

func run(provider, namespace, catalogPath, version string, seed uint64, published int) error {
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
	ids, err := readOZGIDs(catalogPath)
	if err != nil {
		return err
	}

	var adms ozgv1.AdministrationList
	if err := c.List(ctx, &adms, client.MatchingLabels{ozgv1.LabelITProvider: provider}); err != nil {
		return err
	}
	if len(adms.Items) == 0 {
		return fmt.Errorf("no Administration has label %s=%s: import them first", ozgv1.LabelITProvider, provider)
	}
	sort.Slice(adms.Items, func(i, j int) bool { return adms.Items[i].Name < adms.Items[j].Name })
	rng := rand.New(rand.NewPCG(seed, 0))
	states := []ozgv1.ServiceState{ozgv1.StateOpen, ozgv1.StateInProgress, ozgv1.StateLive}
	for _, adm := range adms.Items {
		picked := rng.Perm(len(ids))[:40+rng.IntN(80)]
		sort.Ints(picked)
		services := make([]ozgv1.ServiceImplementation, len(picked))
		for i, idx := range picked {
			s := ozgv1.ServiceImplementation{Service: "ozg-" + ids[idx], State: states[rng.IntN(len(states))]}
			if s.State == ozgv1.StateLive {
				s.Maturity = ptr.To(int32(2 + rng.IntN(3)))
				s.URL = fmt.Sprintf("https://formulare.%s.example.de/ozg-%s", adm.Name, ids[idx])
				s.Tool = []string{"FormSolutions", "Civento", "OZG-Hub"}[rng.IntN(3)]
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

	online := make([]string, 0, published)
	for _, i := range rng.Perm(len(adms.Items))[:min(published, len(adms.Items))] {
		online = append(online, adms.Items[i].Name)
	}
	sort.Strings(online)

	ns := &corev1.Namespace{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"}, ObjectMeta: metav1.ObjectMeta{Name: namespace}}
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
	fmt.Printf("gave %d administrations content; fleet %s/%s publishes %d\n", len(adms.Items), namespace, provider, len(online))
	return nil
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

func readOZGIDs(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(rows))
	for _, r := range rows[1:] {
		ids = append(ids, r[0])
	}
	return ids, nil
}
