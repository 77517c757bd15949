package v1alpha1_test

import (
	"fmt"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// The API's rows of the bad-input matrix (docs/bad-input.md) beyond the
// table in validation_test.go: huge lists and values, hostile URLs,
// markup, and invalid hostname patterns. They run in the envtest suite
// that validation_test.go starts.

func nServices(n int) []ozgv1.ServiceImplementation {
	out := make([]ozgv1.ServiceImplementation, n)
	for i := range out {
		out[i] = ozgv1.ServiceImplementation{Service: fmt.Sprintf("ozg-%05d", 10000+i), State: ozgv1.StateOpen}
	}
	return out
}

func nLeistungen(n int) []ozgv1.LeiKaLeistung {
	out := make([]ozgv1.LeiKaLeistung, n)
	for i := range out {
		out[i] = ozgv1.LeiKaLeistung{Key: fmt.Sprintf("99%012d", i), Name: fmt.Sprintf("Leistung %d", i)}
	}
	return out
}

func nLinks(n int) []ozgv1.PortalLink {
	out := make([]ozgv1.PortalLink, n)
	for i := range out {
		out[i] = ozgv1.PortalLink{Name: fmt.Sprintf("Portal %d", i), URL: fmt.Sprintf("https://portal%d.example.de", i)}
	}
	return out
}

func nWaves(n int) []ozgv1.RolloutWave {
	out := make([]ozgv1.RolloutWave, n)
	for i := range out {
		out[i] = ozgv1.RolloutWave{
			Name:     fmt.Sprintf("welle-%d", i),
			Selector: metav1.LabelSelector{MatchLabels: map[string]string{ozgv1.LabelKreis: fmt.Sprintf("%05d", i)}},
		}
	}
	return out
}

func nNames(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("gemeinde-%05d", i)
	}
	return out
}

const scriptTag = `<script>alert(1)</script>`

