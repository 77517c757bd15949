package controllers

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	appsv1ac "k8s.io/client-go/applyconfigurations/apps/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	metav1ac "k8s.io/client-go/applyconfigurations/meta/v1"
	networkingv1ac "k8s.io/client-go/applyconfigurations/networking/v1"
	policyv1ac "k8s.io/client-go/applyconfigurations/policy/v1"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/imageref"
	"github.com/ozg-operator/ozg-operator/internal/portaldata"
	"github.com/ozg-operator/ozg-operator/internal/render"
)

// Defaults of the portal children, overridable by manager flags.
const (
	DefaultPortalImage   = "ghcr.io/ozg-operator/portal"
	DefaultPortalVersion = "0.1.0"

	portalPort = 8080
	// portalMetricsPort serves /metrics, /healthz and /readyz, away from
	// the Service and the Ingress.
	portalMetricsPort = 9090
	portalDataDir     = "/etc/portal"
	versionLabel      = "ozg.dev/version"
	managedBy         = "app.kubernetes.io/managed-by"

	// contentChecksum on the ConfigMap is the SHA-256 of the portal's
	// document. It is not on the pod template: the running pods reload
	// the projected ConfigMap when the kubelet swaps it, without a rollout.
	contentChecksum = "ozg.dev/content-checksum"
)

// PortalDefaults are the manager-wide settings of portal children.
type PortalDefaults struct {
	// Image is the portal image repository; a portal's version is its tag.
	Image string
	// Version is used for portals that set no version.
	Version string
	// IngressClassName of published portals; empty uses the cluster default.
	IngressClassName string
	// TLSSecretPattern names the Ingress TLS Secret; $(name) is the portal's
	// name. Empty disables TLS.
	TLSSecretPattern string
	// MonitoringNamespace names the namespace whose pods may scrape the
	// portals' metrics port; empty admits none.
	MonitoringNamespace string
}

func (d PortalDefaults) withDefaults() PortalDefaults {
	if d.Image == "" {
		d.Image = DefaultPortalImage
	}
	if d.Version == "" {
		d.Version = DefaultPortalVersion
	}
	return d
}

// version is the portal version a portal asks for: spec.version, else
// what spec.image names (imageref.Reference.Version), else the default.
func (d PortalDefaults) version(p *ozgv1.ServicePortal) string {
	if p.Spec.Version != "" {
		return p.Spec.Version
	}
	if p.Spec.Image != "" {
		return imageref.Parse(p.Spec.Image).Version()
	}
	return d.Version
}

