# ozg-operator Makefile. `make help` lists the targets.

# Build with the Go on this machine; never download another toolchain.
export GOTOOLCHAIN := local
export CGO_ENABLED ?= 0

BIN            := $(CURDIR)/bin
KUBE_ASSETS    := $(BIN)/k8s
KUBECTL        := $(KUBE_ASSETS)/kubectl
DEV_KUBECONFIG := $(BIN)/dev-cluster/kubeconfig

# The version stamped into the binaries (--version, ozgctl version) and the
# images' tag: `git describe`, or 0.1.0-dev outside a Git checkout.
VERSION ?= $(shell git describe --tags --always --dirty --abbrev=12 2>/dev/null || echo 0.1.0-dev)
COMMIT  ?= $(shell git rev-parse HEAD 2>/dev/null)
VERSION_PKG := github.com/ozg-operator/ozg-operator/internal/version
LDFLAGS = -X $(VERSION_PKG).Version=$(VERSION) -X $(VERSION_PKG).Commit=$(COMMIT)

CONTROLLER_TOOLS_VERSION ?= v0.23.0
HELM_VERSION ?= v3.22.0
HELM         := $(BIN)/helm
# Prometheus's Go module v0.316.0 is Prometheus 3.16.0.
PROMTOOL_VERSION ?= v0.316.0
PROMTOOL         := $(BIN)/promtool
CYCLONEDX_GOMOD_VERSION ?= v1.10.0
CYCLONEDX_GOMOD         := $(BIN)/cyclonedx-gomod
KREW_VERSION ?= v0.4.3
KREW         := $(BIN)/krew
CONTROLLER_GEN := $(BIN)/controller-gen-$(CONTROLLER_TOOLS_VERSION)

# Flags for go test, e.g. `make test GO_TEST_FLAGS=-run=TestImport`.
GO_TEST_FLAGS ?=

.DEFAULT_GOAL := help

.PHONY: help
help: ## Show the targets.
	@awk 'BEGIN {FS = ":.*##"} /^[a-zA-Z_-]+:.*##/ { printf "  %-18s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

##@ Development

.PHONY: generate
generate: $(CONTROLLER_GEN) ## Generate deepcopy code.
	$(CONTROLLER_GEN) object:headerFile=hack/boilerplate.go.txt paths="./api/..."

.PHONY: manifests
manifests: $(CONTROLLER_GEN) ## Generate CRDs and RBAC from the API types and controller markers.
	$(CONTROLLER_GEN) crd rbac:roleName=ozg-operator-manager paths="./api/...;./controllers/..." \
		output:crd:artifacts:config=config/crd/bases output:rbac:artifacts:config=config/rbac
	hack/sync-chart.sh
	hack/gen-profiles.sh

.PHONY: fmt
fmt: ## go fmt.
	go fmt ./...

.PHONY: vet
vet: ## go vet.
	go vet ./...

.PHONY: build
build: generate ## Build bin/manager, bin/ozgctl (also as the kubectl plugin bin/kubectl-ozg) and bin/portal.
	go build -ldflags "$(LDFLAGS)" -o $(BIN)/manager ./cmd/manager
	go build -ldflags "$(LDFLAGS)" -o $(BIN)/ozgctl ./cmd/ozgctl
	ln -sf ozgctl $(BIN)/kubectl-ozg
	go build -ldflags "$(LDFLAGS)" -o $(BIN)/portal ./cmd/portal

.PHONY: kube-binaries
kube-binaries: ## Build (once, cached) kube-apiserver, etcd, kwok & co. from the Go module proxy.
	hack/build-kube-binaries.sh $(KUBE_ASSETS)

.PHONY: browser-setup
browser-setup: ## Install Debian's chromium and the browser test's npm packages (idempotent).
	test/browser/setup.sh

# The browser test must run, not skip, wherever chromium can be installed.
OZG_REQUIRE_BROWSER ?= 1

.PHONY: test
test: generate manifests fmt vet kube-binaries browser-setup ## Unit and envtest tests against a real kube-apiserver and etcd, and the browser test.
	KUBEBUILDER_ASSETS=$(KUBE_ASSETS) OZG_REQUIRE_BROWSER=$(OZG_REQUIRE_BROWSER) go test ./... $(GO_TEST_FLAGS)

.PHONY: search-eval
search-eval: ## The portal search's query set against Augustdorf's portal: success@1, success@3, the misses; fails below 95 % at 3.
	go run ./hack/searcheval

