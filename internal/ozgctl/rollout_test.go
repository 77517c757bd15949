package ozgctl_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/ozgctl"
	"github.com/ozg-operator/ozg-operator/internal/rollout"
)

// rolloutFixture is a fleet in its own namespace with one portal per
// administration, whose statuses the test writes as the controllers would.
type rolloutFixture struct {
	t       *testing.T
	fleet   *v1alpha1.PortalFleet
	portals []*v1alpha1.ServicePortal
}

// newRolloutFixture creates namespace rollout-NAME, an administration
// NAME-ADM for each adm, fleet NAME selecting them with a wave "pilot"
// for the first, and their portals on an old template, Ready.
func newRolloutFixture(t *testing.T, name string, adms ...string) *rolloutFixture {
	t.Helper()
	requireCluster(t)
	ctx := t.Context()
	ns := &unstructured.Unstructured{}
	ns.SetAPIVersion("v1")
	ns.SetKind("Namespace")
	ns.SetName("rollout-" + name)
	create(t, ns)

	selector := map[string]string{"example.de/fleet": name}
	for i, adm := range adms {
		labels := map[string]string{"example.de/fleet": name, "example.de/pilot": fmt.Sprint(i == 0)}
		create(t, &v1alpha1.Administration{
			ObjectMeta: metav1.ObjectMeta{Name: name + "-" + adm, Labels: labels},
			Spec:       v1alpha1.AdministrationSpec{Key: fmt.Sprintf("0999%04d", i), DisplayName: adm, Type: v1alpha1.TypeKreisangehoerigeGemeinde},
		})
	}
	f := &rolloutFixture{t: t, fleet: &v1alpha1.PortalFleet{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns.GetName(), Name: name},
		Spec: v1alpha1.PortalFleetSpec{
			AdministrationSelector: metav1.LabelSelector{MatchLabels: selector},
			Template: v1alpha1.PortalTemplate{
				HostnamePattern: "$(name).serviceportal.example.de",
				PortalSettings:  v1alpha1.PortalSettings{Version: "1.5.0"},
			},
			Rollout: v1alpha1.FleetRollout{Waves: []v1alpha1.RolloutWave{
				{Name: "pilot", Selector: metav1.LabelSelector{MatchLabels: map[string]string{"example.de/pilot": "true"}}},
			}},
		},
	}}
	// The API server defaults the template, and the controller hashes what
	// it stored: Create reads it back into f.fleet.
	create(t, f.fleet)
	for _, adm := range adms {
		p := &v1alpha1.ServicePortal{
			ObjectMeta: metav1.ObjectMeta{
				Namespace: ns.GetName(), Name: name + "-" + adm,
				Labels:      map[string]string{v1alpha1.LabelFleet: name},
				Annotations: map[string]string{rollout.TemplateHashAnnotation: "old"},
			},
			Spec: v1alpha1.ServicePortalSpec{AdministrationRef: v1alpha1.LocalObjectReference{Name: name + "-" + adm}},
		}
		create(t, p)
		f.portals = append(f.portals, p)
		f.setPortal(len(f.portals)-1, false, true)
	}
	if err := k8sClient.Get(ctx, client.ObjectKeyFromObject(f.fleet), f.fleet); err != nil {
		t.Fatal(err)
	}
	return f
}

// create creates obj and deletes it when the test ends.
func create(t *testing.T, obj client.Object) {
	t.Helper()
	if err := k8sClient.Create(t.Context(), obj); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = k8sClient.Delete(context.Background(), obj) })
}

