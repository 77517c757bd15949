#!/usr/bin/env bash
# The demo on the embedded cluster: import the real OZG catalogue and the NRW
# administrations, give the 36 krz municipalities content, create the krz
# fleet (16 of 36 published), run the manager, and wait for the fleet to
# become Ready.
#
#   hack/demo.sh up          the demo, then print how to look around (leaves it running)
#   hack/demo.sh check       the same, non-interactive: exit 0 once the fleet is Ready
#   hack/demo.sh serve NAME  serve the portal NAME of the running demo locally
#   hack/demo.sh restore FILE  a new cluster from a backup (ozgctl export all):
#                            the CRDs, the backup, the manager; wait as up does
#   hack/demo.sh down        stop the manager, the local portal server and the cluster
#
# Processes it starts are recorded in bin/demo/*.pid and stopped by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"
BIN="$REPO/bin"
STATE="$BIN/demo"
KUBECTL="$BIN/k8s/kubectl"
export KUBECONFIG="$BIN/dev-cluster/kubeconfig"
DATA="${OZG_DATA:-$REPO/../shared/data}"
PORTAL_PORT="${DEMO_PORTAL_PORT:-18088}"
PORTAL_METRICS_PORT="${DEMO_PORTAL_METRICS_PORT:-18089}"
METRICS_PORT="${DEMO_METRICS_PORT:-18080}"
TIMEOUT="${DEMO_TIMEOUT:-300s}"

log() { printf '[demo] %s\n' "$*" >&2; }

# Processes in the background: proc_start, proc_stop (hack/lib/proc.sh).
PROC_DIR="$STATE"
# shellcheck source=hack/lib/proc.sh
source hack/lib/proc.sh

# rollups_pending prints how many Administrations and OZGServices have
# inputs their status does not show yet (the manager's ozg_rollup_pending).
rollups_pending() {
  local metrics
  metrics="$(curl -fsS "http://127.0.0.1:$METRICS_PORT/metrics")" || return 1
  awk '$1 ~ /^ozg_rollup_pending[{]/ { n += $2 } END { print n + 0 }' <<<"$metrics"
}

# wait_rollups_current returns once every roll-up is current: the fleet
# being Ready means every portal is, and the portals' last events reach
# the administrations and the catalogue a moment later. Ready of those
# kinds is True once their status is current (docs/architecture.md), so
# kubectl wait confirms what the manager's gauge says.
wait_rollups_current() {
  log "waiting for the administrations and the catalogue to show the rollout"
  local deadline=$((SECONDS + ${TIMEOUT%s})) pending
  until pending="$(rollups_pending)" && [ "$pending" = 0 ]; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "roll-ups still pending after $TIMEOUT: ${pending:-metrics not reachable}; see bin/demo/manager.log"
      return 1
    fi
    sleep 0.5
  done
  "$KUBECTL" wait --for=condition=Ready --timeout=60s administrations --all >/dev/null
  "$KUBECTL" wait --for=condition=Ready --timeout=60s ozgservices --all >/dev/null
  log "every Administration and OZGService status is current"
}

# install_crds applies this release's CRDs, as an installation does.
install_crds() {
  log "installing the CRDs"
  "$KUBECTL" apply --server-side --field-manager=ozg-operator-install -f config/crd/bases >/dev/null
  "$KUBECTL" wait --for=condition=Established --timeout=60s -f config/crd/bases >/dev/null
}

# run_manager starts the manager and waits until the krz fleet, the
# roll-ups, the profile and the programme are Ready.
run_manager() {
  proc_start manager "$BIN/manager" --metrics-bind-address="127.0.0.1:$METRICS_PORT" --health-probe-bind-address=127.0.0.1:18081
  log "waiting up to $TIMEOUT for the krz fleet to become Ready"
  if ! "$BIN/ozgctl" rollout status fleet/krz -n krz --timeout "$TIMEOUT"; then
    "$KUBECTL" get fleet -n krz
    log "the fleet did not become Ready; see bin/demo/manager.log"
    return 1
  fi
  "$KUBECTL" get fleet -n krz
  wait_rollups_current
  "$KUBECTL" wait --for=condition=Ready --timeout=60s rprof/nrw >/dev/null
  "$KUBECTL" get rprof
  # The krz G2B programme (hack/demo-seed says which services it holds).
  "$KUBECTL" wait --for=condition=Ready --timeout=60s prog/krz-g2b -n krz >/dev/null
  "$KUBECTL" get prog -n krz
}

