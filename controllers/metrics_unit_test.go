package controllers

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// oneFleet is a cache that holds one fleet and no portals.
type oneFleet struct{ client.Reader }

func (oneFleet) List(_ context.Context, list client.ObjectList, _ ...client.ListOption) error {
	if fleets, ok := list.(*ozgv1.PortalFleetList); ok {
		fleets.Items = []ozgv1.PortalFleet{{ObjectMeta: metav1.ObjectMeta{Namespace: "krz", Name: "krz"}}}
	}
	return nil
}

// A standby replica's cache holds what the leader's does: its series
// would double every sum on the dashboard and every alert. It exports the
// objects' series only once it leads.
func TestObjectMetricsOnlyFromTheLeader(t *testing.T) {
	elected := make(chan struct{})
	before := objectReader.Load()
	t.Cleanup(func() { objectReader.Store(before) })
	observeObjects(oneFleet{}, elected)
	collect := func() int {
		ch := make(chan prometheus.Metric, 100)
		objectCollector{}.Collect(ch)
		close(ch)
		return len(ch)
	}
	if n := collect(); n != 0 {
		t.Errorf("a standby exports %d series, want none", n)
	}
	close(elected)
	// ozg_portalfleet_portals by 4 states and ozg_portalfleet_stalled.
	if n := collect(); n != 5 {
		t.Errorf("the leader exports %d series of one fleet, want 5", n)
	}
}
