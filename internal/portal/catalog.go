package portal

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/ozg-operator/ozg-operator/internal/gzipjoin"
	"github.com/ozg-operator/ozg-operator/internal/portal/search"
	"github.com/ozg-operator/ozg-operator/internal/portaldata"
)

// debounceDelay coalesces the burst of events one ConfigMap update causes
// (new timestamped directory, ..data_tmp symlink, rename) into one reload.
const debounceDelay = 50 * time.Millisecond

// snapshot is one valid document and what the handlers derive from it. It
// is immutable once published.
type snapshot struct {
	doc *portaldata.Document
	// themenfelder lists the distinct Themenfelder in display order.
	themenfelder []string
	// index is the full-text index of the services, by position.
	index *search.Index
	// checksum is the hex SHA-256 of the file content.
	checksum string
	// home and allServices cache the unfiltered page and API response.
	home, allServices cachedBody
	// results caches the pages of recent searches.
	results *resultCache
	// baseURL is the portal's public URL without trailing slash: the
	// server's override or the document's; empty if neither says.
	baseURL string
	// byID indexes the services by OZG-ID; servicePages caches each
	// service's own page, robots, sitemap and feed those bodies.
	byID                  map[string]int
	servicePages          []cachedBody
	robots, sitemap, feed cachedBody

	fragments, hits lazy[[]template.HTML]
	hitsCompressed  lazy[[]gzipjoin.Segment]
	formOptions     formOptions
	frame           lazy[*searchFrame]
}

// lazy holds a value of a snapshot computed when first asked for.
type lazy[T any] struct {
	once  sync.Once
	value T
	err   error
}

func (l *lazy[T]) get(compute func() (T, error)) (T, error) {
	l.once.Do(func() { l.value, l.err = compute() })
	return l.value, l.err
}

// serviceFragments returns every service's list entry.
func (s *snapshot) serviceFragments() ([]template.HTML, error) {
	return s.fragments.get(func() ([]template.HTML, error) { return renderServices(s.doc, false) })
}

// hitFragments returns every service's search result entry.
func (s *snapshot) hitFragments() ([]template.HTML, error) {
	return s.hits.get(func() ([]template.HTML, error) { return renderServices(s.doc, true) })
}

// hitSegments returns every service's search result entry, compressed on
// its own (gzipjoin): a search's page joins them.
func (s *snapshot) hitSegments() ([]gzipjoin.Segment, error) {
	return s.hitsCompressed.get(func() ([]gzipjoin.Segment, error) {
		hits, err := s.hitFragments()
		if err != nil {
			return nil, err
		}
		segments := make([]gzipjoin.Segment, len(hits))
		for i, h := range hits {
			segments[i] = gzipjoin.Compress([]byte(h))
		}
		return segments, nil
	})
}

func newSnapshot(doc *portaldata.Document, checksum, publicURL string) (*snapshot, error) {
	if publicURL == "" {
		publicURL = doc.PublicURL
	}
	s := &snapshot{
		doc: doc, checksum: checksum, results: newResultCache(),
		baseURL: strings.TrimSuffix(publicURL, "/"), byID: make(map[string]int, len(doc.Services)),
		servicePages: make([]cachedBody, len(doc.Services)),
	}
	entries := make([]search.Entry, len(doc.Services))
	for i := range doc.Services {
		svc := &doc.Services[i]
		s.byID[svc.OZGID] = i
		// Services are sorted by Themenfeld, so equal ones are adjacent.
		if n := len(s.themenfelder); n == 0 || s.themenfelder[n-1] != svc.Themenfeld {
			s.themenfelder = append(s.themenfelder, svc.Themenfeld)
		}
		entries[i] = searchEntry(doc, svc)
	}
	index, err := search.New(entries)
	if err != nil {
		return nil, err
	}
	s.index = index
	return s, nil
}

