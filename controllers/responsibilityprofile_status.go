package controllers

import (
	"fmt"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/responsibility"
)

// profileStatus computes the status of profile over the catalogue: where
// it places each OZG service, and which of its table's services the
// catalogue lacks. It is a pure function of its arguments.
func profileStatus(profile *ozgv1.ResponsibilityProfile, catalogue []ozgv1.OZGService) *ozgv1.ResponsibilityProfileStatus {
	status := profile.Status.DeepCopy()
	status.ObservedGeneration = profile.Generation
	compiled := responsibility.Compile(profile)
	var counts ozgv1.LevelCounts
	inCatalogue := make(map[string]bool, len(catalogue))
	for i := range catalogue {
		inCatalogue[catalogue[i].Name] = true
		switch compiled.Place(&catalogue[i]).Level {
		case ozgv1.LevelBund:
			counts.Bund++
		case ozgv1.LevelLand:
			counts.Land++
		case ozgv1.LevelKreis:
			counts.Kreis++
		case ozgv1.LevelGemeinde:
			counts.Gemeinde++
		case ozgv1.LevelKammer:
			counts.Kammer++
		case ozgv1.LevelSozialversicherung:
			counts.Sozialversicherung++
		default:
			counts.Unknown++
		}
	}
	status.Services = counts
	status.UnknownEntries = nil
	missing := 0
	for _, s := range profile.Spec.Services {
		if !inCatalogue[s.Service] {
			missing++
			if len(status.UnknownEntries) < ozgv1.MaxProfileUnknownEntries {
				status.UnknownEntries = append(status.UnknownEntries, s.Service)
			}
		}
	}
	slices.Sort(status.UnknownEntries)
	setProfileReady(status, len(catalogue), missing)
	return status
}

// setProfileReady sets Ready: the status is computed. Services the profile
// cannot place are a fact to show, not a failure: Ready stays True and the
// message counts them.
func setProfileReady(status *ozgv1.ResponsibilityProfileStatus, services, missing int) {
	c := status.Services
	msg := fmt.Sprintf("%d services: %d Bund, %d Land, %d Kreis, %d Gemeinde, ", services, c.Bund, c.Land, c.Kreis, c.Gemeinde)
	// The bodies outside the territorial levels, where a profile uses them.
	if c.Kammer+c.Sozialversicherung > 0 {
		msg += fmt.Sprintf("%d Kammer, %d Sozialversicherung, ", c.Kammer, c.Sozialversicherung)
	}
	msg += fmt.Sprintf("%d Unknown", c.Unknown)
	if missing > 0 {
		entries := "table entries name services"
		if missing == 1 {
			entries = "table entry names a service"
		}
		msg += fmt.Sprintf("; %d %s the catalogue lacks", missing, entries)
	}
	setCondition(status, ozgv1.ReadyCondition, metav1.ConditionTrue, ozgv1.ReasonSucceeded, msg)
}
