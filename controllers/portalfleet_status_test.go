package controllers

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/tools/events"
	"k8s.io/utils/ptr"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/rollout"
)

// statusNow is the clock of these tests; portals were updated at
// statusNow minus their age.
var statusNow = time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)

const statusHash = "current"

// portalState is a member's portal in a test: none yet, on the old or the
// current template, Ready or not, updated how long ago.
type portalState struct {
	exists, updated, ready, online bool
	age                            time.Duration
	// down is how long ago the portal fell out of Ready; 0 leaves the
	// condition's transition time unset.
	down time.Duration
}

var (
	absent     = portalState{}
	oldReady   = portalState{exists: true, ready: true}
	oldDown    = portalState{exists: true}
	newReady   = portalState{exists: true, updated: true, ready: true}
	newPending = portalState{exists: true, updated: true, age: time.Minute}
	newLate    = portalState{exists: true, updated: true, age: time.Hour}
	// dayOldReady was updated in the rollout that finished (atRest).
	dayOldReady = portalState{exists: true, updated: true, ready: true, age: 24 * time.Hour}
)

// testFleet has waves "a" (administrations a0, a1, ...) and "b" (b0,
// ...), each with maxUnavailable 2; the members' portals are in the
// given states.
func testFleet(states map[string]portalState) (*ozgv1.PortalFleet, []*rollout.Member) {
	two := intstr.FromInt32(2)
	wave := func(name string) ozgv1.RolloutWave {
		return ozgv1.RolloutWave{Name: name, MaxUnavailable: &two,
			Selector: metav1.LabelSelector{MatchLabels: map[string]string{"wave": name}}}
	}
	fleet := &ozgv1.PortalFleet{
		ObjectMeta: metav1.ObjectMeta{Name: "krz", Namespace: "krz", Generation: 3},
		Spec: ozgv1.PortalFleetSpec{Rollout: ozgv1.FleetRollout{
			Waves: []ozgv1.RolloutWave{wave("a"), wave("b")}, ProgressDeadlineSeconds: ptr.To[int32](600),
		}},
	}
	var members []*rollout.Member
	for _, name := range slices.Sorted(maps.Keys(states)) {
		s := states[name]
		m := &rollout.Member{Name: name, Administration: &ozgv1.Administration{
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"wave": name[:1]}},
		}}
		if s.exists {
			m.Portal = testPortal(name, s)
		}
		members = append(members, m)
	}
	return fleet, members
}

func testPortal(name string, s portalState) *ozgv1.ServicePortal {
	hash := "old"
	if s.updated {
		hash = statusHash
	}
	p := &ozgv1.ServicePortal{ObjectMeta: metav1.ObjectMeta{Name: name, Generation: 1, Annotations: map[string]string{
		rollout.TemplateHashAnnotation: hash,
		rollout.UpdatedAtAnnotation:    statusNow.Add(-s.age).Format(time.RFC3339),
	}}}
	p.Status.ObservedGeneration = 1
	p.Status.Version = "1.4.0"
	ready, online := metav1.ConditionFalse, metav1.ConditionFalse
	if s.ready {
		ready = metav1.ConditionTrue
	}
	if s.online {
		online = metav1.ConditionTrue
	}
	p.Status.Conditions = []metav1.Condition{
		{Type: ozgv1.ReadyCondition, Status: ready, Reason: ozgv1.ReasonSucceeded, LastTransitionTime: fellAt(s.down)},
		{Type: ozgv1.PublishedCondition, Status: online, Reason: ozgv1.ReasonSucceeded},
	}
	return p
}

func fellAt(down time.Duration) metav1.Time {
	if down == 0 {
		return metav1.Time{}
	}
	return metav1.NewTime(statusNow.Add(-down))
}

// scenario is a fleet whose members' portals are in the given states.
type scenario struct {
	states map[string]portalState
	paused bool
	// atRest gives the fleet the status of a finished rollout of its
	// generation.
	atRest bool
}

