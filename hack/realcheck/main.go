// Command realcheck proves, step by step, what the portals do in real pods
// under the dev cluster's real node (hack/real-check.sh sets the cluster,
// the images, the manager and the fleet up first). Each step prints what it
// saw and fails with the evidence when something is not as it must be. It
// reads the container processes' credentials and mounts from /proc and the
// kubelet's cgroups, so it runs as root on the node's host. It is part of
// `make real-check`, not of the product.
package main

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

type checker struct {
	c         client.Client
	cs        *kubernetes.Clientset
	namespace string
	fleet     string
	node      string
	registry  string // host:port the images must come from
	portalRef string // repository@sha256:... of the portal image built for this check
	version   string // the version make images stamped into the portal binary
	timeout   time.Duration
	// contentBound is how soon a content change must be served by the
	// running pods: the kubelet refreshes a pod's ConfigMap volume when it
	// syncs the pod (syncFrequency, 10 s in the dev cluster, jittered),
	// and the portal reloads on the ..data swap at once.
	contentBound time.Duration
	http         *http.Client
}

func main() {
	var k checker
	flag.StringVar(&k.namespace, "namespace", "ozg-real", "namespace of the fleet")
	flag.StringVar(&k.fleet, "fleet", "real", "PortalFleet whose portals run on the real node")
	flag.StringVar(&k.node, "node", "ozg-real-node", "the real node")
	flag.StringVar(&k.registry, "registry", "127.0.0.1:15000", "registry the images are pulled from")
	flag.StringVar(&k.portalRef, "portal-image", "", "the portal image by digest (repository@sha256:...)")
	flag.StringVar(&k.version, "version", "", "the version stamped into the portal binary (make images' VERSION)")
	flag.DurationVar(&k.timeout, "timeout", 4*time.Minute, "how long each step may wait")
	flag.DurationVar(&k.contentBound, "content-bound", 30*time.Second, "how soon the running pods must serve a content change")
	flag.Parse()
	if !strings.Contains(k.portalRef, "@sha256:") {
		fatalf("--portal-image must be a digest reference, got %q", k.portalRef)
	}
	scheme := runtime.NewScheme()
	must(clientgoscheme.AddToScheme(scheme))
	must(ozgv1.AddToScheme(scheme))
	cfg := ctrl.GetConfigOrDie()
	var err error
	k.c, err = client.New(cfg, client.Options{Scheme: scheme})
	must(err)
	k.cs, err = kubernetes.NewForConfig(cfg)
	must(err)
	// Compression is checked by hand, so the transport must not undo it.
	k.http = &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableCompression: true}}

	ctx := context.Background()
	steps := []struct {
		title string
		run   func(context.Context) error
	}{
		{"1. real pods: pulled from the local registry, uid 65532, read-only root, restricted, Ready after the data loaded", k.stepPods},
		{"2. the portal answers from the pod and through its Service, and its search finds the car registration", k.stepHTTP},
		{"3. a content change reaches the running pods, no request failing", k.stepContentChange},
		{"4. the container is killed: the kubelet restarts it, the portal goes Ready False and True again", k.stepKill},
		{"5. a version whose image does not exist: the first wave stalls, the others keep serving; rollback recovers", k.stepMissingTag},
		{"6. a digest-pinned image rolls out", k.stepDigest},
	}
	for _, s := range steps {
		fmt.Printf("\n=== %s\n", s.title)
		start := time.Now()
		if err := s.run(ctx); err != nil {
			fatalf("step failed: %v", err)
		}
		fmt.Printf("--- ok (%.1fs)\n", time.Since(start).Seconds())
	}
	fmt.Println("\nreal-check: all 6 steps passed")
}

// --- step 1 ------------------------------------------------------------------

