#!/usr/bin/env bash
# Builds a release into bin/release/VERSION/ (make release VERSION=x.y.z):
#
#   RELEASE_NOTES.md                    the CHANGELOG.md section of VERSION
#   ozg-operator-VERSION.tgz            the chart, version and appVersion VERSION
#   ozg-operator-crds.yaml              the CRDs of config/crd/bases in one file
#   ozgctl_VERSION_OS_ARCH.tar.gz|.zip  ozgctl and kubectl-ozg, LICENSE, README.md
#                                       (linux, darwin, windows x amd64, arm64)
#   ozg.yaml                            the krew plugin manifest of those archives
#   images/manager, images/portal       the images as OCI layouts (hack/images.sh layout)
#   images.txt                          the images' references by digest
#   sbom/                               SPDX SBOMs of the images (ko), CycloneDX
#                                       SBOMs of the ozgctl binaries (cyclonedx-gomod)
#   checksums.txt                       SHA-256 of every file above, sha256sum format
#
#   hack/release.sh VERSION
#   hack/release.sh --check-version VERSION   exit 0 when VERSION is one
#
# VERSION is semver without a leading v (0.2.0, 0.3.0-rc.1); it is stamped
# into every binary with COMMIT (default: HEAD). The archives and images
# are reproducible: the same commit gives the same bytes, their times are
# SOURCE_DATE_EPOCH (default: the commit's time). A release (not a
# pre-release) of a tree with uncommitted changes fails unless
# RELEASE_ALLOW_DIRTY=1.
#
# Environment: COMMIT, SOURCE_DATE_EPOCH, RELEASE_URL (where the archives
# will be downloaded from, for the krew manifest; default the GitHub
# release v<VERSION>), IMAGE_REPOSITORY (where the images will be
# published, for images.txt; default the chart's ghcr.io/ozg-operator),
# RELEASE_DIR, LDFLAGS (default as the Makefile's), HELM, KO,
# CYCLONEDX_GOMOD, IMAGES_LAYOUT_PORT.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"

log() { printf '[release] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

USAGE="usage: $0 VERSION | --check-version VERSION"

# semver 2.0.0 without build metadata: "+" cannot be in an image tag.
SEMVER='^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)(\.(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*))*)?$'

check_version() {
  local v=$1
  [[ -n $v ]] || die "no VERSION: make release VERSION=x.y.z (semver without a leading v)"
  [[ $v != v* ]] || die "VERSION=$v: give it without the leading v (VERSION=${v#v}); the tag and the krew version get the v"
  [[ $v =~ $SEMVER ]] || die "VERSION=$v is not a semantic version x.y.z or x.y.z-prerelease (semver.org, no build metadata)"
}

if [[ ${1:-} == --check-version ]]; then
  check_version "${2:-}"
  exit 0
fi
VERSION="${1:?$USAGE}"
check_version "$VERSION"

export GOTOOLCHAIN=local CGO_ENABLED=0
COMMIT="${COMMIT:-$(git rev-parse HEAD)}"
SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}"
RELEASE_URL="${RELEASE_URL:-https://github.com/ozg-operator/ozg-operator/releases/download/v$VERSION}"
IMAGE_REPOSITORY="${IMAGE_REPOSITORY:-ghcr.io/ozg-operator}"
OUT="${RELEASE_DIR:-$REPO/bin/release/$VERSION}"
VERSION_PKG=github.com/ozg-operator/ozg-operator/internal/version
LDFLAGS="${LDFLAGS:--X $VERSION_PKG.Version=$VERSION -X $VERSION_PKG.Commit=$COMMIT}"
HELM="${HELM:-$REPO/bin/helm}"
KO="${KO:-$REPO/bin/ko}"
CYCLONEDX_GOMOD="${CYCLONEDX_GOMOD:-$REPO/bin/cyclonedx-gomod}"
# ozgctl's platforms; the images' are hack/images.sh's (linux/amd64, linux/arm64).
OZGCTL_PLATFORMS=(linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64)
export VERSION COMMIT SOURCE_DATE_EPOCH KO

for tool in "$HELM" "$KO" "$CYCLONEDX_GOMOD"; do
  [[ -x $tool ]] || die "$tool is missing: run 'make helm ko registry cyclonedx-gomod', or make release"
done

