package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
)

var t0 = time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)

// fromJSON decodes a JSON literal as the snapshots hold it.
func fromJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func statusSchema(fields ...string) *apiextensionsv1.JSONSchemaProps {
	condition := apiextensionsv1.JSONSchemaProps{Type: "object", Properties: map[string]apiextensionsv1.JSONSchemaProps{
		"type": {Type: "string"}, "status": {Type: "string"}, "reason": {Type: "string"},
		"message": {Type: "string"}, "lastTransitionTime": {Type: "string"}, "observedGeneration": {Type: "integer"},
	}}
	props := map[string]apiextensionsv1.JSONSchemaProps{
		"observedGeneration": {Type: "integer"},
		"conditions":         {Type: "array", Items: &apiextensionsv1.JSONSchemaPropsOrArray{Schema: &condition}},
	}
	for _, f := range fields {
		props[f] = apiextensionsv1.JSONSchemaProps{Type: "integer"}
	}
	return &apiextensionsv1.JSONSchemaProps{Type: "object", Properties: props}
}

const readyStatus = `{"observedGeneration": 1, "replicas": 1, "conditions": [
  {"type": "Ready", "status": "True", "reason": "Ready", "message": "ok", "lastTransitionTime": "2026-12-06T08:00:00Z", "observedGeneration": 1},
  {"type": "Available", "status": "True", "reason": "Available", "message": "ok", "lastTransitionTime": "2026-12-06T08:00:00Z", "observedGeneration": 1}]}`

const template = `{"metadata": {"labels": {"app.kubernetes.io/name": "ozg-portal"}},
  "spec": {"containers": [{"name": "portal", "image": "ghcr.io/ozg-operator/portal:1.4.0",
    "readinessProbe": {"httpGet": {"path": "/readyz", "port": 9090}}}]}}`

// fixture is an upgrade in which nothing changed; tests change it.
func fixture(t *testing.T) *comparison {
	t.Helper()
	snap := func(taken time.Time) *Snapshot {
		tpl := fromJSON(t, template)
		return &Snapshot{
			Taken: taken,
			Objects: []Object{{Kind: "ServicePortal", Namespace: "krz", Name: "lemgo", UID: "u1", Generation: 1,
				Status: fromJSON(t, readyStatus)}},
			Deployments: []Deployment{{Namespace: "krz", Name: "lemgo", UID: "d1", Generation: 1, ObservedGeneration: 1,
				TemplateHash: hashJSON(tpl), Template: tpl, ReplicaSets: []string{"lemgo-abc"}}},
			ConfigMaps: []ConfigMap{{Namespace: "krz", Name: "lemgo", DataHash: "c1"}},
		}
	}
	ready := map[string]Condition{"Ready": {Status: "True", Reason: "Ready"}}
	return &comparison{
		before: snap(t0),
		after:  snap(t0.Add(time.Minute)),
		events: []Event{
			{Time: t0, Initial: true, Kind: "ServicePortal", Namespace: "krz", Name: "lemgo", Generation: 1, Conditions: ready},
			{Time: t0, Initial: true, Kind: "Deployment", Namespace: "krz", Name: "lemgo", Generation: 1, TemplateHash: "x"},
		},
		oldSchemas: map[string]*apiextensionsv1.JSONSchemaProps{"ServicePortal": statusSchema("replicas")},
		newSchemas: map[string]*apiextensionsv1.JSONSchemaProps{"ServicePortal": statusSchema("replicas", "restarts")},
	}
}

func run(t *testing.T, c *comparison) (bool, string) {
	t.Helper()
	var out strings.Builder
	ok := c.write(&out)
	return ok, out.String()
}

func mustContain(t *testing.T, report string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(report, w) {
			t.Errorf("report lacks %q:\n%s", w, report)
		}
	}
}

func TestNothingChangedPasses(t *testing.T) {
	ok, report := run(t, fixture(t))
	if !ok {
		t.Fatalf("an upgrade that changed nothing failed:\n%s", report)
	}
	mustContain(t, report, "1 of 1 portal Deployments unchanged", "1 of 1 objects with the same generation, annotations and status", "upgrade check passed")
}

func TestTransitionTimeOfAnUnchangedConditionMustStay(t *testing.T) {
	c := fixture(t)
	conds := c.after.Objects[0].Status["conditions"].([]any)
	conds[1].(map[string]any)["lastTransitionTime"] = "2026-12-06T09:00:30Z"
	ok, report := run(t, c)
	if ok {
		t.Fatalf("a moved lastTransitionTime passed:\n%s", report)
	}
	mustContain(t, report, `VIOLATION ServicePortal krz/lemgo: status.conditions[Available].lastTransitionTime: "2026-12-06T08:00:00Z" -> "2026-12-06T09:00:30Z" (True before and after`)
}

