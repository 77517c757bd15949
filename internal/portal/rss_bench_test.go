//go:build bench

package portal

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/onsi/gomega"

	"github.com/ozg-operator/ozg-operator/internal/portal/searcheval"
	"github.com/ozg-operator/ozg-operator/internal/portaldata"
	"github.com/ozg-operator/ozg-operator/internal/testsupport/benchsummary"
)

// BenchmarkPortalRSS runs the portal binary as the pod runs it, on
// Augustdorf's document, and reports its resident memory (what the pod's
// working set and its memory limit count): before the document is
// there, once it is loaded (the search index built) with the peak while
// loading, and after the start page and every query of the search-eval
// set were served.
// OZG_PORTAL_BIN names a portal binary to measure instead of this tree's.
func BenchmarkPortalRSS(b *testing.B) {
	_, doc, root := nrwServer(b)
	qs, err := searcheval.ReadQueries(filepath.Join(root, searcheval.QueriesFile))
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	// OZG_PORTAL_BIN measures another build, e.g. an earlier release's.
	bin := os.Getenv("OZG_PORTAL_BIN")
	if bin == "" {
		bin = filepath.Join(dir, "portal")
		build := exec.Command("go", "build", "-o", bin, "./cmd/portal")
		build.Dir, build.Stderr = root, os.Stderr
		if err := build.Run(); err != nil {
			b.Fatal(err)
		}
	}
	doc.Catalog = ""
	data, err := portaldata.Marshal(doc)
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(dir, "data", portaldata.ConfigMapKey)
	must(b, os.MkdirAll(filepath.Dir(path), 0o755))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(b, err)
	addr := l.Addr().String()
	l.Close()
	for b.Loop() {
		cmd := exec.Command(bin, "--data", path, "--listen", addr, "--poll-interval", "100ms")
		must(b, cmd.Start())
		g := gomega.NewWithT(b)
		base := "http://" + addr
		g.Eventually(func() error { _, err := http.Get(base + "/healthz"); return err }).Within(10 * time.Second).Should(gomega.Succeed())
		empty := rss(b, cmd.Process.Pid, "VmRSS:")
		must(b, os.WriteFile(path, data, 0o644))
		g.Eventually(func() int {
			resp, err := http.Get(base + "/readyz")
			if err != nil {
				return 0
			}
			resp.Body.Close()
			return resp.StatusCode
		}).Within(30 * time.Second).Should(gomega.Equal(http.StatusOK))
		loaded := rss(b, cmd.Process.Pid, "VmRSS:")
		peak := rss(b, cmd.Process.Pid, "VmHWM:")
		for _, target := range append([]string{"/"}, queryTargets(qs)...) {
			resp, err := http.Get(base + target)
			must(b, err)
			resp.Body.Close()
		}
		served := rss(b, cmd.Process.Pid, "VmRSS:")
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		fmt.Printf("\nportal RSS: %.1f MiB without a document, %.1f MiB with Augustdorf's loaded (peak while loading %.1f MiB), %.1f MiB after the start page and %d searches\n",
			empty, loaded, peak, served, len(qs))
		b.ReportMetric(loaded, "loaded-MiB")
		b.ReportMetric(peak, "peak-MiB")
		b.ReportMetric(served, "served-MiB")
		must(b, benchsummary.Record("portal_rss", map[string]any{"empty_mib": empty, "loaded_mib": loaded, "peak_mib": peak, "served_mib": served}))
		_ = os.Remove(path)
	}
}

func queryTargets(qs []searcheval.Query) []string {
	var out []string
	for _, q := range qs {
		out = append(out, "/?q="+url.QueryEscape(q.Text))
	}
	return out
}

// rss is a process's resident set in MiB: its current (VmRSS:) or its
// peak (VmHWM:).
func rss(b *testing.B, pid int, field string) float64 {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	must(b, err)
	for _, line := range strings.Split(string(status), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == field {
			kb, err := strconv.Atoi(f[1])
			must(b, err)
			return float64(kb) / 1024
		}
	}
	b.Fatal("no " + field)
	return 0
}
