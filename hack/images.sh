#!/usr/bin/env bash
# Builds the manager and portal images from Go source with ko (bin/ko, see
# hack/build-go-tool.sh), without a Docker daemon: OCI indexes for
# linux/amd64 and linux/arm64 on the static nonroot base of hack/imagebase,
# the version stamped into the binaries, an SPDX SBOM per image.
#
#   hack/images.sh build   (make images) build and push
#   hack/images.sh check   (make images-check) build twice, compare digests
#   hack/images.sh layout DIR   (make release) build into OCI layouts
#
# build pushes the base and both images to $REGISTRY (a repository prefix,
# e.g. registry.example.de/ozg; default the local registry
# 127.0.0.1:15000/ozg-operator). When nothing answers there, it starts
# bin/registry on that address for the push, with the dev cluster's registry
# storage (bin/dev-cluster/registry), so the dev cluster serves the images
# later. It writes the references, by digest, to bin/images/images.env and
# the SBOMs to bin/images/sbom/; ko also attaches the SBOMs in the registry
# (tags sha256-<digest>.sbom). Log in to a provider's registry as for
# docker (~/.docker/config.json) or with `bin/ko login`.
#
# check builds the images twice without pushing them, the second time from a
# copy of the working tree at another path, into OCI layouts under
# bin/images/check/, and fails unless both give the same digests and SBOMs.
# The base comes from a throwaway registry on 127.0.0.1:$IMAGES_CHECK_PORT.
#
# layout builds the images once without pushing them, each into its own OCI
# layout DIR/manager and DIR/portal (one index for all platforms, which
# `crane push DIR/manager REPO/manager:TAG` pushes as it is), the SBOMs into
# DIR/sbom. Its base registry listens on 127.0.0.1:$IMAGES_LAYOUT_PORT, so
# that it can run beside a check.
#
# Environment: REGISTRY, VERSION and COMMIT (default: from git, as in the
# Makefile), SOURCE_DATE_EPOCH (default: the commit's time), BASE_IMAGE (a
# base by digest instead of hack/imagebase, e.g.
# gcr.io/distroless/static-debian12:nonroot@sha256:...), PLATFORMS, KO,
# REGISTRY_BIN.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"

USAGE="usage: $0 build|check|layout DIR"
MODE="${1:?$USAGE}"
OUT="$REPO/bin/images"
KO="${KO:-$REPO/bin/ko}"
REGISTRY_BIN="${REGISTRY_BIN:-$REPO/bin/registry}"
LOCAL_REGISTRY=127.0.0.1:15000
REGISTRY="${REGISTRY:-$LOCAL_REGISTRY/ozg-operator}"
REGISTRY="${REGISTRY%/}"
PLATFORMS="${PLATFORMS:-linux/amd64,linux/arm64}"
CHECK_PORT="${IMAGES_CHECK_PORT:-15001}"
LAYOUT_PORT="${IMAGES_LAYOUT_PORT:-15002}"
BASE_TAG=static-nonroot
IMAGES=(manager portal)
# The images ko_build builds.
build_images=("${IMAGES[@]}")

export GOTOOLCHAIN=local
VERSION="${VERSION:-$(git describe --tags --always --dirty --abbrev=12 2>/dev/null || echo 0.1.0-dev)}"
COMMIT="${COMMIT:-$(git rev-parse HEAD 2>/dev/null || true)}"
# The images' creation time: the commit's, so that a rebuild of the same
# commit is identical (ko uses it for the config and the binary's layer).
SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}"
export VERSION COMMIT SOURCE_DATE_EPOCH KO_DATA_DATE_EPOCH="$SOURCE_DATE_EPOCH"

