// Command drcheck is the judge of the disaster-recovery check
// (hack/dr-check.sh, make dr-check): it records what a cluster's ozg.dev
// objects specify and what the portals serve, compares two such records,
// and compares every roll-up status with the brute-force recount of
// internal/testsupport/recount. It is part of the check, not of the
// product.
//
//	drcheck snapshot DIR   the specs of every ozg.dev object and the data
//	                       of every portal ConfigMap (each portal's own and
//	                       the shared catalogue), one file each, under DIR
//	drcheck compare A B    byte for byte; lists every file that differs,
//	                       is missing or is new
//	drcheck recount        every portal Ready (and Published as its spec
//	                       asks), every roll-up status as the recount says
//
// The kubeconfig is $KUBECONFIG's.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/portaldata"
	"github.com/ozg-operator/ozg-operator/internal/testsupport/recount"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "drcheck:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	usage := errors.New("usage: drcheck snapshot DIR | compare A B | recount")
	if len(args) == 0 {
		return usage
	}
	if args[0] == "compare" {
		if len(args) != 3 {
			return usage
		}
		return compare(args[1], args[2])
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := newClient()
	if err != nil {
		return err
	}
	switch {
	case args[0] == "snapshot" && len(args) == 2:
		return snapshot(ctx, c, args[1])
	case args[0] == "recount" && len(args) == 1:
		return checkRecount(ctx, c)
	default:
		return usage
	}
}

func newClient() (client.Client, error) {
	scheme := runtime.NewScheme()
	if err := errors.Join(ozgv1.AddToScheme(scheme), corev1.AddToScheme(scheme)); err != nil {
		return nil, err
	}
	cfg, err := ctrl.GetConfig()
	if err != nil {
		return nil, err
	}
	return client.New(cfg, client.Options{Scheme: scheme})
}

// specLists are the kinds whose specs a restore must bring back: all of
// ozg.dev, the portals a fleet makes included (made again, they must come
// out the same).
var specLists = map[string]client.ObjectList{
	"OZGService":            &ozgv1.OZGServiceList{},
	"Administration":        &ozgv1.AdministrationList{},
	"ResponsibilityProfile": &ozgv1.ResponsibilityProfileList{},
	"ServicePortal":         &ozgv1.ServicePortalList{},
	"PortalFleet":           &ozgv1.PortalFleetList{},
	"ServiceProgramme":      &ozgv1.ServiceProgrammeList{},
}

// snapshot writes DIR/spec/KIND/[NAMESPACE_]NAME.json with each object's
// labels and spec, and DIR/content/NAMESPACE/CONFIGMAP/KEY with the data
// the portals serve.
func snapshot(ctx context.Context, c client.Client, dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	portalNamespaces := map[string]bool{}
	objects := 0
	for kind, list := range specLists {
		if err := c.List(ctx, list); err != nil {
			return fmt.Errorf("listing %s: %w", kind, err)
		}
		items, err := meta.ExtractList(list)
		if err != nil {
			return err
		}
		for _, item := range items {
			obj := item.(client.Object)
			if kind == "ServicePortal" {
				portalNamespaces[obj.GetNamespace()] = true
			}
			spec, err := specOf(obj)
			if err != nil {
				return err
			}
			name := obj.GetName()
			if ns := obj.GetNamespace(); ns != "" {
				name = ns + "_" + name
			}
			if err := writeFile(filepath.Join(dir, "spec", kind, name+".json"), spec); err != nil {
				return err
			}
			objects++
		}
	}
	files := 0
	for ns := range portalNamespaces {
		var cms corev1.ConfigMapList
		if err := c.List(ctx, &cms, client.InNamespace(ns)); err != nil {
			return err
		}
		for i := range cms.Items {
			cm := &cms.Items[i]
			if !portalContent(cm) {
				continue
			}
			for key, value := range cm.Data {
				if err := writeFile(filepath.Join(dir, "content", ns, cm.Name, key), []byte(value)); err != nil {
					return err
				}
				files++
			}
			for key, value := range cm.BinaryData {
				if err := writeFile(filepath.Join(dir, "content", ns, cm.Name, key), value); err != nil {
					return err
				}
				files++
			}
		}
	}
	fmt.Printf("snapshot %s: the specs of %d objects, %d content files of the portals in %d namespaces\n", dir, objects, files, len(portalNamespaces))
	return nil
}

