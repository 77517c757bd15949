# shellcheck shell=bash
# Cached builds from the Go module proxy, for hack/build-kube-binaries.sh,
# build-node-binaries.sh, build-flux.sh and build-go-tool.sh. Source it
# after setting BUILD_NAME (the log prefix) and CACHE_KEY (the cache
# directory's name, which must change with every version built). It sets
# CACHE_ROOT and CACHE and exports the Go settings of every build here.
#
#   log MSG...            [BUILD_NAME] MSG on stderr
#   quietly CMD...        run CMD; its output is shown only if it fails
#   run_cached            link what CACHE holds, else build it and link it;
#                         the script defines complete (CACHE holds it all),
#                         link, and build (into CACHE, working in $WORK,
#                         a directory removed afterwards)
#   cached_executables NAME...
#                         CACHE holds each NAME, executable (for complete)
#   link_cached NAME...   link each NAME of CACHE to the same name in DEST
#                         (for link)
#   new_module DIR NAME   a throwaway module to build other modules' commands in
#   kubernetes_module DIR NAME
#                         such a module that requires k8s.io/kubernetes at
#                         KUBE_VERSION, with its staging modules pinned
#   kubernetes_ldflags    the -X flags that give Kubernetes binaries their
#                         version, as its release build sets them
#
# The binaries are cached per version outside the clone, under
# ${OZG_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ozg-operator}, so that a
# fresh clone on the same machine does not rebuild them.

CACHE_ROOT="${OZG_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ozg-operator}"
CACHE="$CACHE_ROOT/${CACHE_KEY:?set CACHE_KEY before sourcing hack/lib/build.sh}"

export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0

log() { printf '[%s] %s\n' "${BUILD_NAME:?}" "$*" >&2; }

quietly() {
  local out
  if ! out="$("$@" 2>&1)"; then printf '%s\n' "$out" >&2; return 1; fi
}

run_cached() {
  if complete; then link; return 0; fi
  mkdir -p "$CACHE"
  # One build at a time per cache directory (parallel make targets, two
  # clones); the second finds the first's result.
  exec 9>"$CACHE/.lock"
  flock 9
  if complete; then link; return 0; fi
  WORK="$(mktemp -d "$CACHE_ROOT/$BUILD_NAME.XXXXXX")"
  trap 'rm -rf "$WORK"' EXIT
  build
  link
  log "cached in $CACHE"
}

cached_executables() {
  local name
  for name in "$@"; do [ -x "$CACHE/$name" ] || return 1; done
}

link_cached() {
  local name
  for name in "$@"; do ln -sfn "$CACHE/$name" "${DEST:?}/$name"; done
}

new_module() {
  mkdir -p "$1"
  (cd "$1" && go mod init "$2" >/dev/null 2>&1)
}

# k8s.io/kubernetes replaces its staging modules with ./staging/...; a module
# that depends on it must pin every one of them to the published version.
kubernetes_module() (
  local dir="$1" staging_version gomod
  staging_version="v0${KUBE_VERSION#v1}"
  new_module "$dir" "$2"
  cd "$dir"
  gomod="$(GOFLAGS= go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
  awk '$2 == "=>" && $3 ~ /^\.\/staging\// { print $1 }' "$gomod" | sort -u | while read -r m; do
    go mod edit -replace "$m=$m@$staging_version"
  done
  go mod edit -require "k8s.io/kubernetes@$KUBE_VERSION"
)

kubernetes_ldflags() {
  local minor="${KUBE_VERSION#v1.}" ver=k8s.io/component-base/version
  minor="${minor%%.*}"
  printf '%s' "-s -w -X $ver.gitVersion=$KUBE_VERSION -X $ver.gitMajor=1 -X $ver.gitMinor=$minor" \
    " -X $ver.gitTreeState=clean -X $ver.buildDate=1970-01-01T00:00:00Z"
}
