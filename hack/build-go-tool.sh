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
# Each binary is cached per version outside the clone, under
# ${OZG_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ozg-operator}/<tool>-<version>/<tool>,
# and linked to DEST (default bin/<tool>), so a fresh clone on the same
# machine does not rebuild it. It is built in a throwaway module that takes
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

CACHE_ROOT="${OZG_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ozg-operator}"
CACHE="$CACHE_ROOT/$TOOL-$VERSION"

export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0

log() { printf '[build-go-tool] %s\n' "$*" >&2; }

# quietly CMD...: run CMD with its output in a log that is shown only on failure.
quietly() {
  local out
  if ! out="$("$@" 2>&1)"; then printf '%s\n' "$out" >&2; return 1; fi
}

link() { ln -sfn "$CACHE/$TOOL" "$DEST"; }

if [ -x "$CACHE/$TOOL" ]; then
  link
  exit 0
fi

mkdir -p "$CACHE"
# One build at a time per cache directory (parallel make targets, two clones).
exec 9>"$CACHE/.lock"
flock 9
if [ -x "$CACHE/$TOOL" ]; then link; exit 0; fi

WORK="$(mktemp -d "$CACHE_ROOT/build-$TOOL.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

if [ "$INSTALL" = 1 ]; then
  log "building $TOOL $VERSION (a cold build takes a few minutes)"
  GOFLAGS= GOBIN="$WORK" go install -trimpath -ldflags "-s -w $LDFLAGS" "$PKG@$VERSION"
else
  mkdir -p "$WORK/mod"
  cd "$WORK/mod"
  quietly go mod init "ozg.dev/build-$TOOL"
  quietly go get "$PKG@$VERSION"

  log "building $TOOL $VERSION (a cold build takes a few minutes)"
  go build -trimpath -ldflags "-s -w $LDFLAGS $(tool_ldflags)" -o "$WORK/$TOOL" "$PKG"
fi
mv -f "$WORK/$TOOL" "$CACHE/$TOOL"
link
log "$TOOL cached in $CACHE"
