package ozgctl

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/version"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes"

	buildversion "github.com/ozg-operator/ozg-operator/internal/version"
)

// managerSelector finds the manager's Deployment, installed by the chart
// or by config/ (both set these labels; the portals' Deployments do not).
const managerSelector = "app.kubernetes.io/part-of=ozg-operator,app.kubernetes.io/component=manager"

// managerVersion is a manager Deployment found in the cluster.
type managerVersion struct {
	// Version is the image's tag, else the Deployment's
	// app.kubernetes.io/version label (an image pinned by digest only).
	Version       string `json:"version"`
	Namespace     string `json:"namespace"`
	Deployment    string `json:"deployment"`
	Image         string `json:"image"`
	Replicas      int32  `json:"replicas"`
	ReadyReplicas int32  `json:"readyReplicas"`
}

// versions is what `ozgctl version` reports.
type versions struct {
	ClientVersion     buildversion.Info `json:"clientVersion"`
	KubernetesVersion string            `json:"kubernetesVersion,omitempty"`
	// ManagerVersions are the managers installed; normally one.
	ManagerVersions []managerVersion `json:"managerVersions,omitempty"`
}

// newVersionCommand prints ozgctl's build and, unless --client, the
// cluster's: its Kubernetes version and the manager's, found as Flux and
// cert-manager's CLIs find theirs, from the manager's Deployment.
func newVersionCommand(kube *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	var output string
	var clientOnly bool
	cmd := &cobra.Command{
		Use:   "version [--client] [-o json]",
		Short: "Print the client and manager versions",
		Long: `Print the version of this ozgctl (the release, or git describe output, it
was built from, its commit, Go version and platform), then the cluster's:
its Kubernetes version and, for each manager Deployment (labels
app.kubernetes.io/part-of=ozg-operator, app.kubernetes.io/component=manager),
the version its image runs and how many replicas are ready.

A manager of another minor version than ozgctl gets a warning on stderr:
ozgctl writes the fields of its own release's API (docs/upgrade.md).
With --client, only the client's version is printed; without a cluster,
the client's version is printed and ozgctl exits 1, as kubectl version does.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output != "" && output != "json" {
				return usageErrorf("--output %q is not supported: json, or none for text", output)
			}
			v := versions{ClientVersion: buildversion.Get()}
			var clusterErr error
			if !clientOnly {
				clusterErr = v.readCluster(cmd.Context(), kube, streams.ErrOut)
			}
			if err := v.write(streams.Out, output); err != nil {
				return err
			}
			warnSkew(streams.ErrOut, v)
			return clusterErr
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "output format: json, or empty for text")
	cmd.Flags().BoolVar(&clientOnly, "client", false, "print the client version only; do not connect to a cluster")
	return cmd
}

// readCluster adds the Kubernetes and manager versions. A user who may
// not list Deployments everywhere still gets the Kubernetes version.
func (v *versions) readCluster(ctx context.Context, kube *genericclioptions.ConfigFlags, warnings io.Writer) error {
	cfg, err := restConfig(kube, warnings)
	if err != nil {
		return err
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	server, err := cs.Discovery().ServerVersion()
	if err != nil {
		return fmt.Errorf("reading the cluster's version: %w", err)
	}
	v.KubernetesVersion = server.GitVersion
	list, err := cs.AppsV1().Deployments(metav1.NamespaceAll).List(ctx, metav1.ListOptions{LabelSelector: managerSelector})
	if apierrors.IsForbidden(err) {
		_, _ = fmt.Fprintf(warnings, "Warning: the manager's version is unknown: you may not list Deployments in all namespaces (%s)\n", managerSelector)
		return nil
	}
	if err != nil {
		return fmt.Errorf("finding the manager's Deployment: %w", err)
	}
	for i := range list.Items {
		v.ManagerVersions = append(v.ManagerVersions, managerVersionOf(&list.Items[i]))
	}
	return nil
}

// managerVersionOf reads the version a manager Deployment runs.
func managerVersionOf(d *appsv1.Deployment) managerVersion {
	m := managerVersion{Namespace: d.Namespace, Deployment: d.Name, ReadyReplicas: d.Status.ReadyReplicas, Replicas: 1}
	if d.Spec.Replicas != nil {
		m.Replicas = *d.Spec.Replicas
	}
	// The container named manager, else the first.
	for i, c := range d.Spec.Template.Spec.Containers {
		if i == 0 || c.Name == "manager" {
			m.Image = c.Image
		}
	}
	m.Version = imageTag(m.Image)
	if m.Version == "" {
		m.Version = d.Labels["app.kubernetes.io/version"]
	}
	if m.Version == "" {
		m.Version = "unknown"
	}
	return m
}

// imageTag is the tag of an image reference: ".../manager:0.2.0@sha256:..."
// gives "0.2.0", a reference by digest only or without a tag "".
func imageTag(image string) string {
	name, _, _ := strings.Cut(image, "@")
	slash := strings.LastIndex(name, "/")
	if colon := strings.LastIndex(name, ":"); colon > slash {
		return name[colon+1:]
	}
	return ""
}

func (v *versions) write(w io.Writer, output string) error {
	if output == "json" {
		out, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", out)
		return err
	}
	lines := []string{"Client Version: " + v.ClientVersion.String()}
	if v.KubernetesVersion != "" {
		lines = append(lines, "Kubernetes Version: "+v.KubernetesVersion)
		if len(v.ManagerVersions) == 0 {
			lines = append(lines, "Manager Version: not installed (no Deployment labelled "+managerSelector+")")
		}
	}
	for _, m := range v.ManagerVersions {
		lines = append(lines, fmt.Sprintf("Manager Version: %s (%s/%s, %d/%d ready, image %s)", m.Version, m.Namespace, m.Deployment, m.ReadyReplicas, m.Replicas, m.Image))
	}
	_, err := fmt.Fprintln(w, strings.Join(lines, "\n"))
	return err
}

// warnSkew warns of a manager of another major or minor version, as
// kubectl warns of a server it is too far from. Versions that are not
// semantic (dev builds, git describe of an untagged tree) are not judged.
func warnSkew(w io.Writer, v versions) {
	client, err := version.ParseSemantic(v.ClientVersion.Version)
	if err != nil {
		return
	}
	for _, m := range v.ManagerVersions {
		manager, err := version.ParseSemantic(m.Version)
		if err != nil {
			continue
		}
		if manager.Major() != client.Major() || manager.Minor() != client.Minor() {
			_, _ = fmt.Fprintf(w, "Warning: ozgctl %s and the manager %s (%s/%s) are of different minor versions: ozgctl writes its own release's API fields; use the ozgctl of the manager's release (docs/upgrade.md)\n",
				v.ClientVersion.Version, m.Version, m.Namespace, m.Deployment)
		}
	}
}
