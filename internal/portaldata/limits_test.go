package portaldata

import (
	"slices"
	"testing"

	"github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// TestLimitsMatchTheAPI ties the copies in validate.go to the API's
// constants, which api/v1alpha1/limits_test.go ties to the CRDs. Only the
// test imports the API package; the portal server does not link it.
func TestLimitsMatchTheAPI(t *testing.T) {
	for _, tc := range []struct {
		name      string
		got, want any
	}{
		{"MaxServices", MaxServices, v1alpha1.MaxAdministrationServices},
		{"maxObjectNameLength", maxObjectNameLength, v1alpha1.MaxParentLength},
		{"maxDisplayNameLength", maxDisplayNameLength, v1alpha1.MaxDisplayNameLength},
		{"maxServiceNameLength", maxServiceNameLength, v1alpha1.MaxServiceNameLength},
		{"maxThemenfeldLength", maxThemenfeldLength, v1alpha1.MaxThemenfeldLength},
		{"maxLebenslageLength", maxLebenslageLength, v1alpha1.MaxLebenslageLength},
		{"maxToolLength", maxToolLength, v1alpha1.MaxToolLength},
		{"maxEfAProviderLength", maxEfAProviderLength, v1alpha1.MaxEfAProviderLength},
		{"maxLeistungen", maxLeistungen, v1alpha1.MaxLeistungen},
		{"maxLeistungNameLength", maxLeistungNameLength, v1alpha1.MaxLeistungNameLength},
		{"maxLinks", maxLinks, v1alpha1.MaxLinks},
		{"maxLinkNameLength", maxLinkNameLength, v1alpha1.MaxLinkNameLength},
		{"maxClientIDLength", maxClientIDLength, v1alpha1.MaxClientIDLength},
		{"maxPaymentProviderLength", maxPaymentProviderLength, v1alpha1.MaxPaymentProviderLength},
		{"maxURLLength", maxURLLength, v1alpha1.MaxURLLength},
		{"minMaturity", minMaturity, v1alpha1.MinMaturity},
		{"maxMaturity", maxMaturity, v1alpha1.MaxMaturity},
		{"patternOZGID", patternOZGID, v1alpha1.PatternOZGID},
		{"patternLeiKaKey", patternLeiKaKey, v1alpha1.PatternLeiKaKey},
		{"patternAdministrationKey", patternAdministrationKey, v1alpha1.PatternAdministrationKey},
		{"patternTypisierung", patternTypisierung, v1alpha1.PatternTypisierung},
		{"patternARS", patternARS, v1alpha1.PatternARS},
		{"patternPostalCode", patternPostalCode, v1alpha1.PatternPostalCode},
		{"maxAddressLineLength", maxAddressLineLength, v1alpha1.MaxAddressLineLength},
		{"maxCityLength", maxCityLength, v1alpha1.MaxCityLength},
	} {
		if tc.got != tc.want {
			t.Errorf("%s is %v (%T), the API's is %v (%T)", tc.name, tc.got, tc.got, tc.want, tc.want)
		}
	}

	providers := []string{string(v1alpha1.ProviderServicekonto), string(v1alpha1.ProviderBundID), string(v1alpha1.ProviderOIDC)}
	if !slices.Equal(authProviders, providers) {
		t.Errorf("authProviders are %v, the API's are %v", authProviders, providers)
	}
	var levels []string
	for _, l := range Levels {
		levels = append(levels, string(l))
	}
	api := []string{string(v1alpha1.LevelBund), string(v1alpha1.LevelLand), string(v1alpha1.LevelKreis), string(v1alpha1.LevelGemeinde),
		string(v1alpha1.LevelKammer), string(v1alpha1.LevelSozialversicherung), string(v1alpha1.LevelUnknown)}
	if !slices.Equal(levels, api) {
		t.Errorf("Levels are %v, the API's are %v", levels, api)
	}
	var trust []string
	for _, l := range TrustLevels {
		trust = append(trust, string(l))
	}
	if api := []string{string(v1alpha1.TrustLevelLow), string(v1alpha1.TrustLevelSubstantial), string(v1alpha1.TrustLevelHigh)}; !slices.Equal(trust, api) {
		t.Errorf("TrustLevels are %v, the API's are %v", trust, api)
	}
	var states []string
	for _, s := range States {
		states = append(states, string(s))
	}
	if api := []string{string(v1alpha1.StateLive), string(v1alpha1.StateInProgress), string(v1alpha1.StateOpen)}; !slices.Equal(states, api) {
		t.Errorf("States are %v, the API's are %v", states, api)
	}
}
