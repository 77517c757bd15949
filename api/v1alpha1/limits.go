package v1alpha1

// Defaults the CRDs apply (the +kubebuilder:default markers), for code that
// must compare with or fill in what the API server stores. Markers cannot
// name a constant, so limits_test.go ties each constant to the generated
// CRD and fails when the two drift.
const (
	// DefaultReplicas is spec.replicas of a ServicePortal (and of a fleet template).
	DefaultReplicas int32 = 1
	// DefaultAuthenticationProvider is spec.authentication.provider.
	DefaultAuthenticationProvider = ProviderServicekonto
	// DefaultProgressDeadlineSeconds is a PortalFleet's spec.rollout.progressDeadlineSeconds.
	DefaultProgressDeadlineSeconds int32 = 600
	// DefaultServiceState is the state of an Administration's service entry.
	DefaultServiceState = StateOpen
)
