package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// AdministrationType is the kind of body an Administration is.
// +kubebuilder:validation:Enum=Kreis;KreisfreieStadt;KreisangehoerigeStadt;KreisangehoerigeGemeinde
type AdministrationType string

const (
	// TypeKreis is a Kreis (district); its key has 5 digits.
	TypeKreis AdministrationType = "Kreis"
	// TypeKreisfreieStadt is a city that belongs to no Kreis.
	TypeKreisfreieStadt AdministrationType = "KreisfreieStadt"
	// TypeKreisangehoerigeStadt is a town within a Kreis.
	TypeKreisangehoerigeStadt AdministrationType = "KreisangehoerigeStadt"
	// TypeKreisangehoerigeGemeinde is a municipality within a Kreis.
	TypeKreisangehoerigeGemeinde AdministrationType = "KreisangehoerigeGemeinde"
)

// ServiceState is how far an administration is with one OZG service.
// +kubebuilder:validation:Enum=Open;InProgress;Live
type ServiceState string

const (
	// StateOpen: not started.
	StateOpen ServiceState = "Open"
	// StateInProgress: the online service is being built.
	StateInProgress ServiceState = "InProgress"
	// StateLive: citizens can use the online service.
	StateLive ServiceState = "Live"
)

// TrustLevel is an eIDAS level of assurance (Vertrauensniveau).
// +kubebuilder:validation:Enum=Low;Substantial;High
type TrustLevel string

const (
	// TrustLevelLow is "niedrig", e.g. a user name and password.
	TrustLevelLow TrustLevel = "Low"
	// TrustLevelSubstantial is "substanziell", e.g. ELSTER certificates.
	TrustLevelSubstantial TrustLevel = "Substantial"
	// TrustLevelHigh is "hoch", e.g. the online ID card (eID).
	TrustLevelHigh TrustLevel = "High"
)

