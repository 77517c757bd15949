// Command gitserver serves the Git repositories under a directory over
// smart HTTP on a local address, by running git's own git-http-backend as a
// CGI program. Flux's GitRepository accepts only http(s) and ssh URLs, so
// the GitOps check (hack/gitops.sh) serves its local repository with it.
// It is part of the GitOps check, not of the product.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

func main() {
	var root, listen, backend string
	flag.StringVar(&root, "root", "", "directory whose Git repositories are served (GIT_PROJECT_ROOT)")
	flag.StringVar(&listen, "listen", "127.0.0.1:0", "address to listen on")
	flag.StringVar(&backend, "backend", "", "git-http-backend to run (default: from `git --exec-path`)")
	flag.Parse()
	if err := run(root, listen, backend); err != nil {
		fmt.Fprintln(os.Stderr, "gitserver:", err)
		os.Exit(1)
	}
}

func run(root, listen, backend string) error {
	handler, err := newHandler(root, backend)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: logged(handler), ReadHeaderTimeout: 10 * time.Second}
	// The address on a line of its own, for whoever started us.
	fmt.Printf("http://%s\n", ln.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newHandler serves the repositories under root through backend
// (git-http-backend; empty: git's own).
func newHandler(root, backend string) (http.Handler, error) {
	if root == "" {
		return nil, errors.New("--root is required")
	}
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	if backend == "" {
		out, err := exec.Command("git", "--exec-path").Output()
		if err != nil {
			return nil, fmt.Errorf("finding git-http-backend: git --exec-path: %w", err)
		}
		backend = filepath.Join(strings.TrimSpace(string(out)), "git-http-backend")
	}
	if _, err := os.Stat(backend); err != nil {
		return nil, fmt.Errorf("git-http-backend: %w", err)
	}
	return &cgi.Handler{
		Path: backend,
		Env: []string{
			"GIT_PROJECT_ROOT=" + root,
			// Serve every repository under root, without git-daemon-export-ok.
			"GIT_HTTP_EXPORT_ALL=1",
		},
	}, nil
}

// logged logs each request, so that a failed fetch can be traced.
func logged(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.Printf("%s %s", r.Method, r.URL.RequestURI())
		h.ServeHTTP(w, r)
	})
}