// labelValue is v if it is a valid label value, else a valid one that
// stays distinct: v's first characters and a hash of all of v. A version
// may be neither (128 characters, a '.' at the end).
func labelValue(v string) string {
	if len(validation.IsValidLabelValue(v)) == 0 {
		return v
	}
	sum := sha256.Sum256([]byte(v))
	hash := hex.EncodeToString(sum[:])[:10]
	alnum := func(r rune) bool { return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' }
	prefix := strings.Map(func(r rune) rune {
		if alnum(r) || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '-'
	}, v)
	prefix = prefix[:min(len(prefix), validation.LabelValueMaxLength-len(hash)-1)]
	if prefix = strings.TrimFunc(prefix, func(r rune) bool { return !alnum(r) }); prefix == "" {
		return hash
	}
	return prefix + "-" + hash
}

// image is the portal image a portal runs.
func (d PortalDefaults) image(p *ozgv1.ServicePortal) string {
	if p.Spec.Image != "" {
		return p.Spec.Image
	}
	return d.Image + ":" + d.version(p)
}

// scheme is the URL scheme of a published portal.
func (d PortalDefaults) scheme() string {
	if d.TLSSecretPattern == "" {
		return "http"
	}
	return "https"
}

func replicas(p *ozgv1.ServicePortal) int32 {
	if p.Spec.Replicas == nil {
		return ozgv1.DefaultReplicas
	}
	return *p.Spec.Replicas
}

// portalLabels are set on every child; selectorLabels pick the portal's pods.
func portalLabels(p *ozgv1.ServicePortal) map[string]string {
	l := selectorLabels(p)
	l[managedBy] = FieldOwner
	l[ozgv1.LabelAdministration] = p.Spec.AdministrationRef.Name
	return l
}

// The labels that select a portal's pods: every portal pod has
// labelName portalAppName, and labelInstance names its portal.
const (
	labelName     = "app.kubernetes.io/name"
	labelInstance = "app.kubernetes.io/instance"
	portalAppName = "ozg-portal"
)

func selectorLabels(p *ozgv1.ServicePortal) map[string]string {
	return map[string]string{labelName: portalAppName, labelInstance: p.Name}
}

func ownerReference(p *ozgv1.ServicePortal) *metav1ac.OwnerReferenceApplyConfiguration {
	return metav1ac.OwnerReference().
		WithAPIVersion(ozgv1.GroupVersion.String()).
		WithKind("ServicePortal").
		WithName(p.Name).
		WithUID(p.UID).
		WithController(true).
		WithBlockOwnerDeletion(true)
}

func desiredConfigMap(p *ozgv1.ServicePortal, rendered *render.Result) *corev1ac.ConfigMapApplyConfiguration {
	return corev1ac.ConfigMap(p.Name, p.Namespace).
		WithLabels(portalLabels(p)).
		WithAnnotations(map[string]string{contentChecksum: rendered.Checksum}).
		WithOwnerReferences(ownerReference(p)).
		WithData(map[string]string{portaldata.ConfigMapKey: string(rendered.JSON)})
}

func desiredDeployment(p *ozgv1.ServicePortal, d PortalDefaults) *appsv1ac.DeploymentApplyConfiguration {
	podLabels := selectorLabels(p)
	podLabels[versionLabel] = labelValue(d.version(p))

	container := corev1ac.Container().
		WithName("portal").
		WithImage(d.image(p)).
		// Metrics and health get their own port so that the Ingress never
		// exposes them; the NetworkPolicy admits it from the monitoring
		// namespace only (the kubelet's probes pass NetworkPolicies).
		WithArgs("--data="+portalDataDir+"/"+portaldata.ConfigMapKey, "--listen=:8080", fmt.Sprintf("--metrics-listen=:%d", portalMetricsPort)).
		WithPorts(
			corev1ac.ContainerPort().WithName("http").WithContainerPort(portalPort).WithProtocol(corev1.ProtocolTCP),
			corev1ac.ContainerPort().WithName("metrics").WithContainerPort(portalMetricsPort).WithProtocol(corev1.ProtocolTCP),
		).
		WithReadinessProbe(httpProbe("/readyz", 5)).
		WithLivenessProbe(httpProbe("/healthz", 20)).
		WithResources(resources(p)).
		WithSecurityContext(corev1ac.SecurityContext().
			WithAllowPrivilegeEscalation(false).
			WithReadOnlyRootFilesystem(true).
			WithRunAsNonRoot(true).
			WithCapabilities(corev1ac.Capabilities().WithDrop("ALL")).
			WithSeccompProfile(corev1ac.SeccompProfile().WithType(corev1.SeccompProfileTypeRuntimeDefault))).
		WithVolumeMounts(
			corev1ac.VolumeMount().WithName("content").WithMountPath(portalDataDir).WithReadOnly(true),
			corev1ac.VolumeMount().WithName("tmp").WithMountPath("/tmp"),
		)
	// The OIDC client secret and the payment credentials are not passed
	// to the pod: the portal server publishes the login's public
	// configuration and links the payment provider, and reads no secret.
	// A secret a process does not read is one that only leaks.

	return appsv1ac.Deployment(p.Name, p.Namespace).
		WithLabels(portalLabels(p)).
		WithOwnerReferences(ownerReference(p)).
		WithSpec(appsv1ac.DeploymentSpec().
			WithReplicas(replicas(p)).
			WithSelector(metav1ac.LabelSelector().WithMatchLabels(selectorLabels(p))).
			WithTemplate(corev1ac.PodTemplateSpec().
				WithLabels(podLabels).
				WithSpec(withPlacement(p, corev1ac.PodSpec().
					// Portal pods never talk to the API server.
					WithAutomountServiceAccountToken(false).
					// The server fails readiness first, then drains (5 s + 20 s).
					WithTerminationGracePeriodSeconds(30).
					WithEnableServiceLinks(false).
					WithSecurityContext(corev1ac.PodSecurityContext().
						WithRunAsNonRoot(true).
						WithRunAsUser(65532).
						WithRunAsGroup(65532).
						WithFSGroup(65532).
						WithSeccompProfile(corev1ac.SeccompProfile().WithType(corev1.SeccompProfileTypeRuntimeDefault))).
					WithContainers(container).
					WithVolumes(
						// One directory, so that the kubelet swaps the portal's
						// content and the namespace's shared catalogue together.
						corev1ac.Volume().WithName("content").WithProjected(corev1ac.ProjectedVolumeSource().WithSources(
							corev1ac.VolumeProjection().WithConfigMap(corev1ac.ConfigMapProjection().WithName(p.Name)),
							corev1ac.VolumeProjection().WithConfigMap(corev1ac.ConfigMapProjection().WithName(CatalogConfigMapName)),
						)),
						corev1ac.Volume().WithName("tmp").WithEmptyDir(corev1ac.EmptyDirVolumeSource().WithSizeLimit(resource.MustParse("16Mi"))),
					)))))
}

// withPlacement adds the portal's pull secrets and placement to its pod
// spec. A topology spread constraint without labelSelector spreads the
// portal's own pods, as one expects of a Deployment's constraints.
func withPlacement(p *ozgv1.ServicePortal, spec *corev1ac.PodSpecApplyConfiguration) *corev1ac.PodSpecApplyConfiguration {
	s := &p.Spec.PortalSettings
	for _, ref := range s.ImagePullSecrets {
		spec.WithImagePullSecrets(corev1ac.LocalObjectReference().WithName(ref.Name))
	}
	if len(s.NodeSelector) > 0 {
		spec.WithNodeSelector(s.NodeSelector)
	}
	for i := range s.Tolerations {
		spec.WithTolerations(applyConfiguration[corev1ac.TolerationApplyConfiguration](&s.Tolerations[i]))
	}
	for _, c := range s.TopologySpreadConstraints {
		if c.LabelSelector == nil {
			c.LabelSelector = &metav1.LabelSelector{MatchLabels: selectorLabels(p)}
		}
		spec.WithTopologySpreadConstraints(applyConfiguration[corev1ac.TopologySpreadConstraintApplyConfiguration](&c))
	}
	if s.PriorityClassName != "" {
		spec.WithPriorityClassName(s.PriorityClassName)
	}
	return spec
}

// applyConfiguration converts an API value into its apply configuration
// A, which has the same JSON form.
func applyConfiguration[A any](v any) *A {
	a := new(A)
	data, _ := json.Marshal(v)  // plain data, cannot fail
	_ = json.Unmarshal(data, a) // the same schema, cannot fail
	return a
}

func httpProbe(path string, period int32) *corev1ac.ProbeApplyConfiguration {
	return corev1ac.Probe().
		WithHTTPGet(corev1ac.HTTPGetAction().WithPath(path).WithPort(intstr.FromString("metrics")).WithScheme(corev1.URISchemeHTTP)).
		WithPeriodSeconds(period)
}

// resources are the portal's own or a small default. A loaded portal
// holds 43-53 MiB (README), above the default request of 32Mi; raising it
// here would restart every portal at once when the operator is upgraded
// (make upgrade-check refuses that), so providers set resources in the
// fleet's template, which rolls out in waves.
func resources(p *ozgv1.ServicePortal) *corev1ac.ResourceRequirementsApplyConfiguration {
	r := corev1ac.ResourceRequirements()
	if p.Spec.Resources != nil {
		if len(p.Spec.Resources.Requests) > 0 {
			r.WithRequests(p.Spec.Resources.Requests)
		}
		if len(p.Spec.Resources.Limits) > 0 {
			r.WithLimits(p.Spec.Resources.Limits)
		}
		return r
	}
	return r.
		WithRequests(corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("50m"), corev1.ResourceMemory: resource.MustParse("32Mi")}).
		WithLimits(corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("128Mi")})
}

