#!/usr/bin/env bash
# The GitOps check: Flux's source-controller and kustomize-controller run the
# krz fleet from a local Git repository, against an embedded cluster of its
# own, beside the manager (docs/gitops.md).
#
#   hack/gitops.sh check   start everything, run the six commits of
#                          test/gitops and assert what Flux reports; exit 0
#                          when they pass (stops everything at the end)
#   hack/gitops.sh up      start everything and make the first commit; leave
#                          it running for a look around
#   hack/gitops.sh down    stop everything `up` or `check` started
#
# It uses the dev cluster's ports: stop `make demo` first (make demo-down).
# Processes it starts are recorded in bin/gitops/pids/*.pid and stopped by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"
BIN="$REPO/bin"
STATE="$BIN/gitops"
KUBECTL="$BIN/k8s/kubectl"
FLUX="$BIN/flux"
export DEV_CLUSTER_DIR="$STATE/cluster"
export KUBECONFIG="$DEV_CLUSTER_DIR/kubeconfig"
DATA="${OZG_DATA:-$REPO/../shared/data}"
TIMEOUT="${GITOPS_TIMEOUT:-30m}"

# Ports on 127.0.0.1, below the ephemeral range like the dev cluster's.
MANAGER_METRICS_PORT=18280 MANAGER_HEALTH_PORT=18281
SOURCE_METRICS_PORT=18282 SOURCE_HEALTH_PORT=18283 SOURCE_STORAGE_PORT=18284
KUSTOMIZE_METRICS_PORT=18285 KUSTOMIZE_HEALTH_PORT=18286
GIT_PORT=18287

log() { printf '[gitops] %s\n' "$*" >&2; }

# Processes in the background: proc_start, proc_stop (hack/lib/proc.sh).
PROC_DIR="$STATE/pids" PROC_LOG_DIR="$STATE/logs"
# shellcheck source=hack/lib/proc.sh
source hack/lib/proc.sh

# wait_healthy NAME URL: wait until a started process answers its health URL.
wait_healthy() {
  local deadline=$((SECONDS + 120))
  until curl -fsS -o /dev/null "$2" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "$1 is not healthy after 120 s; see bin/gitops/logs/$1.log"
      return 1
    fi
    sleep 0.5
  done
}

# repository: a bare repository served over HTTP, and the clone the check
# commits in.
repository() {
  rm -rf "$STATE/git" "$STATE/worktree"
  git init -q --bare -b main "$STATE/git/portale.git"
  git -c init.defaultBranch=main clone -q "$STATE/git/portale.git" "$STATE/worktree" 2>/dev/null
  git -C "$STATE/worktree" config user.name "krz GitOps check"
  git -C "$STATE/worktree" config user.email "gitops-check@krz.example.de"
}

up_processes() {
  mkdir -p "$STATE/logs" "$STATE/pids"
  hack/build-flux.sh "$FLUX"
  hack/dev-cluster.sh up
  log "installing our CRDs and Flux's"
  "$KUBECTL" apply --server-side --field-manager=ozg-operator-install -f config/crd/bases >/dev/null
  "$KUBECTL" apply --server-side --field-manager=ozg-gitops-check -f "$FLUX/crds/source-controller" -f "$FLUX/crds/kustomize-controller" >/dev/null
  "$KUBECTL" wait --for=condition=Established --timeout=60s crd --all >/dev/null

  repository
  go build -o "$STATE/gitserver" ./hack/gitserver
  proc_start gitserver "$STATE/gitserver" --root "$STATE/git" --listen "127.0.0.1:$GIT_PORT"

  proc_start manager "$BIN/manager" --metrics-bind-address="127.0.0.1:$MANAGER_METRICS_PORT" \
    --health-probe-bind-address="127.0.0.1:$MANAGER_HEALTH_PORT"
  mkdir -p "$STATE/flux-storage"
  proc_start source-controller "$FLUX/source-controller" --watch-all-namespaces \
    --metrics-addr="127.0.0.1:$SOURCE_METRICS_PORT" --health-addr="127.0.0.1:$SOURCE_HEALTH_PORT" \
    --storage-path="$STATE/flux-storage" --storage-addr="127.0.0.1:$SOURCE_STORAGE_PORT" \
    --storage-adv-addr="127.0.0.1:$SOURCE_STORAGE_PORT" --events-addr=
  proc_start kustomize-controller "$FLUX/kustomize-controller" --watch-all-namespaces \
    --metrics-addr="127.0.0.1:$KUSTOMIZE_METRICS_PORT" --health-addr="127.0.0.1:$KUSTOMIZE_HEALTH_PORT" --events-addr=
  wait_healthy manager "http://127.0.0.1:$MANAGER_HEALTH_PORT/healthz"
  wait_healthy source-controller "http://127.0.0.1:$SOURCE_HEALTH_PORT/healthz"
  wait_healthy kustomize-controller "http://127.0.0.1:$KUSTOMIZE_HEALTH_PORT/healthz"
}

# run_check [GINKGO_FOCUS]: the commits of test/gitops (all, or the focused ones).
run_check() {
  local args=(-v -count=1 -tags gitops -timeout "$TIMEOUT" ./test/gitops/ -ginkgo.v -ginkgo.no-color)
  [ -z "${1:-}" ] || args+=(-ginkgo.focus "$1")
  OZG_GITOPS_WORKTREE="$STATE/worktree" OZG_GITOPS_URL="http://127.0.0.1:$GIT_PORT/portale.git" \
    OZG_DATA="$DATA" OZGCTL="$BIN/ozgctl" OZG_PROFILE="$REPO/config/profiles/nrw.yaml" \
    OZG_FLUX_OBJECTS="${OZG_FLUX_OBJECTS:-$REPO/config/gitops/flux/krz.yaml}" \
    go test "${args[@]}"
}

down() {
  for name in kustomize-controller source-controller manager gitserver; do proc_stop "$name"; done
  hack/dev-cluster.sh down
}

case "${1:-}" in
  check)
    up_processes
    trap down EXIT
    run_check
    ;;
  up)
    up_processes
    run_check "first sync"
    cat <<EOM

Flux runs the krz fleet from bin/gitops/worktree (pushed to bin/gitops/git). Look around:
  export KUBECONFIG=$KUBECONFIG
  bin/k8s/kubectl get kustomization,gitrepository -n flux-system
  bin/k8s/kubectl get fleet,sp -n krz
  cd bin/gitops/worktree && \$EDITOR krz/fleet.yaml && git commit -am '...' && git push origin HEAD:main

Stop everything with: make gitops-down
EOM
    ;;
  down)
    down
    ;;
  *)
    echo "usage: $0 check|up|down" >&2
    exit 2
    ;;
esac