func (k *checker) stepPods(ctx context.Context) error {
	portals, err := k.portals(ctx)
	if err != nil {
		return err
	}
	if len(portals) != 3 {
		return fmt.Errorf("fleet %s has %d portals, want 3", k.fleet, len(portals))
	}
	for _, p := range portals {
		if !conditionTrue(p.Status.Conditions, ozgv1.ReadyCondition) {
			return fmt.Errorf("ServicePortal %s is not Ready: %s", p.Name, conditionText(p.Status.Conditions, ozgv1.ReadyCondition))
		}
		pod, err := k.readyPod(ctx, p.Name)
		if err != nil {
			return err
		}
		cs := pod.Status.ContainerStatuses[0]
		if pod.Spec.NodeName != k.node {
			return fmt.Errorf("pod %s runs on %q, want the real node %s", pod.Name, pod.Spec.NodeName, k.node)
		}
		if !strings.HasPrefix(cs.ImageID, k.registry+"/") {
			return fmt.Errorf("pod %s runs image %s, not one from %s", pod.Name, cs.ImageID, k.registry)
		}
		proc, err := containerProcess(cs.ContainerID)
		if err != nil {
			return fmt.Errorf("pod %s: %w", pod.Name, err)
		}
		uid, gid, err := procIDs(proc)
		if err != nil {
			return err
		}
		if uid != "65532" || gid != "65532" {
			return fmt.Errorf("pod %s: the container process %d runs as uid %s gid %s, want 65532", pod.Name, proc, uid, gid)
		}
		rootOpts, err := rootMountOptions(proc)
		if err != nil {
			return err
		}
		if !slices.Contains(strings.Split(rootOpts, ","), "ro") {
			return fmt.Errorf("pod %s: the container's root is mounted %q, not read-only", pod.Name, rootOpts)
		}
		loaded, version, err := k.firstLoad(ctx, pod)
		if err != nil {
			return err
		}
		if k.version != "" && version != k.version {
			return fmt.Errorf("pod %s: the portal binary says it is version %q, want %q (make images' VERSION)", pod.Name, version, k.version)
		}
		ready := podCondition(pod, corev1.PodReady)
		if ready.LastTransitionTime.Time.Before(loaded.Truncate(time.Second)) {
			return fmt.Errorf("pod %s became Ready at %s, before its data loaded at %s", pod.Name, ready.LastTransitionTime.UTC().Format(time.RFC3339), loaded.UTC().Format(time.RFC3339Nano))
		}
		fmt.Printf("  %s: pod %s on %s, image %s\n", p.Name, pod.Name, pod.Spec.NodeName, cs.ImageID)
		fmt.Printf("    process %d: portal %s, uid %s gid %s, root mounted %s; data loaded %s, pod Ready %s\n",
			proc, version, uid, gid, rootOpts, loaded.UTC().Format("15:04:05.000"), ready.LastTransitionTime.UTC().Format("15:04:05"))
	}

	var ns corev1.Namespace
	if err := k.c.Get(ctx, client.ObjectKey{Name: k.namespace}, &ns); err != nil {
		return err
	}
	if ns.Labels["pod-security.kubernetes.io/enforce"] != "restricted" {
		return fmt.Errorf("namespace %s does not enforce the restricted Pod Security Standard: %v", k.namespace, ns.Labels)
	}
	// The standard is enforced, not only labelled: a root pod is refused.
	probe := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "restricted-probe", Namespace: k.namespace},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: k.portalRef}}},
	}
	err = k.c.Create(ctx, probe, client.DryRunAll)
	if err == nil || !strings.Contains(err.Error(), `violates PodSecurity "restricted`) {
		return fmt.Errorf("a pod without a restricted security context was not refused in %s: %v", k.namespace, err)
	}
	fmt.Printf("  namespace %s enforces restricted: a root pod is refused (%s)\n", k.namespace, firstLine(err.Error()))

	var fleet ozgv1.PortalFleet
	if err := k.c.Get(ctx, client.ObjectKey{Namespace: k.namespace, Name: k.fleet}, &fleet); err != nil {
		return err
	}
	if !conditionTrue(fleet.Status.Conditions, ozgv1.ReadyCondition) || fleet.Status.ReadyPortals != 3 {
		return fmt.Errorf("fleet %s: %d/%d ready, %s", k.fleet, fleet.Status.ReadyPortals, fleet.Status.Portals, conditionText(fleet.Status.Conditions, ozgv1.ReadyCondition))
	}
	fmt.Printf("  fleet %s: %d/%d portals Ready\n", k.fleet, fleet.Status.ReadyPortals, fleet.Status.Portals)
	for _, p := range portals {
		var adm ozgv1.Administration
		if err := k.c.Get(ctx, client.ObjectKey{Name: p.Spec.AdministrationRef.Name}, &adm); err != nil {
			return err
		}
		if err := k.eventually(ctx, "Administration "+adm.Name+" Ready and current", func() (bool, error) {
			if err := k.c.Get(ctx, client.ObjectKeyFromObject(&adm), &adm); err != nil {
				return false, err
			}
			return adm.Status.ObservedGeneration == adm.Generation && conditionTrue(adm.Status.Conditions, ozgv1.ReadyCondition), nil
		}); err != nil {
			return err
		}
		fmt.Printf("  Administration %s: %s\n", adm.Name, conditionText(adm.Status.Conditions, ozgv1.ReadyCondition))
	}
	return nil
}