// AdministrationSpec is a municipality's or Kreis' identity and its content
// decisions: which OZG services it offers, how far each is.
//
// +kubebuilder:validation:XValidation:rule="self.type == 'Kreis' ? self.key.matches('^[0-9]{5}$') : self.key.matches('^[0-9]{8}$')",message="key must have 5 digits for a Kreis and 8 digits (AGS) for a municipality"
// +kubebuilder:validation:XValidation:rule="!(self.type in ['Kreis', 'KreisfreieStadt']) || !has(self.parent)",message="a Kreis or kreisfreie Stadt has no parent"
// +kubebuilder:validation:XValidation:rule="!(self.type in ['Kreis', 'KreisfreieStadt']) || !has(self.sizeClass)",message="sizeClass is for kreisangehörige municipalities: a Kreis or kreisfreie Stadt has none"
// +kubebuilder:validation:XValidation:rule="!(self.type in ['Kreis', 'KreisfreieStadt']) || !has(self.responsibility) || !has(self.responsibility.authorities)",message="responsibility.authorities are the Kreis authorities a kreisangehörige municipality runs itself: a Kreis or kreisfreie Stadt runs them all"
// +kubebuilder:validation:XValidation:rule="!has(self.ars) || (self.type == 'Kreis' ? self.ars == self.key + '0000000' : (self.key.size() == 8 && self.ars.startsWith(self.key.substring(0, 5)) && self.ars.endsWith(self.key.substring(5, 8))))",message="ars must extend key: a Kreis' ARS is its key and seven zeros, a municipality's starts with the first five digits of its AGS and ends with the last three"
type AdministrationSpec struct {
	// key is the official key (Amtlicher Gemeindeschlüssel): 8 digits for a
	// municipality, 5 for a Kreis. It is immutable.
	// +required
	// +kubebuilder:validation:MaxLength=8
	// +kubebuilder:validation:XValidation:rule="self.matches('^([0-9]{5}|[0-9]{8})$')",message="key must be a 5-digit Kreis key or an 8-digit AGS"
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="key is immutable"
	Key string `json:"key"`

	// ars is the Amtlicher Regionalschlüssel, 12 digits: Land (2),
	// Regierungsbezirk (1), Kreis (2), Gemeindeverband (4) and Gemeinde
	// (3). The Portalverbund and the Länder's service directories (XZuFi)
	// name areas and authorities by it. A Kreis' ARS is its key and seven
	// zeros; in Länder without Gemeindeverbände, such as NRW, a
	// municipality's Gemeindeverband part is 0 and its Gemeinde part
	// (05766020 is 057660020020), which the importer derives.
	// +optional
	// +kubebuilder:validation:MaxLength=12
	// +kubebuilder:validation:XValidation:rule="self.matches('^[0-9]{12}$')",message="ars must be a 12-digit Amtlicher Regionalschlüssel"
	ARS string `json:"ars,omitempty"`

	// displayName is the administration's name as citizens know it.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	DisplayName string `json:"displayName"`

	// type is the kind of body.
	// +required
	Type AdministrationType `json:"type"`

	// parent is the name of the Administration of the Kreis this
	// municipality belongs to: the Kreis of the first five digits of its
	// key. A parent of another Kreis is reported (Ready False, Stalled,
	// reason ParentMismatch).
	// +optional
	// +kubebuilder:validation:MaxLength=253
	Parent string `json:"parent,omitempty"`

	// region is the Regierungsbezirk.
	// +optional
	// +kubebuilder:validation:MaxLength=128
	Region string `json:"region,omitempty"`

	// population is the number of inhabitants.
	// +optional
	// +kubebuilder:validation:Minimum=0
	Population *int64 `json:"population,omitempty"`

	// sizeClass is the size class of a kreisangehörige municipality, which
	// decides which Kreis tasks it holds itself (see ResponsibilityProfile).
	// The importer derives it from the population (in NRW with the
	// thresholds of § 4 GO NRW); unset, a kreisangehörige municipality
	// counts as Gemeinde.
	// +optional
	SizeClass SizeClass `json:"sizeClass,omitempty"`

	// responsibility selects the profile that says who is responsible for
	// which service for this administration's citizens, and the
	// administration's deviations from it.
	// +optional
	Responsibility *AdministrationResponsibility `json:"responsibility,omitempty"`

	// itProvider is the municipal IT provider that runs the portal.
	// +optional
	// +kubebuilder:validation:MaxLength=128
	ITProvider string `json:"itProvider,omitempty"`

	// address is the postal address of the administration.
	// +optional
	Address *PostalAddress `json:"address,omitempty"`

	// services is the administration's implementation state per OZG service.
	// +optional
	// +listType=map
	// +listMapKey=service
	// +kubebuilder:validation:MaxItems=2000
	Services []ServiceImplementation `json:"services,omitempty"`
}

// AdministrationResponsibility is how services are placed for an
// administration's citizens.
type AdministrationResponsibility struct {
	// profile is the name of the ResponsibilityProfile of the administration's
	// Land. Without one every service is Unknown, except those the
	// administration tracks in spec.services, which count as its own.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	Profile string `json:"profile,omitempty"`

	// overrides move services to another level for this administration's
	// citizens, e.g. a town that holds a Kreis task by delegation or has its
	// own Jugendamt. An override on a Kreis applies to the citizens of all
	// its municipalities, unless a municipality overrides the same service.
	// +optional
	// +listType=map
	// +listMapKey=service
	// +kubebuilder:validation:MaxItems=600
	Overrides []ResponsibilityOverride `json:"overrides,omitempty"`

	// authorities are the Kreis-level authorities (Behörden) this
	// kreisangehörige municipality runs itself, by the names its profile
	// gives them (e.g. Jugendamt: a town that is örtlicher Träger der
	// Jugendhilfe, § 2 AG-KJHG NRW). Every Kreis task the profile assigns
	// to such an authority is the municipality's own, without an override
	// per service. The importer sets them from the Land's directory.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=16
	Authorities []Authority `json:"authorities,omitempty"`
}

