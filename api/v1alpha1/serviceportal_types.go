package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// PortalSettings are the settings a ServicePortal and a PortalFleet's
// template share.
type PortalSettings struct {
	// version is the portal server's image tag. It selects the tag of the
	// manager's default portal image unless image is set; with image it
	// only names the version the portal reports.
	// +optional
	// +kubebuilder:validation:MaxLength=128
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`
	Version string `json:"version,omitempty"`

	// image is the full portal image reference,
	// [registry[:port]/]repository[:tag][@sha256:digest]; it overrides the
	// manager's default image and version. A digest pins the image: the
	// pods run exactly it, and without a tag (or version) the portal
	// reports its version as sha256- and the digest's first 12 hex digits.
	// +optional
	// +kubebuilder:validation:MaxLength=512
	// +kubebuilder:validation:XValidation:rule="self.matches('^(([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)([.]([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?))*(:[0-9]+)?/)?[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*(/[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$')",message="image must be a reference [registry[:port]/]repository[:tag][@sha256:digest] with a lowercase repository and a digest of 64 lowercase hex digits"
	Image string `json:"image,omitempty"`

	// replicas is the number of portal pods. With more than one the operator
	// adds a PodDisruptionBudget.
	// +optional
	// +kubebuilder:default=1
	// +kubebuilder:validation:XValidation:rule="self >= 0 && self <= 50",message="replicas must be between 0 and 50"
	Replicas *int32 `json:"replicas,omitempty"`

	// authentication configures the citizen login (Servicekonto, BundID).
	// +optional
	Authentication *PortalAuthentication `json:"authentication,omitempty"`

	// payment configures the e-payment provider.
	// +optional
	Payment *PortalPayment `json:"payment,omitempty"`

	// links are links to other portals shown on every page, such as the
	// Wirtschaftsserviceportal NRW.
	// +optional
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=20
	Links []PortalLink `json:"links,omitempty"`

	// resources of the portal container. Unset, it requests 50m CPU and
	// 32Mi memory and is limited to 128Mi. A portal holds about 43-53 MiB
	// with its document and search index loaded: where nodes run short of
	// memory, request at least 64Mi.
	// +optional
	Resources *corev1.ResourceRequirements `json:"resources,omitempty"`

	// imagePullSecrets name Secrets in the portal's namespace that hold the
	// credentials of a private registry, as in a Pod's spec.
	// +optional
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=10
	// +kubebuilder:validation:XValidation:rule="self.all(s, size(s.name) > 0)",message="every imagePullSecret needs a name"
	ImagePullSecrets []corev1.LocalObjectReference `json:"imagePullSecrets,omitempty"`

	// nodeSelector are node labels the portal pods require, as in a Pod's
	// spec.
	// +optional
	// +mapType=atomic
	// +kubebuilder:validation:MaxProperties=20
	NodeSelector map[string]string `json:"nodeSelector,omitempty"`

	// tolerations of the portal pods, as in a Pod's spec, e.g. for nodes
	// tainted for portals.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=20
	// +kubebuilder:validation:XValidation:rule="self.all(t, !has(t.operator) || t.operator in ['Exists', 'Equal', 'Lt', 'Gt'])",message="a toleration's operator must be Exists, Equal, Lt or Gt"
	// +kubebuilder:validation:XValidation:rule="self.all(t, !has(t.effect) || t.effect in ['', 'NoSchedule', 'PreferNoSchedule', 'NoExecute'])",message="a toleration's effect must be NoSchedule, PreferNoSchedule or NoExecute"
	Tolerations []corev1.Toleration `json:"tolerations,omitempty"`

	// topologySpreadConstraints of the portal pods, as in a Pod's spec. A
	// constraint without labelSelector gets the selector of the portal's
	// own pods, so that it spreads them.
	// +optional
	// +listType=map
	// +listMapKey=topologyKey
	// +listMapKey=whenUnsatisfiable
	// +kubebuilder:validation:MaxItems=8
	// +kubebuilder:validation:XValidation:rule="self.all(c, c.maxSkew >= 1 && c.whenUnsatisfiable in ['DoNotSchedule', 'ScheduleAnyway'])",message="a topology spread constraint needs maxSkew of at least 1 and whenUnsatisfiable DoNotSchedule or ScheduleAnyway"
	TopologySpreadConstraints []corev1.TopologySpreadConstraint `json:"topologySpreadConstraints,omitempty"`

	// priorityClassName names the PriorityClass of the portal pods.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:XValidation:rule="!format.dns1123Subdomain().validate(self).hasValue()",message="priorityClassName must be a lowercase RFC 1123 DNS name"
	PriorityClassName string `json:"priorityClassName,omitempty"`
}

// AuthenticationProvider is the kind of citizen account.
// +kubebuilder:validation:Enum=Servicekonto;BundID;OIDC
type AuthenticationProvider string

// The citizen account kinds of the AuthenticationProvider enum.
const (
	ProviderServicekonto AuthenticationProvider = "Servicekonto"
	ProviderBundID       AuthenticationProvider = "BundID"
	ProviderOIDC         AuthenticationProvider = "OIDC"
)

// PortalAuthentication is an OIDC login for citizens and businesses.
type PortalAuthentication struct {
	// provider is the kind of account: a Land's Servicekonto, the federal
	// BundID, or another OIDC provider.
	// +optional
	// +kubebuilder:default=Servicekonto
	Provider AuthenticationProvider `json:"provider,omitempty"`

	// issuerURL is the OIDC issuer.
	// +required
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="isURL(self) && url(self).getScheme() == 'https'",message="issuerURL must be an absolute https URL"
	IssuerURL string `json:"issuerURL"`

	// clientID is the portal's OIDC client id.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	ClientID string `json:"clientID"`

	// clientSecretRef selects the OIDC client secret. The operator only
	// references it; the secret never leaves its Secret, and the portal
	// pods, which do not log citizens in themselves, do not receive it.
	// +required
	ClientSecretRef SecretKeyReference `json:"clientSecretRef"`
}

// PortalPayment is the e-payment configuration.
type PortalPayment struct {
	// provider is the e-payment platform, e.g. ePayBL or pmPayment.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	Provider string `json:"provider"`

	// secretRef selects the credentials for the payment platform; the
	// portal pods, which only link the platform, do not receive them.
	// +optional
	SecretRef *SecretKeyReference `json:"secretRef,omitempty"`
}

// PortalLink is a link to another portal.
type PortalLink struct {
	// name is the link text.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	Name string `json:"name"`

	// url is the link target.
	// +required
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="isURL(self) && url(self).getScheme() in ['http', 'https']",message="link url must be an absolute http(s) URL"
	URL string `json:"url"`
}

// ServicePortalSpec is one portal deployment for one administration.
//
// +kubebuilder:validation:XValidation:rule="!self.publish || has(self.hostname)",message="a published portal needs a hostname"
type ServicePortalSpec struct {
	// administrationRef names the Administration whose services the portal offers.
	// +required
	AdministrationRef LocalObjectReference `json:"administrationRef"`

	// hostname is the public host name of the portal (RFC 1123).
	// +optional
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:XValidation:rule="!format.dns1123Subdomain().validate(self).hasValue()",message="hostname must be a lowercase RFC 1123 DNS name"
	Hostname string `json:"hostname,omitempty"`

	// publish puts the portal online behind the public ingress. While false
	// the portal is installed and reachable inside the cluster for content work.
	// +optional
	// +kubebuilder:default=false
	Publish bool `json:"publish"`

	PortalSettings `json:",inline"`
}

// ServicePortalStatus is the observed state of a portal.
type ServicePortalStatus struct {
	// observedGeneration is the generation the status was computed for.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// conditions: Ready (content rendered and all replicas updated and
	// available), Available, Published (publish, Ready and the Ingress
	// exists), Reconciling and Stalled (kstatus).
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// url is where the portal is served: the public URL when published,
	// the in-cluster URL otherwise.
	// +optional
	URL string `json:"url,omitempty"`

	// hostname is the spec.hostname the portal holds: no portal that holds
	// it, and none created before, claims it too. Empty while another
	// portal holds it. Of portals that claim one hostname, the one that
	// holds it keeps it, so a portal changed to a hostname in use does not
	// take it from the portal serving it.
	// +optional
	Hostname string `json:"hostname,omitempty"`

	// version is the portal version the running pods have.
	// +optional
	Version string `json:"version,omitempty"`

	// replicas is the number of portal pods.
	// +optional
	Replicas int32 `json:"replicas"`

	// readyReplicas is the number of updated, available portal pods.
	// +optional
	ReadyReplicas int32 `json:"readyReplicas"`

	// servicesOffered counts the OZG services the portal offers.
	// +optional
	ServicesOffered int32 `json:"servicesOffered"`

	// servicesLive counts the offered services in state Live.
	// +optional
	ServicesLive int32 `json:"servicesLive"`
}

// ServicePortal is one municipality's service portal deployment.
//
// +kubebuilder:validation:XValidation:rule="oldSelf.hasValue() || (size(self.metadata.name) <= 63 && self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$'))",optionalOldSelf=true,message="a ServicePortal's name is its Service's name and its children's app.kubernetes.io/instance label: it must be a DNS-1035 label (lower-case letters, digits and '-', starting with a letter, at most 63 characters)"
// +kubebuilder:validation:XValidation:rule="oldSelf.hasValue() || self.metadata.name != 'ozg-catalog'",optionalOldSelf=true,message="ozg-catalog is the name of the namespace's shared catalogue ConfigMap, which a portal's own ConfigMap of that name would overwrite; choose another name"
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=sp,categories=ozg
// +kubebuilder:printcolumn:name="Administration",type=string,JSONPath=`.spec.administrationRef.name`
// +kubebuilder:printcolumn:name="Version",type=string,JSONPath=`.status.version`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Published",type=string,JSONPath=`.status.conditions[?(@.type=="Published")].status`
// +kubebuilder:printcolumn:name="Services",type=integer,JSONPath=`.status.servicesOffered`
// +kubebuilder:printcolumn:name="URL",type=string,JSONPath=`.status.url`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type ServicePortal struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// spec is the desired portal.
	// +required
	Spec ServicePortalSpec `json:"spec"`

	// status is computed by the operator.
	// +optional
	Status ServicePortalStatus `json:"status,omitempty"`
}

// ServicePortalList is a list of ServicePortal.
//
// +kubebuilder:object:root=true
type ServicePortalList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ServicePortal `json:"items"`
}

func init() {
	SchemeBuilder.Register(&ServicePortal{}, &ServicePortalList{})
}
