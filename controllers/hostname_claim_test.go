package controllers

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// TestClaimedBefore pins who keeps a hostname two portals claim.
func TestClaimedBefore(t *testing.T) {
	second := metav1.NewTime(time.Date(2023, 1, 16, 9, 0, 0, 0, time.UTC))
	portal := func(ns string, created metav1.Time, status ozgv1.ServicePortalStatus) *ozgv1.ServicePortal {
		return &ozgv1.ServicePortal{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "portal", CreationTimestamp: created}, Status: status}
	}
	serving := ozgv1.ServicePortalStatus{ObservedGeneration: 1, Conditions: []metav1.Condition{
		{Type: ozgv1.ReadyCondition, Status: metav1.ConditionTrue, Reason: ozgv1.ReasonSucceeded},
	}}
	conflicted := ozgv1.ServicePortalStatus{ObservedGeneration: 1, Conditions: []metav1.Condition{
		{Type: ozgv1.StalledCondition, Status: metav1.ConditionTrue, Reason: ozgv1.ReasonHostnameConflict},
	}}
	later := metav1.NewTime(second.Add(time.Second))

	for _, tc := range []struct {
		name string
		a, b *ozgv1.ServicePortal
		want bool
	}{
		{"older wins whatever its name", portal("z", second, serving), portal("a", later, serving), true},
		{"newer loses whatever its name", portal("a", later, serving), portal("z", second, serving), false},
		// Same second: the portal that holds the host keeps it against a
		// newcomer that sorts first.
		{"holder keeps it within the second", portal("z", second, serving), portal("a", second, ozgv1.ServicePortalStatus{}), true},
		{"newcomer does not take it within the second", portal("a", second, ozgv1.ServicePortalStatus{}), portal("z", second, serving), false},
		{"a portal in conflict holds nothing", portal("z", second, serving), portal("a", second, conflicted), true},
		{"neither holds it: the name decides", portal("a", second, ozgv1.ServicePortalStatus{}), portal("z", second, ozgv1.ServicePortalStatus{}), true},
		{"both hold it: the name decides", portal("z", second, serving), portal("a", second, serving), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := claimedBefore(tc.a, tc.b); got != tc.want {
				t.Errorf("claimedBefore(%s, %s) = %v, want %v", tc.a.Namespace, tc.b.Namespace, got, tc.want)
			}
		})
	}
}
