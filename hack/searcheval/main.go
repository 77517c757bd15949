// Command searcheval runs the portal search's query set against the
// portal of a real town, built from the reference data as the operator
// builds it, through the portal's JSON API (the page lists the same
// order), and prints success@1, success@3 and the misses. It fails below
// searcheval.Threshold at 3. make search-eval runs it.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"

	"github.com/ozg-operator/ozg-operator/internal/portal"
	"github.com/ozg-operator/ozg-operator/internal/portal/searcheval"
	"github.com/ozg-operator/ozg-operator/internal/portaldata"
)

func main() {
	data := flag.String("data", filepath.Join("..", "shared", "data"), "the reference data directory")
	queries := flag.String("queries", searcheval.QueriesFile, "the query set")
	profile := flag.String("profile", searcheval.ProfileFile, "the responsibility profile")
	town := flag.String("town", searcheval.Town, "the administration whose portal is searched (its display name)")
	flag.Parse()
	if err := run(*data, *queries, *profile, *town); err != nil {
		fmt.Fprintln(os.Stderr, "search-eval:", err)
		os.Exit(1)
	}
}

func run(data, queriesFile, profile, town string) error {
	qs, err := searcheval.ReadQueries(queriesFile)
	if err != nil {
		return err
	}
	doc, err := searcheval.NRWDocument(data, profile, town)
	if err != nil {
		return err
	}
	h, err := serve(doc)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, s := range doc.Services {
		names[s.OZGID] = s.Name
	}
	report, err := searcheval.Evaluate(qs, func(q string) ([]string, error) { return search(h, q) })
	if err != nil {
		return err
	}
	fmt.Printf("portal of %s: %d services; %d queries from %s\n\n", town, len(doc.Services), len(qs), queriesFile)
	report.Print(os.Stdout, names)
	if s := report.SuccessAt(3); s < searcheval.Threshold {
		return fmt.Errorf("success@3 is %.1f%%, below %.0f%%", 100*s, 100*searcheval.Threshold)
	}
	return nil
}

// serve loads doc into a portal server, as the pod loads its ConfigMap.
func serve(doc *portaldata.Document) (http.Handler, error) {
	dir, err := os.MkdirTemp("", "search-eval")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	doc.Catalog = "" // one file: the services carry their catalogue part
	b, err := portaldata.Marshal(doc)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, portaldata.ConfigMapKey)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return nil, err
	}
	s, err := portal.New(portal.Options{DataPath: path})
	if err != nil {
		return nil, err
	}
	return s.Handler(), s.Reload()
}

func search(h http.Handler, q string) ([]string, error) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/services?q="+url.QueryEscape(q), nil))
	if rec.Code != http.StatusOK {
		return nil, fmt.Errorf("status %d: %s", rec.Code, rec.Body.String())
	}
	var resp portal.ServicesResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		return nil, err
	}
	ids := make([]string, len(resp.Services))
	for i, s := range resp.Services {
		ids[i] = s.OZGID
	}
	return ids, nil
}
