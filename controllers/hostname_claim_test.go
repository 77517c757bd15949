package controllers

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// TestClaimedBefore pins who keeps a hostname two portals claim.
func TestClaimedBefore(t *testing.T) {
	const host = "lemgo.example.de"
	second := metav1.NewTime(time.Date(2023, 1, 16, 9, 0, 0, 0, time.UTC))
	later := metav1.NewTime(second.Add(time.Second))
	// portal claims host; it holds it when its status says so, or holds
	// another one when it was changed to host since.
	portal := func(ns string, created metav1.Time, holds string) *ozgv1.ServicePortal {
		return &ozgv1.ServicePortal{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "portal", CreationTimestamp: created},
			Spec:       ozgv1.ServicePortalSpec{Hostname: host},
			Status:     ozgv1.ServicePortalStatus{ObservedGeneration: 1, Hostname: holds},
		}
	}

	for _, tc := range []struct {
		name string
		a, b *ozgv1.ServicePortal
		want bool
	}{
		{"neither holds it: the older wins whatever its name", portal("z", second, ""), portal("a", later, ""), true},
		{"neither holds it: the newer loses whatever its name", portal("a", later, ""), portal("z", second, ""), false},
		{"neither holds it, same second: the name decides", portal("a", second, ""), portal("z", second, ""), true},
		// Before, the older portal won: one changed to the hostname of a
		// portal that served it took it away (a typo, a new pattern).
		{"the holder keeps it against an older portal changed to it", portal("z", later, host), portal("a", second, "other.example.de"), true},
		{"an older portal changed to it does not take it", portal("a", second, "other.example.de"), portal("z", later, host), false},
		{"the holder keeps it against a newcomer of the same second", portal("z", second, host), portal("a", second, ""), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := claimedBefore(tc.a, tc.b); got != tc.want {
				t.Errorf("claimedBefore(%s, %s) = %v, want %v", tc.a.Namespace, tc.b.Namespace, got, tc.want)
			}
		})
	}
}
