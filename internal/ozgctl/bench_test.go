//go:build bench

package ozgctl_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/importer"
	"github.com/ozg-operator/ozg-operator/internal/importer/importertest"
	"github.com/ozg-operator/ozg-operator/internal/ozgctl/apply"
)

// BenchmarkImportVersusBareCreate compares a full import through the CLI
// (parsing, server-side apply, change detection) with the least a program
// could do: client.Create of the same objects at the same concurrency.
// Both write into an empty API server. Run with
//
//	KUBEBUILDER_ASSETS=$PWD/bin/k8s go test -tags bench -run '^$' -bench . -benchtime 1x ./internal/ozgctl/
func BenchmarkImportVersusBareCreate(b *testing.B) {
	requireCluster(b)
	g := NewWithT(b)
	ctx := b.Context()
	catalogDir, admFile := importertest.CatalogDir(b), importertest.AdministrationsFile(b)

	catalog, err := importer.ReadCatalog(catalogDir)
	g.Expect(err).NotTo(HaveOccurred())
	adms, err := importer.ReadAdministrations(admFile, importer.AdministrationOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	var objs []client.Object
	for i := range catalog.Services {
		objs = append(objs, &catalog.Services[i])
	}
	for i := range adms.Items {
		objs = append(objs, &adms.Items[i])
	}

	viaOzgctl := func() {
		for _, args := range [][]string{
			{"import", "catalog", "--dir", catalogDir},
			{"import", "administrations", "--file", admFile},
		} {
			_, stderr, err := ozgctlRun(ctx, append(args, "--apply", "--kubeconfig", kubeconfig)...)
			g.Expect(err).NotTo(HaveOccurred(), stderr)
		}
	}
	bare := func() { g.Expect(bareCreate(ctx, objs, apply.DefaultConcurrency)).To(Succeed()) }

	// One untimed round of each warms the API server (CEL programs, SSA
	// type converters, watch cache) so that neither pays for it alone.
	deleteAll(ctx, g)
	viaOzgctl()
	deleteAll(ctx, g)
	bare()
	deleteAll(ctx, g)

	// The machine is shared: each iteration times both in alternating
	// order, and the fastest run of each counts, being the one least
	// disturbed by other processes.
	const rounds = 4
	timed := func(f func()) time.Duration {
		b.StartTimer()
		start := time.Now()
		f()
		d := time.Since(start)
		b.StopTimer()
		deleteAll(ctx, g)
		return d
	}
	var ozgctlTimes, bareTimes []time.Duration
	b.ResetTimer()
	b.StopTimer()
	for range b.N {
		for round := range rounds {
			if round%2 == 0 {
				ozgctlTimes = append(ozgctlTimes, timed(viaOzgctl))
				bareTimes = append(bareTimes, timed(bare))
			} else {
				bareTimes = append(bareTimes, timed(bare))
				ozgctlTimes = append(ozgctlTimes, timed(viaOzgctl))
			}
		}
	}
	ozgctlSeconds := slices.Min(ozgctlTimes).Seconds()
	bareSeconds := slices.Min(bareTimes).Seconds()
	b.ReportMetric(ozgctlSeconds, "ozgctl-s")
	b.ReportMetric(bareSeconds, "bare-s")
	b.ReportMetric(ozgctlSeconds/bareSeconds, "ratio")
	b.Logf("%d objects, fastest of %d runs: ozgctl import --apply %.3fs, bare client.Create %.3fs, ratio %.2f (all runs: ozgctl %v, bare %v)",
		len(objs), len(ozgctlTimes), ozgctlSeconds, bareSeconds, ozgctlSeconds/bareSeconds, ozgctlTimes, bareTimes)
}

// bareCreate creates copies of objs with the given number of workers.
func bareCreate(ctx context.Context, objs []client.Object, workers int) error {
	queue := make(chan client.Object)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for range workers {
		wg.Go(func() {
			for obj := range queue {
				if err := k8sClient.Create(ctx, obj.DeepCopyObject().(client.Object)); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		})
	}
	for _, obj := range objs {
		queue <- obj
	}
	close(queue)
	wg.Wait()
	return errors.Join(errs...)
}

// deleteAll empties the API server of the imported kinds and waits until
// they are gone.
func deleteAll(ctx context.Context, g Gomega) {
	g.Expect(k8sClient.DeleteAllOf(ctx, &v1alpha1.OZGService{})).To(Succeed())
	g.Expect(k8sClient.DeleteAllOf(ctx, &v1alpha1.Administration{})).To(Succeed())
	g.Eventually(func(g Gomega) {
		var services v1alpha1.OZGServiceList
		var adms v1alpha1.AdministrationList
		g.Expect(k8sClient.List(ctx, &services)).To(Succeed())
		g.Expect(k8sClient.List(ctx, &adms)).To(Succeed())
		g.Expect(services.Items).To(BeEmpty())
		g.Expect(adms.Items).To(BeEmpty())
	}).WithContext(ctx).Should(Succeed())
}
