// Package monitoring reads what config/monitoring holds for Prometheus and
// Grafana (the alert rules and the dashboard), so that the tests of the
// manager and the portal can check that every metric they use is one the
// programs expose, and `make monitoring-check` can have promtool parse the
// dashboard's queries.
package monitoring

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

// Rules is a Prometheus rule file.
type Rules struct {
	Groups []RuleGroup `json:"groups"`
}

// RuleGroup is a group of a rule file, with the fields used here.
type RuleGroup struct {
	Name  string `json:"name"`
	Rules []Rule `json:"rules"`
}

// Rule is an alerting or a recording rule.
type Rule struct {
	Alert  string `json:"alert,omitempty"`
	Record string `json:"record,omitempty"`
	Expr   string `json:"expr"`
}

// Metrics returns the ozg_ metrics that the alert rules and the dashboard
// use, sorted.
func Metrics() ([]string, error) {
	rules, err := ReadRules()
	if err != nil {
		return nil, err
	}
	dash, err := ReadDashboard()
	if err != nil {
		return nil, err
	}
	var names []string
	for _, expr := range append(rules.Exprs(), dash.Exprs()...) {
		names = append(names, metricName.FindAllString(expr, -1)...)
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}

// ReadRules reads config/monitoring/rules.yaml.
func ReadRules() (*Rules, error) {
	data, err := readFile("rules.yaml")
	if err != nil {
		return nil, err
	}
	var rules Rules
	return &rules, yaml.Unmarshal(data, &rules)
}

// Exprs are the rules' expressions.
func (r *Rules) Exprs() []string {
	var exprs []string
	for _, g := range r.Groups {
		for _, rule := range g.Rules {
			exprs = append(exprs, rule.Expr)
		}
	}
	return exprs
}

// readFile reads a file of config/monitoring.
func readFile(name string) ([]byte, error) {
	root, err := testsupport.ModuleRoot()
	if err != nil {
		return nil, err
	}
	return os.ReadFile(filepath.Join(root, "config", "monitoring", name))
}
