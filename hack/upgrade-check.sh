#!/usr/bin/env bash
# The upgrade check (docs/upgrade.md, "Tested upgrade"): the previous
# release runs the demo fleet, then this release takes over as an upgrade
# would, and the check asserts that
#   (a) no ozg.dev object is ever Ready=False/Unknown or Stalled on the way,
#   (b) no portal Deployment gets a new pod template (no restart) unless its
#       content changed, and if one does, which field and why,
#   (c) every status afterwards is the status before, field by field
#       (conditions' lastTransitionTime too), but for fields this release's
#       CRDs add and fields that depend on the time.
#
#   hack/upgrade-check.sh        (make upgrade-check; needs make build kube-binaries)
#
# UPGRADE_FROM (default 03277a8) is the previous release: its tree comes
# from git (git archive) into bin/upgrade/src-<sha> for the run, its
# manager, ozgctl and hack/demo-seed are built once into bin/upgrade/<sha>/
# and reused by later runs. The demo's steps (hack/demo.sh up) run with the
# previous release's binaries, CRDs and profiles on an embedded cluster of
# the check's own (hack/dev-cluster.sh, state in bin/upgrade/run/cluster,
# this tree's Kubernetes binaries) on ports of its own, so that it runs
# beside a `make demo`. Then hack/upgradewatch records the state, watches
# while the old manager stops, this release's CRDs are applied and its
# manager (bin/manager) starts, waits until that manager has reconciled
# everything, records the state again and compares. Everything it starts is
# stopped at the end, also on failure. The records stay in bin/upgrade/run/:
# before.json, after.json, events.jsonl (the watch), phases.log, report.txt,
# the logs.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"
BIN="$REPO/bin"
KUBECTL="$BIN/k8s/kubectl"
export GOTOOLCHAIN=local CGO_ENABLED="${CGO_ENABLED:-0}"

UPGRADE_FROM="${UPGRADE_FROM:-03277a8}"
TIMEOUT="${UPGRADE_TIMEOUT:-300s}"
DATA="${OZG_DATA:-$REPO/../shared/data}"

# Ports on 127.0.0.1, below the ephemeral range like the dev cluster's and
# apart from them: the cluster, the old and the new manager.
export DEV_CLUSTER_ETCD_PORT=13379 DEV_CLUSTER_ETCD_PEER_PORT=13380 DEV_CLUSTER_APISERVER_PORT=17443
export DEV_CLUSTER_KCM_PORT=17257 DEV_CLUSTER_SCHEDULER_PORT=17259 DEV_CLUSTER_KWOK_PORT=17247
OLD_METRICS_PORT=18380 OLD_HEALTH_PORT=18381
NEW_METRICS_PORT=18382 NEW_HEALTH_PORT=18383

log() { printf '[upgrade] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

SHA="$(git rev-parse --verify --quiet "$UPGRADE_FROM^{commit}")" || die "UPGRADE_FROM=$UPGRADE_FROM is no commit of this repository"
SHORT="${SHA:0:12}"
OLD_VERSION="$(git describe --tags --always --abbrev=12 "$SHA")"
ROOT="$BIN/upgrade"
OLD_BIN="$ROOT/$SHORT"
OLD_SRC="$ROOT/src-$SHORT"
RUN="$ROOT/run"
WATCH="$ROOT/upgradewatch"
export DEV_CLUSTER_DIR="$RUN/cluster" KUBE_ASSETS="$BIN/k8s"
export KUBECONFIG="$DEV_CLUSTER_DIR/kubeconfig"

[ -d "$DATA" ] || die "no OZG data in $DATA (../shared/data beside the checkout, or OZG_DATA)"
DATA="$(cd "$DATA" && pwd)"
[ -x "$BIN/manager" ] || die "bin/manager is missing: make build"
[ -x "$KUBECTL" ] || die "bin/k8s is missing: make kube-binaries"

# phase TEXT: a step of the check, on the console and, with its time, in
# phases.log for the report's timeline.
phase() {
  log "$*"
  printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)" "$*" >>"$RUN/phases.log"
}

# Processes in the background: proc_start, proc_stop (hack/lib/proc.sh).
PROC_DIR="$RUN"
# shellcheck source=hack/lib/proc.sh
source hack/lib/proc.sh

# teardown: stop what this check started; the old tree goes too.
teardown() {
  proc_stop watch
  proc_stop manager
  proc_stop old-manager
  if [ -d "$DEV_CLUSTER_DIR" ]; then
    hack/dev-cluster.sh down 2>&1 | sed 's/^/  /' >&2 || log "stopping the cluster failed"
  fi
  rm -rf "$OLD_SRC"
}

# A run that was killed may have left its processes: stop them first.
mkdir -p "$RUN"
teardown
trap 'rc=$?; teardown; exit $rc' EXIT
trap 'exit 130' INT TERM
rm -rf "$RUN"
mkdir -p "$RUN" "$OLD_SRC"
: >"$RUN/phases.log"

# --- the previous release --------------------------------------------------
log "previous release: $OLD_VERSION ($SHA)"
git archive "$SHA" | tar -x -C "$OLD_SRC"
if [ -x "$OLD_BIN/manager" ] && [ -x "$OLD_BIN/ozgctl" ] && [ -x "$OLD_BIN/demo-seed" ]; then
  log "its manager, ozgctl and demo-seed are built already (${OLD_BIN#"$REPO"/})"