// firstLoad is when the portal in pod logged that it loaded its data, and
// the version it logged at its start.
func (k *checker) firstLoad(ctx context.Context, pod *corev1.Pod) (time.Time, string, error) {
	raw, err := k.cs.CoreV1().Pods(pod.Namespace).GetLogs(pod.Name, &corev1.PodLogOptions{Container: "portal", Timestamps: true}).DoRaw(ctx)
	if err != nil {
		return time.Time{}, "", fmt.Errorf("logs of pod %s: %w", pod.Name, err)
	}
	var version string
	for _, line := range strings.Split(string(raw), "\n") {
		ts, record, _ := strings.Cut(line, " ")
		var entry struct {
			Msg     string `json:"msg"`
			Version string `json:"version"`
		}
		if json.Unmarshal([]byte(record), &entry) != nil {
			continue
		}
		switch entry.Msg {
		case "starting":
			version = entry.Version
		case "loaded portal data":
			loaded, err := time.Parse(time.RFC3339Nano, ts)
			return loaded, version, err
		}
	}
	return time.Time{}, "", fmt.Errorf("pod %s never logged that it loaded its data:\n%s", pod.Name, raw)
}

// --- step 2 ------------------------------------------------------------------

func (k *checker) stepHTTP(ctx context.Context) error {
	portals, err := k.portals(ctx)
	if err != nil {
		return err
	}
	for _, p := range portals {
		pod, err := k.readyPod(ctx, p.Name)
		if err != nil {
			return err
		}
		services, err := k.services(ctx, pod.Status.PodIP)
		if err != nil {
			return err
		}
		if services.Total == 0 {
			return fmt.Errorf("%s lists no services", p.Name)
		}
		var svc corev1.Service
		if err := k.c.Get(ctx, client.ObjectKey{Namespace: p.Namespace, Name: p.Name}, &svc); err != nil {
			return err
		}
		pages := []string{"/", "/leistungen/" + services.Services[0].OZGID, "/api/v1/services"}
		// kube-proxy programs the Service's endpoints a moment after the
		// pod turns Ready; until then the ClusterIP refuses.
		clusterIP := "http://" + svc.Spec.ClusterIP + ":80"
		if err := k.eventually(ctx, "the Service of "+p.Name+" to answer", func() (bool, error) {
			_, _, err := k.get(ctx, clusterIP+"/")
			return err == nil, nil
		}); err != nil {
			return err
		}
		for _, base := range []string{"http://" + pod.Status.PodIP + ":8080", clusterIP} {
			for _, path := range pages {
				body, enc, err := k.get(ctx, base+path)
				if err != nil {
					return err
				}
				if enc != "gzip" {
					return fmt.Errorf("GET %s%s: Content-Encoding %q, want gzip", base, path, enc)
				}
				if !strings.Contains(body, services.Administration.DisplayName) {
					return fmt.Errorf("GET %s%s does not name %q", base, path, services.Administration.DisplayName)
				}
				fmt.Printf("  %s GET %s%s: 200, gzip, %d bytes\n", p.Name, base, path, len(body))
			}
		}
		if err := k.search(ctx, p.Name, pod); err != nil {
			return err
		}
	}
	return nil
}

// search asks the pod's full-text search what a citizen types for the
// car registration and reports the container's resident memory with the
// index built and searched.
func (k *checker) search(ctx context.Context, portal string, pod *corev1.Pod) error {
	const query, want = "Kfz-Zulassung", "10439"
	body, _, err := k.get(ctx, "http://"+pod.Status.PodIP+":8080/api/v1/services?q="+url.QueryEscape(query))
	if err != nil {
		return err
	}
	var r servicesResponse
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		return fmt.Errorf("search of %s: %w", portal, err)
	}
	if len(r.Services) == 0 || r.Services[0].OZGID != want {
		return fmt.Errorf("%s: search %q lists %v first, want %s", portal, query, r.Services, want)
	}
	if len(pod.Status.ContainerStatuses) == 0 {
		return fmt.Errorf("pod %s has no container status", pod.Name)
	}
	pid, err := containerProcess(pod.Status.ContainerStatuses[0].ContainerID)
	if err != nil {
		return err
	}
	rss, err := residentMiB(pid)
	if err != nil {
		return err
	}
	fmt.Printf("  %s: search %q finds %s first; the portal container's RSS is %.1f MiB\n", portal, query, want, rss)
	return nil
}

