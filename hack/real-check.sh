#!/usr/bin/env bash
# Real pods: the dev cluster with its registry and one real node, the images
# `make images` pushed there, the manager, and a fleet of three Lippe portals
# on the real node (restricted namespace ozg-real). Then hack/realcheck runs
# its six steps (docs/architecture.md, "What runs real"). Stops everything it
# started, also on failure; with KEEP=1 it leaves the cluster running.
#
#   hack/real-check.sh          (make real-check; needs root)
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

[[ $(id -u) == 0 ]] || die "the real node needs root"
[[ -f "$BIN/images/images.env" ]] || die "no bin/images/images.env: run 'make images' first"
# shellcheck disable=SC1091 # written by make images
source "$BIN/images/images.env"
[[ -n "${PORTAL_IMAGE:-}" && -n "${PORTAL_TAG:-}" ]] || die "bin/images/images.env lacks PORTAL_IMAGE or PORTAL_TAG"
# The repository: without digest, and without a tag (a colon after the last
# slash; the one before it is the registry's port).
PORTAL_REPO="${PORTAL_IMAGE%@*}"
if [[ ${PORTAL_REPO##*/} == *:* ]]; then PORTAL_REPO="${PORTAL_REPO%:*}"; fi

mkdir -p "$STATE"
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
  if [[ -n $manager_pid ]]; then kill "$manager_pid" 2>/dev/null || true; wait "$manager_pid" 2>/dev/null || true; fi
  if [[ ${KEEP:-0} != 1 ]]; then hack/dev-cluster.sh down || true; fi
  exit "$rc"
}
trap cleanup EXIT

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

"$BIN/manager" --portal-image="$PORTAL_REPO" \
  --metrics-bind-address="127.0.0.1:$METRICS_PORT" --health-probe-bind-address="127.0.0.1:$((METRICS_PORT + 1))" \
  >"$STATE/manager.log" 2>&1 &
manager_pid=$!
rolled=$SECONDS
"$BIN/ozgctl" rollout status fleet/real -n "$NAMESPACE" --timeout "$TIMEOUT"
log "fleet Ready after $((SECONDS - rolled))s (pulls, real containers, readiness probes)"
"$KUBECTL" get fleet,sp -n "$NAMESPACE"
"$KUBECTL" get pods -n "$NAMESPACE" -o wide

go run ./hack/realcheck --namespace "$NAMESPACE" --fleet real --portal-image "$PORTAL_IMAGE"
log "real-check passed in $((SECONDS - started))s"
