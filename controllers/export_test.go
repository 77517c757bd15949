package controllers

import (
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
)

// ProgrammeCoalesce and ProgrammeChangeHandler let the suite check how a
// ServiceProgramme takes in its administrations' changes.
const ProgrammeCoalesce = programmeCoalesce

func ProgrammeChangeHandler(c client.Client) handler.EventHandler {
	return (&ServiceProgrammeReconciler{Client: c}).coalesced()
}
