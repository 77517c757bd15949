package argocdhealth

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// repo is the repository root, seen from this package's directory (where
// go test runs).
const repo = "../.."

// scripts are the health checks under test, by kind.
func scripts(t *testing.T) map[string]string {
	t.Helper()
	return scriptsBy(t, func(k Kind) string { return k.Name })
}

// scriptsBy loads the repository's scripts, composed, by key(kind).
func scriptsBy(t *testing.T, key func(Kind) string) map[string]string {
	t.Helper()
	loaded, err := Load(filepath.Join(repo, ScriptDir))
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]string{}
	for _, s := range loaded {
		byKey[key(s.Kind)] = s.Source
	}
	return byKey
}

// sample decodes the first object of the given kind in a file of
// config/samples strictly into out, so that the objects under test are
// the documented ones and cannot drift from the API types.
func sample(t *testing.T, file, kind string, out runtime.Object) {
	t.Helper()
	f, err := os.Open(filepath.Join(repo, "config/samples", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := utilyaml.NewYAMLReader(bufio.NewReader(f))
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			t.Fatalf("%s has no %s", file, kind)
		}
		if err != nil {
			t.Fatal(err)
		}
		var meta metav1.TypeMeta
		if err := yaml.Unmarshal(doc, &meta); err != nil {
			t.Fatal(err)
		}
		if meta.Kind != kind {
			continue
		}
		if err := yaml.UnmarshalStrict(doc, out); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		return
	}
}

var transition = metav1.NewTime(time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC))

// cond is a condition as the operator writes it for generation gen.
func cond(typ string, status metav1.ConditionStatus, reason, message string, gen int64) metav1.Condition {
	return metav1.Condition{
		Type: typ, Status: status, Reason: reason, Message: message,
		ObservedGeneration: gen, LastTransitionTime: transition,
	}
}

// status is what every kind's status has in common.
type status struct {
	generation, observed int64
	conditions           []metav1.Condition
}

// subject builds objects of one kind for a status.
type subject struct {
	kind  string
	build func(t *testing.T, s status) map[string]any
}

var subjects = []subject{
	{"OZGService", func(t *testing.T, s status) map[string]any {
		var svc ozgv1.OZGService
		sample(t, "ozg_v1alpha1_ozgservice.yaml", "OZGService", &svc)
		svc.Generation, svc.UID, svc.CreationTimestamp = s.generation, "0b7c6f44-5f8e-4f0e-9d43-6a1c3d2b9e10", transition
		svc.Status.ObservedGeneration, svc.Status.Conditions = s.observed, s.conditions
		if s.observed > 0 {
			svc.Status.Administrations = ozgv1.StateCounts{Live: 16, InProgress: 12}
			svc.Status.Portals, svc.Status.OnlinePortals = 36, 16
			svc.Status.Population = &ozgv1.ServicePopulation{Total: 1210000, Online: 610000, Percent: 50}
		}
		return unstructuredOf(t, &svc)
	}},
	{"Administration", func(t *testing.T, s status) map[string]any {
		var adm ozgv1.Administration
		sample(t, "ozg_v1alpha1_administration.yaml", "Administration", &adm)
		adm.Generation, adm.UID, adm.CreationTimestamp = s.generation, "5d0a9c2e-2b4f-4c71-8f0e-3e6b8a1d7c22", transition
		adm.Status.ObservedGeneration, adm.Status.Conditions = s.observed, s.conditions
		if s.observed > 0 {
			adm.Status.Services = ozgv1.StateCounts{Live: 1, InProgress: 1}
			adm.Status.Portal = &ozgv1.AdministrationPortalStatus{
				Name: "kreis-lippe", Namespace: "krz", URL: "https://kreis-lippe.serviceportal.krz.de", Ready: true, Published: true,
			}
			adm.Status.Online = 1
		}
		return unstructuredOf(t, &adm)
	}},
	{"ServicePortal", func(t *testing.T, s status) map[string]any {
		var sp ozgv1.ServicePortal
		sample(t, "ozg_v1alpha1_serviceportal.yaml", "ServicePortal", &sp)
		sp.Namespace = "bielefeld"
		sp.Generation, sp.UID, sp.CreationTimestamp = s.generation, "9e3f1b6a-7c2d-4e8f-a1b0-c4d5e6f70812", transition
		sp.Status.ObservedGeneration, sp.Status.Conditions = s.observed, s.conditions
		if s.observed > 0 {
			sp.Status.URL = "http://bielefeld.bielefeld.svc"
			sp.Status.Version = "1.4.0"
			sp.Status.Replicas, sp.Status.ReadyReplicas = 2, 1
			sp.Status.ServicesOffered, sp.Status.ServicesLive = 1, 1
		}
		return unstructuredOf(t, &sp)
	}},
	{"PortalFleet", fleet(false)},
}

