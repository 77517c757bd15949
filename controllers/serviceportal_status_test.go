package controllers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

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
	pullFailing := rollingOut
	pullFailing.podProblem = podProblem{pod: "lemgo-5f7c-abcde", reason: "ImagePullBackOff", message: "Back-off pulling image"}
	rolledOutPodFailing := rolledOut
	rolledOutPodFailing.podProblem = pullFailing.podProblem
	applyFailed := portalObservation{rendered: rendered, applyErr: errors.New("applying Deployment: quota exceeded")}
	refused := portalObservation{rendered: rendered, applyErr: fmt.Errorf("applying Deployment: %w", apierrors.NewInvalid(
		schema.GroupKind{Group: "apps", Kind: "Deployment"}, "lemgo", field.ErrorList{field.Invalid(field.NewPath("spec", "template", "spec", "nodeSelector"), "a b", "bad key")}))}

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
		// Off its hostname: observe deleted its Ingress.
		{"administration missing", true, portalObservation{administrationMissing: true}, "http://lemgo.krz.svc", "", map[string]cond{
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
		{"the API refuses a child", true, refused, "", "", map[string]cond{
			ozgv1.ReadyCondition:       {metav1.ConditionFalse, ozgv1.ReasonInvalidSpec},
			ozgv1.StalledCondition:     {metav1.ConditionTrue, ozgv1.ReasonInvalidSpec},
			ozgv1.ReconcilingCondition: absent,
		}},
		{"rolling out", true, rollingOut, "http://lemgo.krz.svc", "", map[string]cond{
			ozgv1.ReadyCondition:       {metav1.ConditionFalse, ozgv1.ReasonDeploymentNotAvailable},
			ozgv1.ReconcilingCondition: {metav1.ConditionTrue, ozgv1.ReasonDeploymentNotAvailable},
			ozgv1.AvailableCondition:   {metav1.ConditionFalse, ozgv1.ReasonDeploymentNotAvailable},
			ozgv1.PublishedCondition:   {metav1.ConditionFalse, ozgv1.ReasonDeploymentNotAvailable},
			ozgv1.StalledCondition:     absent,
		}},
		{"rolling out, a pod's image cannot be pulled", true, pullFailing, "http://lemgo.krz.svc", "", map[string]cond{
			ozgv1.ReadyCondition:       {metav1.ConditionFalse, "ImagePullBackOff"},
			ozgv1.ReconcilingCondition: {metav1.ConditionTrue, "ImagePullBackOff"},
			ozgv1.PublishedCondition:   {metav1.ConditionFalse, ozgv1.ReasonDeploymentNotAvailable},
			ozgv1.StalledCondition:     absent,
		}},
		// A pod of the old version that fails while the portal is rolled
		// out does not take Ready away: the Deployment says it serves.
		{"rolled out, one pod failing", true, rolledOutPodFailing, "https://lemgo.example.de", "1.4.0", map[string]cond{
			ozgv1.ReadyCondition: {metav1.ConditionTrue, ozgv1.ReasonSucceeded},
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

// A portal scaled to 0 is as asked (Ready), but no pod serves it: the
// Deployment calls 0 of 0 pods available, and the portal must not count
// as online (the fleet's count, the roll-up's reach, the links of its
// municipalities' portals).
func TestPortalStatusScaledToZero(t *testing.T) {
	p := &ozgv1.ServicePortal{
		ObjectMeta: metav1.ObjectMeta{Namespace: "krz", Name: "lemgo", Generation: 2},
		Spec:       ozgv1.ServicePortalSpec{Hostname: "lemgo.example.de", Publish: true, PortalSettings: ozgv1.PortalSettings{Replicas: ptr.To[int32](0)}},
	}
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Generation: 2}}
	d.Status = appsv1.DeploymentStatus{ObservedGeneration: 2, Conditions: []appsv1.DeploymentCondition{
		{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue, Reason: "MinimumReplicasAvailable"}}}
	got := portalStatus(p, portalObservation{version: "1.4.0", scheme: "https", rendered: &render.Result{Offered: 3, Live: 2}, deployment: d})
	for typ, want := range map[string]string{
		ozgv1.ReadyCondition:     "True/" + ozgv1.ReasonSucceeded,
		ozgv1.AvailableCondition: "False/" + ozgv1.ReasonScaledToZero,
		ozgv1.PublishedCondition: "False/" + ozgv1.ReasonScaledToZero,
	} {
		if c := meta.FindStatusCondition(got.Conditions, typ); c == nil || string(c.Status)+"/"+c.Reason != want {
			t.Errorf("%s = %+v, want %s", typ, c, want)
		}
	}
	if got.URL != "http://lemgo.krz.svc" {
		t.Errorf("url %q, want the Service's: no pod serves the hostname", got.URL)
	}
}

func TestProblemOf(t *testing.T) {
	waiting := func(reason, msg string) corev1.ContainerStatus {
		return corev1.ContainerStatus{Name: "portal", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: msg}}}
	}
	deleted := metav1.Now()
	for _, tc := range []struct {
		name string
		pod  corev1.Pod
		want string
	}{
		{"running", corev1.Pod{Status: corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{{Name: "portal", State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}}}}, ""},
		{"creating", corev1.Pod{Status: corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{waiting("ContainerCreating", "")}}}, ""},
		{"pull failing", corev1.Pod{Status: corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{waiting("ErrImagePull", "not found\nstack")}}}, "pod p: ErrImagePull: not found"},
		{"crash loop", corev1.Pod{Status: corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{waiting("CrashLoopBackOff", "back-off 10s")}}}, "pod p: CrashLoopBackOff: back-off 10s"},
		{"init container", corev1.Pod{Status: corev1.PodStatus{InitContainerStatuses: []corev1.ContainerStatus{waiting("CreateContainerConfigError", "secret missing")}}}, "pod p: CreateContainerConfigError: secret missing"},
		{"a reason no condition may carry", corev1.Pod{Status: corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{waiting("not a reason!", "")}}}, ""},
		{"unschedulable", corev1.Pod{Status: corev1.PodStatus{Conditions: []corev1.PodCondition{{
			Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: corev1.PodReasonUnschedulable, Message: "0/3 nodes are available: 3 node(s) had untolerated taint",
		}}}}, "pod p: Unschedulable: 0/3 nodes are available: 3 node(s) had untolerated taint"},
		{"terminating", corev1.Pod{ObjectMeta: metav1.ObjectMeta{DeletionTimestamp: &deleted}, Status: corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{waiting("ErrImagePull", "")}}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.pod.Name = "p"
			got := problemOf(&tc.pod)
			if tc.want == "" && got.reason != "" || tc.want != "" && got.String() != tc.want {
				t.Errorf("problemOf = %q, want %q", got.String(), tc.want)
			}
		})
	}
	long := waiting("ErrImagePull", strings.Repeat("x", 5000))
	if got := problemOf(&corev1.Pod{Status: corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{long}}}); len(got.message) > maxProblemMessage+3 {
		t.Errorf("a message of %d bytes, want at most %d", len(got.message), maxProblemMessage+3)
	}
}