up() {
  mkdir -p "$STATE"
  hack/dev-cluster.sh up
  install_crds

  log "importing the OZG catalogue and the NRW administrations"
  "$BIN/ozgctl" import catalog --dir "$DATA/ozg-katalog" --apply
  "$BIN/ozgctl" import administrations --file "$DATA/kommunen-nrw.csv" --apply
  # The Kreise too: vehicle registration and driving licences are theirs.
  "$BIN/ozgctl" import administrations --file "$DATA/kommunen-nrw.csv" --kreis 05766,05758,05770 --with-kreise --it-provider krz --apply
  log "applying the NRW responsibility profile (docs/responsibility.md)"
  "$KUBECTL" apply --server-side --field-manager=ozg-operator-install -k config/profiles >/dev/null

  log "giving the krz municipalities content and creating their fleet"
  go run ./hack/demo-seed

  run_manager
  "$BIN/ozgctl" coverage --programme krz-g2b -n krz
  # What the krz hands to the Portalverbund NRW (docs/portalverbund.md).
  "$BIN/ozgctl" export portalverbund --fleet krz -n krz >"$STATE/portalverbund-krz.json"
  log "Portalverbund feed of the krz fleet: $STATE/portalverbund-krz.json, $(wc -c <"$STATE/portalverbund-krz.json") bytes"

  # Serve one published municipality's portal locally from its rendered content.
  # The first name is cut from the whole list: a pipe into head would let
  # kubectl die of SIGPIPE, which pipefail turns into a failure.
  # The Kreise's portals (kreis-*) are published too; show a municipality's.
  local published
  published="$("$KUBECTL" get sp -n krz -o jsonpath='{range .items[?(@.spec.publish==true)]}{.metadata.name}{"\n"}{end}')"
  published="$(grep -v '^kreis-' <<<"$published" || true)"
  serve "${published%%$'\n'*}"
}

# restore FILE: a new cluster from the backup FILE (docs/backup.md): the
# CRDs, then the backup as it is, then the manager, which makes the rest.
restore() {
  local backup="$1"
  [ -f "$backup" ] || { log "no backup file $backup"; return 1; }
  mkdir -p "$STATE"
  hack/dev-cluster.sh up
  install_crds
  log "applying the backup $backup"
  "$KUBECTL" apply --server-side --field-manager=ozg-restore -f "$backup" >/dev/null
  run_manager
}

# serve NAME: serve the content the operator rendered for the portal NAME
# (its ConfigMap and the namespace's shared catalogue) on the local port.
serve() {
  local portal="$1"
  [ -n "$portal" ] || { log "no portal to serve"; return 1; }
  "$KUBECTL" get sp "$portal" -n krz >/dev/null || { log "no portal $portal in namespace krz; see: $KUBECTL get sp -n krz"; return 1; }
  local dir="$STATE/portal"
  rm -rf "$dir" && mkdir -p "$dir"
  "$KUBECTL" get configmap "$portal" -n krz -o jsonpath='{.data.portal\.json}' >"$dir/portal.json"
  "$KUBECTL" get configmap ozg-catalog -n krz -o jsonpath='{.binaryData.catalog\.json\.gz}' >"$dir/catalog.b64"
  base64 -d "$dir/catalog.b64" >"$dir/catalog.json.gz"
  proc_start portal "$BIN/portal" --data "$dir/portal.json" --listen "127.0.0.1:$PORTAL_PORT" \
    --metrics-listen "127.0.0.1:$PORTAL_METRICS_PORT"
  PORTAL_NAME="$portal"
}

case "${1:-}" in
  up)
    up
    cat <<EOM

The krz fleet is Ready. Look around:
  export KUBECONFIG=$KUBECONFIG
  bin/k8s/kubectl get ozg -A                 # everything of ozg-operator
  bin/k8s/kubectl get fleet,sp -n krz
  bin/k8s/kubectl get adm -l ozg.dev/it-provider=krz
  bin/ozgctl coverage --by kreis
  bin/ozgctl coverage --programme krz-g2b -n krz   # the G2B priorities
  bin/ozgctl reuse ozg-10092 --near lemgo    # who has Wohngeld, with which tool
  bin/ozgctl tools -l ozg.dev/it-provider=krz
  bin/ozgctl export portalverbund --fleet krz -n krz   # the feed for the Portalverbund
  The portal of $PORTAL_NAME: http://127.0.0.1:$PORTAL_PORT/
    (and /leistungen/10092, /sitemap.xml, /robots.txt, /api/v1/portalverbund;
    its metrics: http://127.0.0.1:$PORTAL_METRICS_PORT/metrics)
  make demo-serve PORTAL=kreis-lippe         # serve another portal there instead

Stop everything with: make demo-down
EOM
    ;;
  check)
    up
    # What the alert rules and the dashboard read, from this manager and portal.
    go run ./hack/metricscheck -manager "http://127.0.0.1:$METRICS_PORT/metrics" \
      -portal "http://127.0.0.1:$PORTAL_PORT/" -portal-metrics "http://127.0.0.1:$PORTAL_METRICS_PORT/metrics"
    ;;
  serve)
    [ -n "${2:-}" ] || { echo "usage: $0 serve NAME (make demo-serve PORTAL=NAME)" >&2; exit 2; }
    serve "$2"
    echo "The portal of $PORTAL_NAME: http://127.0.0.1:$PORTAL_PORT/"
    ;;
  restore)
    [ -n "${2:-}" ] || { echo "usage: $0 restore FILE" >&2; exit 2; }
    restore "$2"
    ;;
  down)
    proc_stop portal
    proc_stop manager
    hack/dev-cluster.sh down
    ;;
  *)
    echo "usage: $0 up|check|serve NAME|restore FILE|down" >&2
    exit 2
    ;;
esac