// setPortal moves portal i to the fleet's template or leaves it on the old
// one, and writes its Ready condition for its current generation.
func (f *rolloutFixture) setPortal(i int, updated, ready bool) {
	f.t.Helper()
	ctx := f.t.Context()
	p := f.portals[i]
	hash := "old"
	if updated {
		hash = rollout.TemplateHash(f.fleet.Spec.Template.PortalSettings)
	}
	if p.Annotations[rollout.TemplateHashAnnotation] != hash {
		p.Annotations[rollout.TemplateHashAnnotation] = hash
		if err := k8sClient.Update(ctx, p); err != nil {
			f.t.Fatal(err)
		}
	}
	p.Status.ObservedGeneration = p.Generation
	if ready {
		setCondition(&p.Status.Conditions, v1alpha1.ReadyCondition, metav1.ConditionTrue, v1alpha1.ReasonSucceeded, "3 of 5 services live", p.Generation)
	} else {
		setCondition(&p.Status.Conditions, v1alpha1.ReadyCondition, metav1.ConditionFalse, v1alpha1.ReasonDeploymentNotAvailable, "0 of 1 replicas updated and available", p.Generation)
	}
	if err := k8sClient.Status().Update(ctx, p); err != nil {
		f.t.Fatal(err)
	}
}

// setFleet writes the fleet's status for its current generation with
// the Ready condition and, if stalledReason is set, Stalled, counting the
// portals the fixture made Ready as the controller would.
func (f *rolloutFixture) setFleet(ready bool, reason, message, stalledReason string) {
	f.t.Helper()
	s := &f.fleet.Status
	s.ObservedGeneration = f.fleet.Generation
	s.ReadyPortals = 0
	for _, p := range f.portals {
		if meta.IsStatusConditionTrue(p.Status.Conditions, v1alpha1.ReadyCondition) {
			s.ReadyPortals++
		}
	}
	status := metav1.ConditionFalse
	if ready {
		status = metav1.ConditionTrue
	}
	setCondition(&s.Conditions, v1alpha1.ReadyCondition, status, reason, message, f.fleet.Generation)
	if stalledReason != "" {
		setCondition(&s.Conditions, v1alpha1.StalledCondition, metav1.ConditionTrue, stalledReason, message, f.fleet.Generation)
	}
	if err := k8sClient.Status().Update(f.t.Context(), f.fleet); err != nil {
		f.t.Fatal(err)
	}
}

func setCondition(conditions *[]metav1.Condition, typ string, status metav1.ConditionStatus, reason, message string, generation int64) {
	meta.SetStatusCondition(conditions, metav1.Condition{Type: typ, Status: status, Reason: reason, Message: message, ObservedGeneration: generation})
}

func (f *rolloutFixture) args(extra ...string) []string {
	return append([]string{"rollout", "status", "fleet/" + f.fleet.Name, "-n", f.fleet.Namespace, "--kubeconfig", kubeconfig}, extra...)
}

func TestRolloutStatusDone(t *testing.T) {
	f := newRolloutFixture(t, "done", "a", "b", "c")
	for i := range f.portals {
		f.setPortal(i, true, true)
	}
	f.setFleet(true, v1alpha1.ReasonSucceeded, "3/3 ready, 3 updated, 0 online", "")

	for _, extra := range [][]string{{"--watch=false"}, nil} {
		stdout, _, err := ozgctlRun(t.Context(), f.args(extra...)...)
		if err != nil {
			t.Fatalf("%v: %v\n%s", extra, err, stdout)
		}
		for _, want := range []string{
			"PortalFleet rollout-done/done: version 1.5.0, 3 portals: 3 updated, 3 Ready, 0 online",
			"pilot 1/1 1/1 [##########] done",
			"rest 2/2 2/2 [##########] done",
			`fleet "done" successfully rolled out: 3 portals Ready`,
		} {
			if !hasLine(stdout, want) {
				t.Errorf("%v: output lacks %q:\n%s", extra, want, stdout)
			}
		}
	}
}

func TestRolloutStatusStalled(t *testing.T) {
	f := newRolloutFixture(t, "stalled", "a", "b")
	f.setPortal(0, true, false)
	msg := "wave pilot: portals not Ready within the progress deadline: [stalled-a]"
	f.setFleet(false, v1alpha1.ReasonProgressDeadlineExceeded, msg, v1alpha1.ReasonProgressDeadlineExceeded)

	for _, extra := range [][]string{{"--watch=false"}, {"--watch"}} {
		stdout, _, err := ozgctlRun(t.Context(), f.args(extra...)...)
		if err == nil || !strings.Contains(err.Error(), "ProgressDeadlineExceeded") || ozgctl.ExitCode(err) != ozgctl.ExitFailure {
			t.Errorf("%v: got error %v (exit code %d), want exit code 1 and ProgressDeadlineExceeded", extra, err, ozgctl.ExitCode(err))
		}
		if !hasLine(stdout, "stalled-a pilot yes Ready DeploymentNotAvailable 0 of 1 replicas updated and available") ||
			!hasLine(stdout, "pilot 1/1 0/1 [----------] stalled") {
			t.Errorf("%v: output lacks the stuck portal or the stalled wave:\n%s", extra, stdout)
		}
	}
}

