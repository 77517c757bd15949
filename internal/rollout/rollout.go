// Package rollout is what the PortalFleet controller and `ozgctl rollout
// status` must agree on: which administrations a fleet gives a portal and
// under which name and hostname (Select), which template a portal runs
// (TemplateHash and its annotation), when a portal counts as Ready
// (PortalReady), and the waves of a rollout (PlanWaves). Both use this
// package, so the CLI cannot tell a story the controller does not act on.
package rollout

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// Annotations the fleet keeps on its portals. They hold the rollout state
// in the cluster, so that a restarted manager resumes where the last one
// stopped and the CLI reads what the controller decided.
const (
	// TemplateHashAnnotation is the TemplateHash of the fleet template a
	// portal runs.
	TemplateHashAnnotation = "ozg.dev/template-hash"
	// UpdatedAtAnnotation is when the fleet gave the portal its template
	// (RFC 3339); the progress deadline counts from here.
	UpdatedAtAnnotation = "ozg.dev/updated-at"
)

// TemplateHash identifies the rolled-out part of a fleet template: the
// portal settings, not the hostname pattern, which applies at once.
func TemplateHash(settings ozgv1.PortalSettings) string {
	data, _ := json.Marshal(settings) // plain data, cannot fail
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])[:16]
}

// PortalUpdated reports whether p runs the template with hash.
func PortalUpdated(p *ozgv1.ServicePortal, hash string) bool {
	return p.Annotations[TemplateHashAnnotation] == hash
}

// PortalUpdatedAt is when the fleet gave p its template; false when p
// carries no such time (a portal the fleet did not update).
func PortalUpdatedAt(p *ozgv1.ServicePortal) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339, p.Annotations[UpdatedAtAnnotation])
	return t, err == nil
}

// PortalReady reports whether p is Ready for its current generation: a
// Ready condition written before the portal controller saw an update says
// nothing about the update.
func PortalReady(p *ozgv1.ServicePortal) bool {
	return p.Status.ObservedGeneration == p.Generation && meta.IsStatusConditionTrue(p.Status.Conditions, ozgv1.ReadyCondition)
}
