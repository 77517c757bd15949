//go:build bench

package scale

import (
	"context"
	"encoding/json"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// The bare client is the yardstick: the least a program could do to put
// the operator's results into the same API server, from the same process
// with a fixed number of workers. It runs after the manager has stopped.

// statusPatch is one object's final status as a merge patch of its status
// subresource and, for an object whose first status the design makes a
// write of its own (see leastWrites.firsts and rollouts), a first status.
type statusPatch struct {
	kind  string
	obj   client.Object
	patch []byte
	first []byte
}

// readFinalStatuses reads the status of every Administration, OZGService
// and ServicePortal as the operator left it.
func readFinalStatuses(ctx context.Context, c client.Client) ([]statusPatch, error) {
	st, err := readState(ctx, c)
	if err != nil {
		return nil, err
	}
	var patches []statusPatch
	// add queues status (a copy, which it changes), and with first a
	// stand-in for the first status:
	// the same status with another Ready message, so that both writes
	// change the object and cost the API server what the operator's do.
	add := func(obj client.Object, status ozgv1.ConditionsHolder, first bool) error {
		p := statusPatch{kind: kindOfObject(obj), obj: obj}
		var err error
		if p.patch, err = json.Marshal(map[string]any{"status": status}); err != nil {
			return err
		}
		if first {
			if c := meta.FindStatusCondition(*status.StatusConditions(), ozgv1.ReadyCondition); c != nil {
				c.Message = "first reconcile"
			}
			if p.first, err = json.Marshal(map[string]any{"status": status}); err != nil {
				return err
			}
		}
		patches = append(patches, p)
		return nil
	}
	for i := range st.administrations {
		a := &st.administrations[i]
		status := a.Status.DeepCopy()
		if err := add(&ozgv1.Administration{ObjectMeta: metav1.ObjectMeta{Name: a.Name}}, status, administrationFollowsPortals(a)); err != nil {
			return nil, err
		}
	}
	for i := range st.services {
		s := &st.services[i]
		status := s.Status.DeepCopy()
		if err := add(&ozgv1.OZGService{ObjectMeta: metav1.ObjectMeta{Name: s.Name}}, status, serviceFollowsPortals(s)); err != nil {
			return nil, err
		}
	}
	for i := range st.portals {
		p := &st.portals[i]
		status := p.Status.DeepCopy()
		if err := add(&ozgv1.ServicePortal{ObjectMeta: metav1.ObjectMeta{Namespace: p.Namespace, Name: p.Name}}, status, true); err != nil {
			return nil, err
		}
	}
	return patches, nil
}

// clearStatuses removes the statuses, so that writing them again is a
// real write: the API server skips a patch that changes nothing.
func clearStatuses(ctx context.Context, c client.Client, patches []statusPatch, workers int) error {
	clear := client.RawPatch(types.MergePatchType, []byte(`{"status":null}`))
	return forEach(ctx, workers, patches, func(ctx context.Context, p statusPatch) error {
		return c.Status().Patch(ctx, p.obj.DeepCopyObject().(client.Object), clear)
	})
}

// finalStatus and firstStatus pick the body of a statusPatch for
// writeStatuses; nil means no write.
func finalStatus(p statusPatch) []byte { return p.patch }
func firstStatus(p statusPatch) []byte { return p.first }

// writeStatuses patches the status body picks into the status subresource
// of every object with the given number of workers, one kind after the
// other, and returns how long each kind took and how many writes it made.
func writeStatuses(ctx context.Context, c client.Client, patches []statusPatch, body func(statusPatch) []byte, workers int) (map[string]time.Duration, int, error) {
	durations, writes := map[string]time.Duration{}, 0
	for _, kind := range rolledUpKinds {
		var ofKind []statusPatch
		for _, p := range patches {
			if p.kind == kind && body(p) != nil {
				ofKind = append(ofKind, p)
			}
		}
		writes += len(ofKind)
		start := time.Now()
		err := forEach(ctx, workers, ofKind, func(ctx context.Context, p statusPatch) error {
			return c.Status().Patch(ctx, p.obj.DeepCopyObject().(client.Object), client.RawPatch(types.MergePatchType, body(p)))
		})
		durations[kind] = time.Since(start)
		if err != nil {
			return durations, writes, err
		}
	}
	return durations, writes, nil
}

// kindOfObject names the kind of a rolled-up object.
func kindOfObject(obj client.Object) string {
	switch obj.(type) {
	case *ozgv1.Administration:
		return kindAdministration
	case *ozgv1.OZGService:
		return kindService
	}
	return kindPortal
}

// readChildren reads the children the operator created, whole.
func readChildren(ctx context.Context, c client.Client) ([]*unstructured.Unstructured, error) {
	var children []*unstructured.Unstructured
	for _, gvk := range childKinds {
		list := &unstructured.UnstructuredList{}
		list.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
		if err := c.List(ctx, list, client.InNamespace(portalNamespace), managedBy); err != nil {
			return nil, err
		}
		for i := range list.Items {
			children = append(children, &list.Items[i])
		}
	}
	return children, nil
}

// createChildCopies creates a copy of every child in namespace with the
// given number of workers and returns how long that took. The copies keep
// labels, annotations and content and drop what the server assigns
// (including a Service's cluster IPs) and the owner references, whose
// owners live in the other namespace.
func createChildCopies(ctx context.Context, c client.Client, children []*unstructured.Unstructured, namespace string, workers int) (time.Duration, error) {
	if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}); err != nil {
		return 0, err
	}
	copies := make([]*unstructured.Unstructured, len(children))
	for i, child := range children {
		cp := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": child.GetAPIVersion(),
			"kind":       child.GetKind(),
		}}
		for _, field := range []string{"spec", "data"} {
			if v, ok := child.Object[field]; ok {
				cp.Object[field] = v
			}
		}
		cp.SetNamespace(namespace)
		cp.SetName(child.GetName())
		cp.SetLabels(child.GetLabels())
		cp.SetAnnotations(child.GetAnnotations())
		if child.GetKind() == "Service" {
			unstructured.RemoveNestedField(cp.Object, "spec", "clusterIP")
			unstructured.RemoveNestedField(cp.Object, "spec", "clusterIPs")
		}
		copies[i] = cp
	}
	start := time.Now()
	err := forEach(ctx, workers, copies, func(ctx context.Context, obj *unstructured.Unstructured) error {
		return client.IgnoreAlreadyExists(c.Create(ctx, obj.DeepCopy()))
	})
	return time.Since(start), err
}
