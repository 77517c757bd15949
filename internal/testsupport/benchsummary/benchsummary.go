// Package benchsummary collects the figures that `make bench` reports in
// bin/bench/summary.json (issue 17), one section per benchmark, so that a
// run can be compared with the README's figures without parsing text.
package benchsummary

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"time"
)

// Env names the summary file; hack/bench.sh sets it. Without it Record
// does nothing, so that the same code runs as a plain test.
const Env = "OZG_BENCH_SUMMARY"

// Record merges values into section of the summary file: values already
// there under other keys stay, so that benchmarks run one at a time
// (BENCH=...) add to an earlier run's file. Each section notes when it was
// measured last.
func Record(section string, values map[string]any) error {
	path := os.Getenv(Env)
	if path == "" {
		return nil
	}
	summary := map[string]map[string]any{}
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(data, &summary); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	if summary[section] == nil {
		summary[section] = map[string]any{}
	}
	maps.Copy(summary[section], values)
	summary[section]["measured_at"] = time.Now().UTC().Format(time.RFC3339)
	out, err := json.MarshalIndent(summary, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(out, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
