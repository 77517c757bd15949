package controllers

import (
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/render"
)

// portalObservation is what one reconcile found out about a portal; the
// status follows from it alone (portalStatus).
type portalObservation struct {
	// version is what the portal runs once rolled out, scheme the URL
	// scheme of a published portal.
	version, scheme string
	// administrationMissing: the referenced Administration does not exist.
	administrationMissing bool
	// otherProvider says that the Administration belongs to another IT
	// provider than the portal's namespace, and whose.
	otherProvider string
	// profileMissing names the responsibility profile the administration
	// selects that does not exist.
	profileMissing string
	// renderErr says why the content cannot be rendered.
	renderErr error
	rendered  *render.Result
	// conflict is the portal that holds the hostname, if another does.
	conflict *ozgv1.ServicePortal
	// applyErr says why a child could not be written; deployment is the
	// Deployment as last seen otherwise.
	applyErr   error
	deployment *appsv1.Deployment
	// podProblem is why one of the portal's pods does not serve, as the
	// kubelet or the scheduler said (serviceportal_pods.go).
	podProblem podProblem
}

// portalStatus computes a portal's status from what its reconcile
// observed. Each condition is set exactly once, by its own helper below.
func portalStatus(portal *ozgv1.ServicePortal, obs portalObservation) *ozgv1.ServicePortalStatus {
	status := portal.Status.DeepCopy()
	status.ObservedGeneration = portal.Generation
	inCluster := fmt.Sprintf("http://%s.%s.svc", portal.Name, portal.Namespace)
	switch {
	case obs.administrationMissing:
		// Off its hostname (observe deleted the Ingress).
		status.URL = inCluster
		portalStalled(status, ozgv1.ReasonAdministrationNotFound,
			fmt.Sprintf("Administration %q does not exist", portal.Spec.AdministrationRef.Name))
		return status
	case obs.otherProvider != "":
		// The municipality is another provider's (moved, or never this
		// one's): its hostname is free for that provider's portal.
		status.URL, status.Hostname = inCluster, ""
		portalStalled(status, ozgv1.ReasonAdministrationOfAnotherProvider, obs.otherProvider)
		return status
	case obs.renderErr != nil:
		portalStalled(status, ozgv1.ReasonInvalidSpec, "cannot render the portal content: "+obs.renderErr.Error())
		return status
	}
	status.ServicesOffered, status.ServicesLive = obs.rendered.Offered, obs.rendered.Live
	status.Hostname = ""
	if obs.conflict == nil {
		status.Hostname = portal.Spec.Hostname
	}
	if obs.applyErr != nil {
		msg := obs.applyErr.Error()
		if apierrors.IsInvalid(obs.applyErr) {
			// The CRD accepts pod settings (a nodeSelector key, say) that
			// the Pod API refuses; retrying will not change its answer.
			portalStalled(status, ozgv1.ReasonInvalidSpec, "the API server refuses the portal's child: "+msg)
			return status
		}
		setPortalReady(status, metav1.ConditionFalse, ozgv1.ReasonApplyFailed, msg)
		setPortalReconciling(status, ozgv1.ReasonApplyFailed, msg)
		setPortalStalled(status, "", "")
		return status
	}

	d, want := obs.deployment, replicas(portal)
	current := d.Status.ObservedGeneration >= d.Generation
	status.Replicas = d.Status.Replicas
	status.ReadyReplicas = min(d.Status.UpdatedReplicas, d.Status.AvailableReplicas)
	switch {
	case want == 0:
		// The Deployment calls 0 of 0 pods available; nobody serves.
		setPortalAvailable(status, metav1.ConditionFalse, ozgv1.ReasonScaledToZero, "spec.replicas is 0: no pod serves requests")
	case current && deploymentAvailable(d):
		setPortalAvailable(status, metav1.ConditionTrue, ozgv1.ReasonSucceeded, "the portal serves requests")
	default:
		setPortalAvailable(status, metav1.ConditionFalse, ozgv1.ReasonDeploymentNotAvailable, "the portal has no available pod yet")
	}
	rolledOut := deploymentRolledOut(d, want)
	if rolledOut {
		status.Version = obs.version
	}

	// Only a portal that holds its hostname and is rolled out is online;
	// every other one is reached inside the cluster.
	status.URL = inCluster
	switch {
	case obs.conflict != nil:
		msg := fmt.Sprintf("hostname %q is claimed by ServicePortal %s/%s, which holds it",
			portal.Spec.Hostname, obs.conflict.Namespace, obs.conflict.Name)
		portalStalled(status, ozgv1.ReasonHostnameConflict, msg)
	case !rolledOut:
		msg := fmt.Sprintf("%d of %d replicas updated and available", status.ReadyReplicas, want)
		reason := ozgv1.ReasonDeploymentNotAvailable
		if p := obs.podProblem; p.reason != "" {
			// The kubelet's or the scheduler's reason (ErrImagePull,
			// CrashLoopBackOff, Unschedulable, ...), CamelCase like ours.
			reason = p.reason
			msg = fmt.Sprintf("%s (%d of %d replicas updated, %d available)", p, d.Status.UpdatedReplicas, want, d.Status.AvailableReplicas)
		}
		setPortalReady(status, metav1.ConditionFalse, reason, msg)
		setPortalReconciling(status, reason, msg)
		setPortalStalled(status, "", "")
		if portal.Spec.Publish {
			setPortalPublished(status, metav1.ConditionFalse, ozgv1.ReasonDeploymentNotAvailable, "waiting for the portal to become Ready")
		} else {
			setPortalPublished(status, metav1.ConditionFalse, ozgv1.ReasonNotPublished, "spec.publish is false")
		}
	default:
		msg := fmt.Sprintf("%d of %d services live", obs.rendered.Live, obs.rendered.Offered)
		if len(obs.rendered.Missing) > 0 {
			msg += fmt.Sprintf("; not in the catalogue: %s", strings.Join(obs.rendered.Missing, ", "))
		}
		if obs.profileMissing != "" {
			msg += fmt.Sprintf("; responsibility profile %q not found, listing only the administration's own services", obs.profileMissing)
		}
		if e := obs.rendered.Elsewhere; len(e) > 0 {
			msg += fmt.Sprintf("; %d tracked services are another body's by the responsibility profile: %s", len(e), strings.Join(elsewhereNote(e), ", "))
		}
		setPortalReady(status, metav1.ConditionTrue, ozgv1.ReasonSucceeded, msg)
		setPortalReconciling(status, "", "")
		setPortalStalled(status, "", "")
		switch {
		case portal.Spec.Publish && want == 0:
			setPortalPublished(status, metav1.ConditionFalse, ozgv1.ReasonScaledToZero, "spec.replicas is 0: no pod serves "+portal.Spec.Hostname)
		case portal.Spec.Publish:
			status.URL = obs.scheme + "://" + portal.Spec.Hostname
			setPortalPublished(status, metav1.ConditionTrue, ozgv1.ReasonSucceeded, "online at "+status.URL)
		default:
			setPortalPublished(status, metav1.ConditionFalse, ozgv1.ReasonNotPublished, "spec.publish is false")
		}
	}
	return status
}

