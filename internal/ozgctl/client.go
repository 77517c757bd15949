package ozgctl

import (
	"io"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// restConfig is the configuration the kubeconfig flags select, with
// server warnings written to warnings.
func restConfig(kube *genericclioptions.ConfigFlags, warnings io.Writer) (*rest.Config, error) {
	cfg, err := kube.ToRESTConfig()
	if err != nil {
		return nil, err
	}
	// Server warnings, such as fields the installed CRD does not know,
	// would otherwise go to a logger ozgctl does not set up.
	cfg.WarningHandlerWithContext = nil
	cfg.WarningHandler = rest.NewWarningWriter(warnings, rest.WarningWriterOptions{Deduplicate: true})
	return cfg, nil
}

// newScheme knows the kinds of ozg.dev and the core kinds (the portals'
// ConfigMaps).
func newScheme() (*runtime.Scheme, error) {
	scheme := runtime.NewScheme()
	if err := v1alpha1.AddToScheme(scheme); err != nil {
		return nil, err
	}
	if err := corev1.AddToScheme(scheme); err != nil {
		return nil, err
	}
	return scheme, nil
}

// newClient connects to the cluster cfg points at.
func newClient(cfg *rest.Config) (client.Client, error) {
	scheme, err := newScheme()
	if err != nil {
		return nil, err
	}
	return client.New(cfg, client.Options{Scheme: scheme})
}

// kubeClient is a client for the cluster of the kubeconfig flags.
func kubeClient(kube *genericclioptions.ConfigFlags, warnings io.Writer) (client.Client, error) {
	cfg, err := restConfig(kube, warnings)
	if err != nil {
		return nil, err
	}
	return newClient(cfg)
}

// namespacedClient is kubeClient with the namespace of -n, or else of the
// kubeconfig context, for the commands on namespaced kinds.
func namespacedClient(kube *genericclioptions.ConfigFlags, warnings io.Writer) (client.Client, string, error) {
	ns, err := namespace(kube)
	if err != nil {
		return nil, "", err
	}
	c, err := kubeClient(kube, warnings)
	return c, ns, err
}

// namespace is the namespace of -n, or else of the kubeconfig context.
func namespace(kube *genericclioptions.ConfigFlags) (string, error) {
	ns, _, err := kube.ToRawKubeConfigLoader().Namespace()
	return ns, err
}
