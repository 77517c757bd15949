package importer

import (
	"regexp"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/importer/slug"
)

// The patterns of the API that rows must match to become objects.
var (
	ozgIDPattern       = regexp.MustCompile(v1alpha1.PatternOZGID)
	leikaKeyPattern    = regexp.MustCompile(v1alpha1.PatternLeiKaKey)
	typisierungPattern = regexp.MustCompile(v1alpha1.PatternTypisierung)
	kreisKeyPattern    = regexp.MustCompile(v1alpha1.PatternKreisKey)
	agsPattern         = regexp.MustCompile(v1alpha1.PatternAGS)
	arsPattern         = regexp.MustCompile(v1alpha1.PatternARS)
	postalCodePattern  = regexp.MustCompile(v1alpha1.PatternPostalCode)
	authorityPattern   = regexp.MustCompile(v1alpha1.PatternAuthority)
)

// digitsPattern tells a LeiKa key of the wrong length from one that is no
// key at all.
var digitsPattern = regexp.MustCompile(`^[0-9]+$`)

// typeMeta makes an object of the ozg.dev API print and apply as a
// manifest.
func typeMeta(kind string) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: v1alpha1.GroupVersion.String(), Kind: kind}
}

// setLabelValue sets the label key to s made a label value, or leaves it
// out if s has no letters or digits (the import reports that).
func setLabelValue(labels map[string]string, key, s string) {
	if v := slug.LabelValue(s); v != "" {
		labels[key] = v
	}
}
