package controllers

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func TestPortalVersion(t *testing.T) {
	digest := "sha256:" + strings.Repeat("0123456789abcdef", 4)
	d := PortalDefaults{Image: "registry.example.de/portal", Version: "1.4.0"}
	for _, tc := range []struct {
		settings       ozgv1.PortalSettings
		version, image string
	}{
		{ozgv1.PortalSettings{}, "1.4.0", "registry.example.de/portal:1.4.0"},
		{ozgv1.PortalSettings{Version: "1.5.0"}, "1.5.0", "registry.example.de/portal:1.5.0"},
		{ozgv1.PortalSettings{Image: "host:5000/x/portal:2.0"}, "2.0", "host:5000/x/portal:2.0"},
		{ozgv1.PortalSettings{Image: "host:5000/x/portal"}, "latest", "host:5000/x/portal"},
		{ozgv1.PortalSettings{Image: "registry.example/portal@" + digest}, "sha256-0123456789ab", "registry.example/portal@" + digest},
		{ozgv1.PortalSettings{Image: "registry.example/portal:2.0@" + digest}, "2.0", "registry.example/portal:2.0@" + digest},
		// A version names what a custom image is.
		{ozgv1.PortalSettings{Image: "registry.example/portal@" + digest, Version: "2.0"}, "2.0", "registry.example/portal@" + digest},
	} {
		p := &ozgv1.ServicePortal{Spec: ozgv1.ServicePortalSpec{PortalSettings: tc.settings}}
		if v := d.version(p); v != tc.version {
			t.Errorf("%+v: version %q, want %q", tc.settings, v, tc.version)
		}
		if i := d.image(p); i != tc.image {
			t.Errorf("%+v: image %q, want %q", tc.settings, i, tc.image)
		}
	}
}

func TestLabelValue(t *testing.T) {
	long := strings.Repeat("1.4.0-rc", 16) // 128 characters, as spec.version allows
	seen := map[string]string{}
	for _, v := range []string{"1.4.0", "sha256-0123456789ab", long, long[:127] + "x", "_1.4", "1.4.", strings.Repeat("a", 64), "ü-1", ""} {
		got := labelValue(v)
		if errs := validation.IsValidLabelValue(got); len(errs) > 0 {
			t.Errorf("labelValue(%q) = %q: %v", v, got, errs)
		}
		if got != labelValue(v) {
			t.Errorf("labelValue(%q) is not stable", v)
		}
		if other, ok := seen[got]; ok {
			t.Errorf("labelValue(%q) = labelValue(%q) = %q", v, other, got)
		}
		seen[got] = v
	}
	if got := labelValue("1.4.0"); got != "1.4.0" {
		t.Errorf("a valid label value became %q", got)
	}
	if got := labelValue(long); !strings.HasPrefix(got, "1.4.0-rc1.4.0-rc") {
		t.Errorf("a long version lost its beginning: %q", got)
	}
}

// TestNetworkPolicyAdmitsMonitoring: the portal's port is open to all, the
// metrics port (health and metrics) only to the monitoring namespace, and
// to nobody without one.
func TestNetworkPolicyAdmitsMonitoring(t *testing.T) {
	p := &ozgv1.ServicePortal{ObjectMeta: metav1.ObjectMeta{Name: "detmold", Namespace: "krz"}}
	closed := desiredNetworkPolicy(p, PortalDefaults{})
	if n := len(closed.Spec.Ingress); n != 1 || *closed.Spec.Ingress[0].Ports[0].Port != intstr.FromInt32(portalPort) {
		t.Errorf("without a monitoring namespace: %d rules, want the portal's port alone", n)
	}
	open := desiredNetworkPolicy(p, PortalDefaults{MonitoringNamespace: "monitoring"})
	if n := len(open.Spec.Ingress); n != 2 {
		t.Fatalf("with a monitoring namespace: %d rules, want 2", n)
	}
	r := open.Spec.Ingress[1]
	if *r.Ports[0].Port != intstr.FromInt32(portalMetricsPort) || len(r.From) != 1 ||
		r.From[0].NamespaceSelector.MatchLabels[corev1.LabelMetadataName] != "monitoring" {
		t.Errorf("the metrics rule: %+v", r)
	}
}
