// Package rolloutstatus computes the state of a PortalFleet's rollout, wave
// by wave, and renders it for `kubectl ozg rollout status`.
//
// Compute is a pure function of the fleet, its portals and the
// administrations. It selects the members, plans the waves and judges
// the portals with internal/rollout, as the controller does, so that the
// CLI and the controller tell the same story.
package rolloutstatus

import (
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/rollout"
)

// WaveState is where a wave stands in the rollout.
type WaveState string

const (
	// WaveDone: every portal of the wave is updated and Ready.
	WaveDone WaveState = "done"
	// WaveRollingOut: the wave is being updated.
	WaveRollingOut WaveState = "rolling out"
	// WavePaused: the wave is the current one and the rollout is paused.
	WavePaused WaveState = "paused"
	// WaveStalled: the wave is the current one and the fleet is Stalled.
	WaveStalled WaveState = "stalled"
	// WaveWaiting: an earlier wave is not done yet.
	WaveWaiting WaveState = "waiting"
)

// Wave is the progress of one wave.
type Wave struct {
	Name string
	// Portals is the number of administrations the wave covers.
	Portals int
	// Updated counts the portals that run the current template.
	Updated int
	// Ready counts the portals that are Ready, whatever template they run.
	Ready int
	// Done counts the portals that are updated and Ready.
	Done int
	// Published counts the portals whose Published condition is True.
	Published int
	// MaxUnavailable is the wave's maxUnavailable as a count.
	MaxUnavailable int
	State          WaveState
}

// Portal is a portal of the fleet that is not Ready, with the condition
// that says why.
type Portal struct {
	Name string
	Wave string
	// Exists is false while the fleet has not created the portal yet.
	Exists bool
	// Updated is true when the portal runs the current template.
	Updated bool
	// Condition is the condition Reason and Message come from: Stalled
	// when the portal is Stalled, Ready otherwise; empty if it has neither.
	Condition string
	Reason    string
	Message   string
}

// Report is the state of a fleet's rollout.
type Report struct {
	Namespace string
	Name      string
	// Version is the portal version (or image) the template asks for.
	Version            string
	Generation         int64
	ObservedGeneration int64

	Portals   int
	Updated   int
	Ready     int
	Published int
	// FleetReady is the fleet's own count of Ready portals. The summary of
	// a finished rollout uses it: the portals seen here may lag behind the
	// fleet that counted them.
	FleetReady int

	// Waves are in rollout order; the implicit last wave is left out when
	// it is empty.
	Waves []Wave
	// CurrentWave is the first wave that is not done, if any.
	CurrentWave string
	Paused      bool
	// PlanError says why the waves could not be planned (an invalid
	// selector); the fleet is then Stalled as well.
	PlanError string

	// ReadyCondition and StalledCondition are the fleet's conditions; nil
	// when absent or, for Stalled, not True.
	ReadyCondition   *metav1.Condition
	StalledCondition *metav1.Condition

	// NotReady are the fleet's portals that are not Ready, in wave order.
	NotReady []Portal
	// Excluded are the administrations the fleet selects but cannot give
	// a portal, with why; they count in Portals, never as Ready.
	Excluded []rollout.Excluded
}

// Observed reports whether the fleet's status describes its current spec.
func (r *Report) Observed() bool { return r.ObservedGeneration >= r.Generation }

// Done reports whether the rollout is complete: the controller has seen the
// current spec and says the fleet is Ready.
func (r *Report) Done() bool {
	return r.Observed() && r.ReadyCondition != nil && r.ReadyCondition.Status == metav1.ConditionTrue
}

// Stalled reports whether the controller has given up on the current spec
// (for example with reason ProgressDeadlineExceeded).
func (r *Report) Stalled() bool { return r.Observed() && r.StalledCondition != nil }

