package controllers

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/rollout"
)

// The fleet's status is computed here by pure functions: planRollout
// decides the step, fleetStatus the counts and conditions. Each condition
// type is set by one helper below, once per reconcile.

// rolloutPlan is the outcome of one rollout step.
type rolloutPlan struct {
	// update names the portals to move to the current template now.
	update map[string]bool
	// currentWave is the first wave that is not done; "" when all are.
	currentWave string
	// waveMax is the current wave's maxUnavailable, waveSize its portals.
	waveMax, waveSize int
	// finished are the waves before the current one (all, when there is
	// none): every portal of theirs runs the template and is Ready.
	finished map[string]bool
	// stalled are the current wave's portals past the progress deadline.
	stalled []string
	// requeueAfter is when the next portal's progress deadline passes.
	requeueAfter time.Duration
}

// planRollout finds the first wave that is not done (every portal updated
// and Ready) and picks which of its old portals to update now, within its
// maxUnavailable. Later waves wait. New portals start on the current
// template at once: there is no old version of them to keep available.
// A fleet whose rollout finished stays at rest while every portal runs the
// template: a portal that drops out of Ready then (a pod evicted, a node
// drained) is unavailable, not a rollout that missed its deadline, as a
// Deployment applies its progress deadline only while it rolls out.
// The error is that of an invalid wave selector.
func planRollout(fleet *ozgv1.PortalFleet, members []*rollout.Member, hash string, now time.Time) (*rolloutPlan, error) {
	waves, err := rollout.PlanWaves(fleet.Spec.Rollout, members)
	if err != nil {
		return nil, err
	}
	plan := &rolloutPlan{update: map[string]bool{}, finished: map[string]bool{}}
	if rolledOut(fleet, members, hash) {
		for _, w := range waves {
			plan.finished[w.Name] = true
		}
		return plan, nil
	}
	deadline := time.Duration(ptr.Deref(fleet.Spec.Rollout.ProgressDeadlineSeconds, ozgv1.DefaultProgressDeadlineSeconds)) * time.Second
	for _, w := range waves {
		done, unavailable := true, 0
		var oldReady, oldUnready []string
		for _, m := range w.Members {
			p := m.Portal
			switch {
			case p == nil:
				done = false
				unavailable++
			case !rollout.PortalUpdated(p, hash):
				done = false
				if rollout.PortalReady(p) {
					oldReady = append(oldReady, m.Name)
				} else {
					oldUnready = append(oldUnready, m.Name)
					unavailable++
				}
			case !rollout.PortalReady(p):
				done = false
				unavailable++
				if since, ok := unreadySince(p); ok {
					if left := since.Add(deadline).Sub(now); left <= 0 {
						plan.stalled = append(plan.stalled, m.Name)
					} else if plan.requeueAfter == 0 || left < plan.requeueAfter {
						plan.requeueAfter = left
					}
				}
			}
		}
		if done {
			plan.finished[w.Name] = true
			continue
		}
		plan.currentWave, plan.waveMax, plan.waveSize = w.Name, w.MaxUnavailable, len(w.Members)
		if fleet.Spec.Rollout.Paused || len(plan.stalled) > 0 {
			break
		}
		// Updating a portal that is down anyway costs no availability.
		for _, name := range oldUnready {
			plan.update[name] = true
		}
		for _, name := range oldReady[:min(len(oldReady), max(0, w.MaxUnavailable-unavailable))] {
			plan.update[name] = true
		}
		break
	}
	return plan, nil
}

// rolledOut tells that the fleet's last status finished a rollout, and
// every member's portal runs the template and was updated before that.
// A spec change that moves no portal (paused, maxUnavailable, the
// deadline) keeps the fleet at rest; a new template or a new member does
// not, and neither does a portal updated after the rollout finished (its
// reconcile's status write failed before it could say so).
func rolledOut(fleet *ozgv1.PortalFleet, members []*rollout.Member, hash string) bool {
	c := meta.FindStatusCondition(fleet.Status.Conditions, ozgv1.RollingOutCondition)
	if c == nil || c.Status != metav1.ConditionFalse {
		return false
	}
	return !slices.ContainsFunc(members, func(m *rollout.Member) bool {
		if m.Portal == nil || !rollout.PortalUpdated(m.Portal, hash) {
			return true
		}
		updated, ok := rollout.PortalUpdatedAt(m.Portal)
		return ok && updated.After(c.LastTransitionTime.Time)
	})
}

