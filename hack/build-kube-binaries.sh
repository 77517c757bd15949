#!/usr/bin/env bash
# Builds the Kubernetes binaries that envtest and the embedded dev cluster need
# (kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, etcd, kwok)
# from the Go module proxy, because setup-envtest's download needs the internet.
#
# The binaries are cached per version outside the clone, under
# ${OZG_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ozg-operator}, and linked into
# the directory given as $1 (default bin/k8s), so a fresh clone on the same
# machine does not rebuild them.
set -euo pipefail

KUBE_VERSION="${KUBE_VERSION:-v1.37.2}"
ETCD_VERSION="${ETCD_VERSION:-v3.7.3}"
KWOK_VERSION="${KWOK_VERSION:-v0.8.0}"
DEST="${1:-bin/k8s}"
mkdir -p "$DEST" && DEST="$(cd "$DEST" && pwd)"

CACHE_ROOT="${OZG_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ozg-operator}"
CACHE="$CACHE_ROOT/k8s-$KUBE_VERSION-etcd-$ETCD_VERSION-kwok-$KWOK_VERSION"
BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok)

export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0

log() { printf '[build-kube-binaries] %s\n' "$*" >&2; }

# quietly CMD...: run CMD with its output in a log that is shown only on failure.
quietly() {
  local out
  if ! out="$("$@" 2>&1)"; then printf '%s\n' "$out" >&2; return 1; fi
}

complete() {
  for b in "${BINARIES[@]}"; do [ -x "$CACHE/$b" ] || return 1; done
}

link() {
  mkdir -p "$DEST"
  for b in "${BINARIES[@]}"; do ln -sfn "$CACHE/$b" "$DEST/$b"; done
}

if complete; then
  link
  exit 0
fi

mkdir -p "$CACHE"
# One build at a time per cache directory (parallel make targets, two clones).
exec 9>"$CACHE/.lock"
flock 9
if complete; then link; exit 0; fi

WORK="$(mktemp -d "$CACHE_ROOT/build.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# new_module DIR NAME: a throwaway module to build other modules' commands in.
new_module() {
  mkdir -p "$1"
  (cd "$1" && go mod init "$2" >/dev/null 2>&1)
}

# --- Kubernetes ----------------------------------------------------------------
# k8s.io/kubernetes replaces its staging modules with ./staging/...; a module
# that depends on it must pin every one of them to the published version.
build_kubernetes() (
  local dir="$WORK/kubernetes" staging_version gomod
  staging_version="v0${KUBE_VERSION#v1}"
  new_module "$dir" ozg.dev/build-kubernetes
  cd "$dir"
  gomod="$(GOFLAGS= go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
  awk '$2 == "=>" && $3 ~ /^\.\/staging\// { print $1 }' "$gomod" | sort -u | while read -r m; do
    go mod edit -replace "$m=$m@$staging_version"
  done
  go mod edit -require "k8s.io/kubernetes@$KUBE_VERSION"
  local pkgs=(k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl)
  quietly go get "${pkgs[@]/%/@$KUBE_VERSION}"
  local minor="${KUBE_VERSION#v1.}"; minor="${minor%%.*}"
  local ver=k8s.io/component-base/version
  local ldflags="-s -w -X $ver.gitVersion=$KUBE_VERSION -X $ver.gitMajor=1 -X $ver.gitMinor=$minor"
  ldflags+=" -X $ver.gitTreeState=clean -X $ver.buildDate=1970-01-01T00:00:00Z"
  ldflags+=" -X k8s.io/client-go/pkg/version.gitVersion=$KUBE_VERSION -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=$minor"
  log "building Kubernetes $KUBE_VERSION (a cold build takes several minutes)"
  go build -trimpath -ldflags "$ldflags" -o "$WORK/out/" "${pkgs[@]}"
)

# --- etcd and kwok -------------------------------------------------------------
# build_command NAME PACKAGE VERSION [LDFLAGS]: build the command PACKAGE at
# VERSION, with the dependency versions its own module requires, as
# $WORK/out/NAME in a throwaway module.
build_command() (
  local name="$1" pkg="$2" version="$3" ldflags="${4:-}"
  local dir="$WORK/$name"
  new_module "$dir" "ozg.dev/build-$name"
  cd "$dir"
  quietly go get "$pkg@$version"
  log "building $name $version"
  go build -trimpath -ldflags "-s -w $ldflags" -o "$WORK/out/$name" "$pkg"
)

mkdir -p "$WORK/out"
build_kubernetes
build_command etcd go.etcd.io/etcd/server/v3 "$ETCD_VERSION"
build_command kwok sigs.k8s.io/kwok/cmd/kwok "$KWOK_VERSION" "-X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION"

for b in "${BINARIES[@]}"; do mv -f "$WORK/out/$b" "$CACHE/$b"; done
link
log "binaries cached in $CACHE"