// --- step 3 ------------------------------------------------------------------

func (k *checker) stepContentChange(ctx context.Context) error {
	portals, err := k.portals(ctx)
	if err != nil {
		return err
	}
	target := portals[0]
	pods := map[string]*corev1.Pod{}
	for _, p := range portals {
		pod, err := k.readyPod(ctx, p.Name)
		if err != nil {
			return err
		}
		pods[p.Name] = pod
	}
	pod := pods[target.Name]

	var adm ozgv1.Administration
	if err := k.c.Get(ctx, client.ObjectKey{Name: target.Spec.AdministrationRef.Name}, &adm); err != nil {
		return err
	}
	served, err := k.services(ctx, pod.Status.PodIP)
	if err != nil {
		return err
	}
	// A service of the administration's own that the portal lists, not Live yet.
	idx, ozgID := -1, ""
	for i, s := range adm.Spec.Services {
		if s.State == ozgv1.StateLive {
			continue
		}
		var entry ozgv1.OZGService
		if err := k.c.Get(ctx, client.ObjectKey{Name: s.Service}, &entry); err != nil {
			continue
		}
		if served.stateOf(entry.Spec.OZGID) == string(s.State) {
			idx, ozgID = i, entry.Spec.OZGID
			break
		}
	}
	if idx < 0 {
		return fmt.Errorf("Administration %s tracks no listed service that is not Live", adm.Name)
	}

	// The load: every pod's start page and API, back to back, from two
	// clients, until the change is served; bounded by the step's timeout.
	var requests, failures atomic.Int64
	var firstFailure atomic.Value
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				for _, p := range pods {
					for _, path := range []string{"/", "/api/v1/services"} {
						select {
						case <-stop:
							return
						default:
						}
						requests.Add(1)
						if _, _, err := k.get(ctx, "http://"+p.Status.PodIP+":8080"+path); err != nil {
							failures.Add(1)
							firstFailure.CompareAndSwap(nil, err.Error())
						}
					}
				}
			}
		}()
	}
	defer func() { close(stop); wg.Wait() }()

	s := &adm.Spec.Services[idx]
	base := adm.DeepCopy()
	s.State, s.Maturity, s.Tool = ozgv1.StateLive, ptr.To(int32(3)), "FormSolutions"
	s.URL = "https://formulare." + adm.Name + ".example.de/real-check/" + s.Service
	changed := time.Now()
	if err := k.c.Patch(ctx, &adm, client.MergeFrom(base)); err != nil {
		return fmt.Errorf("setting %s of %s Live: %w", s.Service, adm.Name, err)
	}
	fmt.Printf("  %s: set %s (OZG-ID %s) Live at %s\n", adm.Name, s.Service, ozgID, changed.UTC().Format("15:04:05.000"))
	var seen time.Duration
	if err := k.eventually(ctx, "the pod serving "+ozgID+" as Live", func() (bool, error) {
		now, err := k.services(ctx, pod.Status.PodIP)
		if err != nil {
			return false, nil // counted by the load; keep waiting
		}
		if now.stateOf(ozgID) == string(ozgv1.StateLive) {
			seen = time.Since(changed)
			return true, nil
		}
		return false, nil
	}); err != nil {
		return err
	}
	close(stop)
	wg.Wait()
	stop = make(chan struct{}) // for the deferred close

	after, err := k.readyPod(ctx, target.Name)
	if err != nil {
		return err
	}
	if after.UID != pod.UID || after.Status.ContainerStatuses[0].RestartCount != pod.Status.ContainerStatuses[0].RestartCount {
		return fmt.Errorf("the change replaced or restarted the pod (%s -> %s): it must reach the running pod", pod.Name, after.Name)
	}
	fmt.Printf("  served by the running pod %s after %.1fs (kubelet ConfigMap sync + the portal's reload; bound %s)\n", pod.Name, seen.Seconds(), k.contentBound)
	fmt.Printf("  load meanwhile: %d requests, %d failed\n", requests.Load(), failures.Load())
	if n := failures.Load(); n > 0 {
		return fmt.Errorf("%d of %d requests failed during the change, the first: %v", n, requests.Load(), firstFailure.Load())
	}
	if seen > k.contentBound {
		return fmt.Errorf("the change took %.1fs to be served, more than the bound of %s", seen.Seconds(), k.contentBound)
	}
	return nil
}