// fleet builds the sample PortalFleet, with spec.rollout.paused as given.
func fleet(paused bool) func(t *testing.T, s status) map[string]any {
	return func(t *testing.T, s status) map[string]any {
		var f ozgv1.PortalFleet
		sample(t, "ozg_v1alpha1_portalfleet.yaml", "PortalFleet", &f)
		f.Namespace = "krz"
		f.Spec.Rollout.Paused = paused
		f.Generation, f.UID, f.CreationTimestamp = s.generation, "3c2b1a09-8d7e-4f6a-b5c4-d3e2f1a0b9c8", transition
		f.Status.ObservedGeneration, f.Status.Conditions = s.observed, s.conditions
		if s.observed > 0 {
			f.Status.Portals, f.Status.ReadyPortals, f.Status.PublishedPortals, f.Status.UpdatedPortals = 10, 3, 2, 5
			f.Status.Versions = []ozgv1.VersionCount{{Version: "1.3.2", Count: 5}, {Version: "1.4.0", Count: 5}}
			f.Status.CurrentWave = "lippe"
		}
		return unstructuredOf(t, &f)
	}
}

// check runs kind's script on obj and compares status and message.
func check(t *testing.T, script string, obj map[string]any, want health) {
	t.Helper()
	got, err := evaluate(script, obj)
	if err != nil {
		t.Fatalf("the health check failed: %v", err)
	}
	if got != want {
		t.Errorf("got  %v\nwant %v", got, want)
	}
}

const (
	True    = metav1.ConditionTrue
	False   = metav1.ConditionFalse
	Unknown = metav1.ConditionUnknown
)

