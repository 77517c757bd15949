package v1alpha1_test

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// The constants of limits.go against the generated CRDs: a marker changed
// without its constant (or the other way round) fails here, without an API
// server. A field is written kind:path, with [] for the items of a list.

// limit ties a constant to the fields whose schema it must match.
type limit struct {
	constant string
	value    any
	fields   []string
}

// defaults are the +kubebuilder:default markers.
var defaults = []limit{
	{"DefaultReplicas", ozgv1.DefaultReplicas, []string{"ServicePortal:spec.replicas", "PortalFleet:spec.template.replicas"}},
	{"DefaultAuthenticationProvider", ozgv1.DefaultAuthenticationProvider, []string{"ServicePortal:spec.authentication.provider", "PortalFleet:spec.template.authentication.provider"}},
	{"DefaultProgressDeadlineSeconds", ozgv1.DefaultProgressDeadlineSeconds, []string{"PortalFleet:spec.rollout.progressDeadlineSeconds"}},
	{"DefaultMaxUnavailable", ozgv1.DefaultMaxUnavailable, []string{"PortalFleet:spec.rollout.waves[].maxUnavailable"}},
	{"DefaultRemovalPolicy", ozgv1.DefaultRemovalPolicy, []string{"PortalFleet:spec.removalPolicy"}},
	{"DefaultServiceState", ozgv1.DefaultServiceState, []string{"Administration:spec.services[].state"}},
}

// zeroDefaults are defaults that equal Go's zero value, which code gets
// without a constant.
var zeroDefaults = []string{
	"ServicePortal:spec.publish",
	// The Pod API's LocalObjectReference defaults its name to "".
	"ServicePortal:spec.imagePullSecrets[].name", "PortalFleet:spec.template.imagePullSecrets[].name",
}

var maxItems = []limit{
	{"MaxAdministrationServices", ozgv1.MaxAdministrationServices, []string{"Administration:spec.services"}},
	{"MaxLeistungen", ozgv1.MaxLeistungen, []string{"OZGService:spec.leistungen"}},
	{"MaxTypisierungen", ozgv1.MaxTypisierungen, []string{"OZGService:spec.leistungen[].typisierung"}},
	{"MaxLinks", ozgv1.MaxLinks, []string{"ServicePortal:spec.links", "PortalFleet:spec.template.links"}},
	{"MaxProfileServices", ozgv1.MaxProfileServices, []string{"ResponsibilityProfile:spec.services"}},
	{"MaxProfileLeistungen", ozgv1.MaxProfileLeistungen, []string{"ResponsibilityProfile:spec.services[].leistungen"}},
	{"MaxProfileUnknownEntries", ozgv1.MaxProfileUnknownEntries, []string{"ResponsibilityProfile:status.unknownEntries"}},
	{"MaxOverrides", ozgv1.MaxOverrides, []string{"Administration:spec.responsibility.overrides"}},
	{"MaxServiceTools", ozgv1.MaxServiceTools, []string{"OZGService:status.tools"}},
}

