package portal

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ozg-operator/ozg-operator/internal/portaldata"
)

const (
	xssScript = `<script>alert(1)</script>`
	xssAttr   = `"><img src=x onerror=alert(1)>`
)

func ptr[T any](v T) *T { return &v }

// sampleDocument is a small portal with services in three Themenfelder,
// in every state, with and without links, and two hostile names.
func sampleDocument() *portaldata.Document {
	return &portaldata.Document{
		SchemaVersion: portaldata.SchemaVersion,
		Administration: portaldata.Administration{
			Name: "stadt-musterstadt", Key: "05999000", DisplayName: "Stadt Musterstadt", Type: "KreisfreieStadt",
		},
		Services: []portaldata.Service{
			{OZGID: "10110", Name: "Wohngeld", Themenfeld: "Bauen & Wohnen", Lebenslage: "Wohnen", State: portaldata.StateLive,
				Maturity: ptr[int32](3), URL: "https://musterstadt.example/wohngeld",
				Leistungen: []portaldata.Leistung{
					{Key: "99107001000000", Name: "Wohngeld Mietzuschuss Bewilligung", Typisierung: []string{"2/3"}},
					{Name: "Wohngeld Lastenzuschuss"},
				}},
			{OZGID: "10001", Name: "Baugenehmigung", Themenfeld: "Bauen & Wohnen", State: portaldata.StateInProgress,
				Maturity: ptr[int32](2)},
			{OZGID: "10045", Name: "Änderung der Meldeadresse", Themenfeld: "Ein- und Auswanderung", State: portaldata.StateLive,
				EfA: &portaldata.EfA{Provider: "Hamburg", URL: "https://efa.example/ummeldung"}},
			{OZGID: "10200", Name: "Personalausweis", Themenfeld: "Ein- und Auswanderung", State: portaldata.StateOpen},
			{OZGID: "10300", Name: xssScript, Themenfeld: "Recht & Ordnung", State: portaldata.StateOpen},
			{OZGID: "10301", Name: xssAttr, Themenfeld: "Recht & Ordnung", State: portaldata.StateOpen,
				Leistungen: []portaldata.Leistung{{Name: xssScript}}},
		},
		Links: []portaldata.Link{{Name: "Wirtschaftsserviceportal NRW", URL: "https://wirtschaft.example"}},
	}
}