func TestFieldsThisReleaseAddsAreAllowedOthersAreNot(t *testing.T) {
	c := fixture(t)
	c.after.Objects[0].Status["restarts"] = 0.0
	ok, report := run(t, c)
	if !ok {
		t.Fatalf("a field the new CRD adds failed the check:\n%s", report)
	}
	mustContain(t, report, "status.restarts: (absent) -> 0 (added by this release")

	c.after.Objects[0].Status["replicas"] = 2.0
	c.after.Objects[0].Status["surprise"] = "x"
	ok, report = run(t, c)
	if ok {
		t.Fatalf("changed and unknown fields passed:\n%s", report)
	}
	mustContain(t, report, "VIOLATION ServicePortal krz/lemgo: status.replicas: 1 -> 2", `VIOLATION ServicePortal krz/lemgo: status.surprise: (absent) -> "x"`)
}

func TestATemplateChangeNamesTheField(t *testing.T) {
	c := fixture(t)
	d := &c.after.Deployments[0]
	d.Template = fromJSON(t, strings.Replace(template, "9090", "8080", 1))
	d.TemplateHash, d.Generation = hashJSON(d.Template), 2
	ok, report := run(t, c)
	if ok {
		t.Fatalf("a template change passed:\n%s", report)
	}
	mustContain(t, report, "Deployment krz/lemgo: pod template changed (generation 1 -> 2; not while the watch ran), so its pods restart; its content (ConfigMap krz/lemgo) did not change",
		"spec.template.spec.containers[0].readinessProbe.httpGet.port: 9090 -> 8080")
}

func TestAnAnnotationForNewContentIsARestartForTheContent(t *testing.T) {
	c := fixture(t)
	d := &c.after.Deployments[0]
	d.Template["metadata"].(map[string]any)["annotations"] = map[string]any{"ozg.dev/content-checksum": "c2"}
	d.TemplateHash = hashJSON(d.Template)
	ok, report := run(t, c)
	if ok {
		t.Fatalf("an annotation change without a content change passed:\n%s", report)
	}
	c.after.ConfigMaps[0].DataHash = "c2"
	ok, report = run(t, c)
	if !ok {
		t.Fatalf("a restart for new content failed:\n%s", report)
	}
	mustContain(t, report, "pod template annotations changed with its content", "content changed (data c1 -> c2)")
}

func TestReadyFalseOnTheWayFails(t *testing.T) {
	c := fixture(t)
	c.events = append(c.events,
		Event{Time: t0.Add(10 * time.Second), Kind: "ServicePortal", Namespace: "krz", Name: "lemgo", Changed: []string{"Ready"},
			Conditions: map[string]Condition{"Ready": {Status: "False", Reason: "Progressing", Message: "0 of 1 updated"}}},
		Event{Time: t0.Add(12 * time.Second), Kind: "ServicePortal", Namespace: "krz", Name: "lemgo", Changed: []string{"Ready", "Stalled"},
			Conditions: map[string]Condition{"Ready": {Status: "True"}, "Stalled": {Status: "True", Reason: "Stuck"}}},
		Event{Time: t0.Add(13 * time.Second), Kind: "Deployment", Namespace: "krz", Name: "lemgo", Changed: []string{"template"}, TemplateHash: "y"},
	)
	ok, report := run(t, c)
	if ok {
		t.Fatalf("Ready=False, Stalled and a template change on the way passed:\n%s", report)
	}
	mustContain(t, report,
		`VIOLATION ServicePortal krz/lemgo: Ready=False (Progressing) from +10.0s to +12.0s ("0 of 1 updated"); Stalled=True (Stuck) from +12.0s to the end of the watch`,
		"VIOLATION Deployment krz/lemgo: the pod template is the same as before, but it changed in between (the watch saw it change at +13.0s;",
		"ServicePortal krz/lemgo: Ready=False (Progressing)")
}

func TestOverdueMayTurnWhenTheTargetDatePasses(t *testing.T) {
	c := fixture(t)
	prog := func(overdue bool) Object {
		return Object{Kind: "ServiceProgramme", Namespace: "krz", Name: "g2b", UID: "p", Generation: 1,
			Status: map[string]any{"priorities": []any{map[string]any{"priority": 1.0, "targetDate": "2026-12-05", "overdue": overdue}}}}
	}
	c.before.Objects = append(c.before.Objects, prog(false))
	c.after.Objects = append(c.after.Objects, prog(true))
	ok, report := run(t, c)
	if !ok {
		t.Fatalf("overdue turning at its date failed:\n%s", report)
	}
	mustContain(t, report, "time-dependent: the target date 2026-12-05 passed during the check")

	c.after.Objects[1].Status["priorities"].([]any)[0].(map[string]any)["targetDate"] = "2026-01-05"
	c.before.Objects[1].Status["priorities"].([]any)[0].(map[string]any)["targetDate"] = "2026-01-05"
	if ok, report := run(t, c); ok {
		t.Fatalf("overdue turning long after its date passed:\n%s", report)
	}
}