if [[ -n "$(git status --porcelain)" ]]; then
  if [[ $VERSION == *-* || ${RELEASE_ALLOW_DIRTY:-} == 1 ]]; then
    log "warning: the tree has uncommitted changes; the binaries say commit $COMMIT"
  else
    git status --short >&2
    die "the tree has uncommitted changes (above): commit them before releasing $VERSION, or set RELEASE_ALLOW_DIRTY=1"
  fi
fi

started=$SECONDS
step_name="" step_started=$SECONDS
# step NAME: log the end of the previous step with its time, and NAME.
step() {
  if [[ -n $step_name ]]; then log "$step_name: $((SECONDS - step_started))s"; fi
  step_name=$1 step_started=$SECONDS
  [[ -z $step_name ]] || log "$step_name ..."
}

mkdir -p "$REPO/bin"
WORK="$(mktemp -d "$REPO/bin/release-work.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# The notes first: a missing CHANGELOG section fails before any build.
go build -o "$WORK/releasetool" ./hack/releasetool
"$WORK/releasetool" notes -version "$VERSION" -changelog CHANGELOG.md -o "$WORK/RELEASE_NOTES.md"

rm -rf "$OUT"
mkdir -p "$OUT/sbom"
mv "$WORK/RELEASE_NOTES.md" "$OUT/RELEASE_NOTES.md"
log "ozg-operator $VERSION (commit $COMMIT) into ${OUT#"$REPO"/}"

step "CRDs"
{
  for f in config/crd/bases/*.yaml; do
    # Each document starts with ---, as controller-gen writes them.
    [[ "$(sed -n 1p "$f")" == --- ]] || echo ---
    cat "$f"
  done
} >"$OUT/ozg-operator-crds.yaml"

step "chart"
"$HELM" package charts/ozg-operator --version "$VERSION" --app-version "$VERSION" \
  --destination "$OUT" >"$WORK/helm.log"

step "ozgctl for ${OZGCTL_PLATFORMS[*]}"
archives=()
for platform in "${OZGCTL_PLATFORMS[@]}"; do
  os=${platform%/*} arch=${platform#*/} exe="" ext=tar.gz
  if [[ $os == windows ]]; then exe=.exe ext=zip; fi
  name="ozgctl_${VERSION}_${os}_$arch"
  dir="$WORK/$name"
  mkdir -p "$dir"
  GOOS=$os GOARCH=$arch go build -trimpath -buildvcs=false -ldflags "-s -w $LDFLAGS" \
    -o "$dir/ozgctl$exe" ./cmd/ozgctl
  # A copy, not a link: zip and Windows know no links; krew runs this name.
  cp "$dir/ozgctl$exe" "$dir/kubectl-ozg$exe"
  "$WORK/releasetool" archive -o "$OUT/$name.$ext" -mtime "$SOURCE_DATE_EPOCH" \
    "ozgctl$exe=$dir/ozgctl$exe" "kubectl-ozg$exe=$dir/kubectl-ozg$exe" \
    LICENSE=LICENSE README.md=README.md
  # No serial number or time: the same binary gives the same SBOM.
  "$CYCLONEDX_GOMOD" bin -json -std -noserial -notimestamp -version "v$VERSION" \
    -output "$OUT/sbom/$name.cdx.json" "$dir/ozgctl$exe" 2>"$WORK/cyclonedx.log" ||
    { cat "$WORK/cyclonedx.log" >&2; die "cyclonedx-gomod failed for $platform"; }
  archives+=("$OUT/$name.$ext")
done

step "krew manifest"
"$WORK/releasetool" krew -version "$VERSION" -url "$RELEASE_URL" -o "$OUT/ozg.yaml" "${archives[@]}"

step "images"
hack/images.sh layout "$OUT/images"
mv "$OUT/images/sbom/"* "$OUT/sbom/"
rmdir "$OUT/images/sbom"
"$WORK/releasetool" images -version "$VERSION" -repository "$IMAGE_REPOSITORY" \
  -o "$OUT/images.txt" "$OUT/images/manager" "$OUT/images/portal"

step "checksums"
(cd "$OUT" && find . -type f ! -name checksums.txt -printf '%P\0' | LC_ALL=C sort -z |
  xargs -0 sha256sum) >"$WORK/checksums.txt"
mv "$WORK/checksums.txt" "$OUT/checksums.txt"

step ""
log "done in $((SECONDS - started))s: ${OUT#"$REPO"/}"
(cd "$OUT" && find . -mindepth 1 -maxdepth 1 -printf '  %P\n' | LC_ALL=C sort) >&2