// deploymentRolledOut tells whether the Deployment's current generation runs want
// replicas, all updated and available.
func deploymentRolledOut(d *appsv1.Deployment, want int32) bool {
	return d.Status.ObservedGeneration >= d.Generation &&
		d.Status.UpdatedReplicas == want && d.Status.AvailableReplicas == want && d.Status.Replicas == want
}

func deploymentAvailable(d *appsv1.Deployment) bool {
	for _, c := range d.Status.Conditions {
		if c.Type == appsv1.DeploymentAvailable {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// hostnameConflict tells whether a portal's status says it lost its
// hostname to another portal.
func hostnameConflict(s *ozgv1.ServicePortalStatus) bool {
	c := meta.FindStatusCondition(s.Conditions, ozgv1.StalledCondition)
	return c != nil && c.Status == metav1.ConditionTrue && c.Reason == ozgv1.ReasonHostnameConflict
}

// setPortalReady sets Ready: the portal is rolled out, holds its hostname
// and serves its content.
func setPortalReady(s *ozgv1.ServicePortalStatus, st metav1.ConditionStatus, reason, msg string) {
	setCondition(s, ozgv1.ReadyCondition, st, reason, msg)
}

// setPortalAvailable sets Available: the portal serves requests.
func setPortalAvailable(s *ozgv1.ServicePortalStatus, st metav1.ConditionStatus, reason, msg string) {
	setCondition(s, ozgv1.AvailableCondition, st, reason, msg)
}

// setPortalPublished sets Published: online behind the public Ingress.
func setPortalPublished(s *ozgv1.ServicePortalStatus, st metav1.ConditionStatus, reason, msg string) {
	setCondition(s, ozgv1.PublishedCondition, st, reason, msg)
}

// setPortalReconciling sets Reconciling True with reason, or removes it
// for an empty reason (kstatus reads it absent as False).
func setPortalReconciling(s *ozgv1.ServicePortalStatus, reason, msg string) {
	if reason == "" {
		removeCondition(s, ozgv1.ReconcilingCondition)
		return
	}
	setCondition(s, ozgv1.ReconcilingCondition, metav1.ConditionTrue, reason, msg)
}

// setPortalStalled sets Stalled True with reason, or removes it for an
// empty reason.
func setPortalStalled(s *ozgv1.ServicePortalStatus, reason, msg string) {
	if reason == "" {
		removeCondition(s, ozgv1.StalledCondition)
		return
	}
	setCondition(s, ozgv1.StalledCondition, metav1.ConditionTrue, reason, msg)
}

// portalStalled marks an error that retrying will not fix, as kstatus
// reads it: Stalled True, Ready and Published False with the same reason,
// not Reconciling. Available and the counts stay as they were.
func portalStalled(s *ozgv1.ServicePortalStatus, reason, msg string) {
	setPortalStalled(s, reason, msg)
	setPortalReady(s, metav1.ConditionFalse, reason, msg)
	setPortalReconciling(s, "", "")
	setPortalPublished(s, metav1.ConditionFalse, reason, msg)
}
