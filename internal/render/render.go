// Package render joins an Administration's content decisions with the OZG
// catalogue into the document a portal serves (internal/portaldata).
package render

import (
	"crypto/sha256"
	"encoding/hex"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/portaldata"
)

// Catalog looks up catalogue entries by object name (ozg-<id>).
type Catalog func(name string) (*ozgv1.OZGService, bool)

// Result is a rendered document with its encoding and checksum.
type Result struct {
	Document *portaldata.Document
	// JSON is the deterministic encoding stored in the ConfigMap.
	JSON []byte
	// Checksum is the hex SHA-256 of JSON; a change rolls the portal's pods.
	Checksum string
	// Offered and Live count the services in the document.
	Offered, Live int32
	// Missing names the services the administration tracks that the
	// catalogue does not (yet) contain; they are left out until it does.
	Missing []string
}

// Portal renders the document of portal for adm. Secrets are never part of
// it: authentication and payment contribute only their public settings.
func Portal(portal *ozgv1.ServicePortal, adm *ozgv1.Administration, catalog Catalog) (*Result, error) {
	doc := &portaldata.Document{
		SchemaVersion: portaldata.SchemaVersion,
		Administration: portaldata.Administration{
			Name:        adm.Name,
			Key:         adm.Spec.Key,
			DisplayName: adm.Spec.DisplayName,
			Type:        string(adm.Spec.Type),
			Parent:      adm.Spec.Parent,
		},
		Services: make([]portaldata.Service, 0, len(adm.Spec.Services)),
	}
	res := &Result{Document: doc}
	for _, impl := range adm.Spec.Services {
		entry, ok := catalog(impl.Service)
		if !ok {
			// Without its catalogue entry a service has no name to show.
			res.Missing = append(res.Missing, impl.Service)
			continue
		}
		svc := portaldata.Service{
			OZGID:      entry.Spec.OZGID,
			Name:       entry.Spec.Name,
			Themenfeld: entry.Spec.Themenfeld,
			Lebenslage: entry.Spec.Lebenslage,
			State:      portaldata.State(impl.State),
			Maturity:   impl.Maturity,
			Tool:       impl.Tool,
			URL:        impl.URL,
		}
		if svc.State == "" {
			// The API server defaults it, but not in objects built in memory.
			svc.State = portaldata.State(ozgv1.DefaultServiceState)
		}
		if entry.Spec.EfA != nil {
			svc.EfA = &portaldata.EfA{Provider: entry.Spec.EfA.Provider, URL: entry.Spec.EfA.URL}
		}
		for _, l := range entry.Spec.Leistungen {
			svc.Leistungen = append(svc.Leistungen, portaldata.Leistung{Key: l.Key, Name: l.Name, Typisierung: l.Typisierung})
		}
		doc.Services = append(doc.Services, svc)
		res.Offered++
		if svc.State == portaldata.StateLive {
			res.Live++
		}
	}
	for _, l := range portal.Spec.Links {
		doc.Links = append(doc.Links, portaldata.Link{Name: l.Name, URL: l.URL})
	}
	if a := portal.Spec.Authentication; a != nil {
		provider := a.Provider
		if provider == "" {
			provider = ozgv1.DefaultAuthenticationProvider
		}
		doc.Authentication = &portaldata.Authentication{Provider: string(provider), IssuerURL: a.IssuerURL, ClientID: a.ClientID}
	}
	if p := portal.Spec.Payment; p != nil {
		doc.Payment = &portaldata.Payment{Provider: p.Provider}
	}
	data, err := portaldata.Marshal(doc)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	res.JSON, res.Checksum = data, hex.EncodeToString(sum[:])
	return res, nil
}
