package v1alpha1_test

import (
	"context"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/testsupport/suite"
	"github.com/ozg-operator/ozg-operator/internal/testsupport/testenv"
)

// These tests install the generated CRDs into a real kube-apiserver and check
// that the OpenAPI and CEL validation refuses bad objects with the documented
// message and accepts good ones.

var (
	k8sClient client.Client
	cluster   *testenv.Cluster
	ctx       = context.Background()
)

func TestValidation(t *testing.T) {
	suite.Run(t, "API validation", suite.Timing{})
}

var _ = BeforeSuite(func() {
	var err error
	cluster, err = testenv.Start(testenv.Options{})
	Expect(err).NotTo(HaveOccurred())
	k8sClient = cluster.Client
})

var _ = AfterSuite(func() {
	Expect(cluster.Stop()).To(Succeed())
})

func validService() *ozgv1.OZGService {
	return &ozgv1.OZGService{
		ObjectMeta: metav1.ObjectMeta{Name: "ozg-10110"},
		Spec: ozgv1.OZGServiceSpec{
			OZGID: "10110", Name: "Abfallentsorgung", Themenfeld: "Bauen & Wohnen", Lebenslage: "Wohnen & Umzug",
			Leistungen: []ozgv1.LeiKaLeistung{
				{Key: "99002001000000", Name: "Abfallentsorgung", Typisierung: []string{"5"}},
				{Name: "nicht im LeiKa", Typisierung: []string{"1", "2/3"}},
			},
			EfA: &ozgv1.EfAService{Provider: "NRW", URL: "https://efa.example.de/abfall"},
		},
	}
}

func validAdministration() *ozgv1.Administration {
	return &ozgv1.Administration{
		ObjectMeta: metav1.ObjectMeta{Name: "detmold"},
		Spec: ozgv1.AdministrationSpec{
			Key: "05766020", ARS: "057660020020", DisplayName: "Detmold", Type: ozgv1.TypeKreisangehoerigeStadt, Parent: "kreis-lippe",
			Population: ptr.To[int64](73000), SizeClass: ozgv1.SizeClassGrosse,
			Responsibility: &ozgv1.AdministrationResponsibility{Profile: "nrw", Overrides: []ozgv1.ResponsibilityOverride{
				{Service: "ozg-10513", Level: ozgv1.LevelGemeinde, Reason: "Delegation by the Kreis Lippe"},
			}, Authorities: []ozgv1.Authority{ozgv1.AuthorityJugendamt}},
			Services: []ozgv1.ServiceImplementation{
				{Service: "ozg-10110", State: ozgv1.StateLive, Maturity: ptr.To[int32](3), URL: "https://formulare.example.de/abfall", TrustLevel: ozgv1.TrustLevelSubstantial},
				{Service: "ozg-10513", State: ozgv1.StateInProgress},
			},
		},
	}
}

func validProfile() *ozgv1.ResponsibilityProfile {
	return &ozgv1.ResponsibilityProfile{
		ObjectMeta: metav1.ObjectMeta{Name: "nrw"},
		Spec: ozgv1.ResponsibilityProfileSpec{
			Land:        "Nordrhein-Westfalen",
			Typisierung: []ozgv1.TypisierungRule{{Typisierung: "1", Level: ozgv1.LevelBund}, {Typisierung: "5", Level: ozgv1.LevelGemeinde}},
			Services: []ozgv1.ServiceResponsibility{
				{Service: "ozg-10513", Placement: ozgv1.Placement{Level: ozgv1.LevelKreis, LegalBasis: "§ 57 Abs. 1 BauO NRW 2018",
					HeldBy: []ozgv1.SizeClass{ozgv1.SizeClassGrosse, ozgv1.SizeClassMittlere}},
					Leistungen: []ozgv1.LeistungResponsibility{{Key: "99012001000000", Placement: ozgv1.Placement{Level: ozgv1.LevelGemeinde, LegalBasis: "x"}}}},
				{Service: "ozg-10110", Placement: ozgv1.Placement{Level: ozgv1.LevelUnknown, Note: "Kreis and Gemeinde share waste disposal"}},
				{Service: "ozg-10040", Placement: ozgv1.Placement{Level: ozgv1.LevelKreis, LegalBasis: "§ 1a Abs. 1 AG-KJHG NRW", Authority: ozgv1.AuthorityJugendamt}},
				{Service: "ozg-10319", Placement: ozgv1.Placement{Level: ozgv1.LevelKammer, LegalBasis: "§§ 37, 71 BBiG"},
					Leistungen: []ozgv1.LeistungResponsibility{{Key: "99012002000000", Placement: ozgv1.Placement{Level: ozgv1.LevelSozialversicherung, LegalBasis: "§ 2 SGB V"}}}},
			},
		},
	}
}