// --- step 4 ------------------------------------------------------------------

func (k *checker) stepKill(ctx context.Context) error {
	portals, err := k.portals(ctx)
	if err != nil {
		return err
	}
	target := portals[1]
	pod, err := k.readyPod(ctx, target.Name)
	if err != nil {
		return err
	}
	cs := pod.Status.ContainerStatuses[0]
	proc, err := containerProcess(cs.ContainerID)
	if err != nil {
		return err
	}
	transitions, stopWatch, err := k.watchReady(ctx, target.Name)
	if err != nil {
		return err
	}
	defer stopWatch()
	killed := time.Now()
	if err := syscall.Kill(proc, syscall.SIGKILL); err != nil {
		return fmt.Errorf("killing process %d of pod %s: %w", proc, pod.Name, err)
	}
	fmt.Printf("  killed process %d (container %s of pod %s)\n", proc, shortID(cs.ContainerID), pod.Name)

	var sawFalse bool
	var falseAt, trueAt time.Duration
	deadline := time.After(k.timeout)
	for trueAt == 0 {
		select {
		case st := <-transitions:
			switch {
			case st == metav1.ConditionFalse && !sawFalse:
				sawFalse, falseAt = true, time.Since(killed)
			case st == metav1.ConditionTrue && sawFalse:
				trueAt = time.Since(killed)
			}
		case <-deadline:
			return fmt.Errorf("ServicePortal %s did not go Ready False and True again within %s (saw False: %v)", target.Name, k.timeout, sawFalse)
		}
	}
	now, err := k.readyPod(ctx, target.Name)
	if err != nil {
		return err
	}
	restarts := now.Status.ContainerStatuses[0].RestartCount
	if now.UID != pod.UID || restarts != cs.RestartCount+1 {
		return fmt.Errorf("pod %s: restart count %d -> %d (uid %s -> %s), want the same pod restarted once", pod.Name, cs.RestartCount, restarts, pod.UID, now.UID)
	}
	fmt.Printf("  ServicePortal %s Ready False after %.1fs, True again after %.1fs; pod %s restarted by the kubelet (restartCount %d)\n",
		target.Name, falseAt.Seconds(), trueAt.Seconds(), pod.Name, restarts)

	events, err := k.cs.CoreV1().Events(k.namespace).List(ctx, metav1.ListOptions{FieldSelector: "involvedObject.name=" + pod.Name})
	if err != nil {
		return err
	}
	var started int
	for _, e := range events.Items {
		if e.Reason == "Started" && e.Source.Component == "kubelet" || e.ReportingController == "kubelet" && e.Reason == "Started" {
			started += int(max(e.Count, 1))
		}
	}
	if started < 2 {
		return fmt.Errorf("pod %s: %d kubelet Started events, want the first start and the restart", pod.Name, started)
	}
	fmt.Printf("  events of pod %s: the kubelet started its container %d times\n", pod.Name, started)
	return nil
}

// watchReady sends every Ready status of the portal from now on.
func (k *checker) watchReady(ctx context.Context, name string) (<-chan metav1.ConditionStatus, func(), error) {
	wc, err := client.NewWithWatch(ctrl.GetConfigOrDie(), client.Options{Scheme: k.c.Scheme()})
	if err != nil {
		return nil, nil, err
	}
	var list ozgv1.ServicePortalList
	w, err := wc.Watch(ctx, &list, client.InNamespace(k.namespace), client.MatchingFields{"metadata.name": name})
	if err != nil {
		return nil, nil, err
	}
	out := make(chan metav1.ConditionStatus, 64)
	go func() {
		for ev := range w.ResultChan() {
			if p, ok := ev.Object.(*ozgv1.ServicePortal); ok {
				if c := meta.FindStatusCondition(p.Status.Conditions, ozgv1.ReadyCondition); c != nil {
					out <- c.Status
				}
			}
		}
	}()
	return out, w.Stop, nil
}

// --- step 5 ------------------------------------------------------------------

