package portal

import (
	"testing"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/portaldata"
)

func TestLoginLabelNamesTheAPIProviders(t *testing.T) {
	for provider, want := range map[ozgv1.AuthenticationProvider]string{
		ozgv1.ProviderBundID:       "der BundID",
		ozgv1.ProviderServicekonto: "Ihrem Servicekonto",
		ozgv1.ProviderOIDC:         "Ihrem Nutzerkonto",
	} {
		l := layout{Authentication: &portaldata.Authentication{Provider: string(provider)}}
		if got := l.LoginLabel(); got != want {
			t.Errorf("LoginLabel for %s = %q, want %q", provider, got, want)
		}
	}
	if got := (layout{}).LoginLabel(); got != "" {
		t.Errorf("LoginLabel without authentication = %q, want none", got)
	}
}