log() { printf '[images] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ -x $KO ]] || die "$KO is missing; run 'make ko' or set KO"
# An image tag: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}.
[[ $VERSION =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || die "VERSION=$VERSION is not a valid image tag"

# ---------------------------------------------------------------------------
# A registry of our own for the time of the build, if needed.
# ---------------------------------------------------------------------------

registry_pid=""
stop_registry() {
  [[ -n $registry_pid ]] || return 0
  kill "$registry_pid" 2>/dev/null || true
  wait "$registry_pid" 2>/dev/null || true
  registry_pid=""
}
trap stop_registry EXIT

answers() { curl -fsS -o /dev/null --max-time 2 "http://$1/v2/"; }

# start_registry ADDR STORAGE: bin/registry on ADDR until this script exits.
start_registry() {
  local addr=$1 storage=$2 i
  if [[ ! -x $REGISTRY_BIN ]]; then
    hack/build-go-tool.sh registry "$REGISTRY_BIN"
  fi
  mkdir -p "$storage" "$OUT"
  OTEL_TRACES_EXPORTER=none REGISTRY_HTTP_ADDR="$addr" REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY="$storage" \
    "$REGISTRY_BIN" serve hack/registry/config.yml >"$OUT/registry.log" 2>&1 &
  registry_pid=$!
  for ((i = 0; i < 100; i++)); do
    answers "$addr" 2>/dev/null && return 0
    kill -0 "$registry_pid" 2>/dev/null || { cat "$OUT/registry.log" >&2; die "bin/registry exited"; }
    sleep 0.1
  done
  die "bin/registry does not answer on $addr"
}

# ---------------------------------------------------------------------------
# Building
# ---------------------------------------------------------------------------

# base REPO: the base image by digest; hack/imagebase's pushed to REPO,
# unless BASE_IMAGE names one.
base() {
  if [[ -n ${BASE_IMAGE:-} ]]; then
    [[ $BASE_IMAGE == *@sha256:* ]] || die "BASE_IMAGE=$BASE_IMAGE must name its digest (...@sha256:...)"
    echo "$BASE_IMAGE"
    return
  fi
  go run ./hack/imagebase -push "$1/base:$BASE_TAG"
}

# ko_build DIR BASE REPO ARGS...: ko build of $build_images in the source
# tree DIR, SBOMs into $sbom_dir, references into $refs_file.
ko_build() {
  local dir=$1 base=$2 repo=$3 name paths=()
  shift 3
  for name in "${build_images[@]}"; do paths+=("./cmd/$name"); done
  (cd "$dir" && KO_DOCKER_REPO="$repo" KO_DEFAULTBASEIMAGE="$base" \
    "$KO" build --base-import-paths --platform="$PLATFORMS" --tags="$VERSION" \
    --sbom=spdx --sbom-dir="$sbom_dir" --image-refs="$refs_file" "$@" \
    "${paths[@]}" >/dev/null)
}

# ref_of NAME: the reference ko recorded for image NAME (REPO/NAME:TAG@DIGEST),
# without its tag: REPO/NAME@DIGEST.
ref_of() {
  local line ref
  while read -r line; do
    ref="${line%@*}"
    [[ ${ref##*/} == *:* ]] && ref="${ref%:*}"
    if [[ ${ref##*/} == "$1" ]]; then
      echo "$ref@${line##*@}"
      return
    fi
  done <"$refs_file"
  die "ko recorded no image $1 in $refs_file"
}

cmd_build() {
  if [[ $REGISTRY == "$LOCAL_REGISTRY"/* ]] && ! answers "$LOCAL_REGISTRY" 2>/dev/null; then
    log "no registry on $LOCAL_REGISTRY: starting bin/registry for the push (storage bin/dev-cluster/registry)"
    start_registry "$LOCAL_REGISTRY" "$REPO/bin/dev-cluster/registry"
  fi
  mkdir -p "$OUT"
  rm -rf "$OUT/sbom"
  sbom_dir="$OUT/sbom" refs_file="$OUT/refs"
  local base started=$SECONDS
  base="$(base "$REGISTRY")"
  log "base $base"
  log "building ${IMAGES[*]} $VERSION for $PLATFORMS into $REGISTRY"
  ko_build "$REPO" "$base" "$REGISTRY"
  {
    echo "# Written by hack/images.sh (make images); references by digest."
    echo "VERSION=$VERSION"
    echo "BASE_IMAGE=$base"
    echo "MANAGER_IMAGE=$(ref_of manager)"
    echo "MANAGER_TAG=$VERSION"
    echo "PORTAL_IMAGE=$(ref_of portal)"
    echo "PORTAL_TAG=$VERSION"
  } >"$OUT/images.env.tmp"
  mv "$OUT/images.env.tmp" "$OUT/images.env"
  log "pushed in $((SECONDS - started))s; bin/images/images.env:"
  sed -n '/^[A-Z]/p' "$OUT/images.env" >&2
}

cmd_check() {
  local addr="127.0.0.1:$CHECK_PORT" work="$OUT/check" base run
  answers "$addr" 2>/dev/null && die "$addr is in use; set IMAGES_CHECK_PORT"
  rm -rf "$work"
  mkdir -p "$work"
  start_registry "$addr" "$work/registry"
  base="$(base "$addr/check")"
  # The second build's tree: the files git knows of and does not ignore,
  # as they are now, at another path.
  local f tree
  mkdir -p "$work/tree"
  while IFS= read -r -d '' f; do
    if [[ -e $f ]]; then cp --parents "$f" "$work/tree"; fi
  done < <(git ls-files -z --cached --others --exclude-standard)
  for run in 1 2; do
    tree="$REPO"
    if [[ $run == 2 ]]; then tree="$work/tree"; fi
    log "build $run of 2, in ${tree#"$REPO"/}"
    sbom_dir="$work/$run/sbom" refs_file="$work/$run/refs"
    mkdir -p "$work/$run"
    ko_build "$tree" "$base" "$addr/check" --push=false --oci-layout-path="$work/$run/oci"
    sed 's/^[^@]*@//' "$refs_file" | sort >"$work/$run/digests"
  done
  if ! diff -u "$work/1/digests" "$work/2/digests" >&2; then
    die "two builds of the same tree gave different image digests (above; layouts in ${work#"$REPO"/}/1 and 2)"
  fi
  if ! diff -r "$work/1/sbom" "$work/2/sbom" >&2; then
    die "two builds of the same tree gave different SBOMs"
  fi
  log "reproducible: both builds gave these digests (manager and portal, their indexes and platform images) and the same SBOMs"
  cat "$work/1/digests" >&2
  rm -rf "$work/tree" "$work/registry"
}

# cmd_layout DIR: each image into the OCI layout DIR/NAME, SBOMs into DIR/sbom.
cmd_layout() {
  local dest=$1 addr="127.0.0.1:$LAYOUT_PORT" base name work started=$SECONDS
  answers "$addr" 2>/dev/null && die "$addr is in use; set IMAGES_LAYOUT_PORT"
  mkdir -p "$dest" "$OUT"
  dest="$(cd "$dest" && pwd)"
  work="$(mktemp -d "$OUT/layout.XXXXXX")"
  start_registry "$addr" "$work/registry"
  base="$(base "$addr/layout")"
  sbom_dir="$dest/sbom"
  rm -rf "$sbom_dir"
  for name in "${IMAGES[@]}"; do
    log "building $name $VERSION for $PLATFORMS into ${dest#"$REPO"/}/$name"
    # ko adds to an existing layout; a release holds this build only.
    rm -rf "${dest:?}/$name"
    build_images=("$name")
    refs_file="$work/$name.refs"
    ko_build "$REPO" "$base" "$addr/layout" --push=false --oci-layout-path="$dest/$name"
  done
  stop_registry
  rm -rf "$work"
  log "built in $((SECONDS - started))s"
}

case $MODE in
build) cmd_build ;;
check) cmd_check ;;
layout) cmd_layout "${2:?$USAGE}" ;;
*) die "$USAGE" ;;
esac