func (k *checker) stepMissingTag(ctx context.Context) error {
	var fleet ozgv1.PortalFleet
	if err := k.c.Get(ctx, client.ObjectKey{Namespace: k.namespace, Name: k.fleet}, &fleet); err != nil {
		return err
	}
	good := fleet.Spec.Template.Version
	bad := "does-not-exist-" + time.Now().UTC().Format("150405")
	if err := k.setFleetImage(ctx, "", bad); err != nil {
		return err
	}
	fmt.Printf("  fleet %s: version %s -> %s (no such tag in %s)\n", k.fleet, good, bad, k.registry)

	// The first wave's first portal reports the kubelet's pull failure.
	var failing *ozgv1.ServicePortal
	if err := k.eventually(ctx, "a portal reporting the image pull failure in Ready", func() (bool, error) {
		portals, err := k.portals(ctx)
		if err != nil {
			return false, err
		}
		for i, p := range portals {
			c := meta.FindStatusCondition(p.Status.Conditions, ozgv1.ReadyCondition)
			if p.Spec.Version == bad && c != nil && c.Status == metav1.ConditionFalse &&
				(c.Reason == "ErrImagePull" || c.Reason == "ImagePullBackOff") {
				failing = &portals[i]
				return true, nil
			}
		}
		return false, nil
	}); err != nil {
		return err
	}
	fmt.Printf("  %s: %s\n", failing.Name, conditionText(failing.Status.Conditions, ozgv1.ReadyCondition))

	// The fleet holds at maxUnavailable (1): the rollout goes no further
	// while the failing portal stays failing, and every portal serves.
	if err := k.holds(ctx, 15*time.Second, func() error {
		portals, err := k.portals(ctx)
		if err != nil {
			return err
		}
		var updated []string
		for _, p := range portals {
			if p.Spec.Version == bad {
				updated = append(updated, p.Name)
			}
			pods, err := k.podsOf(ctx, p.Name)
			if err != nil {
				return err
			}
			var serving int
			for _, pod := range pods {
				if podReady(&pod) {
					if _, err := k.services(ctx, pod.Status.PodIP); err != nil {
						return fmt.Errorf("%s stopped serving during the failed rollout: %w", p.Name, err)
					}
					serving++
				}
			}
			if serving == 0 {
				return fmt.Errorf("%s has no serving pod during the failed rollout", p.Name)
			}
		}
		if len(updated) != 1 {
			return fmt.Errorf("the rollout went past maxUnavailable 1: %v run %s", updated, bad)
		}
		return nil
	}); err != nil {
		return err
	}
	if err := k.c.Get(ctx, client.ObjectKeyFromObject(&fleet), &fleet); err != nil {
		return err
	}
	fmt.Printf("  fleet %s held 15s at one portal on %s, every portal serving; fleet Ready: %s\n", k.fleet, bad, conditionText(fleet.Status.Conditions, ozgv1.ReadyCondition))

	if err := k.setFleetImage(ctx, "", good); err != nil {
		return err
	}
	fmt.Printf("  rolled back to %s\n", good)
	return k.fleetRolledOut(ctx, func(pod *corev1.Pod) error { return nil })
}

// --- step 6 ------------------------------------------------------------------

func (k *checker) stepDigest(ctx context.Context) error {
	if err := k.setFleetImage(ctx, k.portalRef, ""); err != nil {
		return err
	}
	fmt.Printf("  fleet %s: image %s\n", k.fleet, k.portalRef)
	digest := k.portalRef[strings.Index(k.portalRef, "@")+1:]
	return k.fleetRolledOut(ctx, func(pod *corev1.Pod) error {
		if pod.Spec.Containers[0].Image != k.portalRef || !strings.HasSuffix(pod.Status.ContainerStatuses[0].ImageID, digest) {
			return fmt.Errorf("pod %s runs %s (%s), want %s", pod.Name, pod.Spec.Containers[0].Image, pod.Status.ContainerStatuses[0].ImageID, k.portalRef)
		}
		return nil
	})
}

