#!/usr/bin/env bash
# Builds helm (helm.sh/helm/v3, cmd/helm) from the Go module proxy, because the
# release tarballs on get.helm.sh need the internet.
#
# The binary is cached per version outside the clone, under
# ${OZG_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ozg-operator}/helm-<version>/helm,
# and linked to the path given as $1 (default bin/helm), so a fresh clone on the
# same machine does not rebuild it. Same pattern as hack/build-kube-binaries.sh.
set -euo pipefail

HELM_VERSION="${HELM_VERSION:-v3.22.0}"
DEST="${1:-bin/helm}"
mkdir -p "$(dirname "$DEST")"
DEST="$(cd "$(dirname "$DEST")" && pwd)/$(basename "$DEST")"

CACHE_ROOT="${OZG_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ozg-operator}"
CACHE="$CACHE_ROOT/helm-$HELM_VERSION"

export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0

log() { printf '[build-helm] %s\n' "$*" >&2; }

# quietly CMD...: run CMD with its output in a log that is shown only on failure.
quietly() {
  local out
  if ! out="$("$@" 2>&1)"; then printf '%s\n' "$out" >&2; return 1; fi
}

link() { ln -sfn "$CACHE/helm" "$DEST"; }

if [ -x "$CACHE/helm" ]; then
  link
  exit 0
fi

mkdir -p "$CACHE"
# One build at a time per cache directory (parallel make targets, two clones).
exec 9>"$CACHE/.lock"
flock 9
if [ -x "$CACHE/helm" ]; then link; exit 0; fi

WORK="$(mktemp -d "$CACHE_ROOT/build.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# A throwaway module to build helm's command in; it takes helm's own
# dependency versions (go get resolves helm's go.mod).
mkdir -p "$WORK/helm"
cd "$WORK/helm"
quietly go mod init ozg.dev/build-helm
quietly go get "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"

# The same ldflags as helm's Makefile: the version `helm version` reports and
# the Kubernetes version that `helm lint` / `helm template` assume by default
# (client-go v0.X.Y -> Kubernetes 1.X).
major="$(go list -m -f '{{.Version}}' k8s.io/client-go)"
major="${major#v}"
minor="$(cut -d. -f2 <<<"$major")"
major="$(( $(cut -d. -f1 <<<"$major") + 1 ))"
v=helm.sh/helm/v3/internal/version
ldflags="-s -w -X $v.version=$HELM_VERSION -X $v.metadata= -X $v.gitTreeState=clean"
for p in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
  ldflags+=" -X $p.k8sVersionMajor=$major -X $p.k8sVersionMinor=$minor"
done

log "building helm $HELM_VERSION (a cold build takes a few minutes)"
go build -trimpath -ldflags "$ldflags" -o "$WORK/helm-bin" helm.sh/helm/v3/cmd/helm
mv -f "$WORK/helm-bin" "$CACHE/helm"
link
log "helm cached in $CACHE"