// searchEntry is what the search index knows of svc. Services of the
// portal's own administration and of its Kreis are near: they come first
// among equally good matches, before the Land's and the Bund's.
func searchEntry(doc *portaldata.Document, svc *portaldata.Service) search.Entry {
	e := search.Entry{
		Name: svc.Name, ID: svc.OZGID, Lebenslage: svc.Lebenslage, Themenfeld: svc.Themenfeld, State: string(svc.State),
		Near: svc.Own(doc) || (doc.Administration.Parent != "" && svc.Responsible.Administration == doc.Administration.Parent),
	}
	for _, l := range svc.Leistungen {
		e.Leistungen = append(e.Leistungen, search.Leistung{Name: l.Name, Key: l.Key})
	}
	return e
}

// absURL is path on the portal's public URL, or path itself while the
// portal does not know it.
func (s *snapshot) absURL(path string) string { return s.baseURL + path }

// Catalog holds the last good document read from a file and reloads it when
// the file changes. It is safe for concurrent use.
type Catalog struct {
	path string
	// publicURL overrides the document's public URL when not empty.
	publicURL string
	// dir is the directory Watch watches: the file's own directory, where
	// kubelet swaps the ..data symlink.
	dir     string
	log     *slog.Logger
	metrics *metrics

	current atomic.Pointer[snapshot]

	mu sync.Mutex // serialises Reload and guards the fields below
	// lastSum is the hash of the content last read, valid or not, so that
	// polling an unchanged file does nothing.
	lastSum [sha256.Size]byte
	seenAny bool
	// lastErr is the error of the content last read, returned again while
	// the content does not change.
	lastErr error
	// lastReadErr is the last error reading the file, reported once while
	// it persists.
	lastReadErr string
}

func newCatalog(path, publicURL string, log *slog.Logger, m *metrics) *Catalog {
	return &Catalog{path: path, publicURL: publicURL, dir: filepath.Dir(path), log: log, metrics: m}
}

// Ready reports whether a valid document has been loaded.
func (c *Catalog) Ready() bool { return c.current.Load() != nil }

// Document returns the current document, or nil before the first
// successful load. Callers must not modify it.
func (c *Catalog) Document() *portaldata.Document {
	if s := c.current.Load(); s != nil {
		return s.doc
	}
	return nil
}

func (c *Catalog) snapshot() *snapshot { return c.current.Load() }

// Reload reads the file (and the catalogue file it names) and, if their
// content changed and is valid, makes it the current document. It returns
// the error of the content, also when that did not change. On error the previous document stays in place.
// Each invalid content, and each persisting read error, is logged and
// counted once, not on every poll.
func (c *Catalog) Reload() error {
	c.mu.Lock()
	defer c.mu.Unlock()

	data, catalog, err := c.read()
	if err != nil {
		err = fmt.Errorf("reading portal data: %w", err)
		c.seenAny = false // read the file afresh once it is back
		if msg := err.Error(); msg != c.lastReadErr {
			c.lastReadErr = msg
			c.reportFailure(err)
		}
		return err
	}
	c.lastReadErr = ""

	h := sha256.New()
	h.Write(data)
	h.Write([]byte{0})
	h.Write(catalog)
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	if c.seenAny && sum == c.lastSum {
		return c.lastErr
	}
	c.lastSum, c.seenAny = sum, true

	doc, err := c.parse(data, catalog)
	if err != nil {
		c.lastErr = err
		c.reportFailure(c.lastErr)
		return c.lastErr
	}
	start := time.Now()
	snap, err := newSnapshot(doc, hex.EncodeToString(sum[:]), c.publicURL)
	if err != nil {
		c.lastErr = err
		c.reportFailure(c.lastErr)
		return c.lastErr
	}
	indexed := time.Since(start)
	c.lastErr = nil
	c.current.Store(snap)
	c.metrics.loaded(doc, indexed)
	c.log.Info("loaded portal data", "path", c.path, "catalog", doc.Catalog, "checksum", snap.checksum,
		"administration", doc.Administration.Name, "services", len(doc.Services), "searchIndexSeconds", indexed.Seconds())
	// Building the index allocates about 20 times what it keeps: give
	// that back to the OS now rather than over minutes, so that the pod's
	// working set shows what the portal holds.
	debug.FreeOSMemory()
	return nil
}