// portalContent tells a portal's ConfigMap (controlled by a ServicePortal)
// or the namespace's shared catalogue.
func portalContent(cm *corev1.ConfigMap) bool {
	if cm.Name == portaldata.CatalogConfigMapName {
		return true
	}
	ref := metav1.GetControllerOf(cm)
	return ref != nil && ref.Kind == "ServicePortal" && strings.HasPrefix(ref.APIVersion, ozgv1.GroupVersion.Group+"/")
}

// specOf is an object's labels and spec as indented JSON; the labels say
// whose an object is and select it into fleets.
func specOf(obj client.Object) ([]byte, error) {
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	return json.MarshalIndent(map[string]any{"labels": obj.GetLabels(), "spec": m["spec"]}, "", "  ")
}

func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// compare lists the files of a and b that differ.
func compare(a, b string) error {
	fa, err := readTree(a)
	if err != nil {
		return err
	}
	fb, err := readTree(b)
	if err != nil {
		return err
	}
	var problems []string
	for name, data := range fa {
		other, ok := fb[name]
		switch {
		case !ok:
			problems = append(problems, name+": missing after the restore")
		case !bytes.Equal(data, other):
			problems = append(problems, fmt.Sprintf("%s: differs (%d bytes before, %d after)", name, len(data), len(other)))
		}
	}
	for name := range fb {
		if _, ok := fa[name]; !ok {
			problems = append(problems, name+": new after the restore")
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return fmt.Errorf("%d of %d files differ:\n  %s", len(problems), len(fa), strings.Join(problems, "\n  "))
	}
	if len(fa) == 0 {
		return fmt.Errorf("%s holds no files", a)
	}
	fmt.Printf("compare: all %d files equal byte for byte\n", len(fa))
	return nil
}

func readTree(root string) (map[string][]byte, error) {
	files := map[string][]byte{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		files[rel] = data
		return err
	})
	return files, err
}

// checkRecount compares every status with the recount.
func checkRecount(ctx context.Context, c client.Client) error {
	var (
		portals  ozgv1.ServicePortalList
		adms     ozgv1.AdministrationList
		services ozgv1.OZGServiceList
		profiles ozgv1.ResponsibilityProfileList
	)
	if err := errors.Join(c.List(ctx, &portals), c.List(ctx, &adms), c.List(ctx, &services), c.List(ctx, &profiles)); err != nil {
		return err
	}
	var problems []string
	for i := range portals.Items {
		p := &portals.Items[i]
		ready := meta.IsStatusConditionTrue(p.Status.Conditions, ozgv1.ReadyCondition)
		published := meta.IsStatusConditionTrue(p.Status.Conditions, ozgv1.PublishedCondition)
		if p.Status.ObservedGeneration != p.Generation || !ready || published != p.Spec.Publish {
			problems = append(problems, fmt.Sprintf("ServicePortal %s/%s: observedGeneration %d of %d, Ready %v, Published %v (spec.publish %v)",
				p.Namespace, p.Name, p.Status.ObservedGeneration, p.Generation, ready, published, p.Spec.Publish))
		}
	}
	for _, d := range recount.Compare(recount.Recount(portals.Items, adms.Items), adms.Items, services.Items) {
		problems = append(problems, d.String())
	}
	reach := recount.RecountReach(portals.Items, adms.Items, services.Items, profiles.Items)
	for _, d := range recount.CompareReach(reach, adms.Items, services.Items) {
		problems = append(problems, d.String())
	}
	if len(problems) > 0 {
		return fmt.Errorf("%d statuses differ from the recount:\n  %s", len(problems), strings.Join(problems, "\n  "))
	}
	fmt.Printf("recount: %d portals, %d administrations and %d services as the recount says\n", len(portals.Items), len(adms.Items), len(services.Items))
	return nil
}