// TestCommonStates runs every kind's check through the states all four
// kinds share.
func TestCommonStates(t *testing.T) {
	byKind := scripts(t)
	for _, sub := range subjects {
		script := byKind[sub.kind]
		t.Run(sub.kind, func(t *testing.T) {
			waiting := health{"Progressing", "Waiting for the operator to reconcile the " + sub.kind}

			t.Run("created, no status yet", func(t *testing.T) {
				obj := sub.build(t, status{generation: 1})
				delete(obj, "status")
				check(t, script, obj, waiting)
			})
			t.Run("status without observedGeneration", func(t *testing.T) {
				// What the typed client writes for a zero status: the
				// counts, nothing else.
				obj := sub.build(t, status{generation: 1})
				if _, ok := obj["status"].(map[string]any); !ok {
					t.Fatalf("expected a status map in %v", obj)
				}
				check(t, script, obj, waiting)
			})
			t.Run("status of an older generation", func(t *testing.T) {
				obj := sub.build(t, status{generation: 3, observed: 2, conditions: []metav1.Condition{
					cond(ozgv1.ReadyCondition, True, ozgv1.ReasonSucceeded, "as of generation 2", 2),
				}})
				check(t, script, obj, health{"Progressing", "Waiting for the operator to reconcile generation 3 (the status describes generation 2)"})
			})
			t.Run("no Ready condition", func(t *testing.T) {
				obj := sub.build(t, status{generation: 2, observed: 2})
				check(t, script, obj, health{"Progressing", "Waiting for the operator to set the Ready condition"})
			})
			t.Run("Ready False, Reconciling", func(t *testing.T) {
				msg := `applying ConfigMap "bielefeld-content": Internal error occurred: etcdserver: request timed out`
				obj := sub.build(t, status{generation: 2, observed: 2, conditions: []metav1.Condition{
					cond(ozgv1.ReadyCondition, False, ozgv1.ReasonApplyFailed, msg, 2),
					cond(ozgv1.ReconcilingCondition, True, ozgv1.ReasonApplyFailed, msg, 2),
				}})
				check(t, script, obj, health{"Progressing", "ApplyFailed: " + msg})
			})
			t.Run("Stalled", func(t *testing.T) {
				msg := "spec.services[3].service: ozg-99999 is not in the catalogue"
				obj := sub.build(t, status{generation: 2, observed: 2, conditions: []metav1.Condition{
					cond(ozgv1.ReadyCondition, False, ozgv1.ReasonInvalidSpec, msg, 2),
					cond(ozgv1.StalledCondition, True, ozgv1.ReasonInvalidSpec, msg, 2),
				}})
				check(t, script, obj, health{"Degraded", "InvalidSpec: " + msg})
			})
			t.Run("Stalled False is no failure", func(t *testing.T) {
				obj := sub.build(t, status{generation: 2, observed: 2, conditions: []metav1.Condition{
					cond(ozgv1.StalledCondition, False, "Recovered", "", 2),
					cond(ozgv1.ReadyCondition, True, ozgv1.ReasonSucceeded, "all good", 2),
				}})
				check(t, script, obj, health{"Healthy", "all good"})
			})
			t.Run("Ready True", func(t *testing.T) {
				obj := sub.build(t, status{generation: 5, observed: 5, conditions: []metav1.Condition{
					cond(ozgv1.ReadyCondition, True, ozgv1.ReasonSucceeded, "all good", 5),
				}})
				check(t, script, obj, health{"Healthy", "all good"})
			})
			t.Run("Ready True without a message", func(t *testing.T) {
				obj := sub.build(t, status{generation: 1, observed: 1, conditions: []metav1.Condition{
					cond(ozgv1.ReadyCondition, True, ozgv1.ReasonSucceeded, "", 1),
				}})
				check(t, script, obj, health{"Healthy", "Succeeded"})
			})
		})
	}
}

// TestServicePortal covers what the ServicePortal controller writes
// (controllers/serviceportal_status.go).
func TestServicePortal(t *testing.T) {
	script := scripts(t)["ServicePortal"]
	build := subjects[2].build
	// Every condition is of generation 4, the one the status describes.
	current := func(typ string, status metav1.ConditionStatus, reason, message string) metav1.Condition {
		return cond(typ, status, reason, message, 4)
	}
	serving := current(ozgv1.AvailableCondition, True, ozgv1.ReasonSucceeded, "the portal serves requests")
	unpublished := current(ozgv1.PublishedCondition, False, ozgv1.ReasonNotPublished, "spec.publish is false")
	rollingOut := "1 of 2 replicas updated and available"
	conflict := `hostname "service.bielefeld.de" is claimed by ServicePortal krz/bielefeld, which holds it`
	missing := `Administration "bielefeld" does not exist`
	for _, tc := range []struct {
		name       string
		conditions []metav1.Condition
		want       health
	}{
		{"rolling out", []metav1.Condition{
			serving,
			current(ozgv1.ReadyCondition, False, ozgv1.ReasonDeploymentNotAvailable, rollingOut),
			current(ozgv1.ReconcilingCondition, True, ozgv1.ReasonDeploymentNotAvailable, rollingOut),
			unpublished,
		}, health{"Progressing", "DeploymentNotAvailable: " + rollingOut}},
		{"ready", []metav1.Condition{
			serving,
			current(ozgv1.ReadyCondition, True, ozgv1.ReasonSucceeded, "1 of 1 services live"),
			unpublished,
		}, health{"Healthy", "1 of 1 services live"}},
		{"hostname conflict", []metav1.Condition{
			current(ozgv1.StalledCondition, True, ozgv1.ReasonHostnameConflict, conflict),
			current(ozgv1.ReadyCondition, False, ozgv1.ReasonHostnameConflict, conflict),
			current(ozgv1.PublishedCondition, False, ozgv1.ReasonHostnameConflict, conflict),
		}, health{"Degraded", "HostnameConflict: " + conflict}},
		{"administration missing", []metav1.Condition{
			current(ozgv1.StalledCondition, True, ozgv1.ReasonAdministrationNotFound, missing),
			current(ozgv1.ReadyCondition, False, ozgv1.ReasonAdministrationNotFound, missing),
		}, health{"Degraded", "AdministrationNotFound: " + missing}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			check(t, script, build(t, status{generation: 4, observed: 4, conditions: tc.conditions}), tc.want)
		})
	}
}

