package portal

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"time"
)

//go:embed assets/static
var staticFS embed.FS

// staticPrefix is where the embedded assets are served.
const staticPrefix = "/static/"

type asset struct {
	data        []byte
	contentType string
	// version is a content hash: it is the ETag and versions the URL, so
	// that browsers may cache an asset for a day and still see an update.
	version string
}

// assets are the embedded static files by URL path, read once at start.
var assets = loadAssets()

func loadAssets() map[string]asset {
	m := map[string]asset{}
	err := fs.WalkDir(staticFS, "assets/static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		ct := mime.TypeByExtension(path.Ext(p))
		if path.Ext(p) == ".css" {
			ct = "text/css; charset=utf-8"
		}
		m[staticPrefix+path.Base(p)] = asset{data: data, contentType: ct, version: hex.EncodeToString(sum[:8])}
		return nil
	})
	if err != nil {
		panic("portal: reading embedded assets: " + err.Error())
	}
	return m
}

// assetURL is the versioned URL of an embedded asset.
func assetURL(name string) string {
	p := staticPrefix + name
	return p + "?v=" + assets[p].version
}

// staticHandler serves the embedded assets; there is no directory listing.
func (s *Server) staticHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := assets[r.URL.Path]
		if !ok {
			s.serveNotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.contentType)
		h.Set("ETag", `"`+a.version+`"`)
		h.Set("Cache-Control", "public, max-age=86400")
		// ServeContent answers If-None-Match and Range requests.
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.data))
	})
}