// plan is the fleet of the scenario, its members and planRollout's plan.
func (s scenario) plan(t *testing.T) (*ozgv1.PortalFleet, []*rollout.Member, *rolloutPlan) {
	t.Helper()
	fleet, members := testFleet(s.states)
	fleet.Spec.Rollout.Paused = s.paused
	if s.atRest {
		// Finished two hours ago, for an older generation: the spec
		// changed since in what moves no portal (paused, maxUnavailable).
		fleet.Status.Conditions = []metav1.Condition{{Type: ozgv1.RollingOutCondition, Status: metav1.ConditionFalse,
			Reason: ozgv1.ReasonSucceeded, ObservedGeneration: fleet.Generation - 1, LastTransitionTime: fellAt(2 * time.Hour)}}
	}
	plan, err := planRollout(fleet, members, statusHash, statusNow)
	if err != nil {
		t.Fatal(err)
	}
	return fleet, members, plan
}

func TestPlanRollout(t *testing.T) {
	for _, tc := range []struct {
		name string
		scenario
		wave     string
		update   []string
		finished []string
		stalled  []string
		requeue  time.Duration
	}{{
		name:     "a new fleet starts in the first wave; its portals are created on the template anyway",
		scenario: scenario{states: map[string]portalState{"a0": absent, "b0": absent}},
		wave:     "a",
	}, {
		name:     "old Ready portals are updated up to maxUnavailable, in name order",
		scenario: scenario{states: map[string]portalState{"a0": newReady, "b0": oldReady, "b1": oldReady, "b2": oldReady}},
		wave:     "b",
		update:   []string{"b0", "b1"},
		finished: []string{"a"},
	}, {
		name:     "a portal on its way counts against maxUnavailable",
		scenario: scenario{states: map[string]portalState{"b0": newPending, "b1": oldReady, "b2": oldReady}},
		wave:     "b",
		update:   []string{"b1"},
		finished: []string{"a"},
		requeue:  9 * time.Minute,
	}, {
		name:     "an old portal that is down is updated whatever maxUnavailable says",
		scenario: scenario{states: map[string]portalState{"b0": oldDown, "b1": oldDown, "b2": oldDown, "b3": oldReady}},
		wave:     "b",
		update:   []string{"b0", "b1", "b2"},
		finished: []string{"a"},
	}, {
		name:     "paused: the wave is current, nothing is updated",
		scenario: scenario{states: map[string]portalState{"a0": oldReady, "a1": oldReady}, paused: true},
		wave:     "a",
	}, {
		name:     "past the progress deadline: stalled, nothing more is updated",
		scenario: scenario{states: map[string]portalState{"a0": newLate, "a1": newPending, "a2": oldReady}},
		wave:     "a",
		stalled:  []string{"a0"},
		requeue:  9 * time.Minute,
	}, {
		name: "a finished wave's portal that fell out of Ready a minute ago gets the deadline from its fall",
		scenario: scenario{states: map[string]portalState{
			"a0": {exists: true, updated: true, age: 24 * time.Hour, down: time.Minute}, "b0": oldReady,
		}},
		wave:    "a",
		requeue: 9 * time.Minute,
	}, {
		name: "at rest: a portal that falls out of Ready a day after its update opens no wave and stalls nothing",
		scenario: scenario{states: map[string]portalState{
			"a0": {exists: true, updated: true, age: 24 * time.Hour, down: time.Hour}, "b0": dayOldReady,
		}, atRest: true},
		finished: []string{"a", "b", rollout.ImplicitWave},
	}, {
		name: "at rest, but a portal updated since (the status write that said so failed): its deadline applies",
		scenario: scenario{states: map[string]portalState{
			"a0": {exists: true, updated: true, age: time.Hour}, "b0": dayOldReady,
		}, atRest: true},
		wave:    "a",
		stalled: []string{"a0"},
	}, {
		name:     "at rest, but a new member: its wave rolls out",
		scenario: scenario{states: map[string]portalState{"a0": newReady, "b0": absent}, atRest: true},
		wave:     "b",
		finished: []string{"a"},
	}, {
		name:     "done: no current wave, every wave finished",
		scenario: scenario{states: map[string]portalState{"a0": newReady, "b0": newReady}},
		finished: []string{"a", "b", rollout.ImplicitWave},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, plan := tc.plan(t)
			if plan.currentWave != tc.wave {
				t.Errorf("current wave %q, want %q", plan.currentWave, tc.wave)
			}
			if got := slices.Sorted(maps.Keys(plan.update)); !slices.Equal(got, tc.update) {
				t.Errorf("update %v, want %v", got, tc.update)
			}
			if got := slices.Sorted(maps.Keys(plan.finished)); !slices.Equal(got, tc.finished) {
				t.Errorf("finished %v, want %v", got, tc.finished)
			}
			if !slices.Equal(plan.stalled, tc.stalled) || plan.requeueAfter != tc.requeue {
				t.Errorf("stalled %v, requeue after %s; want %v, %s", plan.stalled, plan.requeueAfter, tc.stalled, tc.requeue)
			}
		})
	}

	fleet, members := testFleet(map[string]portalState{"a0": absent})
	fleet.Spec.Rollout.Waves[1].Selector.MatchExpressions = []metav1.LabelSelectorRequirement{{Key: "x", Operator: "Bogus"}}
	if _, err := planRollout(fleet, members, statusHash, statusNow); err == nil {
		t.Error("an invalid wave selector planned")
	}
}

