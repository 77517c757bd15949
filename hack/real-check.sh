#!/usr/bin/env bash
# Real pods: the dev cluster with its registry and one real node, the images
# `make images` pushed there, the manager, and a fleet of three Lippe portals
# on the real node (restricted namespace ozg-real). Then hack/realcheck runs
# its six steps (docs/architecture.md, "What runs real").
#
#   hack/real-check.sh [check]  (make real-check) set up, run the six steps,
#                               stop everything it started, also on failure
#                               (KEEP=1: leave the cluster running)
#   hack/real-check.sh up       (make demo-real) set up and leave it running,
#                               the manager included
#   hack/real-check.sh down     (make demo-real-down) stop what up started
#
# All need root (containerd, runc and the kubelet).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"
BIN="$REPO/bin"
STATE="$BIN/real-check"
KUBECTL="$BIN/k8s/kubectl"
export KUBECONFIG="$BIN/dev-cluster/kubeconfig"
DATA="${OZG_DATA:-$REPO/../shared/data}"
NAMESPACE=ozg-real
METRICS_PORT="${REAL_CHECK_METRICS_PORT:-18180}"
TIMEOUT="${REAL_CHECK_TIMEOUT:-300s}"
# Detmold, Lemgo and Bad Salzuflen: three municipalities of the Kreis Lippe.
KEYS=(05766020 05766044 05766008)

log() { printf '[real-check] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

MODE="${1:-check}"
case $MODE in
check | up | down) ;;
*) die "usage: $0 [check|up|down]" ;;
esac
[[ $(id -u) == 0 ]] || die "the real node needs root"

mkdir -p "$STATE"
MANAGER_PID_FILE="$STATE/manager.pid"

# stop_manager: the manager an earlier up left running, if it still runs.
stop_manager() {
  local pid argv0
  pid="$(cat "$MANAGER_PID_FILE" 2>/dev/null)" || return 0
  argv0="$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null)" || argv0=""
  if [[ ${argv0%%$'\n'*} == "$BIN/manager" ]]; then
    kill "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    log "stopped the manager (pid $pid)"
  fi
  rm -f "$MANAGER_PID_FILE"
}

if [[ $MODE == down ]]; then
  stop_manager
  hack/dev-cluster.sh down
  exit 0