else
  log "building its manager, ozgctl and demo-seed into ${OLD_BIN#"$REPO"/}"
  rm -rf "$OLD_BIN.tmp" && mkdir -p "$OLD_BIN.tmp"
  ldflags="-X github.com/ozg-operator/ozg-operator/internal/version.Version=$OLD_VERSION"
  ldflags+=" -X github.com/ozg-operator/ozg-operator/internal/version.Commit=$SHA"
  # -buildvcs=false: the tree has no .git of its own, this repository's is
  # not its.
  for pkg in cmd/manager cmd/ozgctl hack/demo-seed; do
    (cd "$OLD_SRC" && go build -buildvcs=false -ldflags "$ldflags" -o "$OLD_BIN.tmp/${pkg##*/}" "./$pkg")
  done
  rm -rf "$OLD_BIN" && mv "$OLD_BIN.tmp" "$OLD_BIN"
fi
go build -o "$WATCH" ./hack/upgradewatch

# The steps of its hack/demo.sh up, with its binaries, CRDs and profiles.
phase "the previous release's demo fleet: cluster, CRDs, catalogue, administrations, profile, seed"
hack/dev-cluster.sh up >"$RUN/old-demo.log" 2>&1 || { cat "$RUN/old-demo.log" >&2; die "the cluster did not start"; }
# old_demo CMD...: a step of the demo, its output in run/old-demo.log.
old_demo() {
  "$@" >>"$RUN/old-demo.log" 2>&1 || { tail -n 30 "$RUN/old-demo.log" >&2; die "the previous release's demo failed: $*"; }
}
old_demo "$KUBECTL" apply --server-side --field-manager=ozg-operator-install -f "$OLD_SRC/config/crd/bases"
old_demo "$KUBECTL" wait --for=condition=Established --timeout=60s -f "$OLD_SRC/config/crd/bases"
old_demo "$OLD_BIN/ozgctl" import catalog --dir "$DATA/ozg-katalog" --apply
old_demo "$OLD_BIN/ozgctl" import administrations --file "$DATA/kommunen-nrw.csv" --apply
old_demo "$OLD_BIN/ozgctl" import administrations --file "$DATA/kommunen-nrw.csv" --kreis 05766,05758,05770 --with-kreise --it-provider krz --apply
old_demo "$KUBECTL" apply --server-side --field-manager=ozg-operator-install -k "$OLD_SRC/config/profiles"
old_demo "$OLD_BIN/demo-seed"
phase "the previous release's manager ($("$OLD_BIN/manager" --version))"
proc_start old-manager "$OLD_BIN/manager" --metrics-bind-address="127.0.0.1:$OLD_METRICS_PORT" --health-probe-bind-address="127.0.0.1:$OLD_HEALTH_PORT"
old_demo "$OLD_BIN/ozgctl" rollout status fleet/krz -n krz --timeout "$TIMEOUT"
log "fleet krz/krz rolled out: $("$KUBECTL" get fleet krz -n krz -o jsonpath='{.status.readyPortals} of {.status.portals} portals Ready, {.status.publishedPortals} published')"

phase "waiting for the previous release's manager to settle"
"$WATCH" settle --metrics "http://127.0.0.1:$OLD_METRICS_PORT/metrics" --timeout "$TIMEOUT"
"$WATCH" snapshot --out "$RUN/before.json"
phase "recorded the state before the upgrade"

proc_start watch "$WATCH" watch --out "$RUN/events.jsonl" --ready "$RUN/watch.ready"
deadline=$((SECONDS + 120))
until [ -f "$RUN/watch.ready" ]; do
  if ! proc_pid watch >/dev/null; then
    cat "$RUN/watch.log" >&2
    die "the watch ended before it had listed everything (its log above)"
  fi
  [ "$SECONDS" -lt "$deadline" ] || die "the watch did not list everything within 120 s; see ${RUN#"$REPO"/}/watch.log"
  sleep 0.2
done
phase "watching every Ready and Stalled condition and the portals' pod templates"

# --- the upgrade ------------------------------------------------------------
phase "stopping the previous release's manager"
proc_stop old-manager
phase "applying this release's CRDs (server-side, as an upgrade does)"
"$KUBECTL" apply --server-side --field-manager=ozg-operator-install -f config/crd/bases
"$KUBECTL" wait --for=condition=Established --timeout=60s -f config/crd/bases >/dev/null
phase "starting this release's manager ($("$BIN/manager" --version))"
# UPGRADE_MANAGER_FLAGS: more flags for it, e.g. --portal-image=example.org/portal
# to see the check fail on restarted portals.
# shellcheck disable=SC2086 # one word per flag
proc_start manager "$BIN/manager" --metrics-bind-address="127.0.0.1:$NEW_METRICS_PORT" --health-probe-bind-address="127.0.0.1:$NEW_HEALTH_PORT" ${UPGRADE_MANAGER_FLAGS:-}
if ! "$WATCH" settle --metrics "http://127.0.0.1:$NEW_METRICS_PORT/metrics" --timeout "$TIMEOUT" --quiet 10s; then
  "$KUBECTL" get fleet,sp -n krz >&2 || true
  die "this release's manager did not settle; see ${RUN#"$REPO"/}/manager.log"
fi
phase "this release's manager has reconciled everything, roll-ups current"
"$WATCH" snapshot --out "$RUN/after.json"
phase "recorded the state after the upgrade"
proc_stop watch
grep -q . "$RUN/events.jsonl" || die "the watch recorded nothing; see ${RUN#"$REPO"/}/watch.log"

# --- the report ---------------------------------------------------------------
echo
status=0
"$WATCH" compare --before "$RUN/before.json" --after "$RUN/after.json" --events "$RUN/events.jsonl" \
  --phases "$RUN/phases.log" --old-crds "$OLD_SRC/config/crd/bases" --new-crds config/crd/bases >"$RUN/report.txt" || status=$?
cat "$RUN/report.txt"
echo "(upgrade from $OLD_VERSION to $("$BIN/manager" --version); records in ${RUN#"$REPO"/}/)"
exit "$status"