func desiredService(p *ozgv1.ServicePortal) *corev1ac.ServiceApplyConfiguration {
	return corev1ac.Service(p.Name, p.Namespace).
		WithLabels(portalLabels(p)).
		WithOwnerReferences(ownerReference(p)).
		WithSpec(corev1ac.ServiceSpec().
			WithType(corev1.ServiceTypeClusterIP).
			WithSelector(selectorLabels(p)).
			WithPorts(corev1ac.ServicePort().WithName("http").WithPort(80).WithTargetPort(intstr.FromString("http")).WithProtocol(corev1.ProtocolTCP)))
}

// desiredNetworkPolicy admits traffic to the portal's port, and to its
// metrics port from the monitoring namespace only; the portal needs no
// egress to the cluster.
func desiredNetworkPolicy(p *ozgv1.ServicePortal, d PortalDefaults) *networkingv1ac.NetworkPolicyApplyConfiguration {
	rules := []*networkingv1ac.NetworkPolicyIngressRuleApplyConfiguration{networkingv1ac.NetworkPolicyIngressRule().
		WithPorts(networkingv1ac.NetworkPolicyPort().WithProtocol(corev1.ProtocolTCP).WithPort(intstr.FromInt32(portalPort)))}
	if d.MonitoringNamespace != "" {
		rules = append(rules, networkingv1ac.NetworkPolicyIngressRule().
			WithFrom(networkingv1ac.NetworkPolicyPeer().WithNamespaceSelector(metav1ac.LabelSelector().
				WithMatchLabels(map[string]string{corev1.LabelMetadataName: d.MonitoringNamespace}))).
			WithPorts(networkingv1ac.NetworkPolicyPort().WithProtocol(corev1.ProtocolTCP).WithPort(intstr.FromInt32(portalMetricsPort))))
	}
	return networkingv1ac.NetworkPolicy(p.Name, p.Namespace).
		WithLabels(portalLabels(p)).
		WithOwnerReferences(ownerReference(p)).
		WithSpec(networkingv1ac.NetworkPolicySpec().
			WithPodSelector(metav1ac.LabelSelector().WithMatchLabels(selectorLabels(p))).
			WithPolicyTypes(networkingv1.PolicyTypeIngress).
			WithIngress(rules...))
}

