// Command portal serves a municipality's service portal from the
// portal.json that the ozg-operator renders into the portal's ConfigMap.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/ozg-operator/ozg-operator/internal/portal"
	"github.com/ozg-operator/ozg-operator/internal/portaldata"
	"github.com/ozg-operator/ozg-operator/internal/version"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr, nil); err != nil {
		if errors.Is(err, errVersion) {
			fmt.Println("portal", version.Get())
			os.Exit(0)
		}
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "portal:", err)
		os.Exit(1)
	}
}

type config struct {
	dataPath        string
	listen          string
	metricsListen   string
	pollInterval    time.Duration
	shutdownDelay   time.Duration
	shutdownTimeout time.Duration
	logLevel        slog.Level
	publicURL       string
}

// errVersion is what parseFlags returns for --version: main prints the
// version and exits 0, as for --help.
var errVersion = errors.New("version requested")

func parseFlags(args []string, out io.Writer) (config, error) {
	var c config
	var showVersion bool
	fs := flag.NewFlagSet("portal", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&c.dataPath, "data", "/etc/portal/"+portaldata.ConfigMapKey, "Path of the portal data document.")
	fs.StringVar(&c.listen, "listen", ":8080", "Address of the portal's HTTP listener.")
	fs.StringVar(&c.metricsListen, "metrics-listen", "",
		"Address of a separate listener for /metrics, /healthz and /readyz, which the Ingress does not reach. Empty serves them on --listen.")
	fs.DurationVar(&c.pollInterval, "poll-interval", portal.DefaultPollInterval,
		"How often to re-read the data file in addition to watching its directory.")
	fs.DurationVar(&c.shutdownDelay, "shutdown-delay", 5*time.Second,
		"After SIGTERM, how long to keep serving with /readyz failing so that endpoints are removed first.")
	fs.DurationVar(&c.shutdownTimeout, "shutdown-timeout", 20*time.Second,
		"How long to wait for in-flight requests after the shutdown delay.")
	fs.StringVar(&c.publicURL, "public-url", "",
		"Public URL (scheme and host) for canonical links, the sitemap and structured data. Empty uses the data document's.")
	fs.TextVar(&c.logLevel, "log-level", slog.LevelInfo, "Log level: debug, info, warn or error.")
	fs.BoolVar(&showVersion, "version", false, "Print the version and exit.")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if showVersion {
		return c, errVersion
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if c.pollInterval <= 0 {
		return c, errors.New("--poll-interval must be positive")
	}
	return c, nil
}

// run serves until ctx is done and then shuts down gracefully. listening,
// if not nil, is told each listener's name and address once it is bound.
func run(ctx context.Context, args []string, stderr io.Writer, listening func(name, addr string)) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.logLevel}))
	build := version.Get()
	log.Info("starting", "version", build.Version, "commit", build.Commit)

	srv, err := portal.New(portal.Options{
		DataPath:     cfg.dataPath,
		Logger:       log,
		ServeOps:     cfg.metricsListen == "",
		PollInterval: cfg.pollInterval,
		PublicURL:    cfg.publicURL,
	})
	if err != nil {
		return err
	}

	type listener struct {
		name   string
		server *http.Server
		ln     net.Listener
	}
	listeners := []listener{{name: "portal", server: portal.NewHTTPServer(srv.Handler(), log)}}
	if cfg.metricsListen != "" {
		listeners = append(listeners, listener{name: "metrics", server: portal.NewHTTPServer(srv.OpsHandler(), log)})
	}
	addrs := map[string]string{"portal": cfg.listen, "metrics": cfg.metricsListen}
	for i := range listeners {
		l := &listeners[i]
		if l.ln, err = net.Listen("tcp", addrs[l.name]); err != nil {
			for _, prev := range listeners[:i] {
				_ = prev.ln.Close()
			}
			return fmt.Errorf("listening for %s: %w", l.name, err)
		}
		log.Info("listening", "listener", l.name, "address", l.ln.Addr().String())
		if listening != nil {
			listening(l.name, l.ln.Addr().String())
		}
	}

	// The watcher outlives ctx so that content stays current while
	// draining.
	watchCtx, stopWatching := context.WithCancel(context.Background())
	watchDone := make(chan struct{})
	go func() {
		defer close(watchDone)
		srv.Run(watchCtx)
	}()
	defer func() {
		stopWatching()
		<-watchDone
	}()

	serveErr := make(chan error, len(listeners))
	for _, l := range listeners {
		go func() {
			if err := l.server.Serve(l.ln); !errors.Is(err, http.ErrServerClosed) {
				serveErr <- fmt.Errorf("serving %s: %w", l.name, err)
			}
		}()
	}

	var failed error
	select {
	case <-ctx.Done():
		log.Info("shutting down", "delay", cfg.shutdownDelay.String(), "timeout", cfg.shutdownTimeout.String())
		srv.Drain()
		select {
		case <-time.After(cfg.shutdownDelay):
		case failed = <-serveErr:
		}
	case failed = <-serveErr:
	}

	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer cancel()
	for _, l := range listeners {
		if err := l.server.Shutdown(shutdownCtx); err != nil {
			failed = errors.Join(failed, fmt.Errorf("shutting down %s: %w", l.name, err))
		}
	}
	if failed == nil {
		log.Info("stopped")
	}
	return failed
}
