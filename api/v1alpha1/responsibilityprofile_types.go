package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Level is the administrative level responsible (zuständig) for a service,
// seen from a citizen of one municipality.
//
//   - Bund and Land: a federal or Land authority, outside the cluster.
//   - Kreis: the Kreis-level authority: the municipality's Kreis, or for a
//     kreisfreie Stadt the city itself, which holds the Kreis tasks.
//   - Gemeinde: the municipality itself.
//   - Kammer and Sozialversicherung: the self-governing bodies outside the
//     territorial administration that answer for many services: the
//     berufsständische Kammern (IHK, Handwerkskammer, Ärztekammer,
//     Rechtsanwaltskammer, ...) and the social insurance carriers
//     (Krankenkasse, Pflegekasse, Rentenversicherung,
//     Unfallversicherung). Which one is the citizen's follows from the
//     profession or the insurance, not from the municipality.
//   - Unknown: the profile cannot place the service. It is shown as such,
//     never guessed.
//
// +kubebuilder:validation:Enum=Bund;Land;Kreis;Gemeinde;Kammer;Sozialversicherung;Unknown
type Level string

const (
	LevelBund               Level = "Bund"
	LevelLand               Level = "Land"
	LevelKreis              Level = "Kreis"
	LevelGemeinde           Level = "Gemeinde"
	LevelKammer             Level = "Kammer"
	LevelSozialversicherung Level = "Sozialversicherung"
	LevelUnknown            Level = "Unknown"
)

// SizeClass is the size class of a kreisangehörige municipality, which
// decides which Kreis tasks it holds itself (in NRW § 4 GO NRW).
// +kubebuilder:validation:Enum=GrosseKreisangehoerigeStadt;MittlereKreisangehoerigeStadt;Gemeinde
type SizeClass string

const (
	SizeClassGrosse   SizeClass = "GrosseKreisangehoerigeStadt"
	SizeClassMittlere SizeClass = "MittlereKreisangehoerigeStadt"
	SizeClassGemeinde SizeClass = "Gemeinde"
)

// ResponsibilityProfileSpec places the OZG services of the catalogue at the
// level responsible for them in one Land. A service is placed by its entry in
// services, else by the typisierung rules, else it is Unknown.
type ResponsibilityProfileSpec struct {
	// land is the Land the profile describes, as citizens name it.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	Land string `json:"land"`

	// typisierung places a service all of whose LeiKa services carry the
	// rule's typisierung (e.g. 1: federal rules and federal execution, so
	// Bund). Services with mixed or other typisierungen need an entry in
	// services.
	// +optional
	// +listType=map
	// +listMapKey=typisierung
	// +kubebuilder:validation:MaxItems=16
	Typisierung []TypisierungRule `json:"typisierung,omitempty"`

	// services are the profile's table: the level of each service the
	// typisierung does not place, with its legal basis.
	// +optional
	// +listType=map
	// +listMapKey=service
	// +kubebuilder:validation:MaxItems=1000
	Services []ServiceResponsibility `json:"services,omitempty"`
}

// TypisierungRule places the services of one typisierung.
type TypisierungRule struct {
	// typisierung is one LeiKa typisierung value, e.g. "1" or "5".
	// +required
	// +kubebuilder:validation:MaxLength=3
	// +kubebuilder:validation:Pattern=`^(1|2/3|[2-9][ab]?|1[01])$`
	Typisierung string `json:"typisierung"`

	// level is where services of this typisierung sit.
	// +required
	Level Level `json:"level"`
}

// Placement is where a service sits and why. The types that inline it
// carry its rules (CEL), since an inlined type's own rules would be lost.
type Placement struct {
	// level is the level responsible.
	// +required
	Level Level `json:"level"`

	// heldBy lists the size classes of kreisangehörige municipalities that
	// hold this Kreis task themselves (e.g. the building authority of Große
	// and Mittlere kreisangehörige Städte).
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=2
	HeldBy []SizeClass `json:"heldBy,omitempty"`

	// authority is the Kreis-level authority that carries this Kreis task
	// (e.g. Jugendamt): a kreisangehörige municipality that runs that
	// authority itself (Administration spec.responsibility.authorities)
	// holds the task instead of its Kreis.
	// +optional
	Authority Authority `json:"authority,omitempty"`

	// legalBasis is the norm that assigns the task, e.g. "§ 57 Abs. 1 BauO NRW 2018".
	// +optional
	// +kubebuilder:validation:MaxLength=512
	LegalBasis string `json:"legalBasis,omitempty"`

	// note explains the placement; it says why an Unknown service cannot be placed.
	// +optional
	// +kubebuilder:validation:MaxLength=512
	Note string `json:"note,omitempty"`
}

