package portal

import (
	"fmt"
	"net/http/httptest"
	"runtime"
	"testing"

	"github.com/ozg-operator/ozg-operator/internal/portaldata"
	"github.com/ozg-operator/ozg-operator/internal/testsupport/benchsummary"
)

// largeDocument is an administration that tracks the whole NRW catalogue:
// 557 OZG services bundling about 5,250 LeiKa services.
func largeDocument() *portaldata.Document {
	doc := sampleDocument()
	doc.Services = nil
	doc.PublicURL = "https://musterstadt.serviceportal.example.de"
	themen := []string{"Arbeit & Ruhestand", "Bauen & Wohnen", "Bildung", "Ein- und Auswanderung", "Engagement & Hobby",
		"Familie & Kind", "Forschung & Förderung", "Gesundheit", "Mobilität & Reisen", "Recht & Ordnung",
		"Steuern & Zoll", "Umwelt", "Unternehmensführung & -entwicklung", "Querschnitt"}
	states := portaldata.States
	for i := range 557 {
		svc := portaldata.Service{
			OZGID: fmt.Sprintf("%05d", 10000+i), Name: fmt.Sprintf("Leistung Nummer %d mit einem typisch langen Namen", i),
			Themenfeld: themen[i%len(themen)], Lebenslage: "Lebenslage", State: states[i%3], Maturity: ptr(int32(i % 5)),
			Tool: "Formularserver",
		}
		if i%3 == 0 {
			svc.URL = fmt.Sprintf("https://portal.example.de/antrag/%d", i)
		}
		for j := range 9 + i%3 {
			svc.Leistungen = append(svc.Leistungen, portaldata.Leistung{
				Key: fmt.Sprintf("99%03d%03d%06d", i%1000, j, 0), Name: fmt.Sprintf("LeiKa-Leistung %d/%d Bewilligung", i, j),
				Typisierung: []string{"2/3"},
			})
		}
		doc.Services = append(doc.Services, svc)
	}
	return doc
}

func BenchmarkPage(b *testing.B) {
	doc := largeDocument()
	data := marshal(b, doc)
	s := newLoadedServer(b, doc)
	h := s.Handler()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	for b.Loop() {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	}
	b.ReportMetric(float64(len(data)), "doc-bytes")
	b.ReportMetric(float64(rec.Body.Len()), "page-bytes")
}

func BenchmarkSearch(b *testing.B) {
	s := newLoadedServer(b, largeDocument())
	h := s.Handler()
	for b.Loop() {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/?q=nummer+42", nil))
	}
}

func BenchmarkSearchState(b *testing.B) {
	s := newLoadedServer(b, largeDocument())
	h := s.Handler()
	for b.Loop() {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/?state=Live", nil))
	}
}

// BenchmarkSearchDistinct asks a different search every time, so that
// none is served from the result cache.
func BenchmarkSearchDistinct(b *testing.B) {
	s := newLoadedServer(b, largeDocument())
	h := s.Handler()
	i := 0
	for b.Loop() {
		i++
		req := httptest.NewRequest("GET", fmt.Sprintf("/?q=nummer+%d", i%1000), nil)
		req.Header.Set("Accept-Encoding", "gzip")
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
}

// BenchmarkSearchIndex builds the snapshot of Augustdorf's document, the
// search index with it, as a reload does, and reports the heap the index
// keeps (live heap after a GC, with the snapshot against without).
func BenchmarkSearchIndex(b *testing.B) {
	_, doc, _ := nrwServer(b)
	heap := func() uint64 {
		// Twice: the first GC runs the cleanup that closes a dropped
		// snapshot's index, the second frees what the index held.
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	var snap *snapshot
	for b.Loop() {
		var err error
		if snap, err = newSnapshot(doc, "sum", ""); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	snap = nil
	before := heap()
	snap, _ = newSnapshot(doc, "sum", "")
	after := heap()
	runtime.KeepAlive(snap)
	b.ReportMetric(float64(after-before)/(1<<20), "snapshot-MiB")
	if err := benchsummary.Record("portal_search_index", map[string]any{
		"build_ms":     float64(b.Elapsed().Microseconds()) / 1000 / float64(b.N),
		"snapshot_mib": float64(after-before) / (1 << 20),
		"services":     len(doc.Services),
	}); err != nil {
		b.Fatal(err)
	}
}
