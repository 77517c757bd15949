package portal

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"

	"github.com/ozg-operator/ozg-operator/internal/portaldata"
)

// ServicesResponse is the body of GET /api/v1/services.
type ServicesResponse struct {
	// Administration is the body the portal belongs to.
	Administration portaldata.Administration `json:"administration"`
	// Total counts all services of the portal.
	Total int `json:"total"`
	// Count counts the services listed.
	Count int `json:"count"`
	// More tells that a search (q) matches further services, less well
	// than the best 20 it lists.
	More bool `json:"more,omitempty"`
	// Services are the matching services: with a search text (q) the best
	// 20 by relevance, in the order the page lists them; else all of
	// them, sorted by Themenfeld and name.
	Services []portaldata.Service `json:"services"`
	// Suggestions are words of the portal's services near the search
	// text's, when it found nothing.
	Suggestions []string `json:"suggestions,omitempty"`
}

// ErrorResponse is the body of an API error.
type ErrorResponse struct {
	Error string `json:"error"`
}

// serveServices answers GET /api/v1/services with the services the query
// parameters q, themenfeld and state select, like the page does.
func (s *Server) serveServices(w http.ResponseWriter, r *http.Request) {
	snap := s.catalog.snapshot()
	if snap == nil {
		s.writeJSON(w, r, http.StatusServiceUnavailable, ErrorResponse{Error: "no valid portal data loaded"})
		return
	}
	f, err := parseFilter(r.URL.Query())
	if err != nil {
		s.writeJSON(w, r, http.StatusBadRequest, ErrorResponse{Error: err.Error()})
		return
	}
	encode := func() ([]byte, error) {
		resp, err := servicesResponse(r.Context(), snap, f)
		if err != nil {
			return nil, err
		}
		return encodeJSON(resp)
	}
	if !f.Active() {
		b, err := snap.allServices.get(encode)
		s.respond(w, r, http.StatusOK, jsonBody, b, err)
		return
	}
	b, err := encode()
	s.respond(w, r, http.StatusOK, jsonBody, encodedBody{plain: b}, err)
}

func servicesResponse(ctx context.Context, snap *snapshot, f filter) (ServicesResponse, error) {
	sel, err := f.apply(ctx, snap)
	if err != nil {
		return ServicesResponse{}, err
	}
	resp := ServicesResponse{
		Administration: snap.doc.Administration,
		Total:          len(snap.doc.Services),
		Count:          len(sel.Services),
		More:           sel.More,
		Services:       make([]portaldata.Service, 0, len(sel.Services)),
		Suggestions:    sel.Suggestions,
	}
	for _, i := range sel.Services {
		resp.Services = append(resp.Services, snap.doc.Services[i])
	}
	return resp, nil
}

func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	err := json.NewEncoder(&buf).Encode(v)
	return buf.Bytes(), err
}

func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, code int, v any) {
	b, err := encodeJSON(v)
	s.respond(w, r, code, jsonBody, encodedBody{plain: b}, err)
}