func mutateProfile(f func(*ozgv1.ResponsibilityProfile)) *ozgv1.ResponsibilityProfile {
	p := validProfile()
	f(p)
	return p
}

func validPortal() *ozgv1.ServicePortal {
	return &ozgv1.ServicePortal{
		ObjectMeta: metav1.ObjectMeta{Name: "detmold", Namespace: "default"},
		Spec: ozgv1.ServicePortalSpec{
			AdministrationRef: ozgv1.LocalObjectReference{Name: "detmold"},
			Hostname:          "detmold.serviceportal.example.de",
			Publish:           true,
			PortalSettings: ozgv1.PortalSettings{
				Version: "1.4.0", Replicas: ptr.To[int32](2),
				Authentication: &ozgv1.PortalAuthentication{
					IssuerURL: "https://servicekonto.nrw.de", ClientID: "detmold",
					ClientSecretRef: ozgv1.SecretKeyReference{Name: "oidc", Key: "secret"},
				},
				Links: []ozgv1.PortalLink{{Name: "Wirtschafts-Service-Portal.NRW", URL: "https://service.wirtschaft.nrw"}},
			},
		},
	}
}

// testDigest is a well-formed sha256 digest.
var testDigest = "sha256:" + strings.Repeat("0123456789abcdef", 4)

// placedPortal is a valid portal with every pull and placement setting.
func placedPortal() *ozgv1.ServicePortal {
	p := validPortal()
	p.Spec.Image = "registry.example.de:5000/ozg/portal@" + testDigest
	p.Spec.ImagePullSecrets = []corev1.LocalObjectReference{{Name: "regcred"}}
	p.Spec.NodeSelector = map[string]string{"kubernetes.io/os": "linux"}
	p.Spec.Tolerations = []corev1.Toleration{
		{Key: "ozg.dev/real-node", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
		{Key: "node.kubernetes.io/unreachable", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptr.To[int64](30)},
	}
	p.Spec.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{MaxSkew: 1, TopologyKey: corev1.LabelTopologyZone, WhenUnsatisfiable: corev1.ScheduleAnyway}}
	p.Spec.PriorityClassName = "portal-high"
	return p
}

func validFleet() *ozgv1.PortalFleet {
	return &ozgv1.PortalFleet{
		ObjectMeta: metav1.ObjectMeta{Name: "krz", Namespace: "default"},
		Spec: ozgv1.PortalFleetSpec{
			AdministrationSelector: metav1.LabelSelector{MatchLabels: map[string]string{ozgv1.LabelITProvider: "krz"}},
			Template: ozgv1.PortalTemplate{
				HostnamePattern: "$(name).serviceportal.example.de",
				PortalSettings:  ozgv1.PortalSettings{Version: "1.4.0"},
			},
			Rollout: ozgv1.FleetRollout{Waves: []ozgv1.RolloutWave{{
				Name:           "lippe",
				Selector:       metav1.LabelSelector{MatchLabels: map[string]string{ozgv1.LabelKreis: "05766"}},
				MaxUnavailable: ptr.To(intstr.FromString("25%")),
			}}},
		},
	}
}

// create creates obj with a dry run, so that valid and invalid cases do not
// disturb each other.
func create(obj client.Object) error {
	return k8sClient.Create(ctx, obj, client.DryRunAll)
}