// The cached pod keeps what problemOf reads and drops its spec.
func TestTrimPod(t *testing.T) {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "p", Labels: map[string]string{"app.kubernetes.io/instance": "lemgo"}, Annotations: map[string]string{"a": "b"}},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "portal", Image: "x"}}},
		Status: corev1.PodStatus{PodIP: "10.0.0.1", ContainerStatuses: []corev1.ContainerStatus{{
			Name: "portal", ImageID: "sha256:abc", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ErrImagePull", Message: "m"}},
		}}},
	}
	obj, err := trimPod(pod)
	if err != nil {
		t.Fatal(err)
	}
	got := obj.(*corev1.Pod)
	if len(got.Spec.Containers) != 0 || got.Annotations != nil || got.Status.PodIP != "" || got.Status.ContainerStatuses[0].ImageID != "" {
		t.Errorf("trimPod kept what nothing reads: %+v", got)
	}
	if p := problemOf(got); p.reason != "ErrImagePull" || p.message != "m" {
		t.Errorf("problemOf(trimmed) = %+v, want ErrImagePull: m", p)
	}
	if reqs := portalOfPod(context.Background(), got); len(reqs) != 1 || reqs[0].Name != "lemgo" {
		t.Errorf("portalOfPod = %v, want lemgo", reqs)
	}
}
