package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
)

// group is the API group whose every object the check follows.
const group = "ozg.dev"

// portalSelector picks the portals' Deployments (controllers/serviceportal_children.go).
const portalSelector = "app.kubernetes.io/name=ozg-portal"

// managedSelector picks the ConfigMaps the operator writes: each portal's
// content and the namespace's shared catalogue.
const managedSelector = "app.kubernetes.io/managed-by=ozg-operator"

var (
	deployments = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	replicaSets = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "replicasets"}
	configMaps  = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
)

// kind is one ozg.dev resource the cluster serves.
type kind struct {
	Kind       string
	Resource   schema.GroupVersionResource
	Namespaced bool
}

// ozgKinds lists the ozg.dev kinds in their preferred version.
func ozgKinds(dc discovery.DiscoveryInterface) ([]kind, error) {
	groups, err := dc.ServerGroups()
	if err != nil {
		return nil, err
	}
	for _, g := range groups.Groups {
		if g.Name != group {
			continue
		}
		gv := g.PreferredVersion.GroupVersion
		list, err := dc.ServerResourcesForGroupVersion(gv)
		if err != nil {
			return nil, err
		}
		version, _ := schema.ParseGroupVersion(gv)
		var kinds []kind
		for _, r := range list.APIResources {
			if strings.Contains(r.Name, "/") {
				continue // a subresource
			}
			kinds = append(kinds, kind{Kind: r.Kind, Resource: version.WithResource(r.Name), Namespaced: r.Namespaced})
		}
		sort.Slice(kinds, func(i, j int) bool { return kinds[i].Kind < kinds[j].Kind })
		return kinds, nil
	}
	return nil, fmt.Errorf("the cluster serves no API group %s: are the CRDs installed?", group)
}

// Snapshot is what the check compares before and after the upgrade.
type Snapshot struct {
	Taken       time.Time    `json:"taken"`
	Objects     []Object     `json:"objects"`
	Deployments []Deployment `json:"deployments"`
	ConfigMaps  []ConfigMap  `json:"configMaps"`
}

// Object is one ozg.dev object: who it is, its generation and its status
// as the API server returns it (no Go types in between, which would drop
// fields one release has and the other lacks).
type Object struct {
	Kind        string            `json:"kind"`
	Namespace   string            `json:"namespace,omitempty"`
	Name        string            `json:"name"`
	UID         string            `json:"uid"`
	Generation  int64             `json:"generation"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Status      map[string]any    `json:"status,omitempty"`
}

// Deployment is one portal Deployment: its generation, its pod template
// (and a hash of it) and its ReplicaSets, one per template it has run.
type Deployment struct {
	Namespace          string         `json:"namespace"`
	Name               string         `json:"name"`
	UID                string         `json:"uid"`
	Generation         int64          `json:"generation"`
	ObservedGeneration int64          `json:"observedGeneration"`
	TemplateHash       string         `json:"templateHash"`
	Template           map[string]any `json:"template"`
	ReplicaSets        []string       `json:"replicaSets"`
}

// ConfigMap is one ConfigMap the operator writes, by a hash of its data.
type ConfigMap struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	DataHash  string `json:"dataHash"`
}

func (o *Object) key() string { return objectKey(o.Kind, o.Namespace, o.Name) }

func objectKey(kind, namespace, name string) string {
	if namespace == "" {
		return kind + " " + name
	}
	return kind + " " + namespace + "/" + name
}

func runSnapshot(out, namespace string) error {
	if out == "" {
		return fmt.Errorf("--out is required")
	}
	c, err := connect()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := c.snapshot(ctx, namespace)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(s, "", " ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, append(data, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "upgradewatch: %d ozg.dev objects, %d portal Deployments, %d ConfigMaps in %s\n",
		len(s.Objects), len(s.Deployments), len(s.ConfigMaps), out)
	return nil
}

func (c *clients) snapshot(ctx context.Context, namespace string) (*Snapshot, error) {
	s := &Snapshot{Taken: time.Now()}
	for _, k := range c.kinds {
		list, err := c.dyn.Resource(k.Resource).List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, fmt.Errorf("listing %s: %w", k.Resource.Resource, err)
		}
		for i := range list.Items {
			s.Objects = append(s.Objects, objectOf(k.Kind, &list.Items[i]))
		}
	}
	rsList, err := c.dyn.Resource(replicaSets).Namespace(namespace).List(ctx, metav1.ListOptions{LabelSelector: portalSelector})
	if err != nil {
		return nil, err
	}
	owned := map[string][]string{}
	for _, rs := range rsList.Items {
		for _, ref := range rs.GetOwnerReferences() {
			if ref.Kind == "Deployment" {
				owned[string(ref.UID)] = append(owned[string(ref.UID)], rs.GetName())
			}
		}
	}
	depList, err := c.dyn.Resource(deployments).Namespace(namespace).List(ctx, metav1.ListOptions{LabelSelector: portalSelector})
	if err != nil {
		return nil, err
	}
	for i := range depList.Items {
		d := deploymentOf(&depList.Items[i])
		d.ReplicaSets = owned[d.UID]
		slices.Sort(d.ReplicaSets)
		s.Deployments = append(s.Deployments, d)
	}
	cmList, err := c.dyn.Resource(configMaps).Namespace(namespace).List(ctx, metav1.ListOptions{LabelSelector: managedSelector})
	if err != nil {
		return nil, err
	}
	for i := range cmList.Items {
		cm := &cmList.Items[i]
		s.ConfigMaps = append(s.ConfigMaps, ConfigMap{Namespace: cm.GetNamespace(), Name: cm.GetName(), DataHash: dataHash(cm)})
	}
	sort.Slice(s.Objects, func(i, j int) bool { return s.Objects[i].key() < s.Objects[j].key() })
	sort.Slice(s.Deployments, func(i, j int) bool { return s.Deployments[i].Name < s.Deployments[j].Name })
	sort.Slice(s.ConfigMaps, func(i, j int) bool { return s.ConfigMaps[i].Name < s.ConfigMaps[j].Name })
	return s, nil
}

// ignoredAnnotations are written by clients, not by the operator.
var ignoredAnnotations = []string{"kubectl.kubernetes.io/last-applied-configuration"}

func objectOf(kind string, u *unstructured.Unstructured) Object {
	o := Object{Kind: kind, Namespace: u.GetNamespace(), Name: u.GetName(), UID: string(u.GetUID()), Generation: u.GetGeneration()}
	if a := u.GetAnnotations(); len(a) > 0 {
		o.Annotations = map[string]string{}
		for k, v := range a {
			if !slices.Contains(ignoredAnnotations, k) {
				o.Annotations[k] = v
			}
		}
	}
	if st, ok := u.Object["status"].(map[string]any); ok {
		o.Status = st
	}
	return o
}

func deploymentOf(u *unstructured.Unstructured) Deployment {
	template, _, _ := unstructured.NestedMap(u.Object, "spec", "template")
	observed, _, _ := unstructured.NestedInt64(u.Object, "status", "observedGeneration")
	return Deployment{
		Namespace: u.GetNamespace(), Name: u.GetName(), UID: string(u.GetUID()),
		Generation: u.GetGeneration(), ObservedGeneration: observed,
		TemplateHash: hashJSON(template), Template: template,
	}
}

// hashJSON is the SHA-256 of v's JSON (encoding/json sorts map keys).
func hashJSON(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])[:16]
}

// dataHash is a hash of a ConfigMap's data and binaryData.
func dataHash(cm *unstructured.Unstructured) string {
	return hashJSON(map[string]any{"data": cm.Object["data"], "binaryData": cm.Object["binaryData"]})
}
