// Package portal is the HTTP server of a municipality's service portal. It
// serves the OZG services of one portaldata.Document as an accessible
// German HTML page and as JSON, reloads the document when the mounted
// ConfigMap changes, and exposes health, readiness and Prometheus metrics.
package portal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/ozg-operator/ozg-operator/internal/portaldata"
)

// DefaultPollInterval is how often Run re-reads the document in case a
// file system event was missed. Kubelet itself syncs ConfigMap volumes only
// about once a minute, so a few seconds add no noticeable delay.
const DefaultPollInterval = 10 * time.Second

// Options configure a Server.
type Options struct {
	// DataPath is the document's file, normally portal.json in the mounted
	// ConfigMap volume.
	DataPath string
	// Logger receives the server's logs; nil discards them.
	Logger *slog.Logger
	// ServeOps adds /healthz, /readyz and /metrics to Handler, for a
	// portal run on one port (development). Leave it false and serve
	// OpsHandler on a separate, non-public port where the portal's port is
	// reachable from the internet: the Ingress then reaches none of them.
	ServeOps bool
	// PollInterval overrides DefaultPollInterval.
	PollInterval time.Duration
	// PublicURL, if not empty, overrides the document's public URL (scheme
	// and host) that canonical links, the sitemap and structured data use.
	PublicURL string
}

// Server serves one portal.
type Server struct {
	catalog      *Catalog
	metrics      *metrics
	log          *slog.Logger
	pollInterval time.Duration
	handler      http.Handler
	draining     atomic.Bool
}

// New returns a Server for opts. It reads no file yet: call Run, or Reload
// to load the document synchronously.
func New(opts Options) (*Server, error) {
	if opts.DataPath == "" {
		return nil, errors.New("portal: DataPath is required")
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		metrics:      newMetrics(),
		log:          log,
		pollInterval: opts.PollInterval,
	}
	if s.pollInterval <= 0 {
		s.pollInterval = DefaultPollInterval
	}
	if err := portaldata.ValidatePublicURL(opts.PublicURL); err != nil {
		return nil, fmt.Errorf("portal: PublicURL: %w", err)
	}
	s.catalog = newCatalog(opts.DataPath, opts.PublicURL, log, s.metrics)
	s.handler = s.routes(opts.ServeOps)
	return s, nil
}

// Handler serves the portal: the page at /, the JSON API, static assets
// and, with Options.ServeOps, /healthz, /readyz and /metrics.
func (s *Server) Handler() http.Handler { return s.handler }

// OpsHandler serves /healthz, /readyz and /metrics for a separate
// listener that only the kubelet and the monitoring reach.
func (s *Server) OpsHandler() http.Handler {
	mux := http.NewServeMux()
	s.handleOps(mux)
	s.handle(mux, "/", "not_found", http.NotFoundHandler())
	return securityHeaders(mux)
}

// Catalog returns the server's document store.
func (s *Server) Catalog() *Catalog { return s.catalog }

// Reload reads the document now; see Catalog.Reload.
func (s *Server) Reload() error { return s.catalog.Reload() }

// Run loads the document and then watches it for changes until ctx is
// done. The server stays up without a valid document; it is just not
// ready until one appears.
func (s *Server) Run(ctx context.Context) {
	_ = s.catalog.Reload() // Reload logs and counts failures.
	s.catalog.Watch(ctx, s.pollInterval)
}

// Drain makes /readyz fail so that Kubernetes stops sending new requests
// while in-flight ones finish; the portal keeps serving meanwhile.
func (s *Server) Drain() { s.draining.Store(true) }

func (s *Server) routes(serveOps bool) http.Handler {
	mux := http.NewServeMux()
	s.handle(mux, "/{$}", "page", http.HandlerFunc(s.servePage))
	s.handle(mux, "/leistungen/{ozgId}", "service_page", http.HandlerFunc(s.serveServicePage))
	s.handle(mux, "/robots.txt", "robots", http.HandlerFunc(s.serveRobots))
	s.handle(mux, "/sitemap.xml", "sitemap", http.HandlerFunc(s.serveSitemap))
	s.handle(mux, "/api/v1/services", "api_services", http.HandlerFunc(s.serveServices))
	s.handle(mux, "/api/v1/portalverbund", "api_portalverbund", http.HandlerFunc(s.servePortalverbund))
	s.handle(mux, staticPrefix, "static", s.staticHandler())
	if serveOps {
		s.handleOps(mux)
	}
	s.handle(mux, "/", "not_found", http.HandlerFunc(s.serveNotFound))
	return securityHeaders(mux)
}

// handleOps adds what the kubelet and the monitoring ask for.
func (s *Server) handleOps(mux *http.ServeMux) {
	s.handle(mux, "/healthz", "healthz", http.HandlerFunc(serveHealthz))
	s.handle(mux, "/readyz", "readyz", http.HandlerFunc(s.serveReadyz))
	s.handle(mux, "/metrics", "metrics", s.metrics.handler())
}

// handle registers h for pattern, allowing only GET and HEAD and counting
// requests under name.
func (s *Server) handle(mux *http.ServeMux, pattern, name string, h http.Handler) {
	mux.Handle(pattern, s.metrics.instrument(name, readOnly(h)))
}

func serveHealthz(w http.ResponseWriter, _ *http.Request) {
	writeText(w, http.StatusOK, "ok")
}

func (s *Server) serveReadyz(w http.ResponseWriter, _ *http.Request) {
	switch {
	case s.draining.Load():
		writeText(w, http.StatusServiceUnavailable, "shutting down")
	case !s.catalog.Ready():
		writeText(w, http.StatusServiceUnavailable, "no valid portal data loaded")
	default:
		writeText(w, http.StatusOK, "ok")
	}
}

func writeText(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(msg + "\n"))
}

// NewHTTPServer returns an http.Server for h with timeouts and header
// limits suitable for a public portal behind an ingress.
func NewHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}
