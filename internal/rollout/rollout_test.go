package rollout

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
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

// TestTemplateHashCoversPlacement: pull secrets and placement are part of
// the rolled-out template, and settings that leave them unset keep the
// hash they had before the fields existed, so that upgrading the operator
// rolls no fleet.
func TestTemplateHashCoversPlacement(t *testing.T) {
	base := ozgv1.PortalSettings{Version: "1.4.0"}
	if got := TemplateHash(base); got != "8472c3a66651aa3d" {
		t.Errorf("the hash of unchanged settings moved to %s", got)
	}
	for name, change := range map[string]func(*ozgv1.PortalSettings){
		"image": func(s *ozgv1.PortalSettings) {
			s.Image = "registry.example.de/portal@sha256:" + strings.Repeat("0", 64)
		},
		"imagePullSecrets": func(s *ozgv1.PortalSettings) { s.ImagePullSecrets = []corev1.LocalObjectReference{{Name: "regcred"}} },
		"nodeSelector":     func(s *ozgv1.PortalSettings) { s.NodeSelector = map[string]string{"ozg.dev/node": "real"} },
		"tolerations": func(s *ozgv1.PortalSettings) {
			s.Tolerations = []corev1.Toleration{{Key: "ozg.dev/real-node", Operator: corev1.TolerationOpExists}}
		},
		"topologySpreadConstraints": func(s *ozgv1.PortalSettings) {
			s.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{MaxSkew: 1, TopologyKey: corev1.LabelHostname, WhenUnsatisfiable: corev1.ScheduleAnyway}}
		},
		"priorityClassName": func(s *ozgv1.PortalSettings) { s.PriorityClassName = "portal-high" },
	} {
		changed := *base.DeepCopy()
		change(&changed)
		if TemplateHash(changed) == TemplateHash(base) {
			t.Errorf("a change of %s keeps the template hash", name)
		}
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
