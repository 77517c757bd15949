// Package scale holds the scale benchmarks of ozg-operator: the real manager,
// built from this checkout and run as a subprocess, against a real
// kube-apiserver and etcd (envtest) loaded with the administrations, the OZG
// catalogue and the service portals of North Rhine-Westphalia, or of a
// synthetic Germany.
//
// The benchmarks sit behind the build tag bench and run once each:
//
//	KUBEBUILDER_ASSETS=$PWD/bin/k8s go test -tags bench -run '^$' \
//		-bench BenchmarkRollupNRW -benchtime 1x -timeout 60m ./test/scale/
//
// BenchmarkRollupGermany (11,000 administrations) runs only with
// OZG_BENCH_GERMANY=1 and needs a longer -timeout (300m). OZG_BENCH_MANAGER names a
// prebuilt manager binary to measure instead of building ./cmd/manager.
// OZG_BENCH_TRACE=Administration (kinds, comma-separated) logs every status
// change of those kinds with the fields it changed: what to read when a
// phase issues more writes than it needs.
//
// The files split the work like Cluster API's test framework:
//   - cluster_test.go: the API server, its clients and the manager's kubeconfig
//   - scenario_test.go: the objects, read from ../shared/data or synthesized
//   - (internal/kubeletsim makes Deployments available, as kubelet would)
//   - manager_test.go: builds, starts and stops the manager; its peak RSS
//   - metrics_test.go: Prometheus scrapes of the manager and the API server
//   - recount_test.go: the comparison with the brute-force recount
//     (internal/testsupport/recount) and the convergence watcher
//   - writes_test.go: the least number of writes a change needs
//   - bare_test.go: the same final statuses written by a bare client
//   - parallel_test.go: bounded concurrency with retries of transient errors
//   - report_test.go: the printed table
//   - rollup_bench_test.go: the benchmarks
package scale
