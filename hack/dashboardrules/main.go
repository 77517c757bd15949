// Command dashboardrules checks the Grafana dashboard of
// config/monitoring/dashboard.json and writes its queries as a Prometheus
// rule file to stdout, so that `promtool check rules` parses every query
// (make monitoring-check).
package main

import (
	"fmt"
	"os"

	"sigs.k8s.io/yaml"

	"github.com/ozg-operator/ozg-operator/internal/testsupport/monitoring"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "dashboardrules:", err)
		os.Exit(1)
	}
}

func run() error {
	d, err := monitoring.ReadDashboard()
	if err != nil {
		return err
	}
	if err := d.Check(); err != nil {
		return fmt.Errorf("config/monitoring/dashboard.json: %w", err)
	}
	out, err := yaml.Marshal(d.AsRules())
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(out)
	return err
}
