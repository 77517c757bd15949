package controllers

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/rolloutstatus"
)

// Annotations the fleet keeps on its portals. They hold the rollout state in
// the cluster, so that a restarted manager resumes where the last one was.
const (
	// templateHashAnnotation is the hash of the fleet template a portal
	// runs; ozgctl rollout status reads it too, hence one definition.
	templateHashAnnotation = rolloutstatus.TemplateHashAnnotation
	// updatedAtAnnotation is when the fleet gave the portal its template;
	// the progress deadline counts from here.
	updatedAtAnnotation = "ozg.dev/updated-at"
)

// templateHash identifies the rolled-out part of a fleet template.
func templateHash(settings ozgv1.PortalSettings) string {
	return rolloutstatus.TemplateHash(settings)
}

// hostnameFor expands the fleet's hostname pattern for adm and checks the
// result, so that a bad pattern is reported per administration.
func hostnameFor(pattern string, adm *ozgv1.Administration) (string, error) {
	h := strings.NewReplacer("$(name)", adm.Name, "$(key)", adm.Spec.Key).Replace(pattern)
	if errs := validation.IsDNS1123Subdomain(h); len(errs) > 0 {
		return "", &patternError{hostname: h, administration: adm.Name, reason: strings.Join(errs, "; ")}
	}
	return h, nil
}

type patternError struct{ hostname, administration, reason string }

func (e *patternError) Error() string {
	return "hostnamePattern yields " + `"` + e.hostname + `"` + " for Administration " + e.administration + ", which is not a valid hostname: " + e.reason
}

// portalNameFor is the name of the fleet's portal for adm. Its children's
// Service needs a DNS-1035 label, so the name must be one.
func portalNameFor(adm *ozgv1.Administration) (string, error) {
	if errs := validation.IsDNS1035Label(adm.Name); len(errs) > 0 {
		return "", fmt.Errorf("Administration %s cannot give its name to a portal, which must be a DNS-1035 label: %s", adm.Name, strings.Join(errs, "; "))
	}
	return adm.Name, nil
}
