package rolloutstatus_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/rollout"
	"github.com/ozg-operator/ozg-operator/internal/rolloutstatus"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// fixture is a fleet of seven administrations in three waves and the
// implicit one, with a new template (version 1.5.0) half rolled out.
type fixture struct {
	fleet   *ozgv1.PortalFleet
	portals []ozgv1.ServicePortal
	adms    []*ozgv1.Administration
}

func newFixture() *fixture {
	pct50 := intstr.FromString("50%")
	fleet := &ozgv1.PortalFleet{
		ObjectMeta: metav1.ObjectMeta{Namespace: "krz", Name: "owl", Generation: 4},
		Spec: ozgv1.PortalFleetSpec{
			AdministrationSelector: metav1.LabelSelector{MatchLabels: map[string]string{ozgv1.LabelITProvider: "krz"}},
			Template: ozgv1.PortalTemplate{
				HostnamePattern: "$(name).serviceportal.example.de",
				PortalSettings:  ozgv1.PortalSettings{Version: "1.5.0"},
			},
			Rollout: ozgv1.FleetRollout{Waves: []ozgv1.RolloutWave{
				{Name: "pilot", Selector: metav1.LabelSelector{MatchLabels: map[string]string{"example.de/pilot": "true"}}},
				{Name: "herford", Selector: metav1.LabelSelector{MatchLabels: map[string]string{ozgv1.LabelKreis: "05758"}}, MaxUnavailable: &pct50},
				{Name: "lippe", Selector: metav1.LabelSelector{MatchLabels: map[string]string{ozgv1.LabelKreis: "05766"}}},
			}},
		},
		Status: ozgv1.PortalFleetStatus{ObservedGeneration: 4},
	}
	f := &fixture{fleet: fleet}
	for _, name := range []string{"herford", "buende", "enger", "spenge"} {
		f.adm(name, "05758")
	}
	f.adms[0].Labels["example.de/pilot"] = "true"
	f.adm("detmold", "05766")
	f.adm("lemgo", "05766")
	f.adm("bielefeld", "05711")
	f.adm("muenster", "05515") // another provider's
	f.adms[len(f.adms)-1].Labels[ozgv1.LabelITProvider] = "citeq"

	f.portal("herford", true, ready)
	f.portal("enger", true, ready)
	f.portal("buende", true, notAvailable)
	// spenge has no portal yet.
	f.portal("detmold", false, ready)
	f.portal("lemgo", false, ready)
	f.portal("bielefeld", false, ready)
	f.setFleetCondition(ozgv1.ReadyCondition, metav1.ConditionFalse, "WaveInProgress", "wave herford: 4/7 ready, 3 updated, 0 online")
	return f
}

func (f *fixture) adm(name, kreis string) {
	l := map[string]string{ozgv1.LabelKreis: kreis, ozgv1.LabelITProvider: "krz"}
	f.adms = append(f.adms, &ozgv1.Administration{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: l}})
}

// condition sets a portal's conditions for one situation.
type condition func(p *ozgv1.ServicePortal)

func ready(p *ozgv1.ServicePortal) {
	setPortalCondition(p, ozgv1.ReadyCondition, metav1.ConditionTrue, ozgv1.ReasonSucceeded, "12 of 40 services live")
}

func notAvailable(p *ozgv1.ServicePortal) {
	setPortalCondition(p, ozgv1.ReadyCondition, metav1.ConditionFalse, ozgv1.ReasonDeploymentNotAvailable, "0 of 1 replicas updated and available")
}

func setPortalCondition(p *ozgv1.ServicePortal, typ string, s metav1.ConditionStatus, reason, msg string) {
	meta.SetStatusCondition(&p.Status.Conditions, metav1.Condition{Type: typ, Status: s, Reason: reason, Message: msg})
}

func (f *fixture) portal(name string, updated bool, c condition) {
	hash := "0123456789abcdef" // some older template
	if updated {
		hash = rollout.TemplateHash(f.fleet.Spec.Template.PortalSettings)
	}
	p := ozgv1.ServicePortal{ObjectMeta: metav1.ObjectMeta{
		Namespace: "krz", Name: name, Generation: 2,
		Annotations: map[string]string{rollout.TemplateHashAnnotation: hash},
	}}
	p.Status.ObservedGeneration = 2
	c(&p)
	f.portals = append(f.portals, p)
}

