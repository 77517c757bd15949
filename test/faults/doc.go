// Package faults holds the fault tests of ozg-operator (issue 8): the real
// manager, built from this checkout and run as a subprocess, against a real
// kube-apiserver and etcd (envtest), while the test kills it, kills its
// leader, or stops the API server under it.
//
// They run with the other tests (go test ./...) when KUBEBUILDER_ASSETS or
// bin/k8s holds the Kubernetes binaries, and are skipped otherwise:
//
//	KUBEBUILDER_ASSETS=$PWD/bin/k8s go test ./test/faults/ -v
//
// The files:
//   - suite_test.go: the suite, the API server, the clients, the catalogue
//   - cluster_test.go: envtest with a pinned address and certificates, so
//     that the API server can be stopped and started again under the manager
//   - manager_test.go: builds, starts, kills and stops the manager; its log
//   - lease_test.go: who holds the leader election Lease
//   - kubelet_test.go: makes Deployments available, as kubelet would
//   - fixture_test.go: administrations over Kreise and a fleet over them
//   - observer_test.go: watches a rollout and records every broken rule
//   - children_test.go: counts a portal's children
//   - leader_failover_test.go, crash_restart_test.go, apiserver_outage_test.go:
//     the scenarios
package faults
