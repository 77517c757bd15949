package rollout

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// FuzzHostnameFor checks Hostname against properties that do not come
// from its own code: what it returns is a hostname by the apimachinery
// validator; the same input gives the same answer; two different valid
// administration names never share a hostname under a pattern with
// $(name); an error names the administration; and there is an error only
// when the pattern, expanded by hand, is no hostname.
func FuzzHostnameFor(f *testing.F) {
	f.Add("$(name).serviceportal.example.de", "detmold", "blomberg", "05766020")
	f.Add("portal-$(key).krz.de", "kreis-lippe", "kreis-herford", "05766")
	f.Add("$(name)_x.de", "a", "b", "1")
	f.Add("$(name).$(name).$(key)", strings.Repeat("a", 63), "a", "12345678")
	f.Add("$(name)-$(key).example.de", "bad-salzuflen", "badsalzuflen", "05766008")
	f.Fuzz(func(t *testing.T, pattern, name, other, key string) {
		adm := administration(name, key)
		h, err := Hostname(pattern, adm)

		h2, err2 := Hostname(pattern, administration(name, key))
		if h2 != h || errorText(err2) != errorText(err) {
			t.Fatalf("Hostname(%q, %q) gave %q, %v, then %q, %v", pattern, name, h, err, h2, err2)
		}
		if err != nil {
			if !strings.Contains(err.Error(), "Administration "+name) {
				t.Fatalf("the error does not name Administration %q: %v", name, err)
			}
		} else if errs := validation.IsDNS1123Subdomain(h); len(errs) > 0 {
			t.Fatalf("Hostname(%q, %q) = %q, not a hostname: %v", pattern, name, h, errs)
		}

		if !validName(name) || !digits(key) {
			return
		}
		// With a valid name and a numeric key, replacing the placeholders
		// one after the other expands the pattern as well.
		byHand := strings.ReplaceAll(strings.ReplaceAll(pattern, "$(name)", name), "$(key)", key)
		if valid := len(validation.IsDNS1123Subdomain(byHand)) == 0; valid != (err == nil) || valid && h != byHand {
			t.Fatalf("Hostname(%q, %q, key %q) = %q, %v; the pattern expands to %q", pattern, name, key, h, err, byHand)
		}

		if err != nil || !strings.Contains(pattern, "$(name)") {
			return
		}
		// Besides the fuzzed other name, names close to this one, which a
		// lossy expansion would most likely map together.
		for _, o := range []string{other, strings.ReplaceAll(name, "-", ""), name[:len(name)-1], name + "0"} {
			if o == name || !validName(o) {
				continue
			}
			if ho, erro := Hostname(pattern, administration(o, key)); erro == nil && ho == h {
				t.Fatalf("Administrations %q and %q both get hostname %q from %q", name, o, h, pattern)
			}
		}
	})
}

func administration(name, key string) *ozgv1.Administration {
	return &ozgv1.Administration{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: ozgv1.AdministrationSpec{Key: key}}
}

// validName is a name the API server accepts for an Administration.
func validName(name string) bool { return len(validation.IsDNS1123Subdomain(name)) == 0 }

func digits(s string) bool {
	return strings.Trim(s, "0123456789") == ""
}

func errorText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