var maxLengths = []limit{
	{"MaxServiceNameLength", ozgv1.MaxServiceNameLength, []string{"OZGService:spec.name"}},
	{"MaxThemenfeldLength", ozgv1.MaxThemenfeldLength, []string{"OZGService:spec.themenfeld"}},
	{"MaxLebenslageLength", ozgv1.MaxLebenslageLength, []string{"OZGService:spec.lebenslage"}},
	{"MaxLeistungNameLength", ozgv1.MaxLeistungNameLength, []string{"OZGService:spec.leistungen[].name"}},
	{"MaxLegalBasisLength", ozgv1.MaxLegalBasisLength, []string{"OZGService:spec.leistungen[].legalBasis"}},
	{"MaxEfAProviderLength", ozgv1.MaxEfAProviderLength, []string{"OZGService:spec.efa.provider"}},
	{"MaxDisplayNameLength", ozgv1.MaxDisplayNameLength, []string{"Administration:spec.displayName"}},
	{"MaxParentLength", ozgv1.MaxParentLength, []string{"Administration:spec.parent"}},
	{"MaxRegionLength", ozgv1.MaxRegionLength, []string{"Administration:spec.region"}},
	{"MaxITProviderLength", ozgv1.MaxITProviderLength, []string{"Administration:spec.itProvider"}},
	{"MaxAddressLineLength", ozgv1.MaxAddressLineLength, []string{"Administration:spec.address.recipient", "Administration:spec.address.street"}},
	{"MaxCityLength", ozgv1.MaxCityLength, []string{"Administration:spec.address.city"}},
	{"MaxToolLength", ozgv1.MaxToolLength, []string{"Administration:spec.services[].tool"}},
	{"MaxLinkNameLength", ozgv1.MaxLinkNameLength, []string{"ServicePortal:spec.links[].name", "PortalFleet:spec.template.links[].name"}},
	{"MaxClientIDLength", ozgv1.MaxClientIDLength, []string{"ServicePortal:spec.authentication.clientID", "PortalFleet:spec.template.authentication.clientID"}},
	{"MaxPaymentProviderLength", ozgv1.MaxPaymentProviderLength, []string{"ServicePortal:spec.payment.provider", "PortalFleet:spec.template.payment.provider"}},
	{"MaxPlacementTextLength", ozgv1.MaxPlacementTextLength, []string{
		"ResponsibilityProfile:spec.services[].legalBasis", "ResponsibilityProfile:spec.services[].note",
		"ResponsibilityProfile:spec.services[].leistungen[].legalBasis", "ResponsibilityProfile:spec.services[].leistungen[].note",
		"Administration:spec.responsibility.overrides[].reason",
	}},
	{"MaxLandLength", ozgv1.MaxLandLength, []string{"ResponsibilityProfile:spec.land"}},
	{"MaxURLLength", ozgv1.MaxURLLength, []string{
		"OZGService:spec.efa.url", "Administration:spec.services[].url",
		"ServicePortal:spec.links[].url", "ServicePortal:spec.authentication.issuerURL",
		"PortalFleet:spec.template.links[].url", "PortalFleet:spec.template.authentication.issuerURL",
	}},
}

// patterns are matched against the field's pattern or, quoted, against
// its CEL rules (x-kubernetes-validations).
var patterns = []struct{ constant, pattern, field string }{
	{"PatternOZGID", ozgv1.PatternOZGID, "OZGService:spec.ozgId"},
	{"PatternLeiKaKey", ozgv1.PatternLeiKaKey, "OZGService:spec.leistungen[].key"},
	{"PatternTypisierung", ozgv1.PatternTypisierung, "OZGService:spec.leistungen[].typisierung[]"},
	{"PatternAdministrationKey", ozgv1.PatternAdministrationKey, "Administration:spec.key"},
	{"PatternKreisKey", ozgv1.PatternKreisKey, "Administration:spec"},
	{"PatternAGS", ozgv1.PatternAGS, "Administration:spec"},
	{"PatternARS", ozgv1.PatternARS, "Administration:spec.ars"},
	{"PatternPostalCode", ozgv1.PatternPostalCode, "Administration:spec.address.postalCode"},
	{"PatternAuthority", ozgv1.PatternAuthority, "Administration:spec.responsibility.authorities[]"},
	{"PatternAuthority", ozgv1.PatternAuthority, "ResponsibilityProfile:spec.services[].authority"},
	{"PatternAuthority", ozgv1.PatternAuthority, "ResponsibilityProfile:spec.services[].leistungen[].authority"},
	{"PatternImageReference", ozgv1.PatternImageReference, "ServicePortal:spec.image"},
	{"PatternImageReference", ozgv1.PatternImageReference, "PortalFleet:spec.template.image"},
}

// rules are CEL rules that constants spell out.
var rules = []struct {
	constants   []string
	field, rule string
}{
	{[]string{"MinMaturity", "MaxMaturity"}, "Administration:spec.services[].maturity", fmt.Sprintf("self >= %d && self <= %d", ozgv1.MinMaturity, ozgv1.MaxMaturity)},
}