.PHONY: bench
bench: build kube-binaries ## Benchmarks against a real API server; results in bin/bench/.
	KUBEBUILDER_ASSETS=$(KUBE_ASSETS) hack/bench.sh

.PHONY: helm
helm: ## Build (once, cached) helm from the Go module proxy into bin/helm.
	HELM_VERSION=$(HELM_VERSION) hack/build-go-tool.sh helm $(HELM)

.PHONY: promtool
promtool: ## Build (once, cached) Prometheus's promtool from the Go module proxy into bin/promtool.
	PROMTOOL_VERSION=$(PROMTOOL_VERSION) hack/build-go-tool.sh promtool $(PROMTOOL)

.PHONY: monitoring-check
monitoring-check: promtool ## Check the alert rules (config/monitoring/rules.yaml) and run their tests with promtool; parse the dashboard's queries.
	$(PROMTOOL) check rules config/monitoring/rules.yaml
	$(PROMTOOL) test rules config/monitoring/rules_test.yaml
	@mkdir -p $(BIN)/monitoring
	go run ./hack/dashboardrules > $(BIN)/monitoring/dashboard-rules.yaml
	$(PROMTOOL) check rules $(BIN)/monitoring/dashboard-rules.yaml

.PHONY: chart-check
chart-check: manifests helm kube-binaries ## Lint and render the Helm chart and config/; dry-run them against the dev cluster.
	HELM=$(HELM) KUBECTL=$(KUBECTL) hack/check-chart.sh $(DEV_KUBECONFIG)

##@ Images

.PHONY: ko
ko: ## Build (once, cached) ko from the Go module proxy into bin/ko.
	hack/build-go-tool.sh ko $(BIN)/ko

.PHONY: registry
registry: ## Build (once, cached) CNCF Distribution's registry from the Go module proxy into bin/registry.
	hack/build-go-tool.sh registry $(BIN)/registry

# Where `make images` pushes; the default is the dev cluster's registry.
REGISTRY ?= 127.0.0.1:15000/ozg-operator

.PHONY: images
images: ko ## Build the manager and portal images (amd64+arm64, SBOMs) without Docker, push to REGISTRY; refs in bin/images/images.env.
	REGISTRY=$(REGISTRY) VERSION=$(VERSION) COMMIT=$(COMMIT) hack/images.sh build

.PHONY: images-check
images-check: ko registry ## Build the images twice (the second from a copy of the tree) and fail unless the digests match.
	VERSION=$(VERSION) COMMIT=$(COMMIT) hack/images.sh check

##@ Release

# `make release` takes no VERSION from git describe: refuse a missing or
# non-semver one before any tool is built.
ifneq ($(filter release,$(MAKECMDGOALS)),)
ifeq ($(origin VERSION),file)
$(error make release needs VERSION=x.y.z (semver without a leading v, e.g. make release VERSION=0.2.0))
endif
RELEASE_VERSION_ERROR := $(shell hack/release.sh --check-version '$(VERSION)' 2>&1)
ifneq ($(RELEASE_VERSION_ERROR),)
$(error $(RELEASE_VERSION_ERROR))
endif
endif

# The version release-check builds: a pre-release, whose notes may come
# from CHANGELOG.md's [Unreleased].
RELEASE_CHECK_VERSION ?= 0.0.0-ci

.PHONY: cyclonedx-gomod
cyclonedx-gomod: ## Build (once, cached) CycloneDX's cyclonedx-gomod (SBOMs of Go binaries) from the Go module proxy into bin/.
	CYCLONEDX_GOMOD_VERSION=$(CYCLONEDX_GOMOD_VERSION) hack/build-go-tool.sh cyclonedx-gomod $(CYCLONEDX_GOMOD)

.PHONY: krew
krew: ## Build (once, cached) krew from the Go module proxy into bin/krew, for release-check.
	KREW_VERSION=$(KREW_VERSION) hack/build-go-tool.sh krew $(KREW)

.PHONY: release
release: ko registry helm cyclonedx-gomod ## VERSION=x.y.z: images, chart, CRDs, ozgctl archives, krew manifest, SBOMs, notes into bin/release/VERSION (docs/release.md).
	VERSION=$(VERSION) COMMIT=$(COMMIT) LDFLAGS="$(LDFLAGS)" HELM=$(HELM) CYCLONEDX_GOMOD=$(CYCLONEDX_GOMOD) hack/release.sh $(VERSION)

