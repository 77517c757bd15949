// Command metricscheck scrapes a running manager and portal (the demo's,
// hack/demo.sh check) and fails unless they expose every ozg_ metric that
// the alert rules and the Grafana dashboard of config/monitoring use: the
// portal's ozg_portal_*, the manager the others. It asks the portal for
// its start page first, so that its request metrics have samples.
//
//	metricscheck -manager URL -portal URL -portal-metrics URL
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/ozg-operator/ozg-operator/internal/testsupport/monitoring"
)

func main() {
	manager := flag.String("manager", "", "the manager's /metrics URL")
	portal := flag.String("portal", "", "the portal's start page")
	portalMetrics := flag.String("portal-metrics", "", "the portal's /metrics URL")
	flag.Parse()
	if err := run(*manager, *portal, *portalMetrics); err != nil {
		fmt.Fprintln(os.Stderr, "metricscheck:", err)
		os.Exit(1)
	}
}

var httpClient = &http.Client{Timeout: 10 * time.Second}

func run(manager, portal, portalMetrics string) error {
	if manager == "" || portal == "" || portalMetrics == "" {
		return errors.New("usage: metricscheck -manager URL -portal URL -portal-metrics URL")
	}
	names, err := monitoring.Metrics()
	if err != nil {
		return err
	}
	// The portal may still be starting.
	deadline := time.Now().Add(30 * time.Second)
	for _, err := get(portal); err != nil; _, err = get(portal) {
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(200 * time.Millisecond)
	}
	managerBody, err := get(manager)
	if err != nil {
		return err
	}
	portalBody, err := get(portalMetrics)
	if err != nil {
		return err
	}
	var missing []string
	for _, name := range names {
		body, who := managerBody, "the manager"
		if strings.HasPrefix(name, "ozg_portal_") {
			body, who = portalBody, "the portal"
		}
		// A sample line starts with the name; HELP and TYPE lines do not.
		if !strings.Contains("\n"+body, "\n"+name) {
			missing = append(missing, name+" ("+who+")")
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("the alert rules or the dashboard use metrics with no sample: %s", strings.Join(missing, ", "))
	}
	fmt.Printf("metricscheck: all %d metrics of the alert rules and the dashboard have samples\n", len(names))
	return nil
}

func get(url string) (string, error) {
	resp, err := httpClient.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return string(body), nil
}
