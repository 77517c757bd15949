package ozgctl

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/importer"
	"github.com/ozg-operator/ozg-operator/internal/ozgctl/apply"
	"github.com/ozg-operator/ozg-operator/internal/ozgctl/manifest"
)

// importOptions are the flags every import shares.
type importOptions struct {
	kube    *genericclioptions.ConfigFlags
	streams genericiooptions.IOStreams

	output      string
	apply       bool
	strict      bool
	concurrency int
}

func newImportCommand(kube *genericclioptions.ConfigFlags, streams genericiooptions.IOStreams) *cobra.Command {
	o := &importOptions{kube: kube, streams: streams}
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Import the OZG catalogue or administrations from CSV files",
		Long: `Import reads CSV files (UTF-8 or Windows-1252, comma or semicolon separated)
and turns them into OZGService or Administration objects.

Every row that is not imported as written is reported on stderr as
FILE:LINE:COLUMN: rejected|warning: reason.

Without -o or --apply the files are only checked.`,
		RunE: runGroup,
	}
	f := cmd.PersistentFlags()
	f.StringVarP(&o.output, "output", "o", "", "print the objects as manifests instead of applying them; only yaml is supported")
	f.BoolVar(&o.apply, "apply", false, "apply the objects to the cluster with server-side apply (field manager "+FieldManager+")")
	f.BoolVar(&o.strict, "strict", false, "exit non-zero if any row or object is rejected")
	f.IntVar(&o.concurrency, "concurrency", apply.DefaultConcurrency, "apply requests in flight at once")
	cmd.AddCommand(newImportCatalogCommand(o), newImportAdministrationsCommand(o), newImportProfileCommand(o))
	return cmd
}

func newImportCatalogCommand(o *importOptions) *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "catalog --dir DIR",
		Short: "Import the OZG catalogue as OZGService objects",
		Long: `Import the OZG catalogue from DIR, which holds themenfelder.csv,
lebenslagen.csv, ozg-leistungen.csv and leika-leistungen.csv. Each OZG
service becomes an OZGService ozg-<ozgId> with its LeiKa services.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.validate(); err != nil {
				return err
			}
			c, err := importer.ReadCatalog(dir)
			if err != nil {
				return err
			}
			note := fmt.Sprintf("%d LeiKa rows marked %q, %d LeiKa services kept without key", c.NotInLeiKa, importer.NotInLeiKa, c.Unkeyed)
			return o.run(cmd.Context(), dir, note, objects(c.Services), &c.Report)
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "directory of the catalogue CSV files")
	_ = cmd.MarkFlagRequired("dir")
	return cmd
}

func newImportAdministrationsCommand(o *importOptions) *cobra.Command {
	var (
		file string
		opts importer.AdministrationOptions
	)
	cmd := &cobra.Command{
		Use:   "administrations --file FILE",
		Short: "Import municipalities and Kreise as Administration objects",
		Long: `Import the administrations of a municipality directory such as
kommunen-nrw.csv (columns schluessel, name, typ, kreis_schluessel,
regierungsbezirk, einwohner_2011, anschrift, strasse, plz_ort).

--kreis keeps the municipalities of the given Kreise (and kreisfreie Städte
by their 5-digit key prefix); the Kreise themselves only with --with-kreise.

Kreisangehörige municipalities of NRW get their size class from their
population (§ 4 GO NRW: Mittlere kreisangehörige Stadt above 25,000
inhabitants, Große above 60,000); every administration selects the
responsibility profile of its Land (nrw for NRW) unless
--responsibility-profile names another.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.validate(); err != nil {
				return err
			}
			a, err := importer.ReadAdministrations(file, opts)
			if err != nil {
				return err
			}
			return o.run(cmd.Context(), file, "", objects(a.Items), &a.Report)
		},
	}
	cmd.Flags().StringVar(&file, "file", "", "the administrations CSV file")
	cmd.Flags().StringVar(&opts.ITProvider, "it-provider", "", "municipal IT provider to set as spec.itProvider and label "+v1alpha1.LabelITProvider)
	cmd.Flags().StringSliceVar(&opts.Kreise, "kreis", nil, "import only the municipalities of these 5-digit Kreis keys, e.g. 05766,05758")
	cmd.Flags().BoolVar(&opts.WithKreise, "with-kreise", false, "with --kreis, import the Kreise themselves too")
	cmd.Flags().StringVar(&opts.ResponsibilityProfile, "responsibility-profile", "", "ResponsibilityProfile every administration selects (default: its Land's, "+importer.NRWProfile+" for NRW)")
	_ = cmd.MarkFlagRequired("file")
	return cmd
}

