package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// ConditionsHolder is implemented by every status of this API so that
// controllers and tools can treat their conditions alike.
// +kubebuilder:object:generate=false
type ConditionsHolder interface {
	// StatusConditions returns the conditions for reading and writing.
	StatusConditions() *[]metav1.Condition
	// StatusObservedGeneration is the generation the status describes.
	StatusObservedGeneration() int64
}

// StatusConditions implements ConditionsHolder.
func (s *OZGServiceStatus) StatusConditions() *[]metav1.Condition { return &s.Conditions }

// StatusObservedGeneration implements ConditionsHolder.
func (s *OZGServiceStatus) StatusObservedGeneration() int64 { return s.ObservedGeneration }

// StatusConditions implements ConditionsHolder.
func (s *AdministrationStatus) StatusConditions() *[]metav1.Condition { return &s.Conditions }

// StatusObservedGeneration implements ConditionsHolder.
func (s *AdministrationStatus) StatusObservedGeneration() int64 { return s.ObservedGeneration }

// StatusConditions implements ConditionsHolder.
func (s *ServicePortalStatus) StatusConditions() *[]metav1.Condition { return &s.Conditions }

// StatusObservedGeneration implements ConditionsHolder.
func (s *ServicePortalStatus) StatusObservedGeneration() int64 { return s.ObservedGeneration }

// StatusConditions implements ConditionsHolder.
func (s *PortalFleetStatus) StatusConditions() *[]metav1.Condition { return &s.Conditions }

// StatusObservedGeneration implements ConditionsHolder.
func (s *PortalFleetStatus) StatusObservedGeneration() int64 { return s.ObservedGeneration }

// StatusConditions implements ConditionsHolder.
func (s *ResponsibilityProfileStatus) StatusConditions() *[]metav1.Condition { return &s.Conditions }

// StatusObservedGeneration implements ConditionsHolder.
func (s *ResponsibilityProfileStatus) StatusObservedGeneration() int64 { return s.ObservedGeneration }

// StatusConditions implements ConditionsHolder.
func (s *ServiceProgrammeStatus) StatusConditions() *[]metav1.Condition { return &s.Conditions }

// StatusObservedGeneration implements ConditionsHolder.
func (s *ServiceProgrammeStatus) StatusObservedGeneration() int64 { return s.ObservedGeneration }