// Authority names a Kreis-level authority (Behörde) that some kreisangehörige
// municipalities run themselves, e.g. Jugendamt. Profiles and
// administrations name it alike; the names are CamelCase words.
// +kubebuilder:validation:MinLength=2
// +kubebuilder:validation:MaxLength=63
// +kubebuilder:validation:Pattern=`^[A-Z][A-Za-z0-9]+$`
type Authority string

// AuthorityJugendamt is the Jugendamt (örtlicher Träger der öffentlichen
// Jugendhilfe): the Kreis's, unless a town runs its own.
const AuthorityJugendamt Authority = "Jugendamt"

// ResponsibilityOverride places one service for an administration's citizens.
type ResponsibilityOverride struct {
	// service is the name of the OZGService, ozg-<ozgId>.
	// +required
	// +kubebuilder:validation:MaxLength=9
	// +kubebuilder:validation:XValidation:rule="self.matches('^ozg-[0-9]{5}$')",message="service must name an OZGService as ozg-<5-digit OZG-ID>"
	Service string `json:"service"`

	// level is the level responsible instead of the profile's.
	// +required
	Level Level `json:"level"`

	// reason says why, e.g. the delegation's legal act.
	// +optional
	// +kubebuilder:validation:MaxLength=512
	Reason string `json:"reason,omitempty"`
}

// PostalAddress is a German postal address.
type PostalAddress struct {
	// recipient is the first address line.
	// +optional
	// +kubebuilder:validation:MaxLength=256
	Recipient string `json:"recipient,omitempty"`
	// street and house number.
	// +optional
	// +kubebuilder:validation:MaxLength=256
	Street string `json:"street,omitempty"`
	// postalCode is the 5-digit Postleitzahl.
	// +optional
	// +kubebuilder:validation:Pattern=`^[0-9]{5}$`
	PostalCode string `json:"postalCode,omitempty"`
	// city is the place name.
	// +optional
	// +kubebuilder:validation:MaxLength=128
	City string `json:"city,omitempty"`
}

// ServiceImplementation is an administration's state of one OZG service.
type ServiceImplementation struct {
	// service is the name of the OZGService, ozg-<ozgId>.
	// +required
	// +kubebuilder:validation:MaxLength=9
	// +kubebuilder:validation:XValidation:rule="self.matches('^ozg-[0-9]{5}$')",message="service must name an OZGService as ozg-<5-digit OZG-ID>"
	Service string `json:"service"`

	// state is how far the administration is with this service.
	// +optional
	// +kubebuilder:default=Open
	State ServiceState `json:"state,omitempty"`

	// maturity is the OZG Reifegrad: 0 offline, 1 information, 2 online form
	// assistant, 3 online service with evidence upload (the OZG target),
	// 4 fully digital (once-only).
	// +optional
	// +kubebuilder:validation:XValidation:rule="self >= 0 && self <= 4",message="maturity must be an OZG Reifegrad from 0 to 4"
	Maturity *int32 `json:"maturity,omitempty"`

	// tool is what the online form was built with.
	// +optional
	// +kubebuilder:validation:MaxLength=128
	Tool string `json:"tool,omitempty"`

	// trustLevel is the level of assurance (Vertrauensniveau, eIDAS) the
	// online service asks of the citizen's identification: Low (niedrig),
	// Substantial (substanziell) or High (hoch).
	// +optional
	TrustLevel TrustLevel `json:"trustLevel,omitempty"`

	// url is the link citizens follow to the online service.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="isURL(self) && url(self).getScheme() in ['http', 'https']",message="url must be an absolute http(s) URL"
	URL string `json:"url,omitempty"`
}

// AdministrationPortalStatus summarises the administration's portal.
type AdministrationPortalStatus struct {
	// name of the ServicePortal.
	Name string `json:"name"`
	// namespace of the ServicePortal.
	Namespace string `json:"namespace"`
	// url where the portal is served.
	// +optional
	URL string `json:"url,omitempty"`
	// ready is true while the portal's Ready condition is True.
	Ready bool `json:"ready"`
	// published is true while the portal's Published condition is True.
	Published bool `json:"published"`
}