var _ = Describe("CRD validation", func() {
	DescribeTable("accepts valid objects",
		func(obj client.Object) { Expect(create(obj)).To(Succeed()) },
		Entry("OZGService", validService()),
		Entry("OZGService without efa and LeiKa", func() *ozgv1.OZGService {
			s := validService()
			s.Spec.EfA, s.Spec.Leistungen = nil, nil
			return s
		}()),
		Entry("Administration", validAdministration()),
		Entry("Kreis", func() *ozgv1.Administration {
			a := validAdministration()
			a.Name, a.Spec.Key, a.Spec.ARS, a.Spec.Type, a.Spec.Parent, a.Spec.SizeClass = "kreis-lippe", "05766", "057660000000", ozgv1.TypeKreis, "", ""
			a.Spec.Responsibility.Authorities = nil
			return a
		}()),
		Entry("ResponsibilityProfile", validProfile()),
		Entry("ServicePortal", validPortal()),
		Entry("unpublished ServicePortal without hostname", func() *ozgv1.ServicePortal {
			p := validPortal()
			p.Spec.Publish, p.Spec.Hostname = false, ""
			return p
		}()),
		Entry("ServicePortal with pull secrets, placement and an image pinned by digest", placedPortal()),
		Entry("ServicePortal with an image of a registry with port, tag and digest", mutatePortal(func(p *ozgv1.ServicePortal) {
			p.Spec.Image = "127.0.0.1:5000/ozg/portal:1.4.0@" + testDigest
		})),
		Entry("PortalFleet", validFleet()),
		Entry("PortalFleet whose template pins the image by digest and places the pods", mutateFleet(func(f *ozgv1.PortalFleet) {
			f.Spec.Template.PortalSettings = placedPortal().Spec.PortalSettings
		})),
		Entry("PortalFleet with $(key) and a numeric maxUnavailable", func() *ozgv1.PortalFleet {
			f := validFleet()
			f.Spec.Template.HostnamePattern = "portal-$(key).krz.de"
			f.Spec.Rollout.Waves[0].MaxUnavailable = ptr.To(intstr.FromInt32(3))
			return f
		}()),
	)

	DescribeTable("refuses invalid objects with a clear message",
		func(obj client.Object, message string) {
			err := create(obj)
			Expect(err).To(HaveOccurred())
			Expect(err.Error()).To(ContainSubstring(message))
		},
		// OZGService
		Entry("OZG-ID of 4 digits", mutateService(func(s *ozgv1.OZGService) { s.Name, s.Spec.OZGID = "ozg-1011", "1011" }),
			"ozgId must be exactly 5 digits"),
		Entry("OZG-ID with letters", mutateService(func(s *ozgv1.OZGService) { s.Name, s.Spec.OZGID = "ozg-1011a", "1011a" }),
			"ozgId must be exactly 5 digits"),
		Entry("name not matching the OZG-ID", mutateService(func(s *ozgv1.OZGService) { s.Name = "abfall" }),
			"metadata.name must be 'ozg-' followed by spec.ozgId"),
		Entry("LeiKa key of 8 digits", mutateService(func(s *ozgv1.OZGService) { s.Spec.Leistungen[0].Key = "25323525" }),
			"LeiKa key must be exactly 14 digits"),
		Entry("LeiKa key as text", mutateService(func(s *ozgv1.OZGService) { s.Spec.Leistungen[0].Key = "nicht im LeiKa" }),
			"LeiKa key must be exactly 14 digits"),
		Entry("invalid Typisierung", mutateService(func(s *ozgv1.OZGService) { s.Spec.Leistungen[0].Typisierung = []string{"44"} }),
			`spec.leistungen[0].typisierung[0]: Invalid value: "44"`),
		Entry("empty service name", mutateService(func(s *ozgv1.OZGService) { s.Spec.Name = "" }),
			"spec.name: Invalid value: \"\": spec.name in body should be at least 1 chars long"),
		Entry("EfA link without scheme", mutateService(func(s *ozgv1.OZGService) { s.Spec.EfA.URL = "efa.example.de" }),
			"efa.url must be an absolute http(s) URL"),
		// Administration
		Entry("municipality with a 5-digit key", mutateAdministration(func(a *ozgv1.Administration) { a.Spec.Key = "05766" }),
			"key must have 5 digits for a Kreis and 8 digits (AGS) for a municipality"),
		Entry("Kreis with an 8-digit key", mutateAdministration(func(a *ozgv1.Administration) {
			a.Spec.Type, a.Spec.Parent = ozgv1.TypeKreis, ""
		}), "key must have 5 digits for a Kreis and 8 digits (AGS) for a municipality"),
		Entry("key with letters", mutateAdministration(func(a *ozgv1.Administration) { a.Spec.Key = "0576602x" }),
			"key must be a 5-digit Kreis key or an 8-digit AGS"),
		Entry("ARS of 8 digits", mutateAdministration(func(a *ozgv1.Administration) { a.Spec.ARS = "05766020" }),
			"ars must be a 12-digit Amtlicher Regionalschlüssel"),
		Entry("ARS with letters", mutateAdministration(func(a *ozgv1.Administration) { a.Spec.ARS = "05766002002x" }),
			"ars must be a 12-digit Amtlicher Regionalschlüssel"),
		Entry("ARS of another Kreis", mutateAdministration(func(a *ozgv1.Administration) { a.Spec.ARS = "057580020020" }),
			"ars must extend key"),
		Entry("ARS of another Gemeinde", mutateAdministration(func(a *ozgv1.Administration) { a.Spec.ARS = "057660020024" }),
			"ars must extend key"),
		Entry("Kreis ARS with a Gemeinde part", mutateAdministration(func(a *ozgv1.Administration) {
			a.Spec.Key, a.Spec.ARS, a.Spec.Type, a.Spec.Parent, a.Spec.SizeClass = "05766", "057660000020", ozgv1.TypeKreis, "", ""
		}), "ars must extend key"),
		Entry("unknown trust level", mutateAdministration(func(a *ozgv1.Administration) { a.Spec.Services[0].TrustLevel = "Substanziell" }),
			"Unsupported value: \"Substanziell\""),
		Entry("unknown type", mutateAdministration(func(a *ozgv1.Administration) { a.Spec.Type = "Dorf" }),
			`spec.type: Unsupported value: "Dorf"`),
		Entry("kreisfreie Stadt with a parent", mutateAdministration(func(a *ozgv1.Administration) { a.Spec.Type = ozgv1.TypeKreisfreieStadt }),
			"a Kreis or kreisfreie Stadt has no parent"),
		Entry("a municipality that is its own parent", mutateAdministration(func(a *ozgv1.Administration) { a.Spec.Parent = a.Name }),
			"spec.parent names the Administration itself"),
		Entry("unknown service state", mutateAdministration(func(a *ozgv1.Administration) { a.Spec.Services[0].State = "Done" }),
			`spec.services[0].state: Unsupported value: "Done"`),
		Entry("maturity 5", mutateAdministration(func(a *ozgv1.Administration) { a.Spec.Services[0].Maturity = ptr.To[int32](5) }),
			"maturity must be an OZG Reifegrad from 0 to 4"),
		Entry("maturity -1", mutateAdministration(func(a *ozgv1.Administration) { a.Spec.Services[0].Maturity = ptr.To[int32](-1) }),
			"maturity must be an OZG Reifegrad from 0 to 4"),
		Entry("service reference that is not ozg-<id>", mutateAdministration(func(a *ozgv1.Administration) { a.Spec.Services[0].Service = "abfall" }),
			"service must name an OZGService as ozg-<5-digit OZG-ID>"),
		Entry("duplicate OZG service", mutateAdministration(func(a *ozgv1.Administration) { a.Spec.Services[1].Service = "ozg-10110" }),
			`spec.services[1]: Duplicate value: {"service":"ozg-10110"}`),
		Entry("service link without scheme", mutateAdministration(func(a *ozgv1.Administration) { a.Spec.Services[0].URL = "formulare/abfall" }),
			"url must be an absolute http(s) URL"),
		Entry("negative population", mutateAdministration(func(a *ozgv1.Administration) { a.Spec.Population = ptr.To[int64](-1) }),
			"spec.population: Invalid value: -1: spec.population in body should be greater than or equal to 0"),
		Entry("Kreis with a size class", mutateAdministration(func(a *ozgv1.Administration) {
			a.Spec.Type, a.Spec.Key, a.Spec.Parent = ozgv1.TypeKreis, "05766", ""
		}), "sizeClass is for kreisangehörige municipalities"),
		Entry("Kreis that runs a Jugendamt of its own", mutateAdministration(func(a *ozgv1.Administration) {
			a.Spec.Type, a.Spec.Key, a.Spec.Parent, a.Spec.SizeClass = ozgv1.TypeKreis, "05766", "", ""
		}), "responsibility.authorities are the Kreis authorities a kreisangehörige municipality runs itself"),
		Entry("authority that is no CamelCase word", mutateAdministration(func(a *ozgv1.Administration) {
			a.Spec.Responsibility.Authorities = []ozgv1.Authority{"jugend amt"}
		}), "spec.responsibility.authorities[0]: Invalid value"),
		Entry("unknown size class", mutateAdministration(func(a *ozgv1.Administration) { a.Spec.SizeClass = "Kleinstadt" }),
			`spec.sizeClass: Unsupported value: "Kleinstadt"`),
		Entry("override with an unknown level", mutateAdministration(func(a *ozgv1.Administration) {
			a.Spec.Responsibility.Overrides[0].Level = "Amt"
		}), `spec.responsibility.overrides[0].level: Unsupported value: "Amt"`),
		Entry("two overrides of one service", mutateAdministration(func(a *ozgv1.Administration) {
			a.Spec.Responsibility.Overrides = append(a.Spec.Responsibility.Overrides, a.Spec.Responsibility.Overrides[0])
		}), `spec.responsibility.overrides[1]: Duplicate value`),
		// ResponsibilityProfile
		Entry("placed service without legal basis", mutateProfile(func(p *ozgv1.ResponsibilityProfile) { p.Spec.Services[0].LegalBasis = "" }),
			"a placed service needs its legalBasis"),
		Entry("heldBy outside the Kreis level", mutateProfile(func(p *ozgv1.ResponsibilityProfile) { p.Spec.Services[0].Level = ozgv1.LevelLand }),
			"heldBy names the size classes that hold a Kreis task themselves: only for level Kreis"),
		Entry("authority outside the Kreis level", mutateProfile(func(p *ozgv1.ResponsibilityProfile) { p.Spec.Services[2].Level = ozgv1.LevelGemeinde }),
			"authority names the authority that carries a Kreis task: only for level Kreis"),
		Entry("Unknown without a note", mutateProfile(func(p *ozgv1.ResponsibilityProfile) { p.Spec.Services[1].Note = "" }),
			"an Unknown service needs a note saying why it cannot be placed"),
		Entry("LeiKa entry without legal basis", mutateProfile(func(p *ozgv1.ResponsibilityProfile) { p.Spec.Services[0].Leistungen[0].LegalBasis = "" }),
			"a placed service needs its legalBasis"),
		Entry("LeiKa entry with a short key", mutateProfile(func(p *ozgv1.ResponsibilityProfile) { p.Spec.Services[0].Leistungen[0].Key = "9901" }),
			"LeiKa key must be exactly 14 digits"),
		Entry("profile service that is not ozg-<id>", mutateProfile(func(p *ozgv1.ResponsibilityProfile) { p.Spec.Services[0].Service = "bau" }),
			"service must name an OZGService as ozg-<5-digit OZG-ID>"),
		Entry("profile without Land", mutateProfile(func(p *ozgv1.ResponsibilityProfile) { p.Spec.Land = "" }),
			"spec.land"),
		// ServicePortal
		Entry("hostname with upper case", mutatePortal(func(p *ozgv1.ServicePortal) { p.Spec.Hostname = "Detmold.example.de" }),
			"hostname must be a lowercase RFC 1123 DNS name"),
		Entry("hostname with underscore", mutatePortal(func(p *ozgv1.ServicePortal) { p.Spec.Hostname = "det_mold.example.de" }),
			"hostname must be a lowercase RFC 1123 DNS name"),
		Entry("published without hostname", mutatePortal(func(p *ozgv1.ServicePortal) { p.Spec.Hostname = "" }),
			"a published portal needs a hostname"),
		Entry("named as the namespace's catalogue", mutatePortal(func(p *ozgv1.ServicePortal) { p.Name = "ozg-catalog" }),
			"ozg-catalog is the name of the namespace's shared catalogue ConfigMap"),
		// Its Service needs a DNS-1035 label, its children's instance label
		// at most 63 characters: such a portal was stored, then Stalled.
		Entry("named with a dot", mutatePortal(func(p *ozgv1.ServicePortal) { p.Name = "portal.augustdorf" }),
			"it must be a DNS-1035 label"),
		Entry("named with 64 characters", mutatePortal(func(p *ozgv1.ServicePortal) { p.Name = "portal-" + strings.Repeat("x", 57) }),
			"it must be a DNS-1035 label"),
		Entry("named with a leading digit", mutatePortal(func(p *ozgv1.ServicePortal) { p.Name = "05766020" }),
			"it must be a DNS-1035 label"),
		Entry("51 replicas", mutatePortal(func(p *ozgv1.ServicePortal) { p.Spec.Replicas = ptr.To[int32](51) }),
			"replicas must be between 0 and 50"),
		Entry("negative replicas", mutatePortal(func(p *ozgv1.ServicePortal) { p.Spec.Replicas = ptr.To[int32](-1) }),
			"replicas must be between 0 and 50"),
		Entry("plain-http OIDC issuer", mutatePortal(func(p *ozgv1.ServicePortal) { p.Spec.Authentication.IssuerURL = "http://servicekonto.nrw.de" }),
			"issuerURL must be an absolute https URL"),
		Entry("missing administration", mutatePortal(func(p *ozgv1.ServicePortal) { p.Spec.AdministrationRef.Name = "" }),
			"spec.administrationRef.name in body should be at least 1 chars long"),
		Entry("version with a slash", mutatePortal(func(p *ozgv1.ServicePortal) { p.Spec.Version = "1.4/evil" }),
			"spec.version in body should match"),
		Entry("image with an upper-case repository", mutatePortal(func(p *ozgv1.ServicePortal) { p.Spec.Image = "registry.example.de/Portal:1.4.0" }),
			"image must be a reference [registry[:port]/]repository[:tag][@sha256:digest]"),
		Entry("image with a short digest", mutatePortal(func(p *ozgv1.ServicePortal) { p.Spec.Image = "registry.example.de/portal@sha256:0123456789ab" }),
			"image must be a reference [registry[:port]/]repository[:tag][@sha256:digest]"),
		Entry("image with a URL scheme", mutatePortal(func(p *ozgv1.ServicePortal) { p.Spec.Image = "https://registry.example.de/portal:1.4.0" }),
			"image must be a reference [registry[:port]/]repository[:tag][@sha256:digest]"),
		Entry("image pull secret without a name", mutatePortal(func(p *ozgv1.ServicePortal) {
			p.Spec.ImagePullSecrets = []corev1.LocalObjectReference{{}}
		}), "every imagePullSecret needs a name"),
		Entry("priority class with upper case", mutatePortal(func(p *ozgv1.ServicePortal) { p.Spec.PriorityClassName = "Portal-High" }),
			"priorityClassName must be a lowercase RFC 1123 DNS name"),
		Entry("toleration with an unknown effect", mutatePortal(func(p *ozgv1.ServicePortal) {
			p.Spec.Tolerations = []corev1.Toleration{{Key: "ozg.dev/real-node", Operator: corev1.TolerationOpExists, Effect: "NoSchedul"}}
		}), "a toleration's effect must be NoSchedule, PreferNoSchedule or NoExecute"),
		Entry("toleration with an unknown operator", mutatePortal(func(p *ozgv1.ServicePortal) {
			p.Spec.Tolerations = []corev1.Toleration{{Key: "ozg.dev/real-node", Operator: "In"}}
		}), "a toleration's operator must be Exists, Equal, Lt or Gt"),
		Entry("topology spread constraint with maxSkew 0", mutatePortal(func(p *ozgv1.ServicePortal) {
			p.Spec.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{MaxSkew: 0, TopologyKey: corev1.LabelTopologyZone, WhenUnsatisfiable: corev1.DoNotSchedule}}
		}), "a topology spread constraint needs maxSkew of at least 1"),
		Entry("two topology spread constraints on one key and policy", mutatePortal(func(p *ozgv1.ServicePortal) {
			c := corev1.TopologySpreadConstraint{MaxSkew: 1, TopologyKey: corev1.LabelHostname, WhenUnsatisfiable: corev1.ScheduleAnyway}
			p.Spec.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{c, c}
		}), "spec.topologySpreadConstraints[1]: Duplicate value"),
		// PortalFleet
		Entry("hostname pattern without a variable", mutateFleet(func(f *ozgv1.PortalFleet) { f.Spec.Template.HostnamePattern = "portal.example.de" }),
			"hostnamePattern must contain $(name) or $(key) so that every portal gets its own hostname"),
		Entry("hostname pattern that is no DNS name", mutateFleet(func(f *ozgv1.PortalFleet) { f.Spec.Template.HostnamePattern = "$(name)_portal.example.de" }),
			"hostnamePattern must yield a lowercase RFC 1123 DNS name"),
		Entry("maxUnavailable 0", mutateFleet(func(f *ozgv1.PortalFleet) { f.Spec.Rollout.Waves[0].MaxUnavailable = ptr.To(intstr.FromInt32(0)) }),
			"maxUnavailable must be a positive number or a percentage from 1% to 100%"),
		Entry("maxUnavailable 150%", mutateFleet(func(f *ozgv1.PortalFleet) { f.Spec.Rollout.Waves[0].MaxUnavailable = ptr.To(intstr.FromString("150%")) }),
			"maxUnavailable must be a positive number or a percentage from 1% to 100%"),
		Entry("unknown removal policy", mutateFleet(func(f *ozgv1.PortalFleet) { f.Spec.RemovalPolicy = "Keep" }),
			`spec.removalPolicy: Unsupported value: "Keep"`),
		Entry("duplicate wave names", mutateFleet(func(f *ozgv1.PortalFleet) {
			f.Spec.Rollout.Waves = append(f.Spec.Rollout.Waves, f.Spec.Rollout.Waves[0])
		}), `spec.rollout.waves[1]: Duplicate value`),
		Entry("fleet template image with a digest of another algorithm", mutateFleet(func(f *ozgv1.PortalFleet) {
			f.Spec.Template.Image = "registry.example.de/portal@md5:" + strings.Repeat("0", 32)
		}), "image must be a reference [registry[:port]/]repository[:tag][@sha256:digest]"),
	)

	Context("immutable identifiers", func() {
		// stored creates obj for the rest of the spec.
		stored := func(obj client.Object) {
			Expect(k8sClient.Create(ctx, obj)).To(Succeed())
			DeferCleanup(k8sClient.Delete, ctx, obj)
		}
		It("keeps ozgId immutable", func() {
			s := validService()
			stored(s)
			s.Spec.OZGID = "10111"
			Expect(k8sClient.Update(ctx, s)).To(MatchError(ContainSubstring("ozgId is immutable")))
		})
		It("keeps the administration key immutable and allows other changes", func() {
			a := validAdministration()
			stored(a)
			a.Spec.DisplayName = "Stadt Detmold"
			Expect(k8sClient.Update(ctx, a)).To(Succeed())
			a.Spec.Key = "05766008"
			Expect(k8sClient.Update(ctx, a)).To(MatchError(ContainSubstring("key is immutable")))
		})
		It("defaults the service state, replicas and removal policy", func() {
			a := validAdministration()
			a.Spec.Services[1].State = ""
			Expect(k8sClient.Create(ctx, a, client.DryRunAll)).To(Succeed())
			Expect(a.Spec.Services[1].State).To(Equal(ozgv1.StateOpen))

			p := validPortal()
			p.Spec.Replicas = nil
			Expect(k8sClient.Create(ctx, p, client.DryRunAll)).To(Succeed())
			Expect(p.Spec.Replicas).To(HaveValue(BeEquivalentTo(1)))

			f := validFleet()
			Expect(k8sClient.Create(ctx, f, client.DryRunAll)).To(Succeed())
			Expect(f.Spec.RemovalPolicy).To(Equal(ozgv1.RemovalPolicyDelete))
			Expect(f.Spec.Rollout.ProgressDeadlineSeconds).To(HaveValue(BeEquivalentTo(600)))
		})
	})

	It("says which field is wrong when an object has several errors", func() {
		a := validAdministration()
		a.Spec.Key, a.Spec.Services[0].Maturity = "123", ptr.To[int32](9)
		err := create(a)
		Expect(err).To(HaveOccurred())
		Expect(strings.Count(err.Error(), "spec.")).To(BeNumerically(">=", 2))
	})
})

// mutated returns a valid object with change applied.
func mutated[T any](valid func() T, change func(T)) T {
	obj := valid()
	change(obj)
	return obj
}

func mutateService(f func(*ozgv1.OZGService)) *ozgv1.OZGService { return mutated(validService, f) }

func mutateAdministration(f func(*ozgv1.Administration)) *ozgv1.Administration {
	return mutated(validAdministration, f)
}

func mutatePortal(f func(*ozgv1.ServicePortal)) *ozgv1.ServicePortal { return mutated(validPortal, f) }

func mutateFleet(f func(*ozgv1.PortalFleet)) *ozgv1.PortalFleet { return mutated(validFleet, f) }
