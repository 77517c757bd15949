package imageref

import (
	"regexp"
	"strings"
	"testing"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

var digest = "sha256:" + strings.Repeat("0123456789abcdef", 4)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		ref     string
		want    Reference
		version string
	}{
		{"portal", Reference{Repository: "portal"}, "latest"},
		{"portal:1.4.0", Reference{Repository: "portal", Tag: "1.4.0"}, "1.4.0"},
		{"ghcr.io/ozg-operator/portal:1.4.0", Reference{Repository: "ghcr.io/ozg-operator/portal", Tag: "1.4.0"}, "1.4.0"},
		{"127.0.0.1:5000/portal", Reference{Repository: "127.0.0.1:5000/portal"}, "latest"},
		{"registry.example:5000/ozg/portal:1.4.0-rc.1", Reference{Repository: "registry.example:5000/ozg/portal", Tag: "1.4.0-rc.1"}, "1.4.0-rc.1"},
		{"registry.example/portal@" + digest, Reference{Repository: "registry.example/portal", Digest: digest}, "sha256-0123456789ab"},
		{"registry.example:5000/portal@" + digest, Reference{Repository: "registry.example:5000/portal", Digest: digest}, "sha256-0123456789ab"},
		{"registry.example/portal:1.4.0@" + digest, Reference{Repository: "registry.example/portal", Tag: "1.4.0", Digest: digest}, "1.4.0"},
	} {
		got := Parse(tc.ref)
		if got != tc.want {
			t.Errorf("Parse(%q) = %+v, want %+v", tc.ref, got, tc.want)
		}
		if v := got.Version(); v != tc.version {
			t.Errorf("Parse(%q).Version() = %q, want %q", tc.ref, v, tc.version)
		}
		if !regexp.MustCompile(ozgv1.PatternImageReference).MatchString(tc.ref) {
			t.Errorf("the CRD refuses %q, which Parse reads", tc.ref)
		}
	}
}

// TestParseNeverFails: references the CRD refuses (objects stored before
// it checked) still give a version, and never a panic.
func TestParseNeverFails(t *testing.T) {
	for _, ref := range []string{"", "@", ":", "portal@sha256", "portal@sha256:", "Portal:1.0", "portal:tag:more", "portal@" + digest + "@x"} {
		_ = Parse(ref).Version()
	}
	if r := Parse("portal@sha256:abc"); r != (Reference{Repository: "portal@sha256:abc"}) {
		t.Errorf("a short digest gives %+v, want all of it as the repository", r)
	}
}

func TestPatternRefusesWhatRuntimesRefuse(t *testing.T) {
	pattern := regexp.MustCompile(ozgv1.PatternImageReference)
	for _, ref := range []string{
		"",
		"Registry.example/Portal:1.4.0",      // upper case in the repository
		"registry.example/portal:",           // empty tag
		"registry.example/portal:-1",         // tag starting with '-'
		"registry.example/portal@sha256:abc", // short digest
		"registry.example/portal@" + strings.ToUpper(digest), // upper-case digest
		"registry.example/portal@md5:" + strings.Repeat("0", 32),
		"registry.example/portal@" + digest + "x",
		"https://registry.example/portal",
		"registry.example//portal",
		"portal:1.4.0 ",
		"portal:" + strings.Repeat("1", 129),
	} {
		if pattern.MatchString(ref) {
			t.Errorf("the CRD accepts %q", ref)
		}
	}
}