func TestDefaultsMatchTheCRDs(t *testing.T) {
	crds := loadCRDs(t)
	for _, l := range defaults {
		want, err := json.Marshal(l.value)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range l.fields {
			s := crds.field(t, f)
			if s.Default == nil || string(s.Default.Raw) != string(want) {
				t.Errorf("%s = %s, but %s has default %s", l.constant, want, f, raw(s.Default))
			}
		}
	}

	// A default marker added without a constant is one that code may
	// copy as a literal again.
	known := slices.Clone(zeroDefaults)
	for _, l := range defaults {
		known = append(known, l.fields...)
	}
	for _, f := range crds.defaulted() {
		if !slices.Contains(known, f) {
			t.Errorf("%s has a default the test does not know: add a constant to limits.go and a line here", f)
		}
	}
}

func TestSizesMatchTheCRDs(t *testing.T) {
	crds := loadCRDs(t)
	for _, tc := range []struct {
		marker string
		limits []limit
		of     func(*apiextensionsv1.JSONSchemaProps) *int64
	}{
		{"maxItems", maxItems, func(s *apiextensionsv1.JSONSchemaProps) *int64 { return s.MaxItems }},
		{"maxLength", maxLengths, func(s *apiextensionsv1.JSONSchemaProps) *int64 { return s.MaxLength }},
	} {
		for _, l := range tc.limits {
			for _, f := range l.fields {
				if got := tc.of(crds.field(t, f)); got == nil || *got != int64(l.value.(int)) {
					t.Errorf("%s = %d, but %s has %s %s", l.constant, l.value, f, tc.marker, optional(got))
				}
			}
		}
	}
}

func TestPatternsMatchTheCRDs(t *testing.T) {
	crds := loadCRDs(t)
	for _, p := range patterns {
		s := crds.field(t, p.field)
		if s.Pattern != p.pattern && !slices.ContainsFunc(celRules(s), func(r string) bool { return strings.Contains(r, "matches('"+p.pattern+"')") }) {
			t.Errorf("%s = %s, but %s has neither that pattern nor a rule matching it (pattern %q, rules %q)", p.constant, p.pattern, p.field, s.Pattern, celRules(s))
		}
	}

}

func TestRulesMatchTheCRDs(t *testing.T) {
	crds := loadCRDs(t)
	for _, r := range rules {
		s := crds.field(t, r.field)
		if !slices.Contains(celRules(s), r.rule) {
			t.Errorf("%v give the rule %q, but %s has the rules %q", r.constants, r.rule, r.field, celRules(s))
		}
	}
}

// TestEnumsMatchTheConstants: code names enum values by the constants of
// the types files, so each enum must have exactly those.
func TestEnumsMatchTheConstants(t *testing.T) {
	crds := loadCRDs(t)
	for _, tc := range []struct {
		field string
		want  []string
	}{
		{"Administration:spec.type", []string{string(ozgv1.TypeKreis), string(ozgv1.TypeKreisfreieStadt), string(ozgv1.TypeKreisangehoerigeStadt), string(ozgv1.TypeKreisangehoerigeGemeinde)}},
		{"Administration:spec.services[].state", []string{string(ozgv1.StateOpen), string(ozgv1.StateInProgress), string(ozgv1.StateLive)}},
		{"ServicePortal:spec.authentication.provider", []string{string(ozgv1.ProviderServicekonto), string(ozgv1.ProviderBundID), string(ozgv1.ProviderOIDC)}},
		{"PortalFleet:spec.template.authentication.provider", []string{string(ozgv1.ProviderServicekonto), string(ozgv1.ProviderBundID), string(ozgv1.ProviderOIDC)}},
		{"PortalFleet:spec.removalPolicy", []string{string(ozgv1.RemovalPolicyDelete), string(ozgv1.RemovalPolicyOrphan)}},
	} {
		var got []string
		for _, v := range crds.field(t, tc.field).Enum {
			var s string
			if err := json.Unmarshal(v.Raw, &s); err != nil {
				t.Fatalf("%s: enum value %s: %v", tc.field, v.Raw, err)
			}
			got = append(got, s)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s has the enum %v, the constants are %v", tc.field, got, tc.want)
		}
	}
}