// unreadySince is when an updated portal's progress deadline starts: its
// update, or its last fall out of Ready if that came later, so that a
// portal of a finished wave that fails while later waves roll out gets
// the whole deadline to come back.
func unreadySince(p *ozgv1.ServicePortal) (time.Time, bool) {
	since, ok := rollout.PortalUpdatedAt(p)
	if !ok {
		return time.Time{}, false
	}
	if c := meta.FindStatusCondition(p.Status.Conditions, ozgv1.ReadyCondition); c != nil && c.LastTransitionTime.After(since) {
		since = c.LastTransitionTime.Time
	}
	return since, true
}

// fleetStatus fills the counts and conditions from the selection and the
// plan of this reconcile.
func fleetStatus(fleet *ozgv1.PortalFleet, status *ozgv1.PortalFleetStatus, sel *rollout.Selection, hash string, plan *rolloutPlan) {
	countPortals(status, sel, hash)
	status.CurrentWave = plan.currentWave

	rollingOut, paused := plan.currentWave != "", fleet.Spec.Rollout.Paused
	progress := fmt.Sprintf("%d/%d ready, %d updated, %d online", status.ReadyPortals, status.Portals, status.UpdatedPortals, status.PublishedPortals)
	wave := "wave " + plan.currentWave

	unavailable := int(status.Portals - status.ReadyPortals)
	if rollingOut && unavailable <= plan.waveMax || !rollingOut && unavailable == 0 {
		setFleetAvailable(status, decided{metav1.ConditionTrue, ozgv1.ReasonSucceeded, progress})
	} else {
		setFleetAvailable(status, decided{metav1.ConditionFalse, ozgv1.ReasonPortalsUnavailable, progress})
	}

	if paused {
		setFleetPaused(status, decided{metav1.ConditionTrue, ozgv1.ReasonRolloutPaused, "spec.rollout.paused is true"})
	} else {
		setFleetPaused(status, decided{metav1.ConditionFalse, ozgv1.ReasonRolloutResumed, "the rollout proceeds"})
	}

	switch {
	case len(plan.stalled) > 0:
		setFleetRollingOut(status, decided{metav1.ConditionTrue, ozgv1.ReasonProgressDeadlineExceeded, wave})
	case rollingOut && paused:
		setFleetRollingOut(status, decided{metav1.ConditionTrue, ozgv1.ReasonRolloutPaused, wave + ": " + progress})
	case rollingOut:
		setFleetRollingOut(status, decided{metav1.ConditionTrue, ozgv1.ReasonWaveInProgress, wave + ": " + progress})
	default:
		setFleetRollingOut(status, decided{metav1.ConditionFalse, ozgv1.ReasonSucceeded, "every portal runs the current template"})
	}

	switch {
	case len(sel.Excluded) > 0:
		problems := make([]string, len(sel.Excluded))
		for i, e := range sel.Excluded {
			problems[i] = e.Message
		}
		setFleetReadiness(status, invalidSpec(joinLimited(problems)))
	case len(plan.stalled) > 0:
		msg := fmt.Sprintf("%s: portals not Ready within the progress deadline: %s", wave, joinLimited(plan.stalled))
		setFleetReadiness(status, readiness{
			ready:   decided{metav1.ConditionFalse, ozgv1.ReasonProgressDeadlineExceeded, msg},
			stalled: decided{metav1.ConditionTrue, ozgv1.ReasonProgressDeadlineExceeded, msg},
		})
	case rollingOut && paused:
		// Waiting for a person is no progress kstatus should wait for.
		setFleetReadiness(status, readiness{
			ready: decided{metav1.ConditionFalse, ozgv1.ReasonRolloutPaused, "paused in " + wave + ": " + progress},
		})
	case rollingOut:
		msg := wave + ": " + progress
		setFleetReadiness(status, readiness{
			ready:       decided{metav1.ConditionFalse, ozgv1.ReasonWaveInProgress, msg},
			reconciling: decided{metav1.ConditionTrue, ozgv1.ReasonWaveInProgress, msg},
		})
	case unavailable > 0:
		// At rest: the portals' own controllers bring them back.
		setFleetReadiness(status, readiness{
			ready:       decided{metav1.ConditionFalse, ozgv1.ReasonPortalsUnavailable, progress},
			reconciling: decided{metav1.ConditionTrue, ozgv1.ReasonPortalsUnavailable, progress},
		})
	default:
		setFleetReadiness(status, readiness{ready: decided{metav1.ConditionTrue, ozgv1.ReasonSucceeded, progress}})
	}
}

