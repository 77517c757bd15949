package rollout

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

func TestTemplateHash(t *testing.T) {
	a := ozgv1.PortalSettings{Version: "1.4.0"}
	b := ozgv1.PortalSettings{Version: "1.5.0"}
	if TemplateHash(a) != TemplateHash(*a.DeepCopy()) || TemplateHash(a) == TemplateHash(b) || len(TemplateHash(a)) != 16 {
		t.Errorf("hashes %s, %s", TemplateHash(a), TemplateHash(b))
	}
}

func TestPortalReadyNeedsTheCurrentGeneration(t *testing.T) {
	for _, tc := range []struct {
		observed int64
		status   metav1.ConditionStatus
		want     bool
	}{{2, metav1.ConditionTrue, true}, {1, metav1.ConditionTrue, false}, {2, metav1.ConditionFalse, false}} {
		p := &ozgv1.ServicePortal{ObjectMeta: metav1.ObjectMeta{Generation: 2}}
		p.Status.ObservedGeneration = tc.observed
		p.Status.Conditions = []metav1.Condition{{Type: ozgv1.ReadyCondition, Status: tc.status}}
		if got := PortalReady(p); got != tc.want {
			t.Errorf("Ready %s observed at generation %d of 2: ready %v, want %v", tc.status, tc.observed, got, tc.want)
		}
	}
}