// fleetRolledOut waits for the fleet to be Ready on its current template
// and checks each portal's pod with check.
func (k *checker) fleetRolledOut(ctx context.Context, check func(*corev1.Pod) error) error {
	var fleet ozgv1.PortalFleet
	if err := k.eventually(ctx, "fleet "+k.fleet+" Ready with every portal updated", func() (bool, error) {
		if err := k.c.Get(ctx, client.ObjectKey{Namespace: k.namespace, Name: k.fleet}, &fleet); err != nil {
			return false, err
		}
		return fleet.Status.ObservedGeneration == fleet.Generation && conditionTrue(fleet.Status.Conditions, ozgv1.ReadyCondition) &&
			fleet.Status.UpdatedPortals == 3 && fleet.Status.ReadyPortals == 3, nil
	}); err != nil {
		return err
	}
	portals, err := k.portals(ctx)
	if err != nil {
		return err
	}
	for _, p := range portals {
		pod, err := k.readyPod(ctx, p.Name)
		if err != nil {
			return err
		}
		if err := check(pod); err != nil {
			return err
		}
		if _, err := k.services(ctx, pod.Status.PodIP); err != nil {
			return err
		}
		fmt.Printf("  %s: version %s, pod %s serving, image %s\n", p.Name, p.Status.Version, pod.Name, pod.Status.ContainerStatuses[0].ImageID)
	}
	fmt.Printf("  fleet %s: %d/%d Ready, versions %v\n", k.fleet, fleet.Status.ReadyPortals, fleet.Status.Portals, fleet.Status.Versions)
	return nil
}

// setFleetImage sets the fleet template's image and version.
func (k *checker) setFleetImage(ctx context.Context, image, version string) error {
	var fleet ozgv1.PortalFleet
	if err := k.c.Get(ctx, client.ObjectKey{Namespace: k.namespace, Name: k.fleet}, &fleet); err != nil {
		return err
	}
	base := fleet.DeepCopy()
	fleet.Spec.Template.Image, fleet.Spec.Template.Version = image, version
	return k.c.Patch(ctx, &fleet, client.MergeFrom(base))
}

// --- cluster helpers -------------------------------------------------------

func (k *checker) portals(ctx context.Context) ([]ozgv1.ServicePortal, error) {
	var list ozgv1.ServicePortalList
	if err := k.c.List(ctx, &list, client.InNamespace(k.namespace), client.MatchingLabels{ozgv1.LabelFleet: k.fleet}); err != nil {
		return nil, err
	}
	slices.SortFunc(list.Items, func(a, b ozgv1.ServicePortal) int { return strings.Compare(a.Name, b.Name) })
	return list.Items, nil
}

func (k *checker) podsOf(ctx context.Context, portal string) ([]corev1.Pod, error) {
	var pods corev1.PodList
	err := k.c.List(ctx, &pods, client.InNamespace(k.namespace), client.MatchingLabels{"app.kubernetes.io/instance": portal})
	return pods.Items, err
}

// readyPod waits for the one pod of portal that is Ready and not going away.
func (k *checker) readyPod(ctx context.Context, portal string) (*corev1.Pod, error) {
	var found *corev1.Pod
	err := k.eventually(ctx, "the one Ready pod of "+portal, func() (bool, error) {
		pods, err := k.podsOf(ctx, portal)
		if err != nil {
			return false, err
		}
		found = nil
		for i := range pods {
			if pods[i].DeletionTimestamp == nil && podReady(&pods[i]) {
				if found != nil {
					return false, nil // a rollout is still replacing one
				}
				found = &pods[i]
			}
		}
		return found != nil && len(pods) == 1, nil
	})
	return found, err
}

