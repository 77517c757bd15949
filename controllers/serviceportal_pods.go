package controllers

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// A portal's Deployment says how many pods are available, not why the
// others are not. The kubelet and the scheduler say why in the pods: a
// pull that fails (ErrImagePull, ImagePullBackOff), a container that
// crashes (CrashLoopBackOff), a pod no node takes (Unschedulable). The
// ServicePortal's Ready condition carries that reason, so that `kubectl
// get sp`, a fleet's rollout and Flux show it without looking at pods.

// portalPodSelector selects the pods of every portal (selectorLabels): the
// manager caches those and no other pods.
var portalPodSelector = labels.SelectorFromSet(labels.Set{labelName: portalAppName})

// podProblem is why a portal pod does not serve, as the kubelet or the
// scheduler reported it.
type podProblem struct {
	pod, reason, message string
}

func (p podProblem) String() string {
	msg := fmt.Sprintf("pod %s: %s", p.pod, p.reason)
	if p.message != "" {
		msg += ": " + p.message
	}
	return msg
}

// transientWaiting are the waiting reasons of a container that is on its
// way: no problem to report.
var transientWaiting = []string{"", "ContainerCreating", "PodInitializing"}

// conditionReason is the form metav1.Condition requires of a reason. The
// kubelet's reasons have it; one that has not is not copied.
var conditionReason = regexp.MustCompile(`^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$`)

// maxProblemMessage bounds what of a kubelet message goes into a condition.
const maxProblemMessage = 1024

// problemOf is why pod does not serve, if the kubelet or the scheduler
// said why; the empty reason otherwise (starting, running, ready).
func problemOf(pod *corev1.Pod) podProblem {
	if !pod.DeletionTimestamp.IsZero() {
		return podProblem{}
	}
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason == corev1.PodReasonUnschedulable {
			return podProblem{pod: pod.Name, reason: c.Reason, message: c.Message}
		}
	}
	for _, cs := range slices.Concat(pod.Status.InitContainerStatuses, pod.Status.ContainerStatuses) {
		if w := cs.State.Waiting; w != nil && !slices.Contains(transientWaiting, w.Reason) && conditionReason.MatchString(w.Reason) {
			return podProblem{pod: pod.Name, reason: w.Reason, message: firstLineOf(w.Message)}
		}
	}
	return podProblem{}
}

// firstLineOf keeps a kubelet message (a pull error can run over several
// lines) to its first line.
func firstLineOf(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > maxProblemMessage {
		s = strings.ToValidUTF8(s[:maxProblemMessage], "") + "..."
	}
	return s
}

// podProblemOf is the first problem, by pod name, among the portal's pods.
func (r *ServicePortalReconciler) podProblemOf(ctx context.Context, portal *ozgv1.ServicePortal) (podProblem, error) {
	var pods corev1.PodList
	if err := r.List(ctx, &pods, client.InNamespace(portal.Namespace), client.MatchingLabels(selectorLabels(portal))); err != nil {
		return podProblem{}, err
	}
	slices.SortFunc(pods.Items, func(a, b corev1.Pod) int { return strings.Compare(a.Name, b.Name) })
	for i := range pods.Items {
		if p := problemOf(&pods.Items[i]); p.reason != "" {
			return p, nil
		}
	}
	return podProblem{}, nil
}

// portalOfPod maps a portal pod to its ServicePortal, which has the name
// of the pod's instance label.
func portalOfPod(_ context.Context, o client.Object) []reconcile.Request {
	name := o.GetLabels()[labelInstance]
	if name == "" {
		return nil
	}
	return []reconcile.Request{{NamespacedName: client.ObjectKey{Namespace: o.GetNamespace(), Name: name}}}
}

// podProblemChanged lets a pod event through only when what the portal's
// status says of it can change: a problem appears, changes or goes. Pods
// come and go on every rollout; their Deployment's status already brings
// the portal back for everything else.
var podProblemChanged = predicate.Funcs{
	CreateFunc: func(e event.CreateEvent) bool { return hasProblem(e.Object) },
	DeleteFunc: func(e event.DeleteEvent) bool { return hasProblem(e.Object) },
	UpdateFunc: func(e event.UpdateEvent) bool {
		before, after := podOf(e.ObjectOld), podOf(e.ObjectNew)
		return before != nil && after != nil && problemOf(before) != problemOf(after)
	},
	GenericFunc: func(event.GenericEvent) bool { return false },
}

func podOf(o client.Object) *corev1.Pod {
	pod, _ := o.(*corev1.Pod)
	return pod
}

func hasProblem(o client.Object) bool {
	pod := podOf(o)
	return pod != nil && problemOf(pod).reason != ""
}

// trimPod keeps of a cached portal pod what problemOf and portalOfPod
// read: its metadata and the conditions and container states of its
// status.
func trimPod(obj any) (any, error) {
	pod, ok := obj.(*corev1.Pod)
	if !ok {
		return obj, nil
	}
	pod.ManagedFields = nil
	pod.Annotations = nil
	pod.Spec = corev1.PodSpec{}
	trimmed := corev1.PodStatus{Phase: pod.Status.Phase}
	for _, c := range pod.Status.Conditions {
		trimmed.Conditions = append(trimmed.Conditions, corev1.PodCondition{Type: c.Type, Status: c.Status, Reason: c.Reason, Message: c.Message})
	}
	trimmed.InitContainerStatuses = trimContainerStatuses(pod.Status.InitContainerStatuses)
	trimmed.ContainerStatuses = trimContainerStatuses(pod.Status.ContainerStatuses)
	pod.Status = trimmed
	return pod, nil
}

func trimContainerStatuses(in []corev1.ContainerStatus) []corev1.ContainerStatus {
	var out []corev1.ContainerStatus
	for _, cs := range in {
		out = append(out, corev1.ContainerStatus{Name: cs.Name, Ready: cs.Ready, RestartCount: cs.RestartCount, State: cs.State})
	}
	return out
}
