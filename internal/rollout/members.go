package rollout

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// Member is a selected administration that gets a portal of the fleet.
type Member struct {
	Administration *ozgv1.Administration
	// Name is the portal's name, which is the administration's.
	Name string
	// Hostname is the fleet's hostname pattern expanded for the administration.
	Hostname string
	// Portal is the fleet's portal, nil while the fleet has not created it.
	Portal *ozgv1.ServicePortal
}

// Excluded is a selected administration the fleet cannot give a portal:
// its name is no portal name, the hostname pattern yields no hostname for
// it, or another owner controls the portal of its name.
type Excluded struct {
	Administration string
	// Message says why, naming the administration.
	Message string
}

// Selection is what a fleet makes of the administrations its selector picks.
type Selection struct {
	// Members are sorted by name.
	Members []*Member
	// Excluded count as portals the fleet wants but cannot have; they are
	// sorted by administration name.
	Excluded []Excluded
	// Keep names the portals of selected administrations, Members and
	// those excluded for their hostname or owner: the fleet does not
	// release them.
	Keep map[string]bool
}

// Select picks the administrations fleet's selector matches out of adms
// and pairs each with its portal from portals (by name, see
// PortalsByName). Only names, labels and spec.key of adms are read (see
// TrimAdministration). The error is the selector's.
func Select(fleet *ozgv1.PortalFleet, adms []*ozgv1.Administration, portals map[string]*ozgv1.ServicePortal) (*Selection, error) {
	selector, err := metav1.LabelSelectorAsSelector(&fleet.Spec.AdministrationSelector)
	if err != nil {
		return nil, err
	}
	sorted := slices.Clone(adms)
	slices.SortFunc(sorted, func(a, b *ozgv1.Administration) int { return cmp.Compare(a.Name, b.Name) })
	s := &Selection{Keep: map[string]bool{}}
	for _, adm := range sorted {
		if !selector.Matches(labels.Set(adm.Labels)) {
			continue
		}
		m, err := member(fleet, adm, portals, s.Keep)
		if err != nil {
			s.Excluded = append(s.Excluded, Excluded{Administration: adm.Name, Message: err.Error()})
			continue
		}
		s.Members = append(s.Members, m)
	}
	return s, nil
}

func member(fleet *ozgv1.PortalFleet, adm *ozgv1.Administration, portals map[string]*ozgv1.ServicePortal, keep map[string]bool) (*Member, error) {
	name, err := PortalName(adm)
	if err != nil {
		return nil, err
	}
	keep[name] = true
	hostname, err := Hostname(fleet.Spec.Template.HostnamePattern, adm)
	if err != nil {
		return nil, err
	}
	p := portals[name]
	if p != nil {
		if owner := metav1.GetControllerOf(p); owner != nil && owner.UID != fleet.UID {
			return nil, fmt.Errorf("ServicePortal %s is controlled by %s %s", p.Name, owner.Kind, owner.Name)
		}
	}
	return &Member{Administration: adm, Name: name, Hostname: hostname, Portal: p}, nil
}

// PortalsByName indexes portals by name.
func PortalsByName(portals []ozgv1.ServicePortal) map[string]*ozgv1.ServicePortal {
	byName := make(map[string]*ozgv1.ServicePortal, len(portals))
	for i := range portals {
		byName[portals[i].Name] = &portals[i]
	}
	return byName
}

// PortalName is the name of the fleet's portal for adm. The portal's
// Service needs a DNS-1035 label, so the name must be one.
func PortalName(adm *ozgv1.Administration) (string, error) {
	if errs := validation.IsDNS1035Label(adm.Name); len(errs) > 0 {
		return "", fmt.Errorf("Administration %s cannot give its name to a portal, which must be a DNS-1035 label: %s", adm.Name, strings.Join(errs, "; "))
	}
	return adm.Name, nil
}

// Hostname expands a fleet's hostname pattern for adm: $(name) is its
// name, $(key) its key. The CRD checks the pattern with placeholder
// values; the real ones can still make an invalid name (too long), which
// is reported for the administration.
func Hostname(pattern string, adm *ozgv1.Administration) (string, error) {
	h := strings.NewReplacer("$(name)", adm.Name, "$(key)", adm.Spec.Key).Replace(pattern)
	if errs := validation.IsDNS1123Subdomain(h); len(errs) > 0 {
		return "", fmt.Errorf("hostnamePattern yields %q for Administration %s, which is not a valid hostname: %s", h, adm.Name, strings.Join(errs, "; "))
	}
	return h, nil
}

// TrimAdministration drops what Select and PlanWaves do not read (the
// services, the status, the managed fields), for a caller that keeps many
// administrations in memory.
func TrimAdministration(adm *ozgv1.Administration) {
	adm.ManagedFields = nil
	adm.Spec = ozgv1.AdministrationSpec{Key: adm.Spec.Key}
	adm.Status = ozgv1.AdministrationStatus{}
}
