package controllers

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
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