func desiredIngress(p *ozgv1.ServicePortal, d PortalDefaults) *networkingv1ac.IngressApplyConfiguration {
	spec := networkingv1ac.IngressSpec().
		WithRules(networkingv1ac.IngressRule().
			WithHost(p.Spec.Hostname).
			WithHTTP(networkingv1ac.HTTPIngressRuleValue().WithPaths(networkingv1ac.HTTPIngressPath().
				WithPath("/").
				WithPathType(networkingv1.PathTypePrefix).
				WithBackend(networkingv1ac.IngressBackend().WithService(networkingv1ac.IngressServiceBackend().
					WithName(p.Name).
					WithPort(networkingv1ac.ServiceBackendPort().WithName("http")))))))
	if d.IngressClassName != "" {
		spec.WithIngressClassName(d.IngressClassName)
	}
	if d.TLSSecretPattern != "" {
		spec.WithTLS(networkingv1ac.IngressTLS().
			WithHosts(p.Spec.Hostname).
			WithSecretName(strings.ReplaceAll(d.TLSSecretPattern, "$(name)", p.Name)))
	}
	return networkingv1ac.Ingress(p.Name, p.Namespace).
		WithLabels(portalLabels(p)).
		WithOwnerReferences(ownerReference(p)).
		WithSpec(spec)
}

func desiredPodDisruptionBudget(p *ozgv1.ServicePortal) *policyv1ac.PodDisruptionBudgetApplyConfiguration {
	return policyv1ac.PodDisruptionBudget(p.Name, p.Namespace).
		WithLabels(portalLabels(p)).
		WithOwnerReferences(ownerReference(p)).
		WithSpec(policyv1ac.PodDisruptionBudgetSpec().
			WithMaxUnavailable(intstr.FromInt32(1)).
			// A pod that is not ready serves nobody: evicting it must not
			// wait for the budget, or a portal whose pods all fail blocks
			// every drain of their nodes.
			WithUnhealthyPodEvictionPolicy(policyv1.AlwaysAllow).
			WithSelector(metav1ac.LabelSelector().WithMatchLabels(selectorLabels(p))))
}