func TestFleetStatus(t *testing.T) {
	for _, tc := range []struct {
		name string
		scenario
		excluded []rollout.Excluded
		// conditions are Type=Status/Reason, or -Type for one absent.
		conditions string
		counts     [4]int32 // portals, ready, updated, online
	}{{
		name:       "done",
		scenario:   scenario{states: map[string]portalState{"a0": newReady, "b0": {exists: true, updated: true, ready: true, online: true}}},
		conditions: "Ready=True/Succeeded Available=True/Succeeded RollingOut=False/Succeeded Paused=False/RolloutResumed -Reconciling -Stalled",
		counts:     [4]int32{2, 2, 2, 1},
	}, {
		name:       "rolling out within maxUnavailable",
		scenario:   scenario{states: map[string]portalState{"a0": newPending, "a1": oldReady}},
		conditions: "Ready=False/WaveInProgress Reconciling=True/WaveInProgress RollingOut=True/WaveInProgress Available=True/Succeeded -Stalled",
		counts:     [4]int32{2, 1, 1, 0},
	}, {
		name:       "more portals down than the wave allows",
		scenario:   scenario{states: map[string]portalState{"a0": newPending, "a1": newPending, "a2": oldDown}},
		conditions: "Available=False/PortalsUnavailable",
		counts:     [4]int32{3, 0, 2, 0},
	}, {
		name:       "paused in a wave: not Ready, but nothing kstatus should wait for",
		scenario:   scenario{states: map[string]portalState{"a0": oldReady}, paused: true},
		conditions: "Ready=False/RolloutPaused RollingOut=True/RolloutPaused Paused=True/RolloutPaused -Reconciling -Stalled",
		counts:     [4]int32{1, 1, 0, 0},
	}, {
		name:       "past the progress deadline",
		scenario:   scenario{states: map[string]portalState{"a0": newLate}},
		conditions: "Stalled=True/ProgressDeadlineExceeded Ready=False/ProgressDeadlineExceeded RollingOut=True/ProgressDeadlineExceeded -Reconciling",
		counts:     [4]int32{1, 0, 1, 0},
	}, {
		name: "at rest with a portal down: unavailable and waiting for it, not stalled",
		scenario: scenario{states: map[string]portalState{
			"a0": {exists: true, updated: true, age: 24 * time.Hour, down: time.Hour}, "b0": dayOldReady,
		}, atRest: true},
		conditions: "Ready=False/PortalsUnavailable Reconciling=True/PortalsUnavailable Available=False/PortalsUnavailable RollingOut=False/Succeeded -Stalled",
		counts:     [4]int32{2, 1, 2, 0},
	}, {
		name:       "an excluded administration stalls an otherwise finished fleet and counts as not Ready",
		scenario:   scenario{states: map[string]portalState{"a0": newReady}},
		excluded:   []rollout.Excluded{{Administration: "a.b", Message: "Administration a.b cannot give its name"}},
		conditions: "Stalled=True/InvalidSpec Ready=False/InvalidSpec RollingOut=False/Succeeded Available=False/PortalsUnavailable -Reconciling",
		counts:     [4]int32{2, 1, 1, 0},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			fleet, members, plan := tc.plan(t)
			sel := &rollout.Selection{Members: members, Excluded: tc.excluded}
			// A status from before, with every condition there, so that
			// removing one shows.
			status := &ozgv1.PortalFleetStatus{ObservedGeneration: fleet.Generation}
			for _, typ := range []string{ozgv1.ReadyCondition, ozgv1.StalledCondition, ozgv1.ReconcilingCondition} {
				setCondition(status, typ, metav1.ConditionTrue, ozgv1.ReasonApplyFailed, "before")
			}
			fleetStatus(fleet, status, sel, statusHash, plan)

			if got := conditionsOf(status, tc.conditions); got != tc.conditions {
				t.Errorf("conditions\n%s, want\n%s", got, tc.conditions)
			}
			for _, c := range status.Conditions {
				if c.ObservedGeneration != fleet.Generation {
					t.Errorf("%s is for generation %d, want %d", c.Type, c.ObservedGeneration, fleet.Generation)
				}
			}
			if got := [4]int32{status.Portals, status.ReadyPortals, status.UpdatedPortals, status.PublishedPortals}; got != tc.counts {
				t.Errorf("portals, ready, updated, online: %v, want %v", got, tc.counts)
			}
			if tc.excluded != nil && !strings.Contains(meta.FindStatusCondition(status.Conditions, ozgv1.StalledCondition).Message, tc.excluded[0].Message) {
				t.Errorf("Stalled does not say why: %+v", status.Conditions)
			}
		})
	}
}

