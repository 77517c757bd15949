package controllers

import (
	"errors"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/render"
)

// deployment returns a Deployment of generation 2 whose status has
// observed, updated and available replicas (of one wanted).
func deployment(observed int64, updated, available int32) *appsv1.Deployment {
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Generation: 2}}
	d.Status = appsv1.DeploymentStatus{ObservedGeneration: observed, Replicas: 1, UpdatedReplicas: updated, AvailableReplicas: available}
	if available > 0 {
		d.Status.Conditions = []appsv1.DeploymentCondition{{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue}}
	}
	return d
}

func TestPortalStatus(t *testing.T) {
	rendered := &render.Result{Offered: 3, Live: 2}
	rolledOut := portalObservation{version: "1.4.0", scheme: "https", rendered: rendered, deployment: deployment(2, 1, 1)}
	withConflict := rolledOut
	withConflict.conflict = &ozgv1.ServicePortal{ObjectMeta: metav1.ObjectMeta{Namespace: "other", Name: "erster"}}
	rollingOut := rolledOut
	rollingOut.deployment = deployment(1, 0, 1)
	applyFailed := portalObservation{rendered: rendered, applyErr: errors.New("applying Deployment: quota exceeded")}

	type cond struct {
		status metav1.ConditionStatus
		reason string
	}
	absent := cond{}
	for _, tc := range []struct {
		name    string
		publish bool
		obs     portalObservation
		url     string
		version string
		want    map[string]cond
	}{
		{"administration missing", true, portalObservation{administrationMissing: true}, "", "", map[string]cond{
			ozgv1.ReadyCondition:       {metav1.ConditionFalse, ozgv1.ReasonAdministrationNotFound},
			ozgv1.StalledCondition:     {metav1.ConditionTrue, ozgv1.ReasonAdministrationNotFound},
			ozgv1.PublishedCondition:   {metav1.ConditionFalse, ozgv1.ReasonAdministrationNotFound},
			ozgv1.ReconcilingCondition: absent,
		}},
		{"content cannot be rendered", false, portalObservation{renderErr: errors.New("too big")}, "", "", map[string]cond{
			ozgv1.ReadyCondition:   {metav1.ConditionFalse, ozgv1.ReasonInvalidSpec},
			ozgv1.StalledCondition: {metav1.ConditionTrue, ozgv1.ReasonInvalidSpec},
		}},
		{"a child cannot be applied", true, applyFailed, "", "", map[string]cond{
			ozgv1.ReadyCondition:       {metav1.ConditionFalse, ozgv1.ReasonApplyFailed},
			ozgv1.ReconcilingCondition: {metav1.ConditionTrue, ozgv1.ReasonApplyFailed},
			ozgv1.StalledCondition:     absent,
		}},
		{"rolling out", true, rollingOut, "http://lemgo.krz.svc", "", map[string]cond{
			ozgv1.ReadyCondition:       {metav1.ConditionFalse, ozgv1.ReasonDeploymentNotAvailable},
			ozgv1.ReconcilingCondition: {metav1.ConditionTrue, ozgv1.ReasonDeploymentNotAvailable},
			ozgv1.AvailableCondition:   {metav1.ConditionFalse, ozgv1.ReasonDeploymentNotAvailable},
			ozgv1.PublishedCondition:   {metav1.ConditionFalse, ozgv1.ReasonDeploymentNotAvailable},
			ozgv1.StalledCondition:     absent,
		}},
		{"rolled out and published", true, rolledOut, "https://lemgo.example.de", "1.4.0", map[string]cond{
			ozgv1.ReadyCondition:       {metav1.ConditionTrue, ozgv1.ReasonSucceeded},
			ozgv1.AvailableCondition:   {metav1.ConditionTrue, ozgv1.ReasonSucceeded},
			ozgv1.PublishedCondition:   {metav1.ConditionTrue, ozgv1.ReasonSucceeded},
			ozgv1.ReconcilingCondition: absent,
			ozgv1.StalledCondition:     absent,
		}},
		{"rolled out, not published", false, rolledOut, "http://lemgo.krz.svc", "1.4.0", map[string]cond{
			ozgv1.ReadyCondition:     {metav1.ConditionTrue, ozgv1.ReasonSucceeded},
			ozgv1.PublishedCondition: {metav1.ConditionFalse, ozgv1.ReasonNotPublished},
		}},
		// The defect of issue 14: a portal that lost its hostname reported
		// https://<hostname> once rolled out, and its administration copied it.
		{"rolled out, hostname held by another portal", true, withConflict, "http://lemgo.krz.svc", "1.4.0", map[string]cond{
			ozgv1.ReadyCondition:       {metav1.ConditionFalse, ozgv1.ReasonHostnameConflict},
			ozgv1.StalledCondition:     {metav1.ConditionTrue, ozgv1.ReasonHostnameConflict},
			ozgv1.PublishedCondition:   {metav1.ConditionFalse, ozgv1.ReasonHostnameConflict},
			ozgv1.AvailableCondition:   {metav1.ConditionTrue, ozgv1.ReasonSucceeded},
			ozgv1.ReconcilingCondition: absent,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &ozgv1.ServicePortal{
				ObjectMeta: metav1.ObjectMeta{Namespace: "krz", Name: "lemgo", Generation: 4},
				Spec:       ozgv1.ServicePortalSpec{Hostname: "lemgo.example.de", Publish: tc.publish},
			}
			// From a portal that was online before, so that every condition must move.
			p.Status = ozgv1.ServicePortalStatus{URL: "https://lemgo.example.de", Conditions: []metav1.Condition{
				{Type: ozgv1.ReadyCondition, Status: metav1.ConditionTrue, Reason: ozgv1.ReasonSucceeded},
				{Type: ozgv1.PublishedCondition, Status: metav1.ConditionTrue, Reason: ozgv1.ReasonSucceeded},
			}}
			got := portalStatus(p, tc.obs)
			if got.ObservedGeneration != 4 {
				t.Errorf("observedGeneration %d, want 4", got.ObservedGeneration)
			}
			for typ, want := range tc.want {
				c := meta.FindStatusCondition(got.Conditions, typ)
				switch {
				case want == absent && c != nil:
					t.Errorf("%s = %s/%s, want it absent", typ, c.Status, c.Reason)
				case want != absent && (c == nil || c.Status != want.status || c.Reason != want.reason):
					t.Errorf("%s = %+v, want %s/%s", typ, c, want.status, want.reason)
				case c != nil && c.ObservedGeneration != 4:
					t.Errorf("%s observedGeneration %d, want 4", typ, c.ObservedGeneration)
				}
			}
			if tc.url != "" && got.URL != tc.url {
				t.Errorf("url %q, want %q", got.URL, tc.url)
			}
			if got.Version != tc.version {
				t.Errorf("version %q, want %q", got.Version, tc.version)
			}
		})
	}
}
