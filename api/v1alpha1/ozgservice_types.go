package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// OZGServiceSpec describes one OZG service ("OZG-Leistung") of the catalogue.
type OZGServiceSpec struct {
	// ozgId is the 5-digit OZG-ID of the service. It is immutable; the object
	// is named ozg-<ozgId>.
	// +required
	// +kubebuilder:validation:MaxLength=5
	// +kubebuilder:validation:XValidation:rule="self.matches('^[0-9]{5}$')",message="ozgId must be exactly 5 digits"
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="ozgId is immutable"
	OZGID string `json:"ozgId"`

	// name is the service's designation (Bezeichnung) in the OZG catalogue.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=512
	Name string `json:"name"`

	// themenfeld is the OZG subject area (one of the 14 Themenfelder).
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	Themenfeld string `json:"themenfeld"`

	// lebenslage is the life or business situation the service belongs to.
	// +optional
	// +kubebuilder:validation:MaxLength=256
	Lebenslage string `json:"lebenslage,omitempty"`

	// leistungen are the LeiKa services this OZG service bundles.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=1000
	Leistungen []LeiKaLeistung `json:"leistungen,omitempty"`

	// efa describes a centrally run "Einer für Alle" online service that
	// portals may link to instead of building their own form.
	// +optional
	EfA *EfAService `json:"efa,omitempty"`
}

// LeiKaLeistung is one service of the Leistungskatalog (LeiKa).
type LeiKaLeistung struct {
	// key is the 14-digit LeiKa key (URN urn:de:fim:leika:leistung:<key>).
	// Services that are not in the LeiKa have no key.
	// +optional
	// +kubebuilder:validation:MaxLength=14
	// +kubebuilder:validation:XValidation:rule="self.matches('^[0-9]{14}$')",message="LeiKa key must be exactly 14 digits"
	Key string `json:"key,omitempty"`

	// name is the LeiKa designation of the service.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=512
	Name string `json:"name"`

	// typisierung says who makes the rules and who executes them:
	// 1 federal rules and execution; 2/3 federal rules executed by Land or
	// Kommune; 4 Land rules; 5 municipal rules; 6 and above information,
	// hotlines and internal services. A service may carry several.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=8
	// +kubebuilder:validation:items:Pattern=`^(1|2/3|[2-9][ab]?|1[01])$`
	// +kubebuilder:validation:items:MaxLength=3
	Typisierung []string `json:"typisierung,omitempty"`

	// legalBasis is the legal basis (Rechtsgrundlage) as free text; it may
	// contain links.
	// +optional
	// +kubebuilder:validation:MaxLength=4096
	LegalBasis string `json:"legalBasis,omitempty"`

	// sdgAnnexI marks services whose information the EU Single Digital
	// Gateway regulation (Annex I) requires online.
	// +optional
	SDGAnnexI bool `json:"sdgAnnexI,omitempty"`

	// sdgAnnexII marks procedures the Single Digital Gateway regulation
	// (Annex II) requires to be fully online.
	// +optional
	SDGAnnexII bool `json:"sdgAnnexII,omitempty"`
}

// EfAService is a centrally run online service ("Einer für Alle").
type EfAService struct {
	// provider is the Land or body that runs the service.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	Provider string `json:"provider"`

	// url is where citizens start the online service.
	// +required
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="isURL(self) && url(self).getScheme() in ['http', 'https']",message="efa.url must be an absolute http(s) URL"
	URL string `json:"url"`
}

// StateCounts counts OZG service implementations by state.
type StateCounts struct {
	// open counts implementations in state Open.
	// +optional
	Open int32 `json:"open"`
	// inProgress counts implementations in state InProgress.
	// +optional
	InProgress int32 `json:"inProgress"`
	// live counts implementations in state Live.
	// +optional
	Live int32 `json:"live"`
}

// OZGServiceStatus is where the service is implemented and online.
type OZGServiceStatus struct {
	// observedGeneration is the generation the status was computed for.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions: Ready is True once the status reflects all administrations
	// and portals.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// administrations counts the administrations tracking this service, by state.
	// +optional
	Administrations StateCounts `json:"administrations,omitempty"`

	// portals counts the administrations tracking this service that have a
	// portal. Every portal lists every service (with its state), so this is
	// not how many portals show it, but how many of those tracking it can
	// put it online. (v1beta1 renames it: docs/api-versioning.md.)
	// +optional
	Portals int32 `json:"portals"`

	// onlinePortals counts the published, Ready portals in which the service is Live.
	// +optional
	OnlinePortals int32 `json:"onlinePortals"`

	// population counts the inhabitants of the municipalities in the
	// cluster and, of those, the inhabitants for whom the service is online:
	// the administration responsible for it for their municipality (by its
	// responsibility profile) has it Live in a published, Ready portal, or
	// an EfA service covers it.
	// +optional
	Population *ServicePopulation `json:"population,omitempty"`
	// tools are the most used tools among the service's Live
	// implementations (spec.services[].tool of the administrations), the
	// most used first, at most five: whom to ask for a form assistant.
	// Names that differ only in case or spacing count as one tool, shown
	// in its most frequent spelling.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=5
	Tools []ToolUse `json:"tools,omitempty"`
}

// ToolUse is how many Live implementations of a service use one tool.
type ToolUse struct {
	// name of the tool.
	Name string `json:"name"`
	// live counts the Live implementations built with it.
	Live int32 `json:"live"`
}

// ServicePopulation is the reach of a service among citizens.
type ServicePopulation struct {
	// total is the number of inhabitants of the municipalities (kreisfreie
	// Städte and kreisangehörige municipalities) in the cluster.
	Total int64 `json:"total"`
	// online is the number of those for whom the service is online.
	Online int64 `json:"online"`
	// percent is online as a share of total, rounded down.
	Percent int32 `json:"percent"`
}

// OZGService is one entry of the OZG catalogue ("OZG-Leistung"), bundling LeiKa
// services. It is cluster-scoped and named ozg-<ozgId>.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,shortName=ozgsvc,categories=ozg
// +kubebuilder:printcolumn:name="OZG-ID",type=string,JSONPath=`.spec.ozgId`
// +kubebuilder:printcolumn:name="Name",type=string,JSONPath=`.spec.name`
// +kubebuilder:printcolumn:name="Themenfeld",type=string,JSONPath=`.spec.themenfeld`
// +kubebuilder:printcolumn:name="Online",type=integer,JSONPath=`.status.onlinePortals`
// +kubebuilder:printcolumn:name="Reach-%",type=integer,JSONPath=`.status.population.percent`,description="share of the inhabitants for whom the service is online"
// +kubebuilder:printcolumn:name="Tracking-Portals",type=integer,JSONPath=`.status.portals`,priority=1,description="administrations tracking the service that have a portal"
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:validation:XValidation:rule="self.metadata.name == 'ozg-' + self.spec.ozgId",message="metadata.name must be 'ozg-' followed by spec.ozgId"
type OZGService struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec is the catalogue entry.
	// +required
	Spec OZGServiceSpec `json:"spec"`

	// status is computed by the operator.
	// +optional
	Status OZGServiceStatus `json:"status,omitempty"`
}

// OZGServiceList is a list of OZGService.
//
// +kubebuilder:object:root=true
type OZGServiceList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []OZGService `json:"items"`
}

func init() {
	SchemeBuilder.Register(&OZGService{}, &OZGServiceList{})
}