// countPortals counts the portals the fleet wants, those Ready, online and
// on the current template, and the versions they run. An excluded
// administration counts as wanted, never as Ready.
func countPortals(status *ozgv1.PortalFleetStatus, sel *rollout.Selection, hash string) {
	status.Portals = int32(len(sel.Members) + len(sel.Excluded))
	status.ReadyPortals, status.PublishedPortals, status.UpdatedPortals = 0, 0, 0
	versions := map[string]int32{}
	for _, m := range sel.Members {
		p := m.Portal
		if p == nil {
			continue
		}
		if rollout.PortalReady(p) {
			status.ReadyPortals++
		}
		if meta.IsStatusConditionTrue(p.Status.Conditions, ozgv1.PublishedCondition) {
			status.PublishedPortals++
		}
		if rollout.PortalUpdated(p, hash) {
			status.UpdatedPortals++
		}
		if p.Status.Version != "" {
			versions[p.Status.Version]++
		}
	}
	status.Versions = nil
	for v, n := range versions {
		status.Versions = append(status.Versions, ozgv1.VersionCount{Version: v, Count: n})
	}
	slices.SortFunc(status.Versions, func(a, b ozgv1.VersionCount) int { return strings.Compare(a.Version, b.Version) })
}

// decided is what a reconcile decided for one condition type.
type decided struct {
	status  metav1.ConditionStatus
	reason  string
	message string
}

// readiness is the verdict kstatus reads from Ready, Stalled and
// Reconciling together; the zero value of Stalled and Reconciling is
// False, which removes them.
type readiness struct {
	ready, stalled, reconciling decided
}

// invalidSpec stops the rollout on a spec the fleet cannot realise.
func invalidSpec(message string) readiness {
	return readiness{
		ready:   decided{metav1.ConditionFalse, ozgv1.ReasonInvalidSpec, message},
		stalled: decided{metav1.ConditionTrue, ozgv1.ReasonInvalidSpec, message},
	}
}

// applyFailed reports a write to a portal that failed; the controller
// retries it.
func applyFailed(err error) readiness {
	msg := err.Error()
	return readiness{
		ready:       decided{metav1.ConditionFalse, ozgv1.ReasonApplyFailed, msg},
		reconciling: decided{metav1.ConditionTrue, ozgv1.ReasonApplyFailed, msg},
	}
}

func setFleetReadiness(s *ozgv1.PortalFleetStatus, r readiness) {
	setFleetReady(s, r.ready)
	setFleetStalled(s, r.stalled)
	setFleetReconciling(s, r.reconciling)
}

func setFleetReady(s *ozgv1.PortalFleetStatus, d decided) {
	setCondition(s, ozgv1.ReadyCondition, d.status, d.reason, d.message)
}

func setFleetAvailable(s *ozgv1.PortalFleetStatus, d decided) {
	setCondition(s, ozgv1.AvailableCondition, d.status, d.reason, d.message)
}

func setFleetRollingOut(s *ozgv1.PortalFleetStatus, d decided) {
	setCondition(s, ozgv1.RollingOutCondition, d.status, d.reason, d.message)
}

func setFleetPaused(s *ozgv1.PortalFleetStatus, d decided) {
	setCondition(s, ozgv1.PausedCondition, d.status, d.reason, d.message)
}

// setFleetStalled and setFleetReconciling remove their condition unless it
// is True: kstatus reads an absent one as False.
func setFleetStalled(s *ozgv1.PortalFleetStatus, d decided) {
	setTrueOrRemove(s, ozgv1.StalledCondition, d)
}

func setFleetReconciling(s *ozgv1.PortalFleetStatus, d decided) {
	setTrueOrRemove(s, ozgv1.ReconcilingCondition, d)
}

func setTrueOrRemove(s *ozgv1.PortalFleetStatus, typ string, d decided) {
	if d.status != metav1.ConditionTrue {
		removeCondition(s, typ)
		return
	}
	setCondition(s, typ, d.status, d.reason, d.message)
}

// joinLimited keeps condition messages readable for large fleets.
func joinLimited(items []string) string {
	const limit = 5
	if len(items) <= limit {
		return fmt.Sprint(items)
	}
	return fmt.Sprintf("%v and %d more", items[:limit], len(items)-limit)
}
