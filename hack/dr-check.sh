#!/usr/bin/env bash
# The disaster-recovery check (make dr-check, docs/backup.md): the demo's
# krz fleet is exported with `ozgctl export all`, the cluster is destroyed
# (hack/demo.sh down deletes etcd's data), a new one is started, and the
# export is applied with this release's CRDs and manager. It passes when
#   - every ozg.dev object comes back with its labels and spec (the portals
#     the fleet makes included, made again),
#   - every portal serves the same content, byte for byte (each portal's
#     document and the shared catalogue), and
#   - every roll-up status equals the brute-force recount, with every
#     portal Ready and Published as its spec asks.
# hack/drcheck is the judge; its records are in bin/dr/. The cluster is
# left running as restored (make demo-down stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"
OUT="$REPO/bin/dr"
export KUBECONFIG="$REPO/bin/dev-cluster/kubeconfig"

log() { printf '[dr-check] %s\n' "$*" >&2; }

mkdir -p "$OUT"
go build -o "$OUT/drcheck" ./hack/drcheck
start=$SECONDS

log "1/4 the demo, as a provider runs it"
hack/demo.sh check
"$OUT/drcheck" recount

log "2/4 the backup: ozgctl export all"
bin/ozgctl export all >"$OUT/backup.yaml"
log "backup: $(grep -c '^kind:' "$OUT/backup.yaml") objects, $(wc -c <"$OUT/backup.yaml") bytes"
"$OUT/drcheck" snapshot "$OUT/before"

log "3/4 the disaster: the cluster and its etcd data are gone"
hack/demo.sh down
[ ! -e "$REPO/bin/dev-cluster/data" ] || { log "bin/dev-cluster/data survived the teardown"; exit 1; }

log "4/4 the restore: a new cluster, the CRDs, the backup, the manager"
hack/demo.sh restore "$OUT/backup.yaml"
"$OUT/drcheck" snapshot "$OUT/after"
"$OUT/drcheck" compare "$OUT/before" "$OUT/after"
"$OUT/drcheck" recount
log "passed in $((SECONDS - start)) s: everything came back from the backup"