// TestEveryLimitIsTied: a constant added to limits.go without a line in
// the tables above would be tied to nothing.
func TestEveryLimitIsTied(t *testing.T) {
	file, err := parser.ParseFile(token.NewFileSet(), "limits.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	tied := map[string]bool{}
	for _, table := range [][]limit{defaults, maxItems, maxLengths} {
		for _, l := range table {
			tied[l.constant] = true
		}
	}
	for _, p := range patterns {
		tied[p.constant] = true
	}
	for _, r := range rules {
		for _, c := range r.constants {
			tied[c] = true
		}
	}
	for _, decl := range file.Decls {
		gen, ok := decl.(*ast.GenDecl)
		if !ok || gen.Tok != token.CONST {
			continue
		}
		for _, spec := range gen.Specs {
			for _, name := range spec.(*ast.ValueSpec).Names {
				if !tied[name.Name] {
					t.Errorf("limits.go declares %s, which no table of limits_test.go ties to a CRD", name.Name)
				}
			}
		}
	}
}

// crdSet holds the generated CRDs by kind.
type crdSet map[string]*apiextensionsv1.CustomResourceDefinition

func loadCRDs(t *testing.T) crdSet {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "config", "crd", "bases", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no CRDs in config/crd/bases (%v)", err)
	}
	out := crdSet{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		crd := &apiextensionsv1.CustomResourceDefinition{}
		if err := yaml.UnmarshalStrict(data, crd); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[crd.Spec.Names.Kind] = crd
	}
	return out
}

// schema returns the v1alpha1 schema of kind.
func (c crdSet) schema(t *testing.T, kind string) *apiextensionsv1.JSONSchemaProps {
	t.Helper()
	crd, ok := c[kind]
	if !ok {
		t.Fatalf("no CRD of kind %s", kind)
	}
	for _, v := range crd.Spec.Versions {
		if v.Name == ozgv1.GroupVersion.Version && v.Schema != nil && v.Schema.OpenAPIV3Schema != nil {
			return v.Schema.OpenAPIV3Schema
		}
	}
	t.Fatalf("CRD %s has no %s schema", kind, ozgv1.GroupVersion.Version)
	return nil
}

// field returns the schema of a field written kind:path.
func (c crdSet) field(t *testing.T, field string) *apiextensionsv1.JSONSchemaProps {
	t.Helper()
	kind, path, _ := strings.Cut(field, ":")
	s := c.schema(t, kind)
	for _, name := range strings.Split(path, ".") {
		name, items := strings.CutSuffix(name, "[]")
		p, ok := s.Properties[name]
		if !ok {
			t.Fatalf("%s: no property %q", field, name)
		}
		s = &p
		if items {
			if s.Items == nil || s.Items.Schema == nil {
				t.Fatalf("%s: %q is not a list", field, name)
			}
			s = s.Items.Schema
		}
	}
	return s
}

// defaulted lists every field of every CRD that has a default, as kind:path.
func (c crdSet) defaulted() []string {
	var out []string
	var walk func(prefix string, s *apiextensionsv1.JSONSchemaProps)
	walk = func(prefix string, s *apiextensionsv1.JSONSchemaProps) {
		if s.Default != nil {
			out = append(out, prefix)
		}
		sep := "."
		if strings.HasSuffix(prefix, ":") {
			sep = ""
		}
		for name, p := range s.Properties {
			walk(prefix+sep+name, &p)
		}
		if s.Items != nil && s.Items.Schema != nil {
			walk(prefix+"[]", s.Items.Schema)
		}
		if s.AdditionalProperties != nil && s.AdditionalProperties.Schema != nil {
			walk(prefix+"{}", s.AdditionalProperties.Schema)
		}
	}
	for kind, crd := range c {
		for _, v := range crd.Spec.Versions {
			if v.Schema != nil && v.Schema.OpenAPIV3Schema != nil {
				walk(kind+":", v.Schema.OpenAPIV3Schema)
			}
		}
	}
	slices.Sort(out)
	return out
}

func celRules(s *apiextensionsv1.JSONSchemaProps) []string {
	var out []string
	for _, v := range s.XValidations {
		out = append(out, v.Rule)
	}
	return out
}

func raw(j *apiextensionsv1.JSON) string {
	if j == nil {
		return "none"
	}
	return string(j.Raw)
}

func optional(n *int64) string {
	if n == nil {
		return "none"
	}
	return fmt.Sprint(*n)
}
