package portal

import (
	"encoding/json"
	"fmt"
	"html/template"

	"github.com/ozg-operator/ozg-operator/internal/portaldata"
	"github.com/ozg-operator/ozg-operator/internal/portalverbund"
)

// Structured data (schema.org, JSON-LD) for search engines: a service page
// describes its service as a GovernmentService, the start page the portal's
// administration and the list of its services. The types are the few
// schema.org terms the pages use; a field left empty is left out.

type jsonLD = map[string]any

const schemaOrg = "https://schema.org"

// servicePagePath is the path of a service's own page.
func servicePagePath(ozgID string) string { return "/leistungen/" + ozgID }

// governmentService is svc as a schema.org GovernmentService; pageURL is
// the (absolute, if the portal knows its public URL) URL of its page.
func governmentService(snap *snapshot, svc *portaldata.Service, pageURL, description string) jsonLD {
	doc := snap.doc
	ld := jsonLD{
		"@context": schemaOrg,
		"@type":    "GovernmentService",
		"@id":      pageURL + "#leistung",
		"name":     svc.Name,
		"url":      pageURL,
	}
	if description != "" {
		ld["description"] = description
	}
	if svc.Themenfeld != "" {
		ld["category"] = svc.Themenfeld
	}
	// The LeiKa services as URNs, the OZG service by its OZG-ID.
	var ids []any
	for _, l := range svc.Leistungen {
		if l.Key != "" {
			ids = append(ids, portalverbund.LeiKaURNPrefix+l.Key)
		}
	}
	ids = append(ids, propertyValue("OZG-ID", svc.OZGID))
	ld["identifier"] = ids
	if p := provider(snap, svc); p != nil {
		ld["provider"] = p
	}
	ld["areaServed"] = area(&doc.Administration)
	if url := svc.OnlineURL(); url != "" {
		channel := jsonLD{"@type": "ServiceChannel", "name": "Online-Dienst", "serviceUrl": url, "availableLanguage": "de"}
		if svc.EfA != nil && url == svc.EfA.URL {
			channel["provider"] = jsonLD{"@type": "GovernmentOrganization", "name": svc.EfA.Provider}
		}
		ld["availableChannel"] = channel
	}
	return ld
}

// provider is the authority responsible for svc, nil if unknown.
func provider(snap *snapshot, svc *portaldata.Service) jsonLD {
	r := svc.Responsible
	if r == nil || svc.Own(snap.doc) {
		a := &snap.doc.Administration
		return organization(a.DisplayName, a.Key, a.ARS, a.Address, snap.baseURL)
	}
	if r.Level == portaldata.LevelUnknown || r.DisplayName == "" {
		return nil
	}
	return organization(r.DisplayName, r.Key, r.ARS, r.Address, r.PortalURL)
}

func organization(name, key, ars string, addr portaldata.Address, url string) jsonLD {
	ld := jsonLD{"@type": "GovernmentOrganization", "name": name}
	if ids := keys(key, ars); len(ids) > 0 {
		ld["identifier"] = ids
	}
	if addr != (portaldata.Address{}) {
		pa := jsonLD{"@type": "PostalAddress", "addressCountry": "DE"}
		set(pa, "name", addr.Recipient)
		set(pa, "streetAddress", addr.Street)
		set(pa, "postalCode", addr.PostalCode)
		set(pa, "addressLocality", addr.City)
		ld["address"] = pa
	}
	set(ld, "url", url)
	return ld
}

// area is the territory of the portal's administration.
func area(a *portaldata.Administration) jsonLD {
	ld := jsonLD{"@type": "AdministrativeArea", "name": a.DisplayName}
	if ids := keys(a.Key, a.ARS); len(ids) > 0 {
		ld["identifier"] = ids
	}
	return ld
}

// keys are an administration's official keys as PropertyValues.
func keys(key, ars string) []any {
	var ids []any
	if ars != "" {
		ids = append(ids, propertyValue("ARS", ars))
	}
	if len(key) == 8 {
		ids = append(ids, propertyValue("AGS", key))
	} else if key != "" {
		ids = append(ids, propertyValue("Kreisschlüssel", key))
	}
	return ids
}

func propertyValue(id, value string) jsonLD {
	return jsonLD{"@type": "PropertyValue", "propertyID": id, "value": value}
}

func set(ld jsonLD, key, value string) {
	if value != "" {
		ld[key] = value
	}
}

// homeStructuredData describes the start page: the administration and the
// services it lists, each pointing to its own page.
func homeStructuredData(snap *snapshot) jsonLD {
	doc := snap.doc
	a := &doc.Administration
	org := organization(a.DisplayName, a.Key, a.ARS, a.Address, snap.absURL("/"))
	org["@id"] = snap.absURL("/") + "#verwaltung"
	items := make([]any, len(doc.Services))
	for i := range doc.Services {
		svc := &doc.Services[i]
		page := snap.absURL(servicePagePath(svc.OZGID))
		items[i] = jsonLD{"@type": "ListItem", "position": i + 1, "item": jsonLD{
			"@type": "GovernmentService", "@id": page + "#leistung", "name": svc.Name, "url": page,
		}}
	}
	return jsonLD{
		"@context": schemaOrg,
		"@graph": []any{org, jsonLD{
			"@type": "ItemList", "name": "Leistungen von " + a.DisplayName,
			"numberOfItems": len(items), "itemListElement": items,
		}},
	}
}

// scriptJSON encodes ld for a <script type="application/ld+json"> element.
// encoding/json escapes <, > and & (and U+2028/9), so nothing in it can end
// the element.
func scriptJSON(ld jsonLD) (template.JS, error) {
	b, err := json.Marshal(ld)
	if err != nil {
		return "", fmt.Errorf("encoding structured data: %w", err)
	}
	return template.JS(b), nil //nolint:gosec // JSON with <, >, & escaped
}
