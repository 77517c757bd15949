package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ozg-operator/ozg-operator/internal/portaldata"
)

func writeDocument(t *testing.T) string {
	t.Helper()
	data, err := portaldata.Marshal(&portaldata.Document{
		SchemaVersion: portaldata.SchemaVersion,
		Administration: portaldata.Administration{
			Name: "gemeinde-x", Key: "05999001", DisplayName: "Gemeinde X", Type: "KreisangehoerigeGemeinde",
		},
		Services: []portaldata.Service{{OZGID: "10110", Name: "Wohngeld", Themenfeld: "Bauen & Wohnen", State: portaldata.StateLive}},
	})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), portaldata.ConfigMapKey)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func status(url string) int {
	resp, err := http.Get(url)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

func TestRunServesAndShutsDownGracefully(t *testing.T) {
	dataPath := writeDocument(t)
	// Read only after run has returned: slog serialises run's writes, and
	// run writes nothing once it has returned.
	var logs bytes.Buffer
	addrs := map[string]string{}
	var mu sync.Mutex
	listening := func(name, addr string) {
		mu.Lock()
		defer mu.Unlock()
		addrs[name] = "http://" + addr
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{
			"--data", dataPath, "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0",
			"--shutdown-delay", "1s", "--shutdown-timeout", "5s",
		}, &logs, listening)
	}()

	eventually(t, "the listeners", func() bool { mu.Lock(); defer mu.Unlock(); return len(addrs) == 2 })
	portalURL, metricsURL := addrs["portal"], addrs["metrics"]
	eventually(t, "readiness", func() bool { return status(metricsURL+"/readyz") == http.StatusOK })

	if code := status(portalURL + "/"); code != http.StatusOK {
		t.Errorf("GET / = %d", code)
	}
	if code := status(metricsURL + "/metrics"); code != http.StatusOK {
		t.Errorf("GET /metrics on the metrics listener = %d", code)
	}
	// The Ingress reaches the portal listener only: no health or metrics there.
	for _, path := range []string{"/metrics", "/healthz", "/readyz"} {
		if code := status(portalURL + path); code != http.StatusNotFound {
			t.Errorf("GET %s on the portal listener = %d, want 404 with a separate metrics listener", path, code)
		}
	}

	// SIGTERM: readiness fails first while the portal keeps serving, then
	// the server stops.
	cancel()
	eventually(t, "readiness to fail while draining", func() bool {
		return status(metricsURL+"/readyz") == http.StatusServiceUnavailable
	})
	if code := status(portalURL + "/"); code != http.StatusOK {
		t.Errorf("GET / while draining = %d, want 200", code)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run() = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after shutdown")
	}
	if status(portalURL+"/") != 0 {
		t.Error("portal still serving after run returned")
	}
	if !strings.Contains(logs.String(), `"msg":"stopped"`) {
		t.Errorf("no shutdown log:\n%s", logs.String())
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--no-such-flag"},
		{"extra"},
		{"--poll-interval", "0s"},
		{"--log-level", "loud"},
		{"--data", ""},
		{"--listen", "127.0.0.1:-1"},
		{"--public-url", "https://portal.example.de/pfad"},
		{"--public-url", "portal.example.de"},
	} {
		var out bytes.Buffer
		if err := run(context.Background(), args, &out, nil); err == nil {
			t.Errorf("run(%q) succeeded", args)
		}
	}
}

// --version is not an error: main prints the version and exits 0, before
// anything is read or bound.
func TestRunVersion(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"--version", "--data", "/nonexistent"}, &out, nil); !errors.Is(err, errVersion) {
		t.Errorf("run(--version) = %v, want errVersion", err)
	}
	if out.Len() != 0 {
		t.Errorf("run(--version) wrote %q", out.String())
	}
}
