#!/usr/bin/env bash
# Builds what one real node of the embedded dev cluster needs, from the Go
# module proxy and the Kubernetes module's own sources:
#   kubelet, kube-proxy              k8s.io/kubernetes (same version as bin/k8s)
#   containerd, containerd-shim-runc-v2   github.com/containerd/containerd/v2
#   runc                             github.com/opencontainers/runc (cgo, seccomp)
#   cni/bridge, cni/host-local, cni/loopback  github.com/containernetworking/plugins
#   pause                            build/pause/linux/pause.c of k8s.io/kubernetes
#
# Cached per version (hack/lib/build.sh) and linked into the directory given
# as $1 (default bin/node).
#
# runc needs cgo and libseccomp (the restricted Pod Security Standard asks
# for the RuntimeDefault seccomp profile, which a runc without seccomp
# refuses); kube-proxy's nftables mode runs `nft`. Both come from Debian and
# are installed here when missing (builds run as root).
set -euo pipefail

KUBE_VERSION="${KUBE_VERSION:-v1.37.2}"
CONTAINERD_VERSION="${CONTAINERD_VERSION:-v2.4.2}"
RUNC_VERSION="${RUNC_VERSION:-v1.5.3}"
CNI_PLUGINS_VERSION="${CNI_PLUGINS_VERSION:-v1.10.0}"
DEST="${1:-bin/node}"
mkdir -p "$DEST" && DEST="$(cd "$DEST" && pwd)"

BUILD_NAME=build-node-binaries
CACHE_KEY="node-k8s-$KUBE_VERSION-containerd-$CONTAINERD_VERSION-runc-$RUNC_VERSION-cni-$CNI_PLUGINS_VERSION"
# shellcheck source=hack/lib/build.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/build.sh"
BINARIES=(kubelet kube-proxy containerd containerd-shim-runc-v2 runc pause cni/bridge cni/host-local cni/loopback)
DEBIAN_PACKAGES=(libseccomp-dev nftables)

ensure_debian_packages() {
  local missing=() p
  for p in "${DEBIAN_PACKAGES[@]}"; do
    [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" == "install ok installed" ]] || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  [[ $(id -u) == 0 ]] || { log "error: install ${missing[*]} (Debian) first"; exit 1; }
  log "installing ${missing[*]} from Debian"
  quietly apt-get update
  DEBIAN_FRONTEND=noninteractive quietly apt-get install -y --no-install-recommends "${missing[@]}"
}

complete() { cached_executables "${BINARIES[@]}"; }

link() {
  mkdir -p "$DEST/cni"
  link_cached "${BINARIES[@]}"
}

# kubelet and kube-proxy, in a module pinned like build-kube-binaries.sh's.
build_kubernetes() (
  local dir="$WORK/kubernetes"
  kubernetes_module "$dir" ozg.dev/build-kubernetes-node
  cd "$dir"
  local pkgs=(k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-proxy)
  quietly go get "${pkgs[@]/%/@$KUBE_VERSION}"
  local ldflags
  ldflags="$(kubernetes_ldflags)"
  log "building kubelet and kube-proxy $KUBE_VERSION"
  CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$WORK/out/" "${pkgs[@]}"

  # The pod sandbox's pause process, from the same Kubernetes source.
  local src
  src="$(GOFLAGS= go list -m -f '{{.Dir}}' "k8s.io/kubernetes")/build/pause/linux/pause.c"
  log "building pause from $src"
  gcc -Os -Wall -Werror -static -DVERSION="ozg-$KUBE_VERSION" -o "$WORK/out/pause" "$src"
  strip "$WORK/out/pause"
)

# build_go OUT_DIR MODULE@VERSION CGO TAGS LDFLAGS PACKAGE...
build_go() (
  local out="$1" modver="$2" cgo="$3" tags="$4" ldflags="$5"
  shift 5
  local name="${modver%@*}"; name="${name##*/}"
  local dir="$WORK/$name-$RANDOM"
  new_module "$dir" "ozg.dev/build-$name"
  cd "$dir"
  quietly go get "$modver"
  local p
  for p in "$@"; do quietly go get "$p@${modver#*@}"; done
  log "building $* ($modver)"
  CGO_ENABLED="$cgo" go build -trimpath -tags "$tags" -ldflags "-s -w $ldflags" -o "$out/" "$@"
)

build() {
  mkdir -p "$WORK/out/cni"
  build_kubernetes
  build_go "$WORK/out" "github.com/containerd/containerd/v2@$CONTAINERD_VERSION" 0 "" \
    "-X github.com/containerd/containerd/v2/version.Version=$CONTAINERD_VERSION" \
    github.com/containerd/containerd/v2/cmd/containerd github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2
  build_go "$WORK/out" "github.com/opencontainers/runc@$RUNC_VERSION" 1 "seccomp" \
    "-X main.version=${RUNC_VERSION#v}" \
    github.com/opencontainers/runc
  build_go "$WORK/out/cni" "github.com/containernetworking/plugins@$CNI_PLUGINS_VERSION" 0 "" \
    "-X github.com/containernetworking/plugins/pkg/utils/buildversion.BuildVersion=$CNI_PLUGINS_VERSION" \
    github.com/containernetworking/plugins/plugins/main/bridge \
    github.com/containernetworking/plugins/plugins/ipam/host-local \
    github.com/containernetworking/plugins/plugins/main/loopback
  mkdir -p "$CACHE/cni"
  for b in "${BINARIES[@]}"; do mv -f "$WORK/out/$b" "$CACHE/$b"; done
}

ensure_debian_packages
run_cached
