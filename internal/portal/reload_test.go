package portal

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"testing"
	"time"

	. "github.com/onsi/gomega"
)

// TestReloadOnConfigMapUpdate updates the document the way kubelet updates a
// ConfigMap volume and expects the running server to pick it up without a
// restart, and to keep the last good version when the update is invalid.
func TestReloadOnConfigMapUpdate(t *testing.T) {
	g := NewWithT(t)
	vol := newConfigMapVolume(t)
	vol.write(t, marshal(t, sampleDocument()))

	// A poll interval of an hour proves that the directory watch, not the
	// poll, notices the swap.
	s, err := New(Options{DataPath: vol.path(), ServeOps: true, PollInterval: time.Hour})
	g.Expect(err).NotTo(HaveOccurred())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	h := s.Handler()

	serviceNames := func() []string {
		resp := get(t, h, "/")
		if resp.code != http.StatusOK {
			return nil
		}
		return parsePage(t, resp.body).serviceNames()
	}
	// Search results are cached per document: a reload must not serve the
	// old document's.
	searchNames := func() []string {
		resp := get(t, h, "/?q=wohngeld")
		if resp.code != http.StatusOK {
			return nil
		}
		return parsePage(t, resp.body).serviceNames()
	}
	metric := func(series string) func() string {
		return func() string { return metricValue(get(t, h, "/metrics").body, series) }
	}

	g.Eventually(serviceNames).Within(5 * time.Second).ProbeEvery(10 * time.Millisecond).
		Should(ContainElement("Wohngeld"))
	g.Expect(searchNames()).To(HaveExactElements("Wohngeld"))

	updated := sampleDocument()
	updated.Services[0].Name = "Wohngeld (neu)"
	updated.Services = updated.Services[:4]
	vol.write(t, marshal(t, updated))
	g.Eventually(serviceNames).Within(5 * time.Second).ProbeEvery(10 * time.Millisecond).
		Should(Equal([]string{"Baugenehmigung", "Wohngeld (neu)", "Änderung der Meldeadresse", "Personalausweis"}))
	g.Expect(searchNames()).To(HaveExactElements("Wohngeld (neu)"))
	g.Expect(metric(`ozg_portal_data_reloads_total{result="success"}`)()).To(Equal("2"))
	g.Expect(metric(`ozg_portal_services{state="Open"}`)()).To(Equal("1"))

	// An invalid update is counted and logged, and the old content stays.
	vol.write(t, []byte(`{"schemaVersion":1,"administration":{}}`))
	g.Eventually(metric(`ozg_portal_data_reloads_total{result="failure"}`)).Within(5 * time.Second).
		ProbeEvery(10 * time.Millisecond).Should(Equal("1"))
	g.Expect(serviceNames()).To(ContainElement("Wohngeld (neu)"))
	g.Expect(get(t, h, "/readyz").code).To(Equal(http.StatusOK))

	// Broken JSON likewise; then a valid update recovers.
	vol.write(t, []byte(`{"schemaVersion":`))
	g.Eventually(metric(`ozg_portal_data_reloads_total{result="failure"}`)).Within(5 * time.Second).
		ProbeEvery(10 * time.Millisecond).Should(Equal("2"))
	g.Expect(serviceNames()).To(ContainElement("Wohngeld (neu)"))

	vol.write(t, marshal(t, sampleDocument()))
	g.Eventually(serviceNames).Within(5 * time.Second).ProbeEvery(10 * time.Millisecond).
		Should(ContainElement("Wohngeld"))
}

// TestReloadPolls covers a missed or impossible directory watch: the
// periodic poll alone picks up the change.
func TestReloadPolls(t *testing.T) {
	g := NewWithT(t)
	vol := newConfigMapVolume(t)
	vol.write(t, marshal(t, sampleDocument()))
	c := newCatalog(vol.path(), "", slog.New(slog.DiscardHandler), newMetrics())
	g.Expect(c.Reload()).To(Succeed())
	// Watch a directory that never changes, so only the poll can notice.
	c.dir = t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.Watch(ctx, 20*time.Millisecond)
	}()
	defer func() {
		cancel()
		<-done
	}()

	updated := sampleDocument()
	updated.Administration.DisplayName = "Stadt Neustadt"
	vol.write(t, marshal(t, updated))
	g.Eventually(func() string {
		if d := c.Document(); d != nil {
			return d.Administration.DisplayName
		}
		return ""
	}).Within(5 * time.Second).ProbeEvery(10 * time.Millisecond).Should(Equal("Stadt Neustadt"))
}

// TestReloadCountsAFailureOnce: polling an unchanged invalid file must not
// count (or log) the same failure again and again, but each new invalid
// content counts, even with the same error.
func TestReloadCountsAFailureOnce(t *testing.T) {
	vol := newConfigMapVolume(t)
	vol.write(t, []byte(`not json`))
	s, err := New(Options{DataPath: vol.path(), ServeOps: true})
	must(t, err)
	for range 3 {
		if err := s.Reload(); err == nil {
			t.Fatal("Reload of invalid content succeeded")
		}
	}
	failures := func() string {
		return metricValue(get(t, s.Handler(), "/metrics").body, `ozg_portal_data_reloads_total{result="failure"}`)
	}
	if got := failures(); got != "1" {
		t.Errorf("failures = %s, want 1", got)
	}
	if s.Catalog().Ready() {
		t.Error("ready without valid data")
	}

	vol.write(t, []byte(`not json either`))
	if err := s.Reload(); err == nil {
		t.Fatal("Reload of invalid content succeeded")
	}
	if got := failures(); got != "2" {
		t.Errorf("failures after new invalid content = %s, want 2", got)
	}

	// A missing file is reported once while it stays missing.
	must(t, os.Remove(vol.path()))
	for range 3 {
		_ = s.Reload()
	}
	if got := failures(); got != "3" {
		t.Errorf("failures after the file vanished = %s, want 3", got)
	}
}