func newImportProfileCommand(o *importOptions) *cobra.Command {
	var (
		file        string
		opts        importer.ProfileOptions
		typisierung map[string]string
	)
	cmd := &cobra.Command{
		Use:   "profile --file FILE",
		Short: "Import a responsibility table as a ResponsibilityProfile",
		Long: `Import a responsibility table such as hack/profiles/nrw/services.csv
(columns ozg_id, leika_schluessel, level, held_by, legal_basis, note): one row
per OZG service that the typisierung does not place, with the level
responsible (Bund, Land, Kreis, Gemeinde or Unknown), the size classes that
hold a Kreis task themselves (Grosse;Mittlere) and the legal basis; rows with a
LeiKa key, after their OZG service's row, place single LeiKa services.

--typisierung places the services all of whose LeiKa services carry the
given typisierungen.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.validate(); err != nil {
				return err
			}
			opts.Typisierung = map[string]v1alpha1.Level{}
			for typ, level := range typisierung {
				l := v1alpha1.Level(level)
				if l != v1alpha1.LevelBund && l != v1alpha1.LevelLand && l != v1alpha1.LevelKreis && l != v1alpha1.LevelGemeinde {
					// A typisierung says who executes; Kammern and insurers are no typisierung's.
					return usageErrorf("--typisierung %s=%s: the level must be Bund, Land, Kreis or Gemeinde", typ, level)
				}
				opts.Typisierung[typ] = l
			}
			p, err := importer.ReadProfile(file, opts)
			if err != nil {
				return err
			}
			return o.run(cmd.Context(), file, "", []client.Object{&p.Profile}, &p.Report)
		},
	}
	cmd.Flags().StringVar(&file, "file", "", "the responsibility table CSV file")
	cmd.Flags().StringVar(&opts.Name, "name", importer.NRWProfile, "name of the ResponsibilityProfile")
	cmd.Flags().StringVar(&opts.Land, "land", "Nordrhein-Westfalen", "the Land the profile describes")
	nrw := map[string]string{}
	for typ, level := range importer.NRWTypisierung {
		nrw[typ] = string(level)
	}
	cmd.Flags().StringToStringVar(&typisierung, "typisierung", nrw, "typisierung=level rules for services the table does not name")
	_ = cmd.MarkFlagRequired("file")
	return cmd
}

// objects returns pointers to the items, in order, for run.
func objects[T any, P interface {
	*T
	client.Object
}](items []T) []client.Object {
	objs := make([]client.Object, len(items))
	for i := range items {
		objs[i] = P(&items[i])
	}
	return objs
}

func (o *importOptions) validate() error {
	switch {
	case o.output != "" && o.output != "yaml":
		return usageErrorf("--output %q is not supported, want yaml", o.output)
	case o.output != "" && o.apply:
		return usageErrorf("--output and --apply exclude each other")
	case o.concurrency < 1:
		return usageErrorf("--concurrency must be at least 1")
	}
	return nil
}

// run reports what the import read from source, with an optional note, and
// prints or applies the objects.
func (o *importOptions) run(ctx context.Context, source, note string, objs []client.Object, report *importer.Report) error {
	if err := report.Write(o.streams.ErrOut); err != nil {
		return err
	}
	summary := report.Summary()
	if note != "" {
		summary += "; " + note
	}
	fmt.Fprintf(o.streams.ErrOut, "%s: %s\n", source, summary)

	manifests, err := manifest.Unstructured(objs)
	if err != nil {
		return err
	}
	rejected := report.Rejected()
	switch {
	case o.output == "yaml":
		if err := manifest.WriteYAML(o.streams.Out, manifests); err != nil {
			return err
		}
	case o.apply:
		result, err := o.applyManifests(ctx, manifests)
		if err != nil {
			return err
		}
		for _, r := range result.Rejected {
			fmt.Fprintln(o.streams.ErrOut, r)
		}
		rejected += len(result.Rejected)
		fmt.Fprintf(o.streams.Out, "created %d, updated %d, unchanged %d, rejected %d\n",
			result.Created, result.Updated, result.Unchanged, rejected)
	}
	if o.strict && rejected > 0 {
		return fmt.Errorf("--strict: %d rows or objects rejected", rejected)
	}
	return nil
}

func (o *importOptions) applyManifests(ctx context.Context, manifests []*unstructured.Unstructured) (apply.Result, error) {
	c, err := o.client()
	if err != nil {
		return apply.Result{}, err
	}
	bar := newProgress(o.streams.ErrOut, len(manifests))
	defer bar.clear()
	return apply.Apply(ctx, c, manifests, apply.Options{
		FieldManager: FieldManager,
		Concurrency:  o.concurrency,
		Progress:     bar.update,
	})
}

// client connects to the cluster the kubeconfig flags select.
func (o *importOptions) client() (client.Client, error) {
	cfg, err := restConfig(o.kube, o.streams.ErrOut)
	if err != nil {
		return nil, err
	}
	// client-go would throttle to 5 requests per second; --concurrency
	// bounds the load instead, and the server's API Priority and Fairness
	// protects it.
	if cfg.QPS == 0 {
		cfg.QPS = -1
	}
	return newClient(cfg)
}
