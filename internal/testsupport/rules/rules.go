// Package rules reads the alert rules of config/monitoring/rules.yaml, so
// that the tests of the manager and the portal can check that every
// metric the rules use is one they expose.
package rules

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"

	"sigs.k8s.io/yaml"

	"github.com/ozg-operator/ozg-operator/internal/testsupport"
)

// metricName matches the project's metric names in a PromQL expression.
var metricName = regexp.MustCompile(`\bozg_[a-z_]+`)

// Metrics returns the ozg_ metrics the alert rules' expressions use,
// sorted.
func Metrics() ([]string, error) {
	root, err := testsupport.ModuleRoot()
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(root, "config", "monitoring", "rules.yaml"))
	if err != nil {
		return nil, err
	}
	var file struct {
		Groups []struct {
			Rules []struct {
				Expr string `json:"expr"`
			} `json:"rules"`
		} `json:"groups"`
	}
	if err := yaml.Unmarshal(data, &file); err != nil {
		return nil, err
	}
	var names []string
	for _, g := range file.Groups {
		for _, r := range g.Rules {
			names = append(names, metricName.FindAllString(r.Expr, -1)...)
		}
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}
