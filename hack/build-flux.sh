#!/usr/bin/env bash
# Builds Flux's source-controller and kustomize-controller from the Go module
# proxy, for the GitOps check (hack/gitops.sh), and keeps their CRDs beside
# them. They are cached per version (hack/lib/build.sh) and linked into the
# directory given as $1 (default bin/flux).
#
# v1.9.6 is the newest release that builds with Go 1.26 (v1.10 needs 1.27).
# Each controller is built in a throwaway module that carries the replace
# lines of the controller's own go.mod (go does not apply a dependency's).
# The proxy does not serve github.com/fluxcd/pkg/artifact v0.18.3, which
# source-controller v1.9.6 asks for; v0.18.0 is API-compatible for it.
set -euo pipefail

FLUX_VERSION="${FLUX_VERSION:-v1.9.6}"
FLUX_ARTIFACT_VERSION="${FLUX_ARTIFACT_VERSION:-v0.18.0}"
DEST="${1:-bin/flux}"
mkdir -p "$DEST" && DEST="$(cd "$DEST" && pwd)"

BUILD_NAME=build-flux
CACHE_KEY="flux-$FLUX_VERSION-artifact-$FLUX_ARTIFACT_VERSION"
# shellcheck source=hack/lib/build.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/build.sh"
CONTROLLERS=(source-controller kustomize-controller)

complete() {
  cached_executables "${CONTROLLERS[@]}" || return 1
  for c in "${CONTROLLERS[@]}"; do [ -d "$CACHE/crds/$c" ] || return 1; done
}

link() { link_cached "${CONTROLLERS[@]}" crds; }

# replaces GOMOD: the module replacements of GOMOD that point at another
# module (not at a directory of its own), as "old=new@version" lines.
replaces() {
  awk '
    /^replace \(/ { block = 1; next }
    block && /^\)/ { block = 0; next }
    { line = $0; sub(/\/\/.*/, "", line); n = split(line, f, " ") }
    block && n >= 4 && f[2] == "=>" && f[3] !~ /^\.\.?\// { print f[1] "=" f[3] "@" f[4] }
    !block && f[1] == "replace" && n >= 5 && f[3] == "=>" && f[4] !~ /^\.\.?\// { print f[2] "=" f[4] "@" f[5] }
  ' "$1"
}

# build_controller CONTROLLER: github.com/fluxcd/CONTROLLER at FLUX_VERSION
# into $WORK/out, its CRDs into $WORK/crds/CONTROLLER.
build_controller() (
  local name="$1" module="github.com/fluxcd/$1" dir="$WORK/$1" gomod src
  new_module "$dir" "ozg.dev/build-$name"
  cd "$dir"
  local info
  info="$(GOFLAGS= go mod download -json "$module@$FLUX_VERSION")"
  gomod="$(sed -n 's/.*"GoMod": "\(.*\)".*/\1/p' <<<"$info")"
  src="$(sed -n 's/.*"Dir": "\(.*\)".*/\1/p' <<<"$info")"
  while read -r r; do go mod edit -replace "$r"; done < <(replaces "$gomod")
  go mod edit -replace "github.com/fluxcd/pkg/artifact=github.com/fluxcd/pkg/artifact@$FLUX_ARTIFACT_VERSION"
  go mod edit -require "$module@$FLUX_VERSION"
  quietly go get "$module@$FLUX_VERSION"
  log "building $name $FLUX_VERSION (a cold build takes about ten minutes)"
  go build -trimpath -ldflags "-s -w" -o "$WORK/out/$name" "$module"
  cp -r "$src/config/crd/bases" "$WORK/crds/$name"
  chmod -R u+w "$WORK/crds/$name"
)

build() {
  mkdir -p "$WORK/out" "$WORK/crds"
  for c in "${CONTROLLERS[@]}"; do build_controller "$c"; done
  for c in "${CONTROLLERS[@]}"; do mv -f "$WORK/out/$c" "$CACHE/$c"; done
  rm -rf "$CACHE/crds" && mv "$WORK/crds" "$CACHE/crds"
}

run_cached
