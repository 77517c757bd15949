package monitoring

import (
	"slices"
	"strings"
	"testing"
)

func TestDashboard(t *testing.T) {
	d, err := ReadDashboard()
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Check(); err != nil {
		t.Error(err)
	}
	// What the issue asks the dashboard to show.
	var titles []string
	for _, p := range d.Panels {
		titles = append(titles, p.Title)
	}
	for _, want := range []string{"Fleet rollout", "Portals by state", "Online share", "Portal requests", "Portal latency"} {
		if !slices.Contains(titles, want) {
			t.Errorf("no panel %q among %v", want, titles)
		}
	}
	// Every variable is replaced for promtool.
	for _, r := range d.AsRules().Groups[0].Rules {
		if strings.Contains(r.Expr, "$") {
			t.Errorf("%s: %q keeps a variable", r.Record, r.Expr)
		}
	}
}

// Check finds what breaks a dashboard in Grafana.
func TestDashboardCheckFindsFaults(t *testing.T) {
	d, err := ReadDashboard()
	if err != nil {
		t.Fatal(err)
	}
	d.Panels[1].ID = d.Panels[0].ID
	d.Panels[2].Datasource.UID = "prometheus-prod"
	d.Panels[3].GridPos.X = 22
	d.Panels[4].Targets[0].Expr = `up{namespace="$tenant"}`
	err = d.Check()
	for _, want := range []string{"has the ID of", `data source "prometheus-prod"`, "outside the 24-column grid", "variable $tenant"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Check: %v; want %q", err, want)
		}
	}
}

func TestMetrics(t *testing.T) {
	names, err := Metrics()
	if err != nil {
		t.Fatal(err)
	}
	// From the rules, the dashboard's panels and its variables.
	for _, want := range []string{"ozg_rollup_pending_age_seconds", "ozg_portal_http_request_duration_seconds_bucket", "ozg_portalfleet_portals", "ozg_build_info"} {
		if !slices.Contains(names, want) {
			t.Errorf("Metrics() = %v, lacks %s", names, want)
		}
	}
}
