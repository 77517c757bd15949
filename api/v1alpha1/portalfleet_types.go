package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// RemovalPolicy says what happens to a fleet's portal whose administration
// no longer matches the fleet's selector.
// +kubebuilder:validation:Enum=Delete;Orphan
type RemovalPolicy string

const (
	// RemovalPolicyDelete deletes the portal and its children.
	RemovalPolicyDelete RemovalPolicy = "Delete"
	// RemovalPolicyOrphan releases the portal: it keeps running, owned by no fleet.
	RemovalPolicyOrphan RemovalPolicy = "Orphan"
)

// PortalTemplate is the ServicePortal spec a fleet stamps out, without the
// administration and with a hostname pattern instead of a hostname.
type PortalTemplate struct {
	// hostnamePattern makes each portal's hostname. $(name) stands for the
	// Administration's name and $(key) for its key, e.g.
	// $(name).serviceportal.example.de. The result must be an RFC 1123 name.
	// +required
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:XValidation:rule="self.contains('$(name)') || self.contains('$(key)')",message="hostnamePattern must contain $(name) or $(key) so that every portal gets its own hostname"
	// +kubebuilder:validation:XValidation:rule="!format.dns1123Subdomain().validate(self.replace('$(name)', 'x').replace('$(key)', '0')).hasValue()",message="hostnamePattern must yield a lowercase RFC 1123 DNS name"
	HostnamePattern string `json:"hostnamePattern"`

	PortalSettings `json:",inline"`
}

// FleetPublish selects which of the fleet's administrations are online.
// An administration is published when it matches the selector or is listed.
type FleetPublish struct {
	// selector over Administration labels.
	// +optional
	Selector *metav1.LabelSelector `json:"selector,omitempty"`

	// administrations lists Administration names to publish.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=20000
	// +kubebuilder:validation:items:MaxLength=253
	Administrations []string `json:"administrations,omitempty"`
}

// RolloutWave is one step of a rollout.
type RolloutWave struct {
	// name of the wave, e.g. the Kreis it covers.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	Name string `json:"name"`

	// selector over Administration labels picks the wave's portals. Portals
	// that match no wave are updated in a final implicit wave.
	// +required
	Selector metav1.LabelSelector `json:"selector"`

	// maxUnavailable is how many of the wave's portals may be unavailable
	// during the update, as a number or a percentage of the wave.
	// +optional
	// +kubebuilder:default=1
	// +kubebuilder:validation:XIntOrString
	// +kubebuilder:validation:MaxLength=4
	// +kubebuilder:validation:XValidation:rule="type(self) == int ? self >= 1 : self.matches('^[1-9][0-9]?%$|^100%$')",message="maxUnavailable must be a positive number or a percentage from 1% to 100%"
	MaxUnavailable *intstr.IntOrString `json:"maxUnavailable,omitempty"`
}

// FleetRollout controls how template changes reach the portals.
type FleetRollout struct {
	// waves are updated in order; the next starts only when every portal of
	// the current one is updated and Ready.
	// +optional
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=50
	Waves []RolloutWave `json:"waves,omitempty"`

	// paused stops the rollout after the portals being updated.
	// +optional
	Paused bool `json:"paused,omitempty"`

	// progressDeadlineSeconds is how long a portal may take to become Ready
	// after its update (or after it fell out of Ready, if later) before the
	// fleet reports Stalled with reason ProgressDeadlineExceeded. It
	// applies while the fleet rolls out: once every portal ran the
	// template, a portal that falls out of Ready makes the fleet
	// Ready=False and Reconciling with reason PortalsUnavailable, as a
	// Deployment applies its own deadline only while it rolls out.
	// +optional
	// +kubebuilder:default=600
	// +kubebuilder:validation:Minimum=1
	ProgressDeadlineSeconds *int32 `json:"progressDeadlineSeconds,omitempty"`
}

// PortalFleetSpec is an IT provider's portal programme.
type PortalFleetSpec struct {
	// administrationSelector picks the Administrations that get a portal.
	// +required
	AdministrationSelector metav1.LabelSelector `json:"administrationSelector"`

	// template is the spec of every portal of the fleet.
	// +required
	Template PortalTemplate `json:"template"`

	// publish selects the administrations whose portals are online.
	// +optional
	Publish FleetPublish `json:"publish,omitempty"`

	// rollout controls how template changes reach the portals.
	// +optional
	Rollout FleetRollout `json:"rollout,omitempty"`

	// removalPolicy: what happens to a portal whose administration stops
	// matching: Delete (default) or Orphan.
	// +optional
	// +kubebuilder:default=Delete
	RemovalPolicy RemovalPolicy `json:"removalPolicy,omitempty"`
}

// VersionCount counts the fleet's portals running one version.
type VersionCount struct {
	// version of the portal server.
	Version string `json:"version"`
	// count of portals running it.
	Count int32 `json:"count"`
}

// PortalFleetStatus is the observed state of a fleet.
type PortalFleetStatus struct {
	// observedGeneration is the generation the status was computed for.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions: Ready, Available, RollingOut, Paused, Reconciling, Stalled.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// portals is the number of portals the fleet wants (one per selected administration).
	// +optional
	Portals int32 `json:"portals"`

	// readyPortals counts the portals whose Ready condition is True.
	// +optional
	ReadyPortals int32 `json:"readyPortals"`

	// publishedPortals counts the portals whose Published condition is True.
	// +optional
	PublishedPortals int32 `json:"publishedPortals"`

	// updatedPortals counts the portals that run the current template.
	// +optional
	UpdatedPortals int32 `json:"updatedPortals"`

	// versions counts the portals per running version.
	// +optional
	// +listType=map
	// +listMapKey=version
	Versions []VersionCount `json:"versions,omitempty"`

	// currentWave is the name of the wave being rolled out.
	// +optional
	CurrentWave string `json:"currentWave,omitempty"`
}

// PortalFleet is an IT provider's fleet of portals, one per selected
// administration, rolled out in waves.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=fleet,categories=ozg
// +kubebuilder:printcolumn:name="Desired",type=integer,JSONPath=`.status.portals`
// +kubebuilder:printcolumn:name="Ready",type=integer,JSONPath=`.status.readyPortals`
// +kubebuilder:printcolumn:name="Online",type=integer,JSONPath=`.status.publishedPortals`
// +kubebuilder:printcolumn:name="Up-To-Date",type=integer,JSONPath=`.status.updatedPortals`
// +kubebuilder:printcolumn:name="Version",type=string,JSONPath=`.spec.template.version`
// +kubebuilder:printcolumn:name="Wave",type=string,JSONPath=`.status.currentWave`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type PortalFleet struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec is the desired fleet.
	// +required
	Spec PortalFleetSpec `json:"spec"`

	// status is computed by the operator.
	// +optional
	Status PortalFleetStatus `json:"status,omitempty"`
}

// PortalFleetList is a list of PortalFleet.
//
// +kubebuilder:object:root=true
type PortalFleetList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []PortalFleet `json:"items"`
}

func init() {
	SchemeBuilder.Register(&PortalFleet{}, &PortalFleetList{})
}