fi
[[ -f "$BIN/images/images.env" ]] || die "no bin/images/images.env: run 'make images' first"
# shellcheck disable=SC1091 # written by make images
source "$BIN/images/images.env"
[[ -n "${PORTAL_IMAGE:-}" && -n "${PORTAL_TAG:-}" ]] || die "bin/images/images.env lacks PORTAL_IMAGE or PORTAL_TAG"
# The repository: without digest, and without a tag (a colon after the last
# slash; the one before it is the registry's port).
PORTAL_REPO="${PORTAL_IMAGE%@*}"
if [[ ${PORTAL_REPO##*/} == *:* ]]; then PORTAL_REPO="${PORTAL_REPO%:*}"; fi

manager_pid=""
cleanup() {
  local rc=$?
  if [[ $rc != 0 ]]; then
    log "failed; what the cluster shows:"
    "$KUBECTL" get nodes,pods -n "$NAMESPACE" -o wide >&2 || true
    "$KUBECTL" get fleet,sp -n "$NAMESPACE" >&2 || true
    "$KUBECTL" get events -n "$NAMESPACE" --sort-by=.lastTimestamp >&2 || true
    for f in bin/dev-cluster/node/logs/kubelet.log bin/dev-cluster/node/logs/containerd.log "$STATE/manager.log"; do
      [[ -f "$f" ]] && { log "last lines of $f:"; tail -n 30 "$f" >&2; }
    done
  fi
  if [[ $MODE == up && $rc == 0 ]]; then exit 0; fi
  if [[ -n $manager_pid ]]; then kill "$manager_pid" 2>/dev/null || true; wait "$manager_pid" 2>/dev/null || true; fi
  rm -f "$MANAGER_PID_FILE"
  if [[ ${KEEP:-0} != 1 ]]; then
    hack/dev-cluster.sh down || true
    if [[ $rc == 0 ]] && ! left_nothing_behind; then rc=1; fi
  fi
  exit "$rc"
}

# left_nothing_behind: after down, no process of the node (containerd, its
# shims, the kubelet, kube-proxy), no portal container and no bridge.
left_nothing_behind() {
  local left
  left="$(pgrep -a -f "$BIN/dev-cluster/node|/ko-app/portal" || true)"
  if [[ -n $left ]]; then
    log "error: processes left behind after down:"
    printf '%s\n' "$left" >&2
    return 1
  fi
  if ip link show ozg-br0 >/dev/null 2>&1; then
    log "error: the bridge ozg-br0 is left behind after down"
    return 1
  fi
  log "down left no process, container or bridge behind"
}
trap cleanup EXIT

stop_manager
started=$SECONDS
REAL_NODE=1 hack/dev-cluster.sh up
log "cluster with the real node up after $((SECONDS - started))s"
"$KUBECTL" get nodes -o wide

"$KUBECTL" apply --server-side --field-manager=ozg-operator-install -f config/crd/bases >/dev/null
"$KUBECTL" wait --for=condition=Established --timeout=60s -f config/crd/bases >/dev/null

log "importing the catalogue and the Kreis Lippe"
"$BIN/ozgctl" import catalog --dir "$DATA/ozg-katalog" --apply >/dev/null 2>"$STATE/import.log" ||
  { cat "$STATE/import.log" >&2; die "importing the catalogue failed"; }
"$BIN/ozgctl" import administrations --file "$DATA/kommunen-nrw.csv" --kreis 05766 --with-kreise --it-provider real --apply >/dev/null 2>>"$STATE/import.log" ||
  { cat "$STATE/import.log" >&2; die "importing the administrations failed"; }
"$KUBECTL" apply --server-side --field-manager=ozg-operator-install -k config/profiles >/dev/null

# The namespace enforces the restricted Pod Security Standard before any
# portal pod exists.
"$KUBECTL" apply --server-side --field-manager=real-check -f - >/dev/null <<EOF
apiVersion: v1
kind: Namespace
metadata:
  name: $NAMESPACE
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/enforce-version: latest
EOF
go run ./hack/demo-seed --it-provider real --namespace "$NAMESPACE" --version "$PORTAL_TAG" \
  --published 3 --publish-keys "$(IFS=,; echo "${KEYS[*]}")"

# The seed's fleet takes every Lippe administration; the real node gets
# three. Their pods ask for the real node and tolerate its taint.
names=()
for key in "${KEYS[@]}"; do
  name="$("$KUBECTL" get adm -l ozg.dev/it-provider=real -o jsonpath="{range .items[?(@.spec.key==\"$key\")]}{.metadata.name}{end}")"
  [[ -n $name ]] || die "no Administration with key $key"
  names+=("$name")
done
"$KUBECTL" label adm "${names[@]}" ozg.dev/real-check=true --overwrite >/dev/null
"$KUBECTL" apply --server-side --force-conflicts --field-manager=real-check -f - >/dev/null <<EOF
apiVersion: ozg.dev/v1alpha1
kind: PortalFleet
metadata:
  name: real
  namespace: $NAMESPACE
spec:
  administrationSelector:
    matchLabels:
      # The namespace is the provider's: a fleet selects only its own.
      ozg.dev/it-provider: real
      ozg.dev/real-check: "true"
  template:
    hostnamePattern: \$(name).serviceportal.real.example.de
    version: "$PORTAL_TAG"
    nodeSelector:
      ozg.dev/node: real
    tolerations:
    - key: ozg.dev/real-node
      operator: Equal
      value: "true"
      effect: NoSchedule
EOF
log "fleet real: ${names[*]} on the real node, portal image $PORTAL_REPO:$PORTAL_TAG"

# Its own session, so that it outlives this script after up.
setsid "$BIN/manager" --portal-image="$PORTAL_REPO" \
  --metrics-bind-address="127.0.0.1:$METRICS_PORT" --health-probe-bind-address="127.0.0.1:$((METRICS_PORT + 1))" \
  </dev/null >"$STATE/manager.log" 2>&1 &
manager_pid=$!
echo "$manager_pid" >"$MANAGER_PID_FILE"
rolled=$SECONDS
"$BIN/ozgctl" rollout status fleet/real -n "$NAMESPACE" --timeout "$TIMEOUT"
log "fleet Ready after $((SECONDS - rolled))s (pulls, real containers, readiness probes)"
"$KUBECTL" get fleet,sp -n "$NAMESPACE"
"$KUBECTL" get pods -n "$NAMESPACE" -o wide

if [[ $MODE == up ]]; then
  ip="$("$KUBECTL" get pods -n "$NAMESPACE" -l app.kubernetes.io/instance="${names[0]}" -o jsonpath='{.items[0].status.podIP}')"
  cat >&2 <<EOF

Three portals run as real containers on the real node ozg-real-node, from
$PORTAL_IMAGE:
  export KUBECONFIG=$KUBECONFIG
  $KUBECTL get pods -n $NAMESPACE -o wide
  curl -s http://$ip:8080/ | less           # ${names[0]}'s start page, from its pod
  $KUBECTL logs -n $NAMESPACE deploy/${names[0]}
  tail -f ${STATE#"$REPO"/}/manager.log
  make demo-real-down                         # stop the manager and the cluster
EOF
  exit 0
fi
go run ./hack/realcheck --namespace "$NAMESPACE" --fleet real --portal-image "$PORTAL_IMAGE" --version "$PORTAL_TAG"
log "real-check passed in $((SECONDS - started))s"
