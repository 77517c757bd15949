package portal

import (
	"compress/gzip"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestCompression(t *testing.T) {
	s := newLoadedServer(t, largeDocument())
	h := s.Handler()
	plain := get(t, h, "/")

	for i, target := range []string{"/", "/?q=nummer+42", "/api/v1/services"} {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.Header.Set("Accept-Encoding", []string{"br;q=1.0, gzip;q=0.8", "gzip;Q=0.001", "gzip"}[i])
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

	// Any spelling of the weight 0 refuses gzip (RFC 9110: "Q=0" and
	// "q=0." are valid).
	for _, ae := range []string{"", "gzip;q=0", "gzip;Q=0", "gzip ; q=0.", "gzip;q=0.000", "gzip;level=1;q=0", "identity", "deflate"} {
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

// TestRespondTurnsFailuresIntoCleanErrors: a page or API body that could
// not be produced becomes a 500 with a short text of the body's language,
// logged, never half a body.
func TestRespondTurnsFailuresIntoCleanErrors(t *testing.T) {
	var logs strings.Builder
	s, err := New(Options{DataPath: newConfigMapVolume(t).path(), Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	must(t, err)
	for _, tc := range []struct {
		kind      bodyKind
		body, log string
	}{
		{htmlBody, "Interner Fehler\n", "rendering page"},
		{jsonBody, "internal error\n", "encoding JSON response"},
	} {
		logs.Reset()
		rec := httptest.NewRecorder()
		s.respond(rec, httptest.NewRequest(http.MethodGet, "/", nil), http.StatusOK, tc.kind,
			encodedBody{plain: []byte("half a bo")}, errors.New("template exploded"))
		if rec.Code != http.StatusInternalServerError || rec.Body.String() != tc.body {
			t.Errorf("%s: %d %q, want 500 %q", tc.kind.contentType, rec.Code, rec.Body.String(), tc.body)
		}
		if !strings.Contains(logs.String(), tc.log) || !strings.Contains(logs.String(), "template exploded") {
			t.Errorf("%s: log %q lacks %q and the error", tc.kind.contentType, logs.String(), tc.log)
		}
	}
}