var _ = Describe("Bad input", func() {
	DescribeTable("refuses",
		func(obj client.Object, message string) {
			err := create(obj)
			Expect(err).To(HaveOccurred())
			Expect(err.Error()).To(ContainSubstring(message))
		},
		// Huge lists: every list that grows with the data has maxItems.
		Entry("an Administration with 2001 services", mutateAdministration(func(a *ozgv1.Administration) { a.Spec.Services = nServices(2001) }),
			"spec.services: Too many: 2001: must have at most 2000 items"),
		Entry("an OZGService with 1001 LeiKa services", mutateService(func(s *ozgv1.OZGService) { s.Spec.Leistungen = nLeistungen(1001) }),
			"spec.leistungen: Too many: 1001: must have at most 1000 items"),
		Entry("a LeiKa service with 9 Typisierungen", mutateService(func(s *ozgv1.OZGService) {
			s.Spec.Leistungen[0].Typisierung = []string{"1", "2/3", "4", "5", "6", "7", "8", "9", "10"}
		}), "spec.leistungen[0].typisierung: Too many: 9: must have at most 8 items"),
		Entry("a repeated Typisierung", mutateService(func(s *ozgv1.OZGService) { s.Spec.Leistungen[0].Typisierung = []string{"5", "5"} }),
			`spec.leistungen[0].typisierung[1]: Duplicate value: "5"`),
		Entry("a ServicePortal with 21 links", mutatePortal(func(p *ozgv1.ServicePortal) { p.Spec.Links = nLinks(21) }),
			"spec.links: Too many: 21: must have at most 20 items"),
		Entry("a PortalFleet with 51 waves", mutateFleet(func(f *ozgv1.PortalFleet) { f.Spec.Rollout.Waves = nWaves(51) }),
			"spec.rollout.waves: Too many: 51: must have at most 50 items"),
		Entry("a PortalFleet publishing 20001 administrations by name", mutateFleet(func(f *ozgv1.PortalFleet) { f.Spec.Publish.Administrations = nNames(20001) }),
			"spec.publish.administrations: Too many: 20001: must have at most 20000 items"),
		Entry("a ServicePortal with 11 image pull secrets", mutatePortal(func(p *ozgv1.ServicePortal) {
			for i := range 11 {
				p.Spec.ImagePullSecrets = append(p.Spec.ImagePullSecrets, corev1.LocalObjectReference{Name: fmt.Sprintf("regcred-%d", i)})
			}
		}), "spec.imagePullSecrets: Too many: 11: must have at most 10 items"),
		Entry("a ServicePortal with 21 node selector labels", mutatePortal(func(p *ozgv1.ServicePortal) {
			p.Spec.NodeSelector = map[string]string{}
			for i := range 21 {
				p.Spec.NodeSelector[fmt.Sprintf("example.de/label-%d", i)] = "x"
			}
		}), "spec.nodeSelector: Too many: 21: must have at most 20 items"),
		Entry("a PortalFleet template with 21 tolerations", mutateFleet(func(f *ozgv1.PortalFleet) {
			for i := range 21 {
				f.Spec.Template.Tolerations = append(f.Spec.Template.Tolerations, corev1.Toleration{Key: fmt.Sprintf("example.de/taint-%d", i), Operator: corev1.TolerationOpExists})
			}
		}), "spec.template.tolerations: Too many: 21: must have at most 20 items"),
		Entry("a ServicePortal with 9 topology spread constraints", mutatePortal(func(p *ozgv1.ServicePortal) {
			for i := range 9 {
				p.Spec.TopologySpreadConstraints = append(p.Spec.TopologySpreadConstraints, corev1.TopologySpreadConstraint{
					MaxSkew: 1, TopologyKey: fmt.Sprintf("example.de/zone-%d", i), WhenUnsatisfiable: corev1.ScheduleAnyway})
			}
		}), "spec.topologySpreadConstraints: Too many: 9: must have at most 8 items"),
		// Huge values.
		Entry("a display name of 257 characters", mutateAdministration(func(a *ozgv1.Administration) { a.Spec.DisplayName = strings.Repeat("ä", 257) }),
			"spec.displayName: Too long: may not be more than 256 bytes"),
		Entry("a legal basis of 4097 characters", mutateService(func(s *ozgv1.OZGService) { s.Spec.Leistungen[0].LegalBasis = strings.Repeat("x", 4097) }),
			"spec.leistungen[0].legalBasis: Too long: may not be more than 4096 bytes"),
		// Hostile URLs never reach a page.
		Entry("a javascript: service link", mutateAdministration(func(a *ozgv1.Administration) { a.Spec.Services[0].URL = "javascript:alert(1)" }),
			"url must be an absolute http(s) URL"),
		Entry("a javascript: portal link", mutatePortal(func(p *ozgv1.ServicePortal) { p.Spec.Links[0].URL = "javascript:alert(1)" }),
			"link url must be an absolute http(s) URL"),
		Entry("a data: EfA link", mutateService(func(s *ozgv1.OZGService) { s.Spec.EfA.URL = "data:text/html,<script>alert(1)</script>" }),
			"efa.url must be an absolute http(s) URL"),
		// Markup where a name must be a DNS name or an image tag.
		Entry("markup in an object name", mutateAdministration(func(a *ozgv1.Administration) { a.Name = scriptTag }),
			`metadata.name: Invalid value: "<script>alert(1)</script>": a lowercase RFC 1123 subdomain`),
		Entry("markup in a hostname", mutatePortal(func(p *ozgv1.ServicePortal) { p.Spec.Hostname = "<b>detmold</b>.example.de" }),
			"hostname must be a lowercase RFC 1123 DNS name"),
		Entry("markup in a version", mutatePortal(func(p *ozgv1.ServicePortal) { p.Spec.Version = "1.4.0" + scriptTag }),
			"spec.version in body should match"),
		Entry("markup in an image", mutatePortal(func(p *ozgv1.ServicePortal) { p.Spec.Image = "registry.example.de/portal:1.4.0" + scriptTag }),
			"image must be a reference [registry[:port]/]repository[:tag][@sha256:digest]"),
		// Invalid hostname patterns.
		Entry("a hostname pattern with an unknown variable", mutateFleet(func(f *ozgv1.PortalFleet) {
			f.Spec.Template.HostnamePattern = "$(name).$(kreis).serviceportal.example.de"
		}), "hostnamePattern must yield a lowercase RFC 1123 DNS name"),
		Entry("a hostname pattern with upper case", mutateFleet(func(f *ozgv1.PortalFleet) {
			f.Spec.Template.HostnamePattern = "$(name).Serviceportal.example.de"
		}), "hostnamePattern must yield a lowercase RFC 1123 DNS name"),
		Entry("a hostname pattern of 254 characters", mutateFleet(func(f *ozgv1.PortalFleet) {
			f.Spec.Template.HostnamePattern = "$(name)." + strings.Repeat("a", 254-len("$(name).")-len(".de")) + ".de"
		}), "spec.template.hostnamePattern: Too long: may not be more than 253 bytes"),
	)

	DescribeTable("accepts as data",
		func(obj client.Object) { Expect(create(obj)).To(Succeed()) },
		Entry("an Administration with exactly 2000 services", mutateAdministration(func(a *ozgv1.Administration) { a.Spec.Services = nServices(2000) })),
		Entry("an OZGService with exactly 1000 LeiKa services", mutateService(func(s *ozgv1.OZGService) { s.Spec.Leistungen = nLeistungen(1000) })),
		// The portal server escapes it (internal/portal TestBadInputMarkupFromCSVIsEscaped).
		Entry("markup in an administration's display name", mutateAdministration(func(a *ozgv1.Administration) { a.Spec.DisplayName = scriptTag })),
		Entry("markup in a service name and a LeiKa name", mutateService(func(s *ozgv1.OZGService) {
			s.Spec.Name, s.Spec.Leistungen[0].Name = `"><img src=x onerror=alert(1)>`, scriptTag
		})),
		Entry("markup in a portal link's text", mutatePortal(func(p *ozgv1.ServicePortal) { p.Spec.Links[0].Name = "<b>Wirtschaft</b>" })),
		// The portal document refuses it: the portal is Stalled InvalidSpec
		// (controllers "Bad input" ... "a service URL with credentials").
		Entry("a service link with credentials", mutateAdministration(func(a *ozgv1.Administration) {
			a.Spec.Services[0].URL = "https://user:geheim@formulare.example.de/abfall"
		})),
		// Known gap, pinned here so that tightening the rule updates
		// docs/bad-input.md: no host passes CEL, rendering refuses it.
		Entry("a service link without host", mutateAdministration(func(a *ozgv1.Administration) { a.Spec.Services[0].URL = "http:///abfall" })),
		// An administration that does not exist (yet): the portal is Stalled
		// AdministrationNotFound until it appears.
		Entry("a ServicePortal naming a missing Administration", mutatePortal(func(p *ozgv1.ServicePortal) { p.Spec.AdministrationRef.Name = "gibt-es-nicht" })),
	)
})
