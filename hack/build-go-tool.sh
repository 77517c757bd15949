#!/usr/bin/env bash
# Builds the Go tools whose release binaries need the internet from the Go
# module proxy:
#   hack/build-go-tool.sh ko [DEST]        ko (github.com/google/ko), for `make images`
#   hack/build-go-tool.sh registry [DEST]  CNCF Distribution's registry
#                                          (github.com/distribution/distribution/v3/cmd/registry)
#   hack/build-go-tool.sh helm [DEST]      helm (helm.sh/helm/v3/cmd/helm), for `make chart-check`
#   hack/build-go-tool.sh promtool [DEST]  Prometheus's promtool, for `make monitoring-check`
#   hack/build-go-tool.sh cyclonedx-gomod [DEST]
#                                          CycloneDX's SBOM generator for Go binaries,
#                                          for `make release`
#   hack/build-go-tool.sh krew [DEST]      krew (sigs.k8s.io/krew/cmd/krew), which
#                                          `make release-check` installs the plugin with
#
# Each binary is cached per version (hack/lib/build.sh, in <tool>-<version>/)
# and linked to DEST (default bin/<tool>). It is built in a throwaway module that takes
# the tool's own dependency versions (go get resolves the tool's go.mod).
set -euo pipefail

KO_VERSION="${KO_VERSION:-v0.19.1}"
REGISTRY_VERSION="${REGISTRY_VERSION:-v3.1.2}"
HELM_VERSION="${HELM_VERSION:-v3.22.0}"
# Prometheus's Go module versions are v0.<minor>.<patch> for release 3.<minor>.
PROMTOOL_VERSION="${PROMTOOL_VERSION:-v0.316.0}"
CYCLONEDX_GOMOD_VERSION="${CYCLONEDX_GOMOD_VERSION:-v1.10.0}"
KREW_VERSION="${KREW_VERSION:-v0.4.3}"

# tool_ldflags: flags beyond LDFLAGS that need the resolved module (run in it).
tool_ldflags() { :; }
# INSTALL=1: `go install PKG@VERSION` instead of the throwaway module, for
# a tool that reads its version from the main module's (no -X variable).
INSTALL=0

USAGE="usage: $0 ko|registry|helm|promtool|cyclonedx-gomod|krew [DEST]"
TOOL="${1:?$USAGE}"
case $TOOL in
ko)
  VERSION=$KO_VERSION
  MODULE=github.com/google/ko
  PKG=$MODULE
  # ko reads its version from this variable (goreleaser sets it); its
  # SBOMs name it as their creator.
  LDFLAGS="-X $MODULE/pkg/commands.Version=$VERSION"
  ;;
registry)
  VERSION=$REGISTRY_VERSION
  MODULE=github.com/distribution/distribution/v3
  PKG=$MODULE/cmd/registry
  # The same -X flags as Distribution's Makefile.
  LDFLAGS="-X $MODULE/version.version=$VERSION -X $MODULE/version.mainpkg=$MODULE"
  ;;
helm)
  VERSION=$HELM_VERSION
  MODULE=helm.sh/helm/v3
  PKG=$MODULE/cmd/helm
  # The same -X flags as helm's Makefile: the version `helm version`
  # reports and the Kubernetes version that `helm lint` / `helm template`
  # assume by default (client-go v0.X.Y -> Kubernetes 1.X).
  LDFLAGS="-X $MODULE/internal/version.version=$VERSION -X $MODULE/internal/version.metadata= -X $MODULE/internal/version.gitTreeState=clean"
  tool_ldflags() {
    local v minor p out=""
    v="$(go list -m -f '{{.Version}}' k8s.io/client-go)"
    v="${v#v}"
    minor="$(cut -d. -f2 <<<"$v")"
    for p in $MODULE/pkg/lint/rules $MODULE/pkg/chartutil; do
      out+=" -X $p.k8sVersionMajor=$(($(cut -d. -f1 <<<"$v") + 1)) -X $p.k8sVersionMinor=$minor"
    done
    echo "$out"
  }
  ;;
promtool)
  VERSION=$PROMTOOL_VERSION
  MODULE=github.com/prometheus/prometheus
  PKG=$MODULE/cmd/promtool
  LDFLAGS="-X github.com/prometheus/common/version.Version=$VERSION"
  ;;
cyclonedx-gomod)
  VERSION=$CYCLONEDX_GOMOD_VERSION
  MODULE=github.com/CycloneDX/cyclonedx-gomod
  PKG=$MODULE/cmd/cyclonedx-gomod
  # Its version (named in every SBOM it writes) is the main module's.
  LDFLAGS=""
  INSTALL=1
  ;;
krew)
  VERSION=$KREW_VERSION
  MODULE=sigs.k8s.io/krew
  PKG=$MODULE/cmd/krew
  # As krew's hack/make-binaries.sh. A tagged krew looks for a newer one
  # on GitHub now and then: set KREW_NO_UPGRADE_CHECK when running it.
  LDFLAGS="-X $MODULE/internal/version.gitTag=$VERSION"
  ;;
*)
  echo "$USAGE" >&2
  exit 2
  ;;
esac

DEST="${2:-bin/$TOOL}"
mkdir -p "$(dirname "$DEST")"
DEST="$(cd "$(dirname "$DEST")" && pwd)/$(basename "$DEST")"

BUILD_NAME=build-go-tool
CACHE_KEY="$TOOL-$VERSION"
# shellcheck source=hack/lib/build.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/build.sh"

complete() { cached_executables "$TOOL"; }
link() { ln -sfn "$CACHE/$TOOL" "$DEST"; }

build() {
  if [ "$INSTALL" = 1 ]; then
    log "building $TOOL $VERSION (a cold build takes a few minutes)"
    GOFLAGS= GOBIN="$WORK" go install -trimpath -ldflags "-s -w $LDFLAGS" "$PKG@$VERSION"
  else
    new_module "$WORK/mod" "ozg.dev/build-$TOOL"
    cd "$WORK/mod"
    quietly go get "$PKG@$VERSION"
    log "building $TOOL $VERSION (a cold build takes a few minutes)"
    go build -trimpath -ldflags "-s -w $LDFLAGS $(tool_ldflags)" -o "$WORK/$TOOL" "$PKG"
  fi
  mv -f "$WORK/$TOOL" "$CACHE/$TOOL"
}

run_cached