// read reads the document and, if it names one, the shared catalogue
// beside it.
func (c *Catalog) read() (data, catalog []byte, err error) {
	if data, err = readLimited(c.path); err != nil {
		return nil, nil, err
	}
	var names struct {
		Catalog string `json:"catalog"`
	}
	// A document that does not decode has its error reported by parse.
	if json.Unmarshal(data, &names) != nil || names.Catalog == "" || filepath.Base(names.Catalog) != names.Catalog {
		return data, nil, nil
	}
	catalog, err = readLimited(filepath.Join(c.dir, names.Catalog))
	return data, catalog, err
}

// parse parses the document and joins it with its catalogue. A service the
// catalogue does not know yet (the operator writes the two ConfigMaps one
// after the other) is left out and logged.
func (c *Catalog) parse(data, catalog []byte) (*portaldata.Document, error) {
	doc, err := portaldata.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("parsing %s: %w", c.path, err)
	}
	if doc.Catalog == "" {
		return doc, nil
	}
	cat, err := portaldata.ParseCatalog(catalog)
	if err != nil {
		return nil, fmt.Errorf("parsing %s: %w", filepath.Join(c.dir, doc.Catalog), err)
	}
	if missing := doc.Join(cat); len(missing) > 0 {
		c.log.Warn("services not in the catalogue are left out", "catalog", doc.Catalog, "services", missing)
	}
	return doc, nil
}

func (c *Catalog) reportFailure(err error) {
	c.metrics.reloadFailed()
	if c.Ready() {
		c.log.Error("portal data is invalid, serving the last good version", "error", err)
	} else {
		c.log.Error("no valid portal data, not ready", "error", err)
	}
}

func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, portaldata.MaxDocumentSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > portaldata.MaxDocumentSize {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, portaldata.MaxDocumentSize)
	}
	return data, nil
}

// Watch reloads the document whenever its directory changes and, as a
// safety net, every interval, until ctx is done.
//
// Kubernetes updates a ConfigMap volume by writing a new timestamped
// directory and atomically swapping the ..data symlink, so the file's own
// inode never changes: watching the directory sees the swap, watching the
// file would not. Polling covers watches that are lost or cannot be set up
// (inotify limits, the directory replaced as a whole).
func (c *Catalog) Watch(ctx context.Context, interval time.Duration) {
	var events <-chan fsnotify.Event
	var errs <-chan error
	if w, err := c.watchDir(); err != nil {
		c.log.Warn("cannot watch the portal data directory, polling only", "error", err, "interval", interval.String())
	} else {
		defer w.Close()
		events, errs = w.Events, w.Errors
	}

	// Once the watch is in place, read again: a change made after the
	// first load and before the watch would otherwise wait for the poll.
	_ = c.Reload()

	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	var debounce <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case _, ok := <-events:
			if !ok {
				c.log.Warn("the directory watch ended, polling only", "interval", interval.String())
				events, errs = nil, nil
				continue
			}
			if debounce == nil {
				debounce = time.After(debounceDelay)
			}
		case err, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			c.log.Warn("watching the portal data directory", "error", err)
		case <-debounce:
			debounce = nil
			_ = c.Reload() // Reload logs and counts failures itself.
		case <-ticker.C:
			_ = c.Reload()
		}
	}
}

func (c *Catalog) watchDir() (*fsnotify.Watcher, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	if err := w.Add(c.dir); err != nil {
		return nil, errors.Join(err, w.Close())
	}
	return w, nil
}
