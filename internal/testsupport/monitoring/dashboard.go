package monitoring

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Dashboard is the Grafana dashboard of config/monitoring/dashboard.json,
// with the fields checked here.
type Dashboard struct {
	UID        string  `json:"uid"`
	Title      string  `json:"title"`
	Panels     []Panel `json:"panels"`
	Templating struct {
		List []Variable `json:"list"`
	} `json:"templating"`
}

// Panel is one panel of the dashboard.
type Panel struct {
	ID         int        `json:"id"`
	Type       string     `json:"type"`
	Title      string     `json:"title"`
	Datasource Datasource `json:"datasource"`
	GridPos    struct {
		X int `json:"x"`
		Y int `json:"y"`
		W int `json:"w"`
		H int `json:"h"`
	} `json:"gridPos"`
	Targets []struct {
		RefID      string     `json:"refId"`
		Expr       string     `json:"expr"`
		Datasource Datasource `json:"datasource"`
	} `json:"targets"`
}

// Datasource is a panel's or target's data source.
type Datasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

// Variable is a template variable; the query ones list label values.
type Variable struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	Query any    `json:"query"`
}

// ReadDashboard reads config/monitoring/dashboard.json.
func ReadDashboard() (*Dashboard, error) {
	data, err := readFile("dashboard.json")
	if err != nil {
		return nil, err
	}
	var d Dashboard
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("dashboard.json: %w", err)
	}
	return &d, nil
}

// Exprs are the panels' queries and the variables' label_values queries.
func (d *Dashboard) Exprs() []string {
	var exprs []string
	for _, p := range d.Panels {
		for _, t := range p.Targets {
			exprs = append(exprs, t.Expr)
		}
	}
	for _, v := range d.Templating.List {
		if q, ok := v.Query.(map[string]any); ok {
			if s, ok := q["query"].(string); ok {
				exprs = append(exprs, s)
			}
		}
	}
	return exprs
}

// datasourceVar is the data source every panel uses: the dashboard's
// variable, so that it works with any Prometheus.
const datasourceVar = "${datasource}"

// variableRef matches a use of a template variable other than Grafana's
// own ($__rate_interval).
var variableRef = regexp.MustCompile(`\$\{?([a-z][a-z0-9_]*)`)

// Check reports what would make the dashboard break in Grafana: panels
// without queries or with a fixed data source, duplicate panel IDs, panels
// outside the 24-column grid or on top of each other, and variables used
// but not defined.
func (d *Dashboard) Check() error {
	var errs []error
	if d.UID == "" || d.Title == "" {
		errs = append(errs, errors.New("the dashboard needs a uid and a title"))
	}
	defined := map[string]bool{}
	for _, v := range d.Templating.List {
		defined[v.Name] = true
	}
	ids := map[int]string{}
	for i, p := range d.Panels {
		name := fmt.Sprintf("panel %d (%q)", p.ID, p.Title)
		if other, dup := ids[p.ID]; dup {
			errs = append(errs, fmt.Errorf("%s has the ID of %s", name, other))
		}
		ids[p.ID] = name
		if p.Datasource.UID != datasourceVar {
			errs = append(errs, fmt.Errorf("%s: data source %q, want %s", name, p.Datasource.UID, datasourceVar))
		}
		g := p.GridPos
		if g.W <= 0 || g.H <= 0 || g.X < 0 || g.X+g.W > 24 {
			errs = append(errs, fmt.Errorf("%s lies outside the 24-column grid: %+v", name, g))
		}
		for _, q := range d.Panels[:i] {
			h := q.GridPos
			if g.X < h.X+h.W && h.X < g.X+g.W && g.Y < h.Y+h.H && h.Y < g.Y+g.H {
				errs = append(errs, fmt.Errorf("%s overlaps panel %d", name, q.ID))
			}
		}
		if len(p.Targets) == 0 {
			errs = append(errs, fmt.Errorf("%s has no query", name))
		}
		for _, t := range p.Targets {
			if strings.TrimSpace(t.Expr) == "" || t.RefID == "" {
				errs = append(errs, fmt.Errorf("%s: a query without expression or refId", name))
			}
			if t.Datasource.UID != datasourceVar {
				errs = append(errs, fmt.Errorf("%s, query %s: data source %q, want %s", name, t.RefID, t.Datasource.UID, datasourceVar))
			}
		}
	}
	for _, expr := range d.Exprs() {
		for _, m := range variableRef.FindAllStringSubmatch(expr, -1) {
			if !defined[m[1]] {
				errs = append(errs, fmt.Errorf("%q uses the variable $%s, which the dashboard does not define", expr, m[1]))
			}
		}
	}
	return errors.Join(errs...)
}

// AsRules turns the panels' queries into recording rules, with the
// variables replaced by what "All" selects, so that promtool can parse
// them (`make monitoring-check`).
func (d *Dashboard) AsRules() *Rules {
	vars := strings.NewReplacer("$__rate_interval", "5m", "$namespace", ".*", "$fleet", ".*")
	group := RuleGroup{Name: "dashboard " + d.UID}
	for _, p := range d.Panels {
		for _, t := range p.Targets {
			group.Rules = append(group.Rules, Rule{
				Record: fmt.Sprintf("dashboard:panel_%d:%s", p.ID, strings.ToLower(t.RefID)),
				Expr:   vars.Replace(t.Expr),
			})
		}
	}
	return &Rules{Groups: []RuleGroup{group}}
}
