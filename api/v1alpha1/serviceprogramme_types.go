package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ServiceProgrammeSpec is an IT provider's implementation programme: which
// services its administrations build in which order.
type ServiceProgrammeSpec struct {
	// displayName names the programme, e.g. "krz G2B".
	// +optional
	// +kubebuilder:validation:MaxLength=256
	DisplayName string `json:"displayName,omitempty"`
	// administrationSelector selects the Administrations that take part,
	// by label, as a PortalFleet's does.
	// +required
	AdministrationSelector metav1.LabelSelector `json:"administrationSelector"`
	// priorities say which services are built in which order: priority 1
	// first. A LeiKa service named by several priorities counts in the
	// first (lowest number) only.
	// +required
	// +listType=map
	// +listMapKey=priority
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=9
	Priorities []ProgrammePriority `json:"priorities"`
}

// ProgrammePriority is the services of one priority. Its unit is the LeiKa
// service, as providers prioritise them; an OZG service named by name or
// selector brings all its LeiKa services (one entry if it has none with a
// key). A LeiKa service is as far as the OZG service that bundles it.
//
// +kubebuilder:validation:XValidation:rule="has(self.services) || has(self.leikaKeys) || has(self.serviceSelector)",message="a priority needs services, leikaKeys or a serviceSelector"
type ProgrammePriority struct {
	// priority is the rank: 1 is worked on first.
	// +required
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=9
	Priority int32 `json:"priority"`
	// targetDate is when the priority's services should be Live
	// everywhere (YYYY-MM-DD), a day that ends at midnight German time.
	// +optional
	// +kubebuilder:validation:Format=date
	TargetDate string `json:"targetDate,omitempty"`
	// services are OZGServices by name (ozg-<OZG-ID>).
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=600
	// +kubebuilder:validation:items:MaxLength=9
	// +kubebuilder:validation:items:Pattern=`^ozg-[0-9]{5}$`
	Services []string `json:"services,omitempty"`
	// leikaKeys are LeiKa services by their 14-digit key.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=6000
	// +kubebuilder:validation:items:MaxLength=14
	// +kubebuilder:validation:items:Pattern=`^[0-9]{14}$`
	LeiKaKeys []string `json:"leikaKeys,omitempty"`
	// serviceSelector selects OZGServices by label, e.g. the Themenfeld
	// (ozg.dev/themenfeld).
	// +optional
	ServiceSelector *metav1.LabelSelector `json:"serviceSelector,omitempty"`
}

// ServiceProgrammeStatus is how far the administrations taking part are.
type ServiceProgrammeStatus struct {
	// observedGeneration is the generation the status was computed for.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// conditions: Ready is True once the status counts the current spec
	// against the cluster; False, with Reconciling True (reason
	// ServicesNotFound), while the spec names services the catalogue
	// lacks, which are left out of the counts: it turns Ready when they
	// arrive. Stalled only for a selector that does not parse.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`
	// administrations counts the Administrations taking part.
	// +optional
	Administrations int32 `json:"administrations"`
	// priorities are the progress per priority, in the spec's order.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=9
	Priorities []PriorityStatus `json:"priorities,omitempty"`
}

// PriorityStatus is the progress of one priority.
type PriorityStatus struct {
	// priority is the rank, as in the spec.
	Priority int32 `json:"priority"`
	// targetDate is copied from the spec.
	// +optional
	TargetDate string `json:"targetDate,omitempty"`
	// overdue is true once the target date has passed (midnight after it,
	// German time) and not every implementation is Live.
	// +optional
	Overdue bool `json:"overdue,omitempty"`
	// leikaServices counts the priority's LeiKa services.
	LeiKaServices int32 `json:"leikaServices"`
	// services counts the OZG services bundling them.
	Services int32 `json:"services"`
	// implementations counts, by state, each administration taking part
	// times each LeiKa service of the priority: the state the
	// administration gives the OZG service bundling it, Open if it does
	// not track it.
	Implementations StateCounts `json:"implementations"`
	// shareLive is the share of the implementations that are Live, as a
	// percentage with one decimal ("43.1%"); "-" without implementations.
	ShareLive string `json:"shareLive"`
	// behind are the administrations furthest behind in this priority
	// (fewest Live), at most five.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=5
	Behind []AdministrationProgress `json:"behind,omitempty"`
}

// AdministrationProgress is how far one administration is in a priority.
type AdministrationProgress struct {
	// name of the Administration.
	Name string `json:"name"`
	// live counts its Live LeiKa services of the priority.
	Live int32 `json:"live"`
	// of is the priority's LeiKa services.
	Of int32 `json:"of"`
}

// ServiceProgramme is an IT provider's implementation programme: services
// by priority, the administrations that take part, and their progress,
// such as the krz G2B priorities for the business services of its 36
// municipalities. It is namespaced, like the provider's PortalFleet.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=prog,categories=ozg
// +kubebuilder:printcolumn:name="Administrations",type=integer,JSONPath=`.status.administrations`
// +kubebuilder:printcolumn:name="Priority-1",type=string,JSONPath=`.status.priorities[?(@.priority==1)].shareLive`,description="share Live of priority 1"
// +kubebuilder:printcolumn:name="Priority-2",type=string,JSONPath=`.status.priorities[?(@.priority==2)].shareLive`,description="share Live of priority 2"
// +kubebuilder:printcolumn:name="Priority-3",type=string,JSONPath=`.status.priorities[?(@.priority==3)].shareLive`,description="share Live of priority 3"
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Display Name",type=string,JSONPath=`.spec.displayName`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type ServiceProgramme struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	// spec is the programme.
	// +required
	Spec ServiceProgrammeSpec `json:"spec"`
	// status is computed by the operator.
	// +optional
	Status ServiceProgrammeStatus `json:"status,omitempty"`
}

// ServiceProgrammeList is a list of ServiceProgramme.
//
// +kubebuilder:object:root=true
type ServiceProgrammeList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ServiceProgramme `json:"items"`
}

func init() {
	SchemeBuilder.Register(&ServiceProgramme{}, &ServiceProgrammeList{})
}
