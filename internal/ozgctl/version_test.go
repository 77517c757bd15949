package ozgctl_test

import (
	"encoding/json"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/ozg-operator/ozg-operator/internal/ozgctl"
	"github.com/ozg-operator/ozg-operator/internal/version"
)

func TestVersionClient(t *testing.T) {
	stdout, stderr, err := ozgctlRun(t.Context(), "version", "--client")
	if err != nil || !strings.HasPrefix(stdout, "Client Version: ") || strings.Contains(stdout, "Manager") {
		t.Errorf("ozgctl version --client: %v, stdout %q, stderr %q", err, stdout, stderr)
	}
	stdout, _, err = ozgctlRun(t.Context(), "version", "--client", "-o", "json")
	var doc struct {
		ClientVersion struct{ Version, GoVersion, Platform string }
	}
	if err != nil || json.Unmarshal([]byte(stdout), &doc) != nil || doc.ClientVersion.Version == "" || doc.ClientVersion.Platform == "" {
		t.Errorf("ozgctl version --client -o json: %v, printed %q", err, stdout)
	}
	if _, _, err := ozgctlRun(t.Context(), "version", "-o", "yaml"); ozgctl.ExitCode(err) != ozgctl.ExitUsage {
		t.Errorf("ozgctl version -o yaml: %v, want a usage error", err)
	}
}

// The manager's version is read from its Deployment, as an IT provider's
// installation (chart or config/) labels it.
func TestVersionReadsTheManager(t *testing.T) {
	requireCluster(t)
	ctx := t.Context()
	out, _, err := ozgctlRun(ctx, "version", "--kubeconfig", kubeconfig)
	if err != nil || !hasLine(out, "Manager Version: not installed (no Deployment labelled app.kubernetes.io/part-of=ozg-operator,app.kubernetes.io/component=manager)") {
		t.Errorf("before the install: %v\n%s", err, out)
	}

	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "ozg-system-"}}
	create(t, ns)
	labels := map[string]string{"app.kubernetes.io/part-of": "ozg-operator", "app.kubernetes.io/component": "manager"}
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns.Name, Name: "ozg-operator", Labels: labels},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](2),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{
					{Name: "proxy", Image: "registry.example.de/proxy:9.9.9"},
					{Name: "manager", Image: "registry.example.de/ozg/manager:0.2.0@sha256:" + strings.Repeat("a", 64)},
				}},
			},
		},
	}
	create(t, d)
	d.Status.Replicas, d.Status.ReadyReplicas = 2, 1
	if err := k8sClient.Status().Update(ctx, d); err != nil {
		t.Fatal(err)
	}

	// A client of another minor version is warned; the manager's tag, not
	// the sidecar's, is its version.
	defer func(v string) { version.Version = v }(version.Version)
	version.Version = "v0.3.1"
	out, stderr, err := ozgctlRun(ctx, "version", "--kubeconfig", kubeconfig)
	want := "Manager Version: 0.2.0 (" + ns.Name + "/ozg-operator, 1/2 ready, image registry.example.de/ozg/manager:0.2.0@sha256:" + strings.Repeat("a", 64) + ")"
	if err != nil || !hasLine(out, want) || !strings.Contains(out, "Kubernetes Version: v1.") {
		t.Errorf("got %v, want the line %q:\n%s", err, want, out)
	}
	if !strings.Contains(stderr, "Warning: ozgctl v0.3.1 and the manager 0.2.0 ("+ns.Name+"/ozg-operator) are of different minor versions") {
		t.Errorf("no skew warning: %q", stderr)
	}

	version.Version = "0.2.3"
	out, stderr, err = ozgctlRun(ctx, "version", "--kubeconfig", kubeconfig, "-o", "json")
	var doc struct {
		ManagerVersions []struct {
			Version, Namespace, Deployment string
			Replicas, ReadyReplicas        int32
		}
	}
	if err != nil || json.Unmarshal([]byte(out), &doc) != nil || len(doc.ManagerVersions) != 1 ||
		doc.ManagerVersions[0].Version != "0.2.0" || doc.ManagerVersions[0].ReadyReplicas != 1 || doc.ManagerVersions[0].Replicas != 2 {
		t.Errorf("-o json: %v\n%s", err, out)
	}
	if stderr != "" {
		t.Errorf("a patch release apart is no skew, but stderr says %q", stderr)
	}

	// Pinned by digest only: the Deployment's version label says it.
	d.Labels["app.kubernetes.io/version"] = "0.2.1"
	d.Spec.Template.Spec.Containers[1].Image = "registry.example.de/ozg/manager@sha256:" + strings.Repeat("b", 64)
	if err := k8sClient.Update(ctx, d); err != nil {
		t.Fatal(err)
	}
	out, _, err = ozgctlRun(ctx, "version", "--kubeconfig", kubeconfig)
	if err != nil || !strings.Contains(out, "Manager Version: 0.2.1 (") {
		t.Errorf("digest-only image: %v\n%s", err, out)
	}
}

func TestVersionWithoutACluster(t *testing.T) {
	out, _, err := ozgctlRun(t.Context(), "version", "--kubeconfig", "/nonexistent/kubeconfig")
	if err == nil || !strings.HasPrefix(out, "Client Version: ") {
		t.Errorf("got %v, want the client's version and an error:\n%s", err, out)
	}
}