// TestRolloutStatusSelectsAsTheFleetDoes: the CLI reads what the
// controller reads, the keys of the administrations for a hostname pattern
// with $(key) among it, and reports an administration the fleet cannot
// give a portal as the fleet does.
func TestRolloutStatusSelectsAsTheFleetDoes(t *testing.T) {
	f := newRolloutFixture(t, "select", "a")
	f.fleet.Spec.Template.HostnamePattern = "$(name)-$(key).serviceportal.example.de"
	if err := k8sClient.Update(t.Context(), f.fleet); err != nil {
		t.Fatal(err)
	}
	create(t, &v1alpha1.Administration{
		ObjectMeta: metav1.ObjectMeta{Name: "select-x.y", Labels: map[string]string{"example.de/fleet": "select"}},
		Spec:       v1alpha1.AdministrationSpec{Key: "09999999", DisplayName: "x.y", Type: v1alpha1.TypeKreisangehoerigeGemeinde},
	})
	f.setPortal(0, true, true)
	msg := "[Administration select-x.y cannot give its name to a portal, which must be a DNS-1035 label: ...]"
	f.setFleet(false, v1alpha1.ReasonInvalidSpec, msg, v1alpha1.ReasonInvalidSpec)

	stdout, _, err := ozgctlRun(t.Context(), f.args("--watch=false")...)
	if err == nil || !strings.Contains(err.Error(), "InvalidSpec") {
		t.Errorf("got %v, want a stalled rollout", err)
	}
	for _, want := range []string{
		"PortalFleet rollout-select/select: version 1.5.0, 2 portals: 1 updated, 1 Ready, 0 online",
		"pilot 1/1 1/1 [##########] done",
		"Administrations without a portal: 1",
	} {
		if !hasLine(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if words := strings.Join(strings.Fields(stdout), " "); !strings.Contains(words, "select-x.y Administration select-x.y cannot give its name to a portal") {
		t.Errorf("output does not say why select-x.y has no portal:\n%s", stdout)
	}
}

func TestRolloutStatusInProgress(t *testing.T) {
	f := newRolloutFixture(t, "progress", "a", "b")
	f.setPortal(0, true, false)
	f.setFleet(false, "WaveInProgress", "wave pilot: 1/2 ready, 1 updated, 0 online", "")

	_, _, err := ozgctlRun(t.Context(), f.args("--watch=false")...)
	if err == nil || !strings.Contains(err.Error(), "is not done") || ozgctl.ExitCode(err) != ozgctl.ExitFailure {
		t.Errorf("--watch=false: got %v, want a rollout that is not done", err)
	}

	start := time.Now()
	stdout, _, err := ozgctlRun(t.Context(), f.args("--watch", "--timeout", "1s")...)
	if err == nil || !strings.Contains(err.Error(), "timed out after 1s") || ozgctl.ExitCode(err) != ozgctl.ExitFailure {
		t.Errorf("--timeout 1s: got %v, want a timeout", err)
	}
	if elapsed := time.Since(start); elapsed > 10*time.Second {
		t.Errorf("--timeout 1s took %s", elapsed)
	}
	if want := `Waiting for fleet "progress" rollout to finish: wave "pilot" (1 of 2): 1 of 1 portals updated, 0 Ready...`; !strings.Contains(stdout, want) {
		t.Errorf("output lacks %q:\n%s", want, stdout)
	}
}

// TestRolloutStatusWatchesUntilDone finishes a rollout while the command
// watches it: it must see the change without polling and exit 0.
func TestRolloutStatusWatchesUntilDone(t *testing.T) {
	f := newRolloutFixture(t, "watch", "a", "b")
	f.setPortal(0, true, false)
	f.setFleet(false, "WaveInProgress", "wave pilot: 1/2 ready, 1 updated, 0 online", "")

	stdout, exited := watchRollout(t, f)
	f.setPortal(0, true, true)
	f.setPortal(1, true, false)
	waitFor(t, stdout, `wave "rest" (2 of 2): 1 of 1 portals updated, 0 Ready`)
	f.setPortal(1, true, true)
	f.setFleet(true, v1alpha1.ReasonSucceeded, "2/2 ready, 2 updated, 0 online", "")

	if err := exited(); err != nil {
		t.Fatalf("got %v, want success\n%s", err, stdout.String())
	}
	// Not a terminal: the report once, then one line per change.
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if last := lines[len(lines)-1]; last != `fleet "watch" successfully rolled out: 2 portals Ready` {
		t.Errorf("last line %q\n%s", last, stdout.String())
	}
	if n := strings.Count(stdout.String(), "PortalFleet rollout-watch/watch"); n != 1 {
		t.Errorf("the report was printed %d times, want once:\n%s", n, stdout.String())
	}
}

func TestRolloutStatusFleetDeletedWhileWatching(t *testing.T) {
	f := newRolloutFixture(t, "deleted", "a")
	f.setPortal(0, true, false)
	f.setFleet(false, "WaveInProgress", "wave pilot: 0/1 ready, 1 updated, 0 online", "")

	_, exited := watchRollout(t, f)
	if err := k8sClient.Delete(t.Context(), f.fleet); err != nil {
		t.Fatal(err)
	}
	if err := exited(); err == nil || !strings.Contains(err.Error(), `fleet "deleted" was deleted`) {
		t.Errorf("got %v, want the fleet deleted", err)
	}
}

// watchRollout runs rollout status --watch on the fleet in the background
// until it shows the first report. exited waits for the command to end and
// returns its error.
func watchRollout(t *testing.T, f *rolloutFixture) (stdout *syncBuffer, exited func() error) {
	t.Helper()
	stdout = &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		cmd := ozgctl.NewCommand(genericiooptions.IOStreams{In: &bytes.Buffer{}, Out: stdout, ErrOut: &bytes.Buffer{}})
		cmd.SetArgs(f.args("--timeout", "60s"))
		done <- cmd.ExecuteContext(t.Context())
	}()
	waitFor(t, stdout, "Waiting for fleet")
	return stdout, func() error {
		t.Helper()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			t.Fatalf("the watch did not end:\n%s", stdout.String())
			return nil
		}
	}
}

