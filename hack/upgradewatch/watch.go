package main

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/tools/cache"
)

// watchedConditions are the conditions the watch records. Ready and
// Stalled are what the check asserts on; Reconciling is recorded to read
// the timeline by.
var watchedConditions = []string{"Ready", "Stalled", "Reconciling"}

// Event is one line of the watch's record: an object as first listed
// (Initial), or a change of its watched conditions, of a Deployment's pod
// template or generation, or a deletion.
type Event struct {
	Time      time.Time `json:"time"`
	Initial   bool      `json:"initial,omitempty"`
	Kind      string    `json:"kind"`
	Namespace string    `json:"namespace,omitempty"`
	Name      string    `json:"name"`
	Deleted   bool      `json:"deleted,omitempty"`
	// Changed names what changed since the object's last event: condition
	// types, "template", "generation"; or "created", "deleted".
	Changed            []string             `json:"changed,omitempty"`
	Generation         int64                `json:"generation"`
	ObservedGeneration int64                `json:"observedGeneration,omitempty"`
	Conditions         map[string]Condition `json:"conditions,omitempty"`
	TemplateHash       string               `json:"templateHash,omitempty"`
}

// Condition is what the watch keeps of one condition.
type Condition struct {
	Status             string `json:"status"`
	Reason             string `json:"reason,omitempty"`
	Message            string `json:"message,omitempty"`
	LastTransitionTime string `json:"lastTransitionTime,omitempty"`
}

func (e *Event) key() string { return objectKey(e.Kind, e.Namespace, e.Name) }

// recorder writes events, one JSON line each, and keeps each object's last.
type recorder struct {
	mu     sync.Mutex
	out    *os.File
	last   map[string]*Event
	synced bool
	err    error
}

func (r *recorder) record(e *Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	prev := r.last[e.key()]
	e.Initial = !r.synced
	switch {
	case e.Deleted:
		e.Changed = []string{"deleted"}
	case prev == nil:
		if r.synced {
			e.Changed = []string{"created"}
		}
	default:
		for _, t := range watchedConditions {
			a, okA := prev.Conditions[t]
			b, okB := e.Conditions[t]
			if okA != okB || a.Status != b.Status || a.Reason != b.Reason || a.Message != b.Message {
				e.Changed = append(e.Changed, t)
			}
		}
		if prev.TemplateHash != e.TemplateHash {
			e.Changed = append(e.Changed, "template")
		}
		if prev.Generation != e.Generation {
			e.Changed = append(e.Changed, "generation")
		}
		if len(e.Changed) == 0 {
			return
		}
	}
	r.last[e.key()] = e
	line, err := json.Marshal(e)
	if err == nil {
		_, err = r.out.Write(append(line, '\n'))
	}
	if err != nil && r.err == nil {
		r.err = err
	}
}

func conditionsOf(u *unstructured.Unstructured) map[string]Condition {
	list, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	conds := map[string]Condition{}
	for _, item := range list {
		c, ok := item.(map[string]any)
		if !ok {
			continue
		}
		t, _ := c["type"].(string)
		if !slices.Contains(watchedConditions, t) {
			continue
		}
		str := func(k string) string { s, _ := c[k].(string); return s }
		conds[t] = Condition{Status: str("status"), Reason: str("reason"), Message: str("message"), LastTransitionTime: str("lastTransitionTime")}
	}
	return conds
}

func runWatch(out, ready, namespace string) error {
	if out == "" || ready == "" {
		return fmt.Errorf("--out and --ready are required")
	}
	c, err := connect()
	if err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	rec := &recorder{out: f, last: map[string]*Event{}}
	ctx, stop := signalContext()
	defer stop()

	all := dynamicinformer.NewDynamicSharedInformerFactory(c.dyn, 0)
	portals := dynamicinformer.NewFilteredDynamicSharedInformerFactory(c.dyn, 0, namespace, func(o *metav1.ListOptions) {
		o.LabelSelector = portalSelector
	})
	var synced []cache.InformerSynced
	handle := func(inf cache.SharedIndexInformer, event func(*unstructured.Unstructured) *Event) error {
		on := func(obj any, deleted bool) {
			if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = t.Obj
			}
			u, ok := obj.(*unstructured.Unstructured)
			if !ok {
				return
			}
			e := event(u)
			e.Time, e.Deleted = time.Now(), deleted
			rec.record(e)
		}
		reg, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
			AddFunc:    func(obj any) { on(obj, false) },
			UpdateFunc: func(_, obj any) { on(obj, false) },
			DeleteFunc: func(obj any) { on(obj, true) },
		})
		if err != nil {
			return err
		}
		synced = append(synced, reg.HasSynced)
		return nil
	}
	for _, k := range c.kinds {
		kindName := k.Kind
		err := handle(all.ForResource(k.Resource).Informer(), func(u *unstructured.Unstructured) *Event {
			observed, _, _ := unstructured.NestedInt64(u.Object, "status", "observedGeneration")
			return &Event{Kind: kindName, Namespace: u.GetNamespace(), Name: u.GetName(),
				Generation: u.GetGeneration(), ObservedGeneration: observed, Conditions: conditionsOf(u)}
		})
		if err != nil {
			return err
		}
	}
	err = handle(portals.ForResource(deployments).Informer(), func(u *unstructured.Unstructured) *Event {
		d := deploymentOf(u)
		return &Event{Kind: "Deployment", Namespace: d.Namespace, Name: d.Name,
			Generation: d.Generation, ObservedGeneration: d.ObservedGeneration, TemplateHash: d.TemplateHash}
	})
	if err != nil {
		return err
	}
	all.Start(ctx.Done())
	portals.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), synced...) {
		return fmt.Errorf("the watches did not list everything")
	}
	rec.mu.Lock()
	rec.synced = true
	objects := len(rec.last)
	rec.mu.Unlock()
	if err := os.WriteFile(ready, []byte(time.Now().Format(time.RFC3339Nano)+"\n"), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "upgradewatch: watching %d objects (%d ozg.dev kinds and the portal Deployments in %s)\n", objects, len(c.kinds), namespace)
	<-ctx.Done()
	all.Shutdown()
	portals.Shutdown()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.err
}
