// Package v1alpha1 contains the API of ozg-operator: the OZG catalogue
// (OZGService), the administrations that implement it (Administration), their
// service portals (ServicePortal) and an IT provider's portal programme
// (PortalFleet).
//
// +kubebuilder:object:generate=true
// +groupName=ozg.dev
package v1alpha1

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/scheme"
)

var (
	// GroupVersion is the group and version of the ozg.dev API.
	GroupVersion = schema.GroupVersion{Group: "ozg.dev", Version: "v1alpha1"}

	// SchemeBuilder registers the ozg.dev types with a runtime.Scheme.
	SchemeBuilder = &scheme.Builder{GroupVersion: GroupVersion}

	// AddToScheme adds the ozg.dev types to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)
