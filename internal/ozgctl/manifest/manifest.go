// Package manifest turns imported objects into the documents ozgctl prints
// and applies. Both use the same form, so that `-o yaml | kubectl apply`
// and `--apply` write the same fields: apiVersion and kind set, no status,
// no empty creationTimestamp.
package manifest

import (
	"fmt"
	"io"
	"sort"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"
)

// Unstructured converts objects, which must have apiVersion and kind set,
// into their manifests, sorted by kind and name.
//
// The conversion follows the JSON tags, so fields left at their zero value
// under omitempty are absent: a server-side apply of the result owns only
// the fields the import sets.
func Unstructured(objs []client.Object) ([]*unstructured.Unstructured, error) {
	out := make([]*unstructured.Unstructured, 0, len(objs))
	for _, obj := range objs {
		content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
		if err != nil {
			return nil, fmt.Errorf("converting %s: %w", obj.GetName(), err)
		}
		u := &unstructured.Unstructured{Object: content}
		if u.GetAPIVersion() == "" || u.GetKind() == "" {
			return nil, fmt.Errorf("object %s has no apiVersion or kind", obj.GetName())
		}
		// The status belongs to the operator, and the zero creationTimestamp
		// would print as null.
		delete(u.Object, "status")
		unstructured.RemoveNestedField(u.Object, "metadata", "creationTimestamp")
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].GetKind() != out[j].GetKind() {
			return out[i].GetKind() < out[j].GetKind()
		}
		return out[i].GetName() < out[j].GetName()
	})
	return out, nil
}

// WriteYAML writes one YAML document per object, separated by "---".
// Map keys are sorted, so the same objects always give the same bytes.
func WriteYAML(w io.Writer, objs []*unstructured.Unstructured) error {
	for i, u := range objs {
		data, err := yaml.Marshal(u.Object)
		if err != nil {
			return fmt.Errorf("encoding %s: %w", u.GetName(), err)
		}
		if i > 0 {
			if _, err := io.WriteString(w, "---\n"); err != nil {
				return err
			}
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
	}
	return nil
}
