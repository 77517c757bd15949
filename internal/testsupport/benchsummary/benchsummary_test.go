package benchsummary

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func TestRecordMergesSections(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bench", "summary.json")
	t.Setenv(Env, path)
	if err := Record("nrw", map[string]any{"rss_mib": 150.0, "rest_writes": 5000}); err != nil {
		t.Fatal(err)
	}
	if err := Record("outage", map[string]any{"recovery_s": 2.5}); err != nil {
		t.Fatal(err)
	}
	if err := Record("nrw", map[string]any{"rss_mib": 140.0}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]map[string]any
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if got["nrw"]["rss_mib"] != 140.0 || got["nrw"]["rest_writes"] != 5000.0 || got["outage"]["recovery_s"] != 2.5 {
		t.Errorf("summary = %v", got)
	}
	if got["nrw"]["measured_at"] == nil {
		t.Error("no measured_at in section nrw")
	}
}

func TestRecordWithoutTheEnvironmentWritesNothing(t *testing.T) {
	t.Setenv(Env, "")
	dir := t.TempDir()
	t.Chdir(dir)
	if err := Record("nrw", map[string]any{"x": 1}); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("wrote %v", entries)
	}
}