func TestRolloutStatusErrors(t *testing.T) {
	requireCluster(t)
	for _, tc := range []failure{
		{[]string{"rollout", "status", "deployment/x"}, `not "deployment"`, ozgctl.ExitUsage},
		{[]string{"rollout", "status", "fleet/"}, "not a fleet name", ozgctl.ExitUsage},
		{[]string{"rollout", "status"}, "accepts 1 arg(s)", ozgctl.ExitUsage},
		{[]string{"rollout", "status", "x", "--timeout", "-1s"}, "must not be negative", ozgctl.ExitUsage},
		{[]string{"rollout", "status", "x", "--wait"}, "unknown flag", ozgctl.ExitUsage},
		{[]string{"rollout", "stats", "x"}, "unknown command", ozgctl.ExitUsage},
		{[]string{"rollout", "status", "portalfleets.ozg.dev/nope", "-n", "default", "--kubeconfig", kubeconfig}, `"nope" not found`, ozgctl.ExitFailure},
	} {
		tc.check(t)
	}
}

// hasLine reports whether out has a line with the words of want, however
// the table aligns them.
func hasLine(out, want string) bool {
	for _, line := range strings.Split(out, "\n") {
		if strings.Join(strings.Fields(line), " ") == want {
			return true
		}
	}
	return false
}

// syncBuffer is a bytes.Buffer that a command writes while the test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor waits until the output contains want.
func waitFor(t *testing.T, out *syncBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(out.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("output lacks %q:\n%s", want, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