func (f *fixture) setFleetCondition(typ string, s metav1.ConditionStatus, reason, msg string) {
	meta.SetStatusCondition(&f.fleet.Status.Conditions, metav1.Condition{Type: typ, Status: s, Reason: reason, Message: msg})
}

func (f *fixture) update(name string, c condition) {
	for i := range f.portals {
		if p := &f.portals[i]; p.Name == name {
			p.Annotations[rollout.TemplateHashAnnotation] = rollout.TemplateHash(f.fleet.Spec.Template.PortalSettings)
			p.Status.Conditions = nil
			c(p)
			return
		}
	}
	f.portal(name, true, c)
}

func (f *fixture) report() *rolloutstatus.Report {
	return rolloutstatus.Compute(f.fleet, f.portals, f.adms)
}

func TestWriteGolden(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(f *fixture)
		opts  rolloutstatus.Options
	}{
		{name: "rolling-out", setup: func(*fixture) {}},
		{name: "stalled", setup: func(f *fixture) {
			f.update("buende", func(p *ozgv1.ServicePortal) {
				notAvailable(p)
				setPortalCondition(p, ozgv1.StalledCondition, metav1.ConditionTrue, ozgv1.ReasonHostnameConflict,
					"hostname buende.serviceportal.example.de is claimed by ServicePortal other/buende")
			})
			msg := "wave herford: portals not Ready within the progress deadline: [buende]"
			f.setFleetCondition(ozgv1.StalledCondition, metav1.ConditionTrue, ozgv1.ReasonProgressDeadlineExceeded, msg)
			f.setFleetCondition(ozgv1.ReadyCondition, metav1.ConditionFalse, ozgv1.ReasonProgressDeadlineExceeded, msg)
		}},
		{name: "paused", setup: func(f *fixture) {
			f.fleet.Spec.Rollout.Paused = true
		}},
		{name: "limited", opts: rolloutstatus.Options{MaxPortals: 1}, setup: func(*fixture) {}},
		{name: "excluded", setup: excludeTwo},
		{name: "done", setup: func(f *fixture) {
			for _, name := range []string{"buende", "spenge", "detmold", "lemgo", "bielefeld"} {
				f.update(name, ready)
			}
			f.setFleetCondition(ozgv1.ReadyCondition, metav1.ConditionTrue, ozgv1.ReasonSucceeded, "7/7 ready, 7 updated, 0 online")
			f.fleet.Status.ReadyPortals = 7
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture()
			tc.setup(f)
			var out bytes.Buffer
			if err := f.report().Write(&out, tc.opts); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name, out.String())
		})
	}
}

func TestWavesFollowThePlan(t *testing.T) {
	r := newFixture().report()
	var got []string
	for _, w := range r.Waves {
		got = append(got, w.Name+":"+string(w.State))
	}
	want := "pilot:done herford:rolling out lippe:waiting rest:waiting"
	if strings.Join(got, " ") != want {
		t.Errorf("waves are %v, want %s", got, want)
	}
	if r.CurrentWave != "herford" || r.Portals != 7 || r.Updated != 3 || r.Ready != 5 {
		t.Errorf("current wave %q, %d portals, %d updated, %d Ready; want herford, 7, 3, 5", r.CurrentWave, r.Portals, r.Updated, r.Ready)
	}
	if herford := r.Waves[1]; herford.MaxUnavailable != 1 || herford.Done != 1 {
		t.Errorf("wave herford: maxUnavailable %d, done %d; want 1 (50%% of 3, rounded down), 1", herford.MaxUnavailable, herford.Done)
	}
}

func TestDoneAndStalledNeedTheCurrentGeneration(t *testing.T) {
	f := newFixture()
	f.setFleetCondition(ozgv1.ReadyCondition, metav1.ConditionTrue, ozgv1.ReasonSucceeded, "")
	f.setFleetCondition(ozgv1.StalledCondition, metav1.ConditionTrue, ozgv1.ReasonProgressDeadlineExceeded, "")
	f.fleet.Generation = 5
	r := f.report()
	if r.Done() || r.Stalled() {
		t.Errorf("a status of generation 4 for generation 5: done %v, stalled %v; want neither", r.Done(), r.Stalled())
	}
	if want := `Waiting for fleet "owl" spec update to be observed...`; r.Summary() != want {
		t.Errorf("summary %q, want %q", r.Summary(), want)
	}
}

