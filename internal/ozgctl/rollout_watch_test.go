package ozgctl

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/rollout"
	"github.com/ozg-operator/ozg-operator/internal/rolloutstatus"
)

// progressReport is the report of a two-portal fleet with ready portals
// of which updated run the current template.
func progressReport(updated int, stalled bool) *rolloutstatus.Report {
	fleet := &ozgv1.PortalFleet{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "f"},
		Spec:       ozgv1.PortalFleetSpec{Template: ozgv1.PortalTemplate{HostnamePattern: "$(name).example.de"}},
	}
	if stalled {
		meta.SetStatusCondition(&fleet.Status.Conditions, metav1.Condition{Type: ozgv1.StalledCondition, Status: metav1.ConditionTrue,
			Reason: ozgv1.ReasonProgressDeadlineExceeded, Message: "too slow"})
	}
	hash := rollout.TemplateHash(fleet.Spec.Template.PortalSettings)
	var portals []ozgv1.ServicePortal
	var adms []*ozgv1.Administration
	for i, name := range []string{"a", "b"} {
		h := "old"
		if i < updated {
			h = hash
		}
		p := ozgv1.ServicePortal{ObjectMeta: metav1.ObjectMeta{Name: name, Annotations: map[string]string{rollout.TemplateHashAnnotation: h}}}
		meta.SetStatusCondition(&p.Status.Conditions, metav1.Condition{Type: ozgv1.ReadyCondition, Status: metav1.ConditionTrue, Reason: "Succeeded"})
		portals = append(portals, p)
		adms = append(adms, &ozgv1.Administration{ObjectMeta: metav1.ObjectMeta{Name: name}})
	}
	return rolloutstatus.Compute(fleet, portals, adms)
}

func TestPrinterOnATerminalRedrawsInPlace(t *testing.T) {
	var out bytes.Buffer
	p := &reportPrinter{out: &out, terminal: true, width: 40}
	for _, updated := range []int{0, 0, 1} {
		if err := p.show(progressReport(updated, false)); err != nil {
			t.Fatal(err)
		}
	}
	drawings := strings.Split(out.String(), "\033[")
	// The first drawing, then one redraw: the unchanged report is skipped.
	if len(drawings) != 3 || !strings.HasPrefix(drawings[1], "5A\r") || !strings.HasPrefix(drawings[2], "J") {
		t.Errorf("got %q, want a drawing and one redraw moving up its 5 lines", out.String())
	}
	for _, line := range strings.Split(out.String(), "\n") {
		if len([]rune(line)) > 39+len("\033[5A\r\033[J") {
			t.Errorf("line %q is wider than the terminal", line)
		}
	}
}

func TestPrinterInALogPrintsChangedSummaries(t *testing.T) {
	var out bytes.Buffer
	p := &reportPrinter{out: &out}
	for _, updated := range []int{0, 0, 1, 1} {
		if err := p.show(progressReport(updated, false)); err != nil {
			t.Fatal(err)
		}
	}
	err := p.finish(progressReport(1, true), errors.New("stalled"))
	if err == nil || err.Error() != "stalled" {
		t.Errorf("finish returned %v", err)
	}
	got := out.String()
	if n := strings.Count(got, "PortalFleet ns/f"); n != 2 {
		t.Errorf("%d full reports, want the first and the stalled one:\n%s", n, got)
	}
	if n := strings.Count(got, "1 of 2 portals updated"); n != 1 {
		t.Errorf("the summary for one updated portal appears %d times, want once:\n%s", n, got)
	}
	if !strings.HasSuffix(got, "fleet \"f\" is stalled: ProgressDeadlineExceeded: too slow\n") {
		t.Errorf("the log does not end with the stall:\n%s", got)
	}
}