// TestRollups covers the roll-up kinds, whose Ready says whether the
// status is current (controllers/administration_status.go,
// ozgservice_status.go).
func TestRollups(t *testing.T) {
	byKind := scripts(t)
	for _, tc := range []struct {
		sub              subject
		pending, current string
	}{
		{subjects[0], "online in 16 of 36 portals, for 610000 of 1210000 inhabitants (50%) so far; its administrations are still reporting",
			"online in 16 of 36 portals, for 610000 of 1210000 inhabitants (50%)"},
		{subjects[1], "1 of 2 services online so far; its portals are still reporting", "1 of 2 services online"},
	} {
		script := byKind[tc.sub.kind]
		t.Run(tc.sub.kind, func(t *testing.T) {
			t.Run("roll-up pending", func(t *testing.T) {
				obj := tc.sub.build(t, status{generation: 7, observed: 7, conditions: []metav1.Condition{
					cond(ozgv1.ReadyCondition, Unknown, ozgv1.ReasonRollupPending, tc.pending, 7),
				}})
				check(t, script, obj, health{"Progressing", "RollupPending: " + tc.pending})
			})
			t.Run("roll-up current", func(t *testing.T) {
				obj := tc.sub.build(t, status{generation: 7, observed: 7, conditions: []metav1.Condition{
					cond(ozgv1.ReadyCondition, True, ozgv1.ReasonSucceeded, tc.current, 7),
				}})
				check(t, script, obj, health{"Healthy", tc.current})
			})
		})
	}
}

// fleetConditions are the conditions controllers/portalfleet_status.go
// writes in each phase of a rollout of the sample fleet's wave lippe.
func fleetConditions(phase string, gen int64) []metav1.Condition {
	progress := "3/10 ready, 5 updated, 2 online"
	wave := "wave lippe"
	switch phase {
	case "rolling out":
		return []metav1.Condition{
			cond(ozgv1.AvailableCondition, False, ozgv1.ReasonPortalsUnavailable, progress, gen),
			cond(ozgv1.PausedCondition, False, ozgv1.ReasonRolloutResumed, "the rollout proceeds", gen),
			cond(ozgv1.RollingOutCondition, True, ozgv1.ReasonWaveInProgress, wave+": "+progress, gen),
			cond(ozgv1.ReadyCondition, False, ozgv1.ReasonWaveInProgress, wave+": "+progress, gen),
			cond(ozgv1.ReconcilingCondition, True, ozgv1.ReasonWaveInProgress, wave+": "+progress, gen),
		}
	case "paused":
		return []metav1.Condition{
			cond(ozgv1.AvailableCondition, False, ozgv1.ReasonPortalsUnavailable, progress, gen),
			cond(ozgv1.PausedCondition, True, ozgv1.ReasonRolloutPaused, "spec.rollout.paused is true", gen),
			cond(ozgv1.RollingOutCondition, True, ozgv1.ReasonRolloutPaused, wave+": "+progress, gen),
			cond(ozgv1.ReadyCondition, False, ozgv1.ReasonRolloutPaused, "paused in "+wave+": "+progress, gen),
		}
	case "paused, done":
		return []metav1.Condition{
			cond(ozgv1.AvailableCondition, True, ozgv1.ReasonSucceeded, "10/10 ready, 10 updated, 4 online", gen),
			cond(ozgv1.PausedCondition, True, ozgv1.ReasonRolloutPaused, "spec.rollout.paused is true", gen),
			cond(ozgv1.RollingOutCondition, False, ozgv1.ReasonSucceeded, "every portal runs the current template", gen),
			cond(ozgv1.ReadyCondition, True, ozgv1.ReasonSucceeded, "10/10 ready, 10 updated, 4 online", gen),
		}
	case "deadline exceeded":
		msg := wave + ": portals not Ready within the progress deadline: [detmold lage]"
		return []metav1.Condition{
			cond(ozgv1.AvailableCondition, False, ozgv1.ReasonPortalsUnavailable, progress, gen),
			cond(ozgv1.PausedCondition, False, ozgv1.ReasonRolloutResumed, "the rollout proceeds", gen),
			cond(ozgv1.RollingOutCondition, True, ozgv1.ReasonProgressDeadlineExceeded, wave, gen),
			cond(ozgv1.ReadyCondition, False, ozgv1.ReasonProgressDeadlineExceeded, msg, gen),
			cond(ozgv1.StalledCondition, True, ozgv1.ReasonProgressDeadlineExceeded, msg, gen),
		}
	case "done":
		return []metav1.Condition{
			cond(ozgv1.AvailableCondition, True, ozgv1.ReasonSucceeded, "10/10 ready, 10 updated, 4 online", gen),
			cond(ozgv1.PausedCondition, False, ozgv1.ReasonRolloutResumed, "the rollout proceeds", gen),
			cond(ozgv1.RollingOutCondition, False, ozgv1.ReasonSucceeded, "every portal runs the current template", gen),
			cond(ozgv1.ReadyCondition, True, ozgv1.ReasonSucceeded, "10/10 ready, 10 updated, 4 online", gen),
		}
	}
	panic("unknown phase " + phase)
}