// conditionsOf renders the conditions of status that like names, in the
// form of TestFleetStatus.
func conditionsOf(status *ozgv1.PortalFleetStatus, like string) string {
	var out []string
	for _, tok := range strings.Fields(like) {
		typ, _, _ := strings.Cut(strings.TrimPrefix(tok, "-"), "=")
		if c := meta.FindStatusCondition(status.Conditions, typ); c != nil {
			out = append(out, fmt.Sprintf("%s=%s/%s", typ, c.Status, c.Reason))
		} else {
			out = append(out, "-"+typ)
		}
	}
	return strings.Join(out, " ")
}

// TestFleetStatusKeepsTransitionTimes: recomputing the same status over
// itself changes no lastTransitionTime. A condition set twice in a
// reconcile, passing through another status, would get a new one.
func TestFleetStatusKeepsTransitionTimes(t *testing.T) {
	for _, states := range []map[string]portalState{
		{"a0": newReady}, {"a0": newPending, "a1": oldReady}, {"a0": newLate}, {"a0": oldDown, "b0": absent},
	} {
		fleet, members, plan := scenario{states: states}.plan(t)
		sel := &rollout.Selection{Members: members}
		status := &ozgv1.PortalFleetStatus{ObservedGeneration: fleet.Generation}
		fleetStatus(fleet, status, sel, statusHash, plan)
		earlier := metav1.NewTime(statusNow.Add(-time.Hour))
		for i := range status.Conditions {
			status.Conditions[i].LastTransitionTime = earlier
		}
		fleetStatus(fleet, status, sel, statusHash, plan)
		for _, c := range status.Conditions {
			if !c.LastTransitionTime.Equal(&earlier) {
				t.Errorf("%v: %s moved its lastTransitionTime", states, c.Type)
			}
		}
	}
}