// Compute builds the report for fleet from its portals (the ServicePortals
// in the fleet's namespace, whatever their owner: a portal of a member's
// name that another owner controls excludes the member) and the
// administrations; only their names, labels and keys are read (see
// rollout.TrimAdministration).
func Compute(fleet *ozgv1.PortalFleet, portals []ozgv1.ServicePortal, adms []*ozgv1.Administration) *Report {
	r := &Report{
		Namespace:          fleet.Namespace,
		Name:               fleet.Name,
		Version:            templateVersion(fleet.Spec.Template.PortalSettings),
		Generation:         fleet.Generation,
		ObservedGeneration: fleet.Status.ObservedGeneration,
		Paused:             fleet.Spec.Rollout.Paused,
		FleetReady:         int(fleet.Status.ReadyPortals),
		ReadyCondition:     meta.FindStatusCondition(fleet.Status.Conditions, ozgv1.ReadyCondition),
	}
	if c := meta.FindStatusCondition(fleet.Status.Conditions, ozgv1.StalledCondition); c != nil && c.Status == metav1.ConditionTrue {
		r.StalledCondition = c
	}

	sel, err := rollout.Select(fleet, adms, rollout.PortalsByName(portals))
	if err != nil {
		r.PlanError = "administrationSelector: " + err.Error()
		return r
	}
	planned, err := rollout.PlanWaves(fleet.Spec.Rollout, sel.Members)
	if err != nil {
		r.PlanError = "rollout.waves: " + err.Error()
		return r
	}
	hash := rollout.TemplateHash(fleet.Spec.Template.PortalSettings)
	for _, w := range planned {
		wave, notReady := waveProgress(w, hash)
		r.addWave(wave, notReady)
	}
	r.Excluded = sel.Excluded
	r.Portals += len(sel.Excluded)
	r.setWaveStates()
	return r
}

// waveProgress counts a wave's portals and collects those not Ready.
func waveProgress(w rollout.Wave, hash string) (Wave, []Portal) {
	wave := Wave{Name: w.Name, Portals: len(w.Members), MaxUnavailable: w.MaxUnavailable}
	var notReady []Portal
	for _, m := range w.Members {
		p := m.Portal
		updated := p != nil && rollout.PortalUpdated(p, hash)
		ready := p != nil && rollout.PortalReady(p)
		if updated {
			wave.Updated++
		}
		if ready {
			wave.Ready++
		}
		if updated && ready {
			wave.Done++
		}
		if p != nil && meta.IsStatusConditionTrue(p.Status.Conditions, ozgv1.PublishedCondition) {
			wave.Published++
		}
		if !ready {
			notReady = append(notReady, notReadyPortal(m.Name, w.Name, p, updated))
		}
	}
	return wave, notReady
}

func (r *Report) addWave(w Wave, notReady []Portal) {
	r.Portals += w.Portals
	r.Updated += w.Updated
	r.Ready += w.Ready
	r.Published += w.Published
	r.NotReady = append(r.NotReady, notReady...)
	// The implicit wave only exists to catch the rest.
	if w.Name == rollout.ImplicitWave && w.Portals == 0 {
		return
	}
	r.Waves = append(r.Waves, w)
}

// setWaveStates marks the waves before the first unfinished one done, that
// one current, and the unfinished ones after it waiting, as the controller
// proceeds.
func (r *Report) setWaveStates() {
	for i := range r.Waves {
		w := &r.Waves[i]
		switch {
		case w.Done == w.Portals:
			w.State = WaveDone
		case r.CurrentWave != "":
			w.State = WaveWaiting
		default:
			r.CurrentWave = w.Name
			w.State = r.currentWaveState()
		}
	}
}

func (r *Report) currentWaveState() WaveState {
	switch {
	case r.StalledCondition != nil:
		return WaveStalled
	case r.Paused:
		return WavePaused
	default:
		return WaveRollingOut
	}
}

// notReadyPortal explains why a portal is not Ready. A Stalled condition
// wins over Ready because it says that waiting will not help.
func notReadyPortal(name, wave string, p *ozgv1.ServicePortal, updated bool) Portal {
	out := Portal{Name: name, Wave: wave, Exists: p != nil, Updated: updated}
	if p == nil {
		out.Message = "the fleet has not created the portal yet"
		return out
	}
	c := meta.FindStatusCondition(p.Status.Conditions, ozgv1.StalledCondition)
	if c == nil || c.Status != metav1.ConditionTrue {
		c = meta.FindStatusCondition(p.Status.Conditions, ozgv1.ReadyCondition)
	}
	switch {
	case c == nil:
		out.Message = "no Ready condition yet"
	case p.Status.ObservedGeneration != p.Generation:
		// A Ready condition of an older generation says nothing about the
		// update.
		out.Condition, out.Reason = c.Type, c.Reason
		out.Message = "waiting for the portal controller to observe the update"
	default:
		out.Condition, out.Reason, out.Message = c.Type, c.Reason, c.Message
	}
	return out
}

// templateVersion names what the template runs: its image, its version, or
// the manager's default.
func templateVersion(s ozgv1.PortalSettings) string {
	switch {
	case s.Image != "":
		return s.Image
	case s.Version != "":
		return s.Version
	default:
		return "default"
	}
}