// TestPortalFleet covers a fleet's rollout, paused and not.
func TestPortalFleet(t *testing.T) {
	script := scripts(t)["PortalFleet"]
	for _, tc := range []struct {
		name   string
		paused bool
		phase  string
		want   health
	}{
		{"rolling out", false, "rolling out", health{"Progressing", "WaveInProgress: wave lippe: 3/10 ready, 5 updated, 2 online"}},
		{"paused in a wave", true, "paused", health{"Suspended", "RolloutPaused: paused in wave lippe: 3/10 ready, 5 updated, 2 online"}},
		{"paused with nothing to roll out", true, "paused, done", health{"Healthy", "10/10 ready, 10 updated, 4 online"}},
		{"progress deadline exceeded", false, "deadline exceeded", health{"Degraded", "ProgressDeadlineExceeded: wave lippe: portals not Ready within the progress deadline: [detmold lage]"}},
		// Paused does not hide a failure: the deadline of the portals
		// being updated when the rollout was paused still counts.
		{"paused and past the deadline", true, "deadline exceeded", health{"Degraded", "ProgressDeadlineExceeded: wave lippe: portals not Ready within the progress deadline: [detmold lage]"}},
		// spec.rollout.paused alone (a status without the Paused condition,
		// as an older operator wrote it) suspends too.
		{"paused by the spec only", true, "rolling out without Paused", health{"Suspended", "spec.rollout.paused holds the rollout; WaveInProgress: wave lippe: 3/10 ready, 5 updated, 2 online"}},
		{"done", false, "done", health{"Healthy", "10/10 ready, 10 updated, 4 online"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var conditions []metav1.Condition
			if tc.phase == "rolling out without Paused" {
				for _, c := range fleetConditions("rolling out", 6) {
					if c.Type != ozgv1.PausedCondition {
						conditions = append(conditions, c)
					}
				}
			} else {
				conditions = fleetConditions(tc.phase, 6)
			}
			check(t, script, fleet(tc.paused)(t, status{generation: 6, observed: 6, conditions: conditions}), tc.want)
		})
	}
}

// TestPortalFleetWithoutStatusIsProgressing is the gap the health checks
// close: without one, Argo CD takes a PortalFleet the operator has not
// reconciled (or that is Stalled) for Healthy.
func TestPortalFleetWithoutStatusIsProgressing(t *testing.T) {
	script := scripts(t)["PortalFleet"]
	obj := fleet(false)(t, status{generation: 1})
	delete(obj, "status")
	check(t, script, obj, health{"Progressing", "Waiting for the operator to reconcile the PortalFleet"})

	// Pausing a fleet the operator has not reconciled yet is no reason to
	// stop waiting for it.
	obj = fleet(true)(t, status{generation: 1})
	delete(obj, "status")
	check(t, script, obj, health{"Progressing", "Waiting for the operator to reconcile the PortalFleet"})
}