func (k *checker) eventually(ctx context.Context, what string, cond func() (bool, error)) error {
	deadline := time.Now().Add(k.timeout)
	for {
		ok, err := cond()
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("waiting for %s: %w", what, err)
		}
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out after %s waiting for %s", k.timeout, what)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// holds checks cond every half second for d; it must hold throughout.
func (k *checker) holds(ctx context.Context, d time.Duration, cond func() error) error {
	for end := time.Now().Add(d); time.Now().Before(end); {
		if err := cond(); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	return nil
}

// --- HTTP ----------------------------------------------------------------------

// get fetches url asking for gzip and returns the decoded body and its
// Content-Encoding; anything but 200 is an error.
func (k *checker) get(ctx context.Context, url string) (string, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", "", err
	}
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := k.http.Do(req)
	if err != nil {
		return "", "", err
	}
	defer func() { _ = resp.Body.Close() }()
	var r io.Reader = resp.Body
	enc := resp.Header.Get("Content-Encoding")
	if enc == "gzip" {
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			return "", enc, fmt.Errorf("GET %s: %w", url, err)
		}
		r = zr
	}
	body, err := io.ReadAll(r)
	if err != nil {
		return "", enc, fmt.Errorf("GET %s: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", enc, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return string(body), enc, nil
}

type servicesResponse struct {
	Administration struct {
		DisplayName string `json:"displayName"`
	} `json:"administration"`
	Total    int `json:"total"`
	Services []struct {
		OZGID string `json:"ozgId"`
		State string `json:"state"`
	} `json:"services"`
}

func (r *servicesResponse) stateOf(ozgID string) string {
	for _, s := range r.Services {
		if s.OZGID == ozgID {
			return s.State
		}
	}
	return ""
}

func (k *checker) services(ctx context.Context, ip string) (*servicesResponse, error) {
	body, _, err := k.get(ctx, "http://"+ip+":8080/api/v1/services")
	if err != nil {
		return nil, err
	}
	var r servicesResponse
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		return nil, fmt.Errorf("/api/v1/services of %s: %w", ip, err)
	}
	return &r, nil
}

// --- the node's view of a container ---------------------------------------------

// containerProcess finds the container's first process through the
// kubelet's cgroups (cgroupfs driver: .../kubepods/<qos>/pod<uid>/<id>).
func containerProcess(containerID string) (int, error) {
	_, id, ok := strings.Cut(containerID, "://")
	if !ok {
		return 0, fmt.Errorf("container ID %q has no runtime prefix", containerID)
	}
	var pid int
	errFound := errors.New("found")
	err := filepath.WalkDir("/sys/fs/cgroup/pids/kubepods", func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() || d.Name() != id {
			return err
		}
		raw, err := os.ReadFile(filepath.Join(path, "cgroup.procs"))
		if err != nil {
			return err
		}
		if _, err := fmt.Sscan(string(raw), &pid); err != nil {
			return fmt.Errorf("%s: no process: %w", path, err)
		}
		return errFound
	})
	if errors.Is(err, errFound) {
		return pid, nil
	}
	if err == nil {
		err = errors.New("no cgroup")
	}
	return 0, fmt.Errorf("container %s: %w", shortID(containerID), err)
}

// residentMiB is a process's resident set (VmRSS) in MiB.
func residentMiB(pid int) (float64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "VmRSS:" {
			var kb float64
			if _, err := fmt.Sscan(f[1], &kb); err != nil {
				return 0, err
			}
			return kb / 1024, nil
		}
	}
	return 0, fmt.Errorf("process %d: no VmRSS", pid)
}

// procIDs are the real uid and gid of a process.
func procIDs(pid int) (uid, gid string, err error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "", "", err
	}
	for _, line := range strings.Split(string(raw), "\n") {
		f := strings.Fields(line)
		if len(f) > 1 && f[0] == "Uid:" {
			uid = f[1]
		}
		if len(f) > 1 && f[0] == "Gid:" {
			gid = f[1]
		}
	}
	return uid, gid, nil
}

// rootMountOptions are the mount options of the process's "/".
func rootMountOptions(pid int) (string, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/mountinfo", pid))
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(line); len(f) > 5 && f[4] == "/" {
			return f[5], nil
		}
	}
	return "", fmt.Errorf("process %d has no root mount", pid)
}

// --- small helpers ---------------------------------------------------------------

func podReady(p *corev1.Pod) bool {
	c := podCondition(p, corev1.PodReady)
	return c.Status == corev1.ConditionTrue
}

func podCondition(p *corev1.Pod, t corev1.PodConditionType) corev1.PodCondition {
	for _, c := range p.Status.Conditions {
		if c.Type == t {
			return c
		}
	}
	return corev1.PodCondition{}
}

func conditionTrue(conds []metav1.Condition, t string) bool {
	return meta.IsStatusConditionTrue(conds, t)
}

func conditionText(conds []metav1.Condition, t string) string {
	c := meta.FindStatusCondition(conds, t)
	if c == nil {
		return t + " absent"
	}
	return fmt.Sprintf("%s=%s %s: %s", t, c.Status, c.Reason, c.Message)
}

func shortID(containerID string) string {
	_, id, _ := strings.Cut(containerID, "://")
	return id[:min(12, len(id))]
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func must(err error) {
	if err != nil {
		fatalf("%v", err)
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "real-check: "+format+"\n", args...)
	os.Exit(1)
}
