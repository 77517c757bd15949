#!/usr/bin/env bash
# Builds the image tools from the Go module proxy (their release binaries
# need the internet):
#   hack/build-image-tools.sh ko [DEST]        ko (github.com/google/ko), for `make images`
#   hack/build-image-tools.sh registry [DEST]  CNCF Distribution's registry
#                                              (github.com/distribution/distribution/v3/cmd/registry)
#
# Each binary is cached per version outside the clone, under
# ${OZG_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ozg-operator}/<tool>-<version>/<tool>,
# and linked to DEST (default bin/<tool>), so a fresh clone on the same
# machine does not rebuild it. Same pattern as hack/build-helm.sh: a
# throwaway module that takes the tool's own dependency versions.
set -euo pipefail

KO_VERSION="${KO_VERSION:-v0.19.1}"
REGISTRY_VERSION="${REGISTRY_VERSION:-v3.1.2}"

TOOL="${1:?usage: $0 ko|registry [DEST]}"
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
*)
  echo "usage: $0 ko|registry [DEST]" >&2
  exit 2
  ;;
esac

DEST="${2:-bin/$TOOL}"
mkdir -p "$(dirname "$DEST")"
DEST="$(cd "$(dirname "$DEST")" && pwd)/$(basename "$DEST")"

CACHE_ROOT="${OZG_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ozg-operator}"
CACHE="$CACHE_ROOT/$TOOL-$VERSION"

export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0

log() { printf '[build-image-tools] %s\n' "$*" >&2; }

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

mkdir -p "$WORK/mod"
cd "$WORK/mod"
quietly go mod init "ozg.dev/build-$TOOL"
quietly go get "$PKG@$VERSION"

log "building $TOOL $VERSION (a cold build takes a few minutes)"
go build -trimpath -ldflags "-s -w $LDFLAGS" -o "$WORK/$TOOL" "$PKG"
mv -f "$WORK/$TOOL" "$CACHE/$TOOL"
link
log "$TOOL cached in $CACHE"
