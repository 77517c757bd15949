package controllers

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// FuzzHostnameFor checks that a fleet never hands a portal a hostname that
// is not a valid DNS name, whatever pattern and administration it gets.
func FuzzHostnameFor(f *testing.F) {
	f.Add("$(name).serviceportal.example.de", "detmold", "05766020")
	f.Add("portal-$(key).krz.de", "kreis-lippe", "05766")
	f.Add("$(name)_x.de", "a", "1")
	f.Add("$(name).$(name).$(key)", strings.Repeat("a", 63), "12345678")
	f.Fuzz(func(t *testing.T, pattern, name, key string) {
		adm := &ozgv1.Administration{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: ozgv1.AdministrationSpec{Key: key}}
		h, err := hostnameFor(pattern, adm)
		if err != nil {
			if !strings.Contains(err.Error(), adm.Name) {
				t.Fatalf("error does not name the administration: %v", err)
			}
			return
		}
		if errs := validation.IsDNS1123Subdomain(h); len(errs) > 0 {
			t.Fatalf("hostnameFor(%q) = %q, invalid: %v", pattern, h, errs)
		}
		if strings.Contains(h, "$(") {
			t.Fatalf("unexpanded variable in %q", h)
		}
	})
}
