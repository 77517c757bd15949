//go:build bench

package scale

import (
	"context"
	"encoding/json"
	"strconv"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// managedBy selects the children the operator writes (controllers.managedBy).
var managedBy = client.MatchingLabels{"app.kubernetes.io/managed-by": "ozg-operator"}

// childKinds are the kinds of a portal's children.
var childKinds = []schema.GroupVersionKind{
	{Version: "v1", Kind: "ConfigMap"},
	{Group: "apps", Version: "v1", Kind: "Deployment"},
	{Version: "v1", Kind: "Service"},
	{Group: "networking.k8s.io", Version: "v1", Kind: "NetworkPolicy"},
	{Group: "networking.k8s.io", Version: "v1", Kind: "Ingress"},
	{Group: "policy", Version: "v1", Kind: "PodDisruptionBudget"},
}

// stateSnapshot is what the least number of writes of a phase is
// computed from: the statuses of the rolled-up objects and the versions of
// the children, at the start and at the end of the phase.
type stateSnapshot struct {
	// statuses holds each rolled-up object's status as JSON, with the
	// conditions' lastTransitionTime left out: a condition that fell and
	// rose again during the phase ends where it started.
	statuses map[string]string
	// reported holds the rolled-up objects whose status has a Ready
	// condition: they have been reconciled at least once.
	reported map[string]bool
	// followsPortals holds the Administrations and OZGServices whose
	// status depends on portal statuses.
	followsPortals map[string]bool
	// children holds each child's version: a Deployment's generation (the
	// kubelet player writes its status), the others' resourceVersion
	// (nothing but the operator writes them).
	children map[string]string
	// deployments holds the generation of each portal's Deployment.
	deployments map[string]int64
}

// takeSnapshot reads the snapshot from the API server, not from a cache,
// so that it is exact. Children are read as metadata only: their content
// does not matter here, and the ConfigMaps alone are large.
func takeSnapshot(ctx context.Context, c client.Client) (*stateSnapshot, error) {
	s := &stateSnapshot{
		statuses: map[string]string{}, reported: map[string]bool{}, followsPortals: map[string]bool{},
		children: map[string]string{}, deployments: map[string]int64{},
	}
	// record notes a status; it must be a copy, since statusJSON clears
	// the lastTransitionTime of its conditions.
	record := func(key string, status any, conditions []metav1.Condition, followsPortals bool) {
		s.reported[key] = meta.FindStatusCondition(conditions, ozgv1.ReadyCondition) != nil
		s.followsPortals[key] = followsPortals
		s.statuses[key] = statusJSON(status, conditions)
	}
	st, err := readState(ctx, c)
	if err != nil {
		return nil, err
	}
	for i := range st.administrations {
		a := &st.administrations[i]
		status := a.Status.DeepCopy()
		record(objectKey(kindAdministration, a), status, status.Conditions, administrationFollowsPortals(a))
	}
	for i := range st.services {
		svc := &st.services[i]
		status := svc.Status.DeepCopy()
		record(objectKey(kindService, svc), status, status.Conditions, serviceFollowsPortals(svc))
	}
	for i := range st.portals {
		p := &st.portals[i]
		status := p.Status.DeepCopy()
		record(objectKey(kindPortal, p), status, status.Conditions, false)
	}
	for _, gvk := range childKinds {
		list := &metav1.PartialObjectMetadataList{}
		list.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
		if err := c.List(ctx, list, client.InNamespace(portalNamespace), managedBy); err != nil {
			return nil, err
		}
		for _, obj := range list.Items {
			version := obj.ResourceVersion
			if gvk.Kind == "Deployment" {
				version = strconv.FormatInt(obj.Generation, 10)
				s.deployments[obj.Name] = obj.Generation
			}
			s.children[objectKey(gvk.Kind, &obj)] = version
		}
	}
	return s, nil
}

// administrationFollowsPortals and serviceFollowsPortals tell whether a
// status depends on portal statuses: an Administration's does when it has
// a portal, an OZGService's when a portal offers it (the count comes from
// the Administrations' portal summaries).
func administrationFollowsPortals(a *ozgv1.Administration) bool { return a.Status.Portal != nil }
func serviceFollowsPortals(s *ozgv1.OZGService) bool            { return s.Status.Portals > 0 }

// statusJSON encodes status after clearing the lastTransitionTime of
// conditions (which must be the status' own conditions).
func statusJSON(status any, conditions []metav1.Condition) string {
	for i := range conditions {
		conditions[i].LastTransitionTime = metav1.Time{}
	}
	data, err := json.Marshal(status)
	if err != nil {
		panic(err) // statuses are plain data
	}
	return string(data)
}

// leastWrites is the least number of writes a phase needs, defined from
// what changed between its start and its end:
//
//   - one status write for every Administration, OZGService and
//     ServicePortal whose status (without lastTransitionTime) differs;
//   - one more status write for every portal whose Deployment was created
//     or rolled out: kstatus requires the portal to report the rollout in
//     progress (Ready False, Reconciling True) before it reports it done,
//     and it cannot know the outcome before the Deployment exists;
//   - one write for every child created, changed or deleted.
//
// Not counted: statuses that change and change back within the phase
// because a portal was briefly not Ready during a rollout (an
// Administration's portal.ready, an OZGService's onlinePortals). The
// status contract lets these follow the rollout, but their end state is
// what users and GitOps tools read, and the report shows what following
// the rollout costs as the difference between issued and least writes.
type leastWrites struct {
	// status counts the objects whose status changed, by kind.
	status map[string]int
	// rollouts counts the portals whose Deployment was created or rolled.
	rollouts int
	// children counts the children created, changed or deleted.
	children int
	// firsts counts, by kind, the Administrations and OZGServices that
	// began the phase unreconciled and end it with a status that follows
	// portals. The design has every kind set Ready on its first reconcile
	// (the design brief, "Conditions"), and at a cold start that comes before
	// any portal is Ready, so their final status is a second write: the
	// least the design allows, next to the least the issue counts. (A
	// portal's first write is its rollout write, counted above.)
	firsts map[string]int
}

// computeLeastWrites compares the snapshots at the start and end of a phase.
func computeLeastWrites(before, after *stateSnapshot) leastWrites {
	least := leastWrites{status: map[string]int{}, firsts: map[string]int{}}
	for key, status := range after.statuses {
		if before.statuses[key] != status {
			least.status[kindOfKey(key)]++
		}
	}
	for key, follows := range after.followsPortals {
		if follows && !before.reported[key] {
			least.firsts[kindOfKey(key)]++
		}
	}
	for name, generation := range after.deployments {
		if before.deployments[name] != generation {
			least.rollouts++
		}
	}
	for key, version := range after.children {
		if before.children[key] != version {
			least.children++
		}
	}
	for key := range before.children {
		if _, ok := after.children[key]; !ok {
			least.children++
		}
	}
	return least
}

// statusTotal counts the least status writes.
func (l leastWrites) statusTotal() int { return l.rollouts + sumOf(l.status, nil) }

// total counts all least writes.
func (l leastWrites) total() int { return l.statusTotal() + l.children }

// withFirsts counts the least writes the design allows: total and the
// first statuses.
func (l leastWrites) withFirsts() int { return l.total() + sumOf(l.firsts, nil) }

// kindOfKey returns the kind of an objectKey.
func kindOfKey(key string) string {
	for i := range key {
		if key[i] == '/' {
			return key[:i]
		}
	}
	return key
}