.PHONY: release-check
release-check: krew ## Build the release 0.0.0-ci and check it (test/release): checksums, krew install, chart, CRDs, ozgctl, images, SBOMs, notes.
	$(MAKE) release VERSION=$(RELEASE_CHECK_VERSION)
	OZG_RELEASE_DIR=$(BIN)/release/$(RELEASE_CHECK_VERSION) OZG_RELEASE_COMMIT=$(COMMIT) KREW=$(KREW) \
		go test -count=1 ./test/release/

##@ Cluster

.PHONY: dev-cluster
dev-cluster: kube-binaries ## Start (or reuse) the embedded local cluster; kubeconfig in bin/dev-cluster/kubeconfig.
	hack/dev-cluster.sh up

.PHONY: node-binaries
node-binaries: ## Build (once, cached) kubelet, kube-proxy, containerd, runc, the CNI plugins and pause into bin/node.
	hack/build-node-binaries.sh $(BIN)/node

.PHONY: dev-cluster-real
dev-cluster-real: kube-binaries node-binaries registry ## The dev cluster with the registry and one real node (root; REAL_NODE=1).
	REAL_NODE=1 hack/dev-cluster.sh up

.PHONY: real-check
real-check: build kube-binaries node-binaries registry images ## Real pods: three portals from our images on the real node, each step asserted (docs/architecture.md).
	hack/real-check.sh check

.PHONY: demo-real
demo-real: build kube-binaries node-binaries registry images ## Three Lippe portals from our image as real containers on the real node; leaves them running (root).
	hack/real-check.sh up

.PHONY: demo-real-down
demo-real-down: ## Stop everything `make demo-real` started.
	hack/real-check.sh down

.PHONY: dev-cluster-down
dev-cluster-down: ## Stop the embedded local cluster (exactly the processes it started).
	hack/dev-cluster.sh down

.PHONY: install
install: manifests kube-binaries ## Install the CRDs into the current kubeconfig.
	$(KUBECTL) apply --server-side --field-manager=ozg-operator-install -f config/crd/bases
	$(KUBECTL) wait --for=condition=Established --timeout=60s -f config/crd/bases

.PHONY: run
run: build ## Run the manager against the current kubeconfig.
	$(BIN)/manager

.PHONY: demo
demo: build kube-binaries ## The krz fleet on the embedded cluster, with the real catalogue; leaves it running.
	hack/demo.sh up

.PHONY: demo-check
demo-check: build kube-binaries ## `make demo`, non-interactive: exits 0 once the krz fleet is Ready.
	hack/demo.sh check

.PHONY: demo-serve
demo-serve: build ## Serve the portal PORTAL=NAME of the running demo locally and print its URL.
	hack/demo.sh serve "$(PORTAL)"

.PHONY: demo-down
demo-down: ## Stop everything `make demo` started.
	hack/demo.sh down

.PHONY: dr-check
dr-check: build kube-binaries ## Disaster recovery: export the demo, destroy its cluster, restore into a new one; everything must come back (docs/backup.md).
	hack/dr-check.sh

# The previous release, from git: the commit before the upgrade test began.
UPGRADE_FROM ?= 03277a8

.PHONY: upgrade-check
upgrade-check: build kube-binaries ## The previous release (UPGRADE_FROM) runs the demo fleet, this one takes over: no Ready=False, no portal restart, statuses exact (docs/upgrade.md).
	UPGRADE_FROM=$(UPGRADE_FROM) hack/upgrade-check.sh

##@ GitOps

.PHONY: flux
flux: ## Build (once, cached) Flux's source-controller and kustomize-controller from the Go module proxy into bin/flux.
	hack/build-flux.sh $(BIN)/flux

.PHONY: gitops-demo
gitops-demo: build kube-binaries flux ## Flux runs the krz fleet from a local Git repository (first commit); leaves it running.
	hack/gitops.sh up

.PHONY: gitops-check
gitops-check: build kube-binaries flux ## The GitOps check: six commits, what Flux and the operator report after each (docs/gitops.md).
	hack/gitops.sh check

.PHONY: gitops-down
gitops-down: ## Stop everything `make gitops-demo` started.
	hack/gitops.sh down

$(CONTROLLER_GEN):
	@mkdir -p $(BIN)
	GOBIN=$(BIN) go install sigs.k8s.io/controller-tools/cmd/controller-gen@$(CONTROLLER_TOOLS_VERSION)
	mv $(BIN)/controller-gen $@
