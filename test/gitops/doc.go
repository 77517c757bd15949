// Package gitops holds the GitOps check: Flux's source-controller and
// kustomize-controller run the krz fleet from a local Git repository against
// the embedded cluster, and the check commits what a provider would commit
// and asserts what Flux and the operator report after each commit (see
// docs/gitops.md). hack/gitops.sh starts the processes and runs it:
//
//	make gitops-check   # non-interactive, in CI
//	make gitops-demo    # the first sync only; leaves everything running
//
// The tests sit behind the build tag gitops: without the processes they
// cannot run.
package gitops