func marshal(t testing.TB, doc *portaldata.Document) []byte {
	t.Helper()
	data, err := portaldata.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// configMapVolume lays out a directory the way kubelet does for a
// ConfigMap volume:
//
//	dir/..<timestamp>/portal.json   the content
//	dir/..data -> ..<timestamp>     swapped atomically on update
//	dir/portal.json -> ..data/portal.json
type configMapVolume struct {
	dir     string
	version int
	current string
}

func newConfigMapVolume(t testing.TB) *configMapVolume {
	return &configMapVolume{dir: t.TempDir()}
}

func (v *configMapVolume) path() string { return filepath.Join(v.dir, portaldata.ConfigMapKey) }

// write publishes data as the portal's document like a kubelet sync.
func (v *configMapVolume) write(t testing.TB, data []byte) {
	t.Helper()
	v.writeFiles(t, map[string][]byte{portaldata.ConfigMapKey: data})
}

// writeFiles publishes files like a kubelet sync: write a new directory,
// point a temporary symlink at it, rename that over ..data, remove the
// old one. Every file is a symlink into ..data.
func (v *configMapVolume) writeFiles(t testing.TB, files map[string][]byte) {
	t.Helper()
	v.version++
	ts := fmt.Sprintf("..2026_01_01_00_00_00.%09d", v.version)
	must(t, os.Mkdir(filepath.Join(v.dir, ts), 0o755))
	for name, data := range files {
		must(t, os.WriteFile(filepath.Join(v.dir, ts, name), data, 0o644))
	}
	tmp := filepath.Join(v.dir, "..data_tmp")
	must(t, os.Symlink(ts, tmp))
	must(t, os.Rename(tmp, filepath.Join(v.dir, "..data")))
	for name := range files {
		link := filepath.Join(v.dir, name)
		if _, err := os.Lstat(link); os.IsNotExist(err) {
			must(t, os.Symlink(filepath.Join("..data", name), link))
		}
	}
	if v.current != "" {
		must(t, os.RemoveAll(filepath.Join(v.dir, v.current)))
	}
	v.current = ts
}

// sharedFiles are the files of doc as the operator writes them when doc
// names a catalogue: the document without, and the catalogue with the
// services' catalogue part.
func sharedFiles(t testing.TB, doc *portaldata.Document) map[string][]byte {
	t.Helper()
	files := map[string][]byte{portaldata.ConfigMapKey: marshal(t, doc)}
	if doc.Catalog == "" {
		return files
	}
	cat := &portaldata.CatalogDocument{SchemaVersion: portaldata.SchemaVersion}
	for _, s := range doc.Services {
		cat.Services = append(cat.Services, portaldata.CatalogService{OZGID: s.OZGID, Name: s.Name, Themenfeld: s.Themenfeld,
			Lebenslage: s.Lebenslage, EfA: s.EfA, Leistungen: s.Leistungen})
	}
	data, err := portaldata.MarshalCatalog(cat)
	must(t, err)
	files[doc.Catalog] = data
	return files
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// newLoadedServer returns a server that has loaded doc.
func newLoadedServer(t testing.TB, doc *portaldata.Document) *Server {
	t.Helper()
	vol := newConfigMapVolume(t)
	vol.writeFiles(t, sharedFiles(t, doc))
	s, err := New(Options{DataPath: vol.path(), ServeOps: true})
	must(t, err)
	must(t, s.Reload())
	return s
}

type response struct {
	code   int
	header http.Header
	body   string
}

func do(t testing.TB, h http.Handler, method, target string) response {
	t.Helper()
	req := httptest.NewRequestWithContext(context.Background(), method, target, nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body, err := io.ReadAll(rec.Result().Body)
	must(t, err)
	return response{code: rec.Code, header: rec.Result().Header, body: string(body)}
}

func get(t testing.TB, h http.Handler, target string) response {
	t.Helper()
	return do(t, h, http.MethodGet, target)
}

// getOK GETs target and stops the test unless it answers 200 with
// contentType.
func getOK(t testing.TB, h http.Handler, target, contentType string) response {
	t.Helper()
	resp := get(t, h, target)
	if resp.code != http.StatusOK {
		t.Fatalf("GET %s = %d\n%s", target, resp.code, resp.body)
	}
	if ct := resp.header.Get("Content-Type"); ct != contentType {
		t.Errorf("GET %s: Content-Type = %q, want %q", target, ct, contentType)
	}
	return resp
}

// getGzipped asks for target as a browser does, accepting gzip, and
// returns the body decoded; it fails unless the body is one gzip member
// of the length the response says, which is what every client decodes.
func getGzipped(t testing.TB, h http.Handler, target string) string {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("GET %s: %d, Content-Encoding %q", target, rec.Code, rec.Header().Get("Content-Encoding"))
	}
	if got, want := rec.Header().Get("Content-Length"), strconv.Itoa(rec.Body.Len()); got != want {
		t.Fatalf("GET %s: Content-Length %s, body %s bytes", target, got, want)
	}
	zr, err := gzip.NewReader(rec.Body)
	must(t, err)
	zr.Multistream(false)
	body, err := io.ReadAll(zr)
	must(t, err)
	if rec.Body.Len() != 0 {
		t.Fatalf("GET %s: %d bytes after the gzip member", target, rec.Body.Len())
	}
	return string(body)
}

// getServices GETs target from the JSON API, which must answer 200 with
// JSON that carries no raw markup, and decodes the answer.
func getServices(t testing.TB, h http.Handler, target string) ServicesResponse {
	t.Helper()
	resp := getOK(t, h, target, "application/json; charset=utf-8")
	if strings.Contains(resp.body, "<script>") || strings.Contains(resp.body, "<img") {
		t.Errorf("GET %s: JSON contains raw markup: %s", target, resp.body)
	}
	var got ServicesResponse
	must(t, json.Unmarshal([]byte(resp.body), &got))
	return got
}

// assertPageHas fails for each of want that body lacks.
func assertPageHas(t testing.TB, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("page does not contain %s", w)
		}
	}
}

// assertNoInjection GETs each target and fails if a page contains one of
// raw unescaped or has an element of one of tags.
func assertNoInjection(t *testing.T, h http.Handler, targets, raw []string, tags ...string) {
	t.Helper()
	for _, target := range targets {
		body := get(t, h, target).body
		for _, r := range raw {
			if strings.Contains(body, r) {
				t.Errorf("GET %s contains %q unescaped", target, r)
			}
		}
		p := parsePage(t, body)
		for _, tag := range tags {
			found := p.tag(tag)
			if tag == "script" {
				found = p.scripts()
			}
			if n := len(found); n != 0 {
				t.Errorf("GET %s has %d injected <%s> elements", target, n, tag)
			}
		}
	}
}

// metricValue returns the value of the sample that starts with series in
// the Prometheus text format, or "" if there is none.
func metricValue(body, series string) string {
	for _, line := range strings.Split(body, "\n") {
		if rest, ok := strings.CutPrefix(line, series+" "); ok {
			return rest
		}
	}
	return ""
}
