// Package fleetfixture builds the objects that fleet tests start from: an
// IT provider's administrations, labelled with their Kreis, and the
// provider's fleet over them, rolled out Kreis by Kreis.
package fleetfixture

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// Administration is a municipality called name, the i-th (from 0, below
// 900) of kreis, for provider, with services.
func Administration(name, provider, kreis string, i int, services ...ozgv1.ServiceImplementation) *ozgv1.Administration {
	return &ozgv1.Administration{
		ObjectMeta: metav1.ObjectMeta{
			Name:   name,
			Labels: map[string]string{ozgv1.LabelITProvider: provider, ozgv1.LabelKreis: kreis},
		},
		Spec: ozgv1.AdministrationSpec{
			Key:         fmt.Sprintf("%s%03d", kreis, 100+i),
			DisplayName: name,
			Type:        ozgv1.TypeKreisangehoerigeGemeinde,
			Services:    services,
		},
	}
}

// WaveName is the name of a Kreis' rollout wave.
func WaveName(kreis string) string { return "kreis-" + kreis }

// Fleet is provider's fleet, named after it, in namespace: it selects the
// provider's administrations, gives them portals of version and rolls
// them out in one wave per Kreis, in the order given, each with
// maxUnavailable.
func Fleet(namespace, provider, version string, kreise []string, maxUnavailable intstr.IntOrString) *ozgv1.PortalFleet {
	waves := make([]ozgv1.RolloutWave, len(kreise))
	for i, kreis := range kreise {
		waves[i] = ozgv1.RolloutWave{
			Name:           WaveName(kreis),
			Selector:       metav1.LabelSelector{MatchLabels: map[string]string{ozgv1.LabelKreis: kreis}},
			MaxUnavailable: ptr.To(maxUnavailable),
		}
	}
	return &ozgv1.PortalFleet{
		ObjectMeta: metav1.ObjectMeta{Name: provider, Namespace: namespace},
		Spec: ozgv1.PortalFleetSpec{
			AdministrationSelector: metav1.LabelSelector{MatchLabels: map[string]string{ozgv1.LabelITProvider: provider}},
			Template: ozgv1.PortalTemplate{
				HostnamePattern: "$(name).serviceportal.example.de",
				PortalSettings:  ozgv1.PortalSettings{Version: version},
			},
			Rollout: ozgv1.FleetRollout{Waves: waves},
		},
	}
}
