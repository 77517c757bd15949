package v1alpha1

// Labels set by ozgctl import so that catalogue entries and administrations
// can be selected (kubectl -l, PortalFleet selectors).
const (
	// LabelThemenfeld holds the transliterated Themenfeld of an OZGService.
	LabelThemenfeld = "ozg.dev/themenfeld"
	// LabelOZGID holds the 5-digit OZG-ID of an OZGService.
	LabelOZGID = "ozg.dev/ozg-id"
	// LabelKreis holds the 5-digit key (AGS) of the Kreis an Administration
	// belongs to; a Kreis carries its own key.
	LabelKreis = "ozg.dev/kreis"
	// LabelITProvider holds the transliterated name of the municipal IT
	// provider that runs an Administration's portal.
	LabelITProvider = "ozg.dev/it-provider"
	// LabelType holds the AdministrationType of an Administration.
	LabelType = "ozg.dev/type"
	// LabelAdministration is set on a ServicePortal's children and names the
	// Administration the portal serves.
	LabelAdministration = "ozg.dev/administration"
	// LabelFleet is set on the ServicePortals a PortalFleet owns.
	LabelFleet = "ozg.dev/fleet"
)

// Condition types. Every kind sets Ready from its first reconcile on; the
// others are documented on the kinds that use them. Reconciling and Stalled
// follow kstatus: Reconciling is True while the controller still works towards
// the desired state, Stalled is True when retrying will not help.
const (
	ReadyCondition       = "Ready"
	AvailableCondition   = "Available"
	PublishedCondition   = "Published"
	ReconcilingCondition = "Reconciling"
	StalledCondition     = "Stalled"
	RollingOutCondition  = "RollingOut"
	PausedCondition      = "Paused"
)

// LocalObjectReference names a cluster-scoped object of this API.
type LocalObjectReference struct {
	// name of the referenced object.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
}

// SecretKeyReference selects a key of a Secret in the namespace of the
// referring object. The operator passes it to the portal pods as an
// environment variable reference and never reads the Secret itself.
type SecretKeyReference struct {
	// name of the Secret.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
	// key within the Secret.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Key string `json:"key"`
}
