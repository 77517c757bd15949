// Package backup writes every ozg.dev object of a cluster as manifests to
// apply again (docs/backup.md): what the operator cannot derive, without
// what the API server or the operator fills in.
package backup

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"maps"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/yaml"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// Export is what a backup holds, in the order a restore applies it: the
// namespaces of the namespaced objects (with their labels, which say whose
// they are), the catalogue, the profiles, the administrations, and the
// programmes, fleets and portals. Portals that a fleet owns are left out:
// the fleet makes them again, and their owner reference would name a fleet
// the new cluster does not know.
type Export struct {
	Objects []client.Object
}

// Read reads every ozg.dev object and the namespaces they are in.
func Read(ctx context.Context, c client.Reader) (*Export, error) {
	e := &Export{}
	namespaces := map[string]bool{}
	for _, list := range []client.ObjectList{
		&ozgv1.OZGServiceList{}, &ozgv1.ResponsibilityProfileList{}, &ozgv1.AdministrationList{},
		&ozgv1.ServiceProgrammeList{}, &ozgv1.PortalFleetList{}, &ozgv1.ServicePortalList{},
	} {
		if err := c.List(ctx, list); err != nil {
			return nil, err
		}
		items, err := metaItems(list)
		if err != nil {
			return nil, err
		}
		for _, obj := range items {
			if isFleetPortal(obj) {
				continue
			}
			if obj.GetNamespace() != "" {
				namespaces[obj.GetNamespace()] = true
			}
			e.Objects = append(e.Objects, obj)
		}
	}
	var nsObjects []client.Object
	for _, name := range slices.Sorted(maps.Keys(namespaces)) {
		ns := &corev1.Namespace{}
		if err := c.Get(ctx, client.ObjectKey{Name: name}, ns); err != nil {
			return nil, err
		}
		nsObjects = append(nsObjects, ns)
	}
	e.Objects = append(nsObjects, e.Objects...)
	return e, nil
}

// Write writes the export as YAML documents, each object with its kind,
// name, namespace, labels, annotations and spec, and without status.
func (e *Export) Write(w io.Writer, scheme *runtime.Scheme) error {
	var buf bytes.Buffer
	for _, obj := range e.Objects {
		gvk, err := apiutil.GVKForObject(obj, scheme)
		if err != nil {
			return err
		}
		data, err := yaml.Marshal(manifest(obj, gvk))
		if err != nil {
			return fmt.Errorf("%s %s: %w", gvk.Kind, obj.GetName(), err)
		}
		buf.WriteString("---\n")
		buf.Write(data)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// manifest is obj as one applies it: the fields the API server and the
// operator set are left out.
func manifest(obj client.Object, gvk schema.GroupVersionKind) map[string]any {
	content, _ := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	md := map[string]any{"name": obj.GetName()}
	if ns := obj.GetNamespace(); ns != "" {
		md["namespace"] = ns
	}
	if l := obj.GetLabels(); len(l) > 0 {
		md["labels"] = l
	}
	if a := withoutServerAnnotations(obj.GetAnnotations()); len(a) > 0 {
		md["annotations"] = a
	}
	m := map[string]any{"apiVersion": gvk.GroupVersion().String(), "kind": gvk.Kind, "metadata": md}
	if spec, ok := content["spec"]; ok && gvk.Kind != "Namespace" {
		m["spec"] = spec
	}
	return m
}

// withoutServerAnnotations drops what kubectl writes (the last applied
// configuration), which a restore writes anew.
func withoutServerAnnotations(a map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		if k != corev1.LastAppliedConfigAnnotation {
			out[k] = v
		}
	}
	return out
}

func isFleetPortal(obj client.Object) bool {
	return slices.ContainsFunc(obj.GetOwnerReferences(), func(r metav1.OwnerReference) bool {
		return r.Kind == "PortalFleet" && r.APIVersion == ozgv1.GroupVersion.String()
	})
}

// metaItems returns the items of list, sorted by namespace and name.
func metaItems(list client.ObjectList) ([]client.Object, error) {
	items, err := meta.ExtractList(list)
	if err != nil {
		return nil, err
	}
	objs := make([]client.Object, 0, len(items))
	for _, item := range items {
		obj, ok := item.(client.Object)
		if !ok {
			return nil, fmt.Errorf("%T is no object", item)
		}
		objs = append(objs, obj)
	}
	slices.SortFunc(objs, func(a, b client.Object) int {
		return cmp.Or(cmp.Compare(a.GetNamespace(), b.GetNamespace()), cmp.Compare(a.GetName(), b.GetName()))
	})
	return objs, nil
}