// TestFleetEvents records each transition once: waves starting and
// finishing, a pause holding the wave, the rollout stalling.
func TestFleetEvents(t *testing.T) {
	paused := []metav1.Condition{{Type: ozgv1.PausedCondition, Status: metav1.ConditionTrue}}
	stalled := func(reason string) []metav1.Condition {
		return []metav1.Condition{{Type: ozgv1.StalledCondition, Status: metav1.ConditionTrue, Reason: reason, Message: "why"}}
	}
	plan := func(wave string, finished ...string) *rolloutPlan {
		p := &rolloutPlan{currentWave: wave, waveSize: 4, waveMax: 2, finished: map[string]bool{}}
		for _, w := range finished {
			p.finished[w] = true
		}
		return p
	}
	for _, tc := range []struct {
		name          string
		before, after ozgv1.PortalFleetStatus
		plan          *rolloutPlan
		want          []string
	}{
		{"a new fleet starts its first wave", ozgv1.PortalFleetStatus{}, ozgv1.PortalFleetStatus{CurrentWave: "a"}, plan("a"),
			[]string{"Normal WaveStarted rolling the template out to wave a: 4 portals, maxUnavailable 2"}},
		{"the next wave", ozgv1.PortalFleetStatus{CurrentWave: "a"}, ozgv1.PortalFleetStatus{CurrentWave: "b"}, plan("b", "a"),
			[]string{"Normal WaveFinished every portal of wave a runs the template and is Ready", "Normal WaveStarted rolling the template out to wave b: 4 portals, maxUnavailable 2"}},
		{"the last wave finishes", ozgv1.PortalFleetStatus{CurrentWave: "b"}, ozgv1.PortalFleetStatus{}, plan("", "a", "b"),
			[]string{"Normal WaveFinished every portal of wave b runs the template and is Ready"}},
		{"a new template goes back to the first wave, the other is not finished", ozgv1.PortalFleetStatus{CurrentWave: "b"}, ozgv1.PortalFleetStatus{CurrentWave: "a"}, plan("a"),
			[]string{"Normal WaveStarted rolling the template out to wave a: 4 portals, maxUnavailable 2"}},
		{"still in the wave", ozgv1.PortalFleetStatus{CurrentWave: "a"}, ozgv1.PortalFleetStatus{CurrentWave: "a"}, plan("a"), nil},
		{"pausing", ozgv1.PortalFleetStatus{CurrentWave: "a"}, ozgv1.PortalFleetStatus{CurrentWave: "a", Conditions: paused}, plan("a"), nil},
		{"created paused", ozgv1.PortalFleetStatus{}, ozgv1.PortalFleetStatus{CurrentWave: "a", Conditions: paused}, plan("a"), nil},
		{"resuming", ozgv1.PortalFleetStatus{CurrentWave: "a", Conditions: paused}, ozgv1.PortalFleetStatus{CurrentWave: "a"}, plan("a"),
			[]string{"Normal WaveStarted rolling the template out to wave a: 4 portals, maxUnavailable 2"}},
		{"past the deadline", ozgv1.PortalFleetStatus{CurrentWave: "a"}, ozgv1.PortalFleetStatus{CurrentWave: "a", Conditions: stalled(ozgv1.ReasonProgressDeadlineExceeded)}, plan("a"),
			[]string{"Warning ProgressDeadlineExceeded why"}},
		{"still past the deadline", ozgv1.PortalFleetStatus{CurrentWave: "a", Conditions: stalled(ozgv1.ReasonProgressDeadlineExceeded)}, ozgv1.PortalFleetStatus{CurrentWave: "a", Conditions: stalled(ozgv1.ReasonProgressDeadlineExceeded)}, plan("a"), nil},
		{"an invalid spec", ozgv1.PortalFleetStatus{CurrentWave: "a"}, ozgv1.PortalFleetStatus{CurrentWave: "a", Conditions: stalled(ozgv1.ReasonInvalidSpec)}, nil,
			[]string{"Warning RolloutStalled why"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := events.NewFakeRecorder(10)
			fleet := &ozgv1.PortalFleet{ObjectMeta: metav1.ObjectMeta{Name: "krz", UID: "u"}, Status: tc.after}
			recordFleetEvents(newEventRecorder(fake), fleet, &tc.before, tc.plan)
			close(fake.Events)
			var got []string
			for e := range fake.Events {
				got = append(got, e)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("events %q, want %q", got, tc.want)
			}
		})
	}
}
