package v1alpha1

// Condition reasons. They are CamelCase and stable: dashboards, alerts and
// GitOps health checks match on them. Every reason a controller sets is
// one of these; docs/architecture.md lists which kind sets which.
const (
	// ReasonSucceeded: the desired state is reached (and, for the roll-up
	// kinds Administration and OZGService, the status is current).
	ReasonSucceeded = "Succeeded"
	// ReasonAdministrationNotFound: the referenced Administration does not exist.
	ReasonAdministrationNotFound = "AdministrationNotFound"
	// ReasonAdministrationOfAnotherProvider: the referenced Administration
	// belongs to another IT provider than the portal's namespace.
	ReasonAdministrationOfAnotherProvider = "AdministrationOfAnotherProvider"
	// ReasonHostnameConflict: another portal holds the hostname (or, of
	// portals that claim a free one, was created first).
	ReasonHostnameConflict = "HostnameConflict"
	// ReasonInvalidSpec: the spec passed validation but cannot be realised.
	ReasonInvalidSpec = "InvalidSpec"
	// ReasonDeploymentNotAvailable: the portal's pods are not all updated and available.
	ReasonDeploymentNotAvailable = "DeploymentNotAvailable"
	// ReasonNotPublished: spec.publish is false.
	ReasonNotPublished = "NotPublished"
	// ReasonScaledToZero: spec.replicas is 0, so no pod serves the portal
	// (it is Ready, as asked, but neither Available nor online).
	ReasonScaledToZero = "ScaledToZero"
	// ReasonProgressDeadlineExceeded: a rollout made no progress in time.
	ReasonProgressDeadlineExceeded = "ProgressDeadlineExceeded"
	// ReasonApplyFailed: writing a child object failed; the controller retries.
	ReasonApplyFailed = "ApplyFailed"
	// ReasonWaveInProgress: a PortalFleet rolls its template out to a wave.
	ReasonWaveInProgress = "WaveInProgress"
	// ReasonRolloutPaused: spec.rollout.paused holds a PortalFleet's rollout.
	ReasonRolloutPaused = "RolloutPaused"
	// ReasonRolloutResumed: a PortalFleet's rollout is not paused.
	ReasonRolloutResumed = "RolloutResumed"
	// ReasonPortalsUnavailable: more of a PortalFleet's portals are not
	// Ready than its current wave allows.
	ReasonPortalsUnavailable = "PortalsUnavailable"
	// ReasonRollupPending: a roll-up (Administration, OZGService) had to be
	// written while its inputs were still arriving (its first status or a
	// spec change during a burst of portal events, or a burst that went on
	// for 30 s, 60 s for an OZGService); its counts show the progress so
	// far, Ready is Unknown, and the operator writes it again, Ready True,
	// once the inputs have come to rest.
	ReasonRollupPending = "RollupPending"
	// ReasonServicesNotFound: a ServiceProgramme names OZG services or LeiKa
	// keys the catalogue lacks; they are left out of its counts, and it is
	// Ready False and Reconciling (not Stalled) until they arrive.
	ReasonServicesNotFound = "ServicesNotFound"
	// ReasonInvalidSelector: a label selector of the spec does not parse.
	ReasonInvalidSelector = "InvalidSelector"
	// ReasonParentMismatch: an Administration's spec.parent names an
	// Administration of another Kreis than the first five digits of its
	// key say (AdministrationSpec.KreisKey); its reach reads that parent's
	// services all the same. Ready is False and Stalled True until
	// spec.parent or the parent is corrected.
	ReasonParentMismatch = "ParentMismatch"
)

// Event reasons: what the controllers record as Kubernetes Events on the
// objects (`kubectl describe`, `kubectl events`).
const (
	// EventPublished: a portal went online behind the public Ingress.
	EventPublished = "Published"
	// EventUnpublished: a portal went offline.
	EventUnpublished = "Unpublished"
	// EventHostnameConflict: a portal cannot have its hostname, which another
	// portal claimed first.
	EventHostnameConflict = "HostnameConflict"
	// EventWaveStarted: a PortalFleet started rolling its template out to a wave.
	EventWaveStarted = "WaveStarted"
	// EventWaveFinished: every portal of a wave runs the template and is Ready.
	EventWaveFinished = "WaveFinished"
	// EventRolloutStalled: a PortalFleet's rollout cannot go on (an invalid
	// spec or template).
	EventRolloutStalled = "RolloutStalled"
	// EventProgressDeadlineExceeded: portals of the current wave did not
	// become Ready within the progress deadline.
	EventProgressDeadlineExceeded = "ProgressDeadlineExceeded"
)
