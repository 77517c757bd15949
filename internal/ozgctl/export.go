package ozgctl

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/backup"
	"github.com/ozg-operator/ozg-operator/internal/portaldata"
	"github.com/ozg-operator/ozg-operator/internal/portalverbund"
)

func newExportCommand(kube *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Export what the portals offer for other directories",
		Args:  cobra.ArbitraryArgs,
		RunE:  runGroup,
	}
	cmd.AddCommand(newExportPortalverbundCommand(kube, streams), newExportAllCommand(kube, streams))
	return cmd
}

func newExportAllCommand(kube *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "all",
		Short: "Export every ozg.dev object as manifests to restore from",
		Long: `Write every ozg.dev object of the cluster as YAML manifests, for a backup
(docs/backup.md): the namespaces of the namespaced objects with their
labels (whose they are), then the OZGServices, ResponsibilityProfiles,
Administrations, ServiceProgrammes, PortalFleets and ServicePortals, each
with its name, namespace, labels, annotations and spec, and without what
the API server and the operator fill in (status, uid, resourceVersion,
managedFields). ServicePortals a PortalFleet owns are left out: the fleet
makes them again. Restore with kubectl apply --server-side -f; the
operator then renders every portal's content and recounts every roll-up.
The output is deterministic: sorted by namespace and name.`,
		Example: `  # Back up the registry and every provider's portals
  kubectl ozg export all > ozg-backup.yaml

  # Restore into a new cluster with the operator installed
  kubectl apply --server-side -f ozg-backup.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := kubeClient(kube, streams.ErrOut)
			if err != nil {
				return err
			}
			e, err := backup.Read(cmd.Context(), c)
			if err != nil {
				return err
			}
			return e.Write(streams.Out, c.Scheme())
		},
	}
}

// exportOptions are the flags of export portalverbund.
type exportOptions struct {
	kube    *genericclioptions.ConfigFlags
	streams genericiooptions.IOStreams

	fleet  string
	output string
}

func newExportPortalverbundCommand(kube *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &exportOptions{kube: kube, streams: streams}
	cmd := &cobra.Command{
		Use:   "portalverbund [--fleet NAME] [-n NAMESPACE] [-o json]",
		Short: "Export the portals' services for the Portalverbund",
		Long: `Export every service the portals of a namespace offer, or those of one
PortalFleet with --fleet, as the Portalverbund feed that each portal also
serves at /api/v1/portalverbund: the Leistungen with their LeiKa keys and
OZG-IDs, for each portal's area (Gebiet) who is responsible
(Organisationseinheit with AGS, ARS and address) and the online service
(Onlinedienst with URL, Reifegrad and Vertrauensniveau) where there is one.

The feed is read from the content the operator rendered for each portal
(its ConfigMap), so it is what the portals serve; a portal without
rendered content yet is left out with a warning. The output is
deterministic: equal content gives equal bytes. Its JSON Schema is
internal/portalverbund/schema/portalverbund.v1.schema.json, its
documentation docs/portalverbund.md.`,
		Example: `  # The feed of krz's fleet, to hand over to the Portalverbund NRW
  kubectl ozg export portalverbund --fleet krz -n krz > krz-portalverbund.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.output != "json" {
				return usageErrorf("--output %q is not supported, want json", o.output)
			}
			return o.run(cmd.Context())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.fleet, "fleet", "", "export the portals of this PortalFleet only")
	f.StringVarP(&o.output, "output", "o", "json", "output format: json")
	return cmd
}

func (o *exportOptions) run(ctx context.Context) error {
	c, ns, err := namespacedClient(o.kube, o.streams.ErrOut)
	if err != nil {
		return err
	}
	opts := []client.ListOption{client.InNamespace(ns)}
	if o.fleet != "" {
		if err := getNamed(ctx, c, client.ObjectKey{Namespace: ns, Name: o.fleet}, &ozgv1.PortalFleet{}, "PortalFleet", "--fleet"); err != nil {
			return err
		}
		opts = append(opts, client.MatchingLabels{ozgv1.LabelFleet: o.fleet})
	}
	var portals ozgv1.ServicePortalList
	if err := c.List(ctx, &portals, opts...); err != nil {
		return err
	}
	slices.SortFunc(portals.Items, func(a, b ozgv1.ServicePortal) int { return strings.Compare(a.Name, b.Name) })

	var catalog *portaldata.CatalogDocument
	var feeds []*portalverbund.Feed
	var missing []string
	for i := range portals.Items {
		p := &portals.Items[i]
		doc, err := renderedDocument(ctx, c, p)
		if err != nil {
			return err
		}
		if doc == nil {
			missing = append(missing, p.Name)
			continue
		}
		if doc.Catalog != "" {
			if catalog == nil {
				if catalog, err = sharedCatalog(ctx, c, ns); err != nil {
					return err
				}
			}
			if left := doc.Join(catalog); len(left) > 0 {
				fmt.Fprintf(o.streams.ErrOut, "Warning: portal %s: services %s are not in the catalogue yet, left out\n", p.Name, strings.Join(left, ", "))
			}
		}
		feeds = append(feeds, portalverbund.FromDocument(doc, ""))
	}
	if len(missing) > 0 {
		fmt.Fprintf(o.streams.ErrOut, "Warning: left out, no rendered content yet: %s\n", strings.Join(missing, ", "))
	}
	if len(feeds) == 0 {
		what := fmt.Sprintf("namespace %q", ns)
		if o.fleet != "" {
			what = fmt.Sprintf("fleet %q in namespace %q", o.fleet, ns)
		}
		return fmt.Errorf("no portal of %s has rendered content to export", what)
	}
	data, err := portalverbund.Marshal(portalverbund.Merge(feeds...), true)
	if err != nil {
		return err
	}
	_, err = o.streams.Out.Write(data)
	return err
}

// renderedDocument is the document the operator rendered for p, nil if
// there is none yet.
func renderedDocument(ctx context.Context, c client.Client, p *ozgv1.ServicePortal) (*portaldata.Document, error) {
	var cm corev1.ConfigMap
	err := c.Get(ctx, client.ObjectKey{Namespace: p.Namespace, Name: p.Name}, &cm)
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	data, ok := cm.Data[portaldata.ConfigMapKey]
	if !ok {
		return nil, nil
	}
	doc, err := portaldata.Parse([]byte(data))
	if err != nil {
		return nil, fmt.Errorf("portal %s: ConfigMap %s/%s: %w", p.Name, cm.Namespace, cm.Name, err)
	}
	return doc, nil
}

// sharedCatalog is the catalogue the portals of namespace ns share.
func sharedCatalog(ctx context.Context, c client.Client, ns string) (*portaldata.CatalogDocument, error) {
	var cm corev1.ConfigMap
	key := client.ObjectKey{Namespace: ns, Name: portaldata.CatalogConfigMapName}
	if err := getNamed(ctx, c, key, &cm, "ConfigMap", "the portals' shared catalogue"); err != nil {
		return nil, err
	}
	cat, err := portaldata.ParseCatalog(cm.BinaryData[portaldata.CatalogFile])
	if err != nil {
		return nil, fmt.Errorf("ConfigMap %s/%s: %w", ns, key.Name, err)
	}
	return cat, nil
}
