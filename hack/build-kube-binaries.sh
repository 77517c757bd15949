#!/usr/bin/env bash
# Builds the Kubernetes binaries that envtest and the embedded dev cluster need
# (kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, etcd, kwok)
# from the Go module proxy, because setup-envtest's download needs the internet.
#
# The binaries are cached per version (hack/lib/build.sh) and linked into the
# directory given as $1 (default bin/k8s).
set -euo pipefail

KUBE_VERSION="${KUBE_VERSION:-v1.37.2}"
ETCD_VERSION="${ETCD_VERSION:-v3.7.3}"
KWOK_VERSION="${KWOK_VERSION:-v0.8.0}"
DEST="${1:-bin/k8s}"
mkdir -p "$DEST" && DEST="$(cd "$DEST" && pwd)"

BUILD_NAME=build-kube-binaries
CACHE_KEY="k8s-$KUBE_VERSION-etcd-$ETCD_VERSION-kwok-$KWOK_VERSION"
# shellcheck source=hack/lib/build.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/build.sh"
BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok)

complete() { cached_executables "${BINARIES[@]}"; }

link() {
  mkdir -p "$DEST"
  link_cached "${BINARIES[@]}"
}

# --- Kubernetes ----------------------------------------------------------------
build_kubernetes() (
  local dir="$WORK/kubernetes"
  kubernetes_module "$dir" ozg.dev/build-kubernetes
  cd "$dir"
  local pkgs=(k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl)
  quietly go get "${pkgs[@]/%/@$KUBE_VERSION}"
  local minor="${KUBE_VERSION#v1.}"; minor="${minor%%.*}"
  local ldflags
  ldflags="$(kubernetes_ldflags)"
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

build() {
  mkdir -p "$WORK/out"
  build_kubernetes
  build_command etcd go.etcd.io/etcd/server/v3 "$ETCD_VERSION"
  build_command kwok sigs.k8s.io/kwok/cmd/kwok "$KWOK_VERSION" "-X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION"
  for b in "${BINARIES[@]}"; do mv -f "$WORK/out/$b" "$CACHE/$b"; done
}

run_cached