// A watch sees the fleet and its portals through separate streams: the
// fleet may say done before the last portal's Ready arrives. The summary
// of a finished rollout is the fleet's count, not the lagging one.
func TestDoneSummaryCountsAsTheFleet(t *testing.T) {
	f := newFixture()
	f.setFleetCondition(ozgv1.ReadyCondition, metav1.ConditionTrue, ozgv1.ReasonSucceeded, "7/7 ready, 7 updated, 0 online")
	f.fleet.Status.ReadyPortals = 7
	r := f.report()
	if r.Ready == 7 {
		t.Fatal("the fixture's portals are all Ready; the test needs some that lag")
	}
	if want := `fleet "owl" successfully rolled out: 7 portals Ready`; r.Summary() != want {
		t.Errorf("summary %q, want %q", r.Summary(), want)
	}
}

func TestStalePortalStatusIsNotReady(t *testing.T) {
	f := newFixture()
	f.portals[0].Generation = 3 // herford: updated spec, status of generation 2
	r := f.report()
	if r.Waves[0].State != rolloutstatus.WaveRollingOut || r.CurrentWave != "pilot" {
		t.Errorf("wave pilot is %s, current wave %q; want pilot rolling out", r.Waves[0].State, r.CurrentWave)
	}
	if p := r.NotReady[0]; p.Name != "herford" || !strings.Contains(p.Message, "observe the update") {
		t.Errorf("first portal not Ready: %+v", p)
	}
}

func TestInvalidSelectorIsReported(t *testing.T) {
	f := newFixture()
	f.fleet.Spec.Rollout.Waves[0].Selector = metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "x", Operator: "Bogus"}}}
	r := f.report()
	if !strings.HasPrefix(r.PlanError, "rollout.waves: ") || len(r.Waves) != 0 {
		t.Errorf("plan error %q with %d waves", r.PlanError, len(r.Waves))
	}
	if !strings.Contains(r.Summary(), "cannot be rolled out") {
		t.Errorf("summary %q", r.Summary())
	}
}

// excludeTwo gives the fleet two administrations it cannot give a
// portal: one whose name is no portal name, and enger, whose running
// portal another owner has taken over.
func excludeTwo(f *fixture) {
	f.adm("bad.salzuflen", "05766")
	yes := true
	for i := range f.portals {
		if p := &f.portals[i]; p.Name == "enger" {
			p.OwnerReferences = []metav1.OwnerReference{{Kind: "PortalFleet", Name: "other", UID: "other-uid", Controller: &yes}}
		}
	}
	f.setFleetCondition(ozgv1.StalledCondition, metav1.ConditionTrue, ozgv1.ReasonInvalidSpec, "[Administration bad.salzuflen cannot ...]")
}

// TestExcludedCountAsTheControllerCounts: an administration the fleet
// cannot give a portal counts as wanted, never as Ready or updated, and
// belongs to no wave, as in the fleet's status.
func TestExcludedCountAsTheControllerCounts(t *testing.T) {
	f := newFixture()
	excludeTwo(f)
	r := f.report()
	if r.Portals != 8 || r.Ready != 4 || r.Updated != 2 {
		t.Errorf("%d portals, %d Ready, %d updated; want 8 (7 + bad.salzuflen), 4 and 2 (not enger)", r.Portals, r.Ready, r.Updated)
	}
	var excluded []string
	for _, e := range r.Excluded {
		excluded = append(excluded, e.Administration)
	}
	if strings.Join(excluded, " ") != "bad.salzuflen enger" {
		t.Errorf("excluded %v", excluded)
	}
	for _, w := range r.Waves {
		if w.Name == "herford" && w.Portals != 2 {
			t.Errorf("wave herford has %d portals, want 2, buende and spenge, without enger", w.Portals)
		}
	}
}

func TestBar(t *testing.T) {
	for _, tc := range []struct {
		done, total int
		want        string
	}{
		{0, 4, "[----------]"},
		{1, 4, "[##--------]"},
		{4, 4, "[##########]"},
		{0, 0, "[##########]"},
		{1, 3, "[###-------]"},
	} {
		if got := rolloutstatus.Bar(tc.done, tc.total); got != tc.want {
			t.Errorf("Bar(%d, %d) = %s, want %s", tc.done, tc.total, got, tc.want)
		}
	}
}

// golden compares got with testdata/NAME.golden; -update writes got there
// first.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		must(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	must(t, err)
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update accepts it):\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