// AdministrationStatus is how far the administration is, as seen through its portal.
type AdministrationStatus struct {
	// observedGeneration is the generation the status was computed for.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions: Ready is True once the status reflects the spec and the portal.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// portal is the ServicePortal serving this administration, if any.
	// +optional
	Portal *AdministrationPortalStatus `json:"portal,omitempty"`

	// services counts the tracked services by state.
	// +optional
	Services StateCounts `json:"services,omitempty"`

	// online counts the services that are Live in a published, Ready portal.
	// +optional
	Online int32 `json:"online"`

	// responsibility counts against the administration's responsibility
	// profile; absent while the roll-up has not placed its services.
	// +optional
	Responsibility *AdministrationReach `json:"responsibility,omitempty"`
}

// AdministrationReach is what an administration answers for and what its
// citizens can do online.
type AdministrationReach struct {
	// own counts, by state, the catalogue's services the administration is
	// responsible for itself (by its profile; without one, those it
	// tracks). A service it does not track counts as Open.
	Own StateCounts `json:"own"`
	// reachable counts the catalogue's services that are online for its
	// citizens through anyone: itself or its Kreis (Live in a published,
	// Ready portal) or an EfA service.
	Reachable int32 `json:"reachable"`
}

// Administration is a municipality, Kreis or other body with its per-service
// implementation state. It is cluster-scoped.
//
// +kubebuilder:validation:XValidation:rule="!has(self.spec.parent) || self.spec.parent != self.metadata.name || (oldSelf.hasValue() && has(oldSelf.value().spec.parent) && oldSelf.value().spec.parent == self.spec.parent)",optionalOldSelf=true,message="spec.parent names the Administration itself: name the Administration of its Kreis"
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,shortName=adm,categories=ozg
// +kubebuilder:printcolumn:name="Key",type=string,JSONPath=`.spec.key`
// +kubebuilder:printcolumn:name="Type",type=string,JSONPath=`.spec.type`
// +kubebuilder:printcolumn:name="Provider",type=string,JSONPath=`.spec.itProvider`
// +kubebuilder:printcolumn:name="Portal",type=string,JSONPath=`.status.portal.name`
// +kubebuilder:printcolumn:name="Own-Online",type=integer,JSONPath=`.status.online`,description="its own Live services online in its Ready, published portal"
// +kubebuilder:printcolumn:name="Reachable",type=integer,JSONPath=`.status.responsibility.reachable`,description="services online for its citizens through anyone"
// +kubebuilder:printcolumn:name="ARS",type=string,JSONPath=`.spec.ars`,priority=1
// +kubebuilder:printcolumn:name="Display Name",type=string,JSONPath=`.spec.displayName`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Administration struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec is the administration's identity and content decisions.
	// +required
	Spec AdministrationSpec `json:"spec"`

	// status is computed by the operator.
	// +optional
	Status AdministrationStatus `json:"status,omitempty"`
}

// AdministrationList is a list of Administration.
//
// +kubebuilder:object:root=true
type AdministrationList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Administration `json:"items"`
}

func init() {
	SchemeBuilder.Register(&Administration{}, &AdministrationList{})
}

// KreisKey is the 5-digit key of the Kreis the administration belongs to,
// the one definition of "its Kreis" for grouping (coverage --by kreis,
// reuse, the heat map): a Kreis's own key, else the first five digits of
// the AGS, which the AGS reserves for the Kreis (a kreisfreie Stadt's are
// its own Kreis-level key). The ozg.dev/kreis label repeats it for label
// selectors; an admission policy refuses a label that says otherwise.
// spec.parent names the Administration object of that Kreis (the
// roll-up reports a parent of another key as ParentMismatch).
func (s *AdministrationSpec) KreisKey() string {
	if s.Type == TypeKreis || len(s.Key) < 5 {
		return s.Key
	}
	return s.Key[:5]
}

// Online tells that the portal serves citizens: Ready and published. nil
// (no portal) is not online.
func (p *AdministrationPortalStatus) Online() bool {
	return p != nil && p.Ready && p.Published
}
