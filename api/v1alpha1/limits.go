package v1alpha1

// Defaults, limits and patterns of the CRDs, for code that must fill in,
// check or cut a value before the API server does (the importer, the
// portal document, the controllers). Markers cannot name a constant, so
// limits_test.go ties each constant to the generated CRD and fails when the
// two drift.

// Defaults the CRDs apply (the +kubebuilder:default markers).
const (
	// DefaultReplicas is spec.replicas of a ServicePortal (and of a fleet template).
	DefaultReplicas int32 = 1
	// DefaultAuthenticationProvider is spec.authentication.provider.
	DefaultAuthenticationProvider = ProviderServicekonto
	// DefaultProgressDeadlineSeconds is a PortalFleet's spec.rollout.progressDeadlineSeconds.
	DefaultProgressDeadlineSeconds int32 = 600
	// DefaultMaxUnavailable is the maxUnavailable of a PortalFleet's wave.
	DefaultMaxUnavailable int32 = 1
	// DefaultRemovalPolicy is a PortalFleet's spec.removalPolicy.
	DefaultRemovalPolicy = RemovalPolicyDelete
	// DefaultServiceState is the state of an Administration's service entry.
	DefaultServiceState = StateOpen
)

// Limits of the lists that grow with the data (maxItems).
const (
	// MaxAdministrationServices bounds an Administration's spec.services.
	MaxAdministrationServices = 2000
	// MaxLeistungen bounds an OZGService's spec.leistungen.
	MaxLeistungen = 1000
	// MaxTypisierungen bounds a LeiKa service's typisierung.
	MaxTypisierungen = 8
	// MaxLinks bounds a ServicePortal's spec.links.
	MaxLinks = 20
	// MaxProfileServices bounds a ResponsibilityProfile's spec.services:
	// the OZG catalogue has about 575 services. With MaxProfileLeistungen
	// it bounds the cost of the LeiKa entries' CEL rules.
	MaxProfileServices = 1000
	// MaxProfileLeistungen bounds the LeiKa entries of one service of a
	// profile: the catalogue's largest bundle has 318 LeiKa services.
	MaxProfileLeistungen = 400
	// MaxProfileUnknownEntries bounds a ResponsibilityProfile's status.unknownEntries.
	MaxProfileUnknownEntries = 10
	// MaxOverrides bounds an Administration's spec.responsibility.overrides.
	MaxOverrides = 600
	// MaxServiceTools bounds an OZGService's status.tools.
	MaxServiceTools = 5
)

// Limits of the strings (maxLength, counted in characters).
const (
	// MaxServiceNameLength bounds an OZGService's spec.name.
	MaxServiceNameLength = 512
	// MaxThemenfeldLength bounds an OZGService's spec.themenfeld.
	MaxThemenfeldLength = 128
	// MaxLebenslageLength bounds an OZGService's spec.lebenslage.
	MaxLebenslageLength = 256
	// MaxLeistungNameLength bounds the name of a LeiKa service.
	MaxLeistungNameLength = 512
	// MaxLegalBasisLength bounds the legalBasis of a LeiKa service.
	MaxLegalBasisLength = 4096
	// MaxEfAProviderLength bounds an OZGService's spec.efa.provider.
	MaxEfAProviderLength = 256

	// MaxDisplayNameLength bounds an Administration's spec.displayName.
	MaxDisplayNameLength = 256
	// MaxParentLength bounds an Administration's spec.parent, an object name.
	MaxParentLength = 253
	// MaxRegionLength bounds an Administration's spec.region.
	MaxRegionLength = 128
	// MaxITProviderLength bounds an Administration's spec.itProvider.
	MaxITProviderLength = 128
	// MaxAddressLineLength bounds the recipient and street of an address.
	MaxAddressLineLength = 256
	// MaxCityLength bounds the city of an address.
	MaxCityLength = 128
	// MaxToolLength bounds the tool of an Administration's service entry.
	MaxToolLength = 128

	// MaxLinkNameLength bounds the name of a portal link.
	MaxLinkNameLength = 128
	// MaxClientIDLength bounds spec.authentication.clientID.
	MaxClientIDLength = 256
	// MaxPaymentProviderLength bounds spec.payment.provider.
	MaxPaymentProviderLength = 128

	// MaxPlacementTextLength bounds the legalBasis and note of a
	// profile's placement and the reason of an override.
	MaxPlacementTextLength = 512
	// MaxLandLength bounds a ResponsibilityProfile's spec.land.
	MaxLandLength = 128

	// MaxURLLength bounds every URL of the API: service, EfA, link and
	// issuer URLs.
	MaxURLLength = 2048
)

// Range of an Administration's spec.services[].maturity (the OZG Reifegrad).
const (
	MinMaturity = 0
	MaxMaturity = 4
)

// Patterns the CRDs check (pattern markers and matches() in CEL rules), as
// regular expressions for regexp.MustCompile.
const (
	// PatternOZGID is an OZGService's spec.ozgId.
	PatternOZGID = `^[0-9]{5}$`
	// PatternLeiKaKey is the key of a LeiKa service.
	PatternLeiKaKey = `^[0-9]{14}$`
	// PatternTypisierung is one value of a LeiKa service's typisierung.
	PatternTypisierung = `^(1|2/3|[2-9][ab]?|1[01])$`
	// PatternAdministrationKey is an Administration's spec.key: a Kreis key
	// or an AGS.
	PatternAdministrationKey = `^([0-9]{5}|[0-9]{8})$`
	// PatternKreisKey is the spec.key of a Kreis.
	PatternKreisKey = `^[0-9]{5}$`
	// PatternAGS is the spec.key of a municipality (Amtlicher Gemeindeschlüssel).
	PatternAGS = `^[0-9]{8}$`
	// PatternARS is an Administration's spec.ars (Amtlicher Regionalschlüssel).
	PatternARS = `^[0-9]{12}$`
	// PatternAuthority is the name of a Kreis-level authority (Authority).
	PatternAuthority = `^[A-Z][A-Za-z0-9]+$`
	// PatternPostalCode is the postalCode of an address.
	PatternPostalCode = `^[0-9]{5}$`
	// PatternImageReference is a portal's spec.image:
	// [registry[:port]/]repository[:tag][@sha256:digest], the grammar of
	// github.com/distribution/reference with sha256 digests only.
	PatternImageReference = `^(([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)([.]([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?))*(:[0-9]+)?/)?[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*(/[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$`
)