// TestOddObjects feeds every check objects Argo CD could hand it that are
// not what the operator writes: a check must then still answer, never
// fail (Argo CD would show the Lua error as the resource's health).
func TestOddObjects(t *testing.T) {
	byKind := scripts(t)
	for _, sub := range subjects {
		script := byKind[sub.kind]
		healthy := func(t *testing.T) map[string]any {
			return sub.build(t, status{generation: 2, observed: 2, conditions: []metav1.Condition{
				cond(ozgv1.ReadyCondition, True, ozgv1.ReasonSucceeded, "all good", 2),
			}})
		}
		statusOf := func(obj map[string]any) map[string]any { return obj["status"].(map[string]any) }
		for _, tc := range []struct {
			name   string
			mutate func(obj map[string]any)
			want   health
		}{
			{"no metadata", func(obj map[string]any) { delete(obj, "metadata") }, health{"Healthy", "all good"}},
			{"no generation", func(obj map[string]any) { delete(obj["metadata"].(map[string]any), "generation") }, health{"Healthy", "all good"}},
			// Argo CD hands a json.Number over as a string.
			{"numbers as strings", func(obj map[string]any) {
				obj["metadata"].(map[string]any)["generation"] = "3"
				statusOf(obj)["observedGeneration"] = "2"
			}, health{"Progressing", "Waiting for the operator to reconcile generation 3 (the status describes generation 2)"}},
			{"status not a map", func(obj map[string]any) { obj["status"] = "broken" }, health{"Progressing", "Waiting for the operator to reconcile the " + sub.kind}},
			{"status null", func(obj map[string]any) { obj["status"] = nil }, health{"Progressing", "Waiting for the operator to reconcile the " + sub.kind}},
			{"conditions null", func(obj map[string]any) { statusOf(obj)["conditions"] = nil }, health{"Progressing", "Waiting for the operator to set the Ready condition"}},
			{"conditions not a list", func(obj map[string]any) { statusOf(obj)["conditions"] = "Ready" }, health{"Progressing", "Waiting for the operator to set the Ready condition"}},
			{"odd condition entries", func(obj map[string]any) {
				statusOf(obj)["conditions"] = []any{"Ready", int64(3), nil, map[string]any{}, map[string]any{"type": "Ready", "status": "False"}}
			}, health{"Progressing", "Ready is False"}},
			{"a condition without a status", func(obj map[string]any) {
				statusOf(obj)["conditions"] = []any{map[string]any{"type": "Ready", "reason": "Succeeded"}}
			}, health{"Progressing", "Succeeded"}},
			{"spec null", func(obj map[string]any) { obj["spec"] = nil }, health{"Healthy", "all good"}},
		} {
			t.Run(sub.kind+"/"+tc.name, func(t *testing.T) {
				obj := healthy(t)
				tc.mutate(obj)
				check(t, script, obj, tc.want)
			})
		}
	}
}

// TestKinds ties Kinds to the API: the group, the kinds registered in the
// scheme, lower-case file names.
func TestKinds(t *testing.T) {
	if Group != ozgv1.GroupVersion.Group {
		t.Fatalf("Group = %q, the API's is %q", Group, ozgv1.GroupVersion.Group)
	}
	scheme := runtime.NewScheme()
	if err := ozgv1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	for _, k := range Kinds {
		if !scheme.Recognizes(ozgv1.GroupVersion.WithKind(k.Name)) {
			t.Errorf("%s is no kind of %s", k.Name, ozgv1.GroupVersion)
		}
		if k.File != strings.ToLower(k.Name)+".lua" {
			t.Errorf("%s: file %s, want %s.lua", k.Name, k.File, strings.ToLower(k.Name))
		}
		if want := "resource.customizations.health.ozg.dev_" + k.Name; k.Key() != want {
			t.Errorf("%s: key %s, want %s", k.Name, k.Key(), want)
		}
	}
	for name, script := range scripts(t) {
		if !bytes.Contains([]byte(script), []byte(`local kind = "`+name+`"`)) {
			t.Errorf("%s's script does not say local kind = %q", name, name)
		}
	}
}
