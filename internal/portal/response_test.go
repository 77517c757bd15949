package portal

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestCompression(t *testing.T) {
	s := newLoadedServer(t, largeDocument())
	h := s.Handler()
	plain := get(t, h, "/")

	for _, target := range []string{"/", "/?q=nummer", "/api/v1/services"} {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.Header.Set("Accept-Encoding", "br;q=1.0, gzip;q=0.8")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Header().Get("Content-Encoding") != "gzip" || rec.Header().Get("Vary") != "Accept-Encoding" {
			t.Fatalf("GET %s: Content-Encoding %q, Vary %q", target, rec.Header().Get("Content-Encoding"), rec.Header().Get("Vary"))
		}
		zr, err := gzip.NewReader(rec.Body)
		must(t, err)
		body, err := io.ReadAll(zr)
		must(t, err)
		if target == "/" && string(body) != plain.body {
			t.Errorf("gzipped page differs from the plain one")
		}
		if !strings.Contains(string(body), "Leistung Nummer 42 ") {
			t.Errorf("GET %s: decompressed body lacks a service", target)
		}
	}

	for _, ae := range []string{"", "gzip;q=0", "identity", "deflate"} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		if ae != "" {
			req.Header.Set("Accept-Encoding", ae)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if enc := rec.Header().Get("Content-Encoding"); enc != "" {
			t.Errorf("Accept-Encoding %q got Content-Encoding %q", ae, enc)
		}
	}

	head := do(t, h, http.MethodHead, "/")
	if head.body != "" || head.header.Get("Content-Length") != plain.header.Get("Content-Length") {
		t.Errorf("HEAD: body %d bytes, Content-Length %q, want none and %q",
			len(head.body), head.header.Get("Content-Length"), plain.header.Get("Content-Length"))
	}
}