// ServiceResponsibility is the placement of one OZG service, and of those of
// its LeiKa services that sit elsewhere.
//
// +kubebuilder:validation:XValidation:rule="!has(self.heldBy) || self.level == 'Kreis'",message="heldBy names the size classes that hold a Kreis task themselves: only for level Kreis"
// +kubebuilder:validation:XValidation:rule="!has(self.authority) || self.level == 'Kreis'",message="authority names the authority that carries a Kreis task: only for level Kreis"
// +kubebuilder:validation:XValidation:rule="self.level == 'Unknown' || (has(self.legalBasis) && size(self.legalBasis) > 0)",message="a placed service needs its legalBasis"
// +kubebuilder:validation:XValidation:rule="self.level != 'Unknown' || (has(self.note) && size(self.note) > 0)",message="an Unknown service needs a note saying why it cannot be placed"
type ServiceResponsibility struct {
	// service is the name of the OZGService, ozg-<ozgId>.
	// +required
	// +kubebuilder:validation:MaxLength=9
	// +kubebuilder:validation:XValidation:rule="self.matches('^ozg-[0-9]{5}$')",message="service must name an OZGService as ozg-<5-digit OZG-ID>"
	Service string `json:"service"`

	Placement `json:",inline"`

	// leistungen are the LeiKa services of this OZG service that sit at
	// another level than the service.
	// +optional
	// +listType=map
	// +listMapKey=key
	// +kubebuilder:validation:MaxItems=400
	Leistungen []LeistungResponsibility `json:"leistungen,omitempty"`
}

// LeistungResponsibility is the placement of one LeiKa service.
//
// +kubebuilder:validation:XValidation:rule="!has(self.heldBy) || self.level == 'Kreis'",message="heldBy names the size classes that hold a Kreis task themselves: only for level Kreis"
// +kubebuilder:validation:XValidation:rule="!has(self.authority) || self.level == 'Kreis'",message="authority names the authority that carries a Kreis task: only for level Kreis"
// +kubebuilder:validation:XValidation:rule="self.level == 'Unknown' || (has(self.legalBasis) && size(self.legalBasis) > 0)",message="a placed service needs its legalBasis"
// +kubebuilder:validation:XValidation:rule="self.level != 'Unknown' || (has(self.note) && size(self.note) > 0)",message="an Unknown service needs a note saying why it cannot be placed"
type LeistungResponsibility struct {
	// key is the 14-digit LeiKa key.
	// +required
	// +kubebuilder:validation:MaxLength=14
	// +kubebuilder:validation:XValidation:rule="self.matches('^[0-9]{14}$')",message="LeiKa key must be exactly 14 digits"
	Key string `json:"key"`

	Placement `json:",inline"`
}

// LevelCounts counts services by the level responsible.
type LevelCounts struct {
	// +optional
	Bund int32 `json:"bund"`
	// +optional
	Land int32 `json:"land"`
	// +optional
	Kreis int32 `json:"kreis"`
	// +optional
	Gemeinde int32 `json:"gemeinde"`
	// +optional
	Kammer int32 `json:"kammer"`
	// +optional
	Sozialversicherung int32 `json:"sozialversicherung"`
	// +optional
	Unknown int32 `json:"unknown"`
}

// ResponsibilityProfileStatus is how the profile places the catalogue.
type ResponsibilityProfileStatus struct {
	// observedGeneration is the generation the status was computed for.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions: Ready is True once the status reflects the spec and the
	// catalogue. Services the profile cannot place are a fact it reports
	// (services.unknown), not a failure.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// services counts the catalogue's OZG services by the level the profile
	// places them at (Kreis tasks held by size classes count as Kreis).
	// +optional
	Services LevelCounts `json:"services,omitempty"`

	// unknownEntries names (the first ten of) the table's services that
	// are not in the catalogue.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=10
	UnknownEntries []string `json:"unknownEntries,omitempty"`
}

// ResponsibilityProfile says who is responsible (Zuständigkeit) for each OZG
// service in one Land. Administrations select it by name in
// spec.responsibility.profile. It is cluster-scoped.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,shortName=rprof,categories=ozg
// +kubebuilder:printcolumn:name="Bundesland",type=string,JSONPath=`.spec.land`
// +kubebuilder:printcolumn:name="Bund",type=integer,JSONPath=`.status.services.bund`
// +kubebuilder:printcolumn:name="Land",type=integer,JSONPath=`.status.services.land`,description="services the Land is responsible for"
// +kubebuilder:printcolumn:name="Kreis",type=integer,JSONPath=`.status.services.kreis`
// +kubebuilder:printcolumn:name="Gemeinde",type=integer,JSONPath=`.status.services.gemeinde`
// +kubebuilder:printcolumn:name="Kammer",type=integer,JSONPath=`.status.services.kammer`
// +kubebuilder:printcolumn:name="Sozialversicherung",type=integer,JSONPath=`.status.services.sozialversicherung`
// +kubebuilder:printcolumn:name="Unknown",type=integer,JSONPath=`.status.services.unknown`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type ResponsibilityProfile struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec is the profile's placement rules and table.
	// +required
	Spec ResponsibilityProfileSpec `json:"spec"`

	// status is computed by the operator.
	// +optional
	Status ResponsibilityProfileStatus `json:"status,omitempty"`
}

// ResponsibilityProfileList is a list of ResponsibilityProfile.
//
// +kubebuilder:object:root=true
type ResponsibilityProfileList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ResponsibilityProfile `json:"items"`
}

func init() {
	SchemeBuilder.Register(&ResponsibilityProfile{}, &ResponsibilityProfileList{})
}
