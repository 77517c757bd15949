#!/usr/bin/env bash
# Embedded local Kubernetes cluster for development: etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler and kwok (fake nodes, fake pods), run
# as plain processes from the prebuilt binaries in $KUBE_ASSETS (default
# bin/k8s, see `make kube-binaries`). No containers, no root, no network beyond
# 127.0.0.1.
#
#   hack/dev-cluster.sh up      start the cluster, or reuse a healthy one
#   hack/dev-cluster.sh down    stop exactly the processes `up` started
#   hack/dev-cluster.sh status  show which components run (exit 0 = all healthy)
#
# State lives in bin/dev-cluster/ (override with DEV_CLUSTER_DIR):
#   kubeconfig      admin kubeconfig (client cert in group system:masters)
#   pki/            CA, serving/client certs, service-account key pair
#   data/etcd/      etcd data
#   pids/NAME.pid   one PID per component; `down` and `status` trust only these
#   logs/NAME.log   one log per component; kept after `down` for post-mortems
#
# The cluster is disposable: `down` deletes data/, pki/, pids/ and the
# kubeconfigs (only logs/ survive), and every `up` that does not reuse a
# running cluster starts from an empty etcd with fresh certificates. Nothing
# that was created in the cluster outlives `down`.
#
# Ports (all bound to 127.0.0.1 only). They are fixed so the kubeconfig stays
# stable, and below Linux's ephemeral range (32768-60999), from which envtest's
# and the kernel's random ports are drawn, so they never collide with tests:
#   etcd client 12379, etcd peer 12380, kube-apiserver 16443,
#   kube-controller-manager 16257, kube-scheduler 16259, kwok 16247 (healthz).
# Two clusters (say, two clones) cannot run at once on the same ports; `up`
# refuses to start when a port is taken instead of guessing whose it is. Each
# port can be moved with the DEV_CLUSTER_*_PORT variables below.
#
# Other knobs: KUBE_ASSETS, DEV_CLUSTER_NODES (default 2),
# DEV_CLUSTER_TIMEOUT (seconds per readiness wait, default 120),
# DEV_CLUSTER_STOP_TIMEOUT (seconds before SIGKILL, default 15).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KUBE_ASSETS="${KUBE_ASSETS:-$REPO/bin/k8s}"
STATE="${DEV_CLUSTER_DIR:-$REPO/bin/dev-cluster}"
KWOK_STAGES_DIR="$REPO/hack/kwok"

ETCD_PORT="${DEV_CLUSTER_ETCD_PORT:-12379}"
ETCD_PEER_PORT="${DEV_CLUSTER_ETCD_PEER_PORT:-12380}"
APISERVER_PORT="${DEV_CLUSTER_APISERVER_PORT:-16443}"
KCM_PORT="${DEV_CLUSTER_KCM_PORT:-16257}"
SCHEDULER_PORT="${DEV_CLUSTER_SCHEDULER_PORT:-16259}"
KWOK_PORT="${DEV_CLUSTER_KWOK_PORT:-16247}"

NODE_COUNT="${DEV_CLUSTER_NODES:-2}"
TIMEOUT="${DEV_CLUSTER_TIMEOUT:-120}"
STOP_TIMEOUT="${DEV_CLUSTER_STOP_TIMEOUT:-15}"

# Service and pod ranges are only bookkeeping here (kwok pods get fake IPs,
# nothing is routed), but they must not overlap each other.
SERVICE_CIDR="10.96.0.0/16"
SERVICE_FIRST_IP="10.96.0.1" # the `kubernetes` Service; must be in the serving cert
POD_CIDR="10.244.0.0/16"

# Start order; `down` stops in reverse so nothing loses its backend first.
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)

PKI="$STATE/pki"
DATA="$STATE/data"
LOGS="$STATE/logs"
PIDS="$STATE/pids"
ADMIN_KUBECONFIG="$STATE/kubeconfig"
KUBECTL="$KUBE_ASSETS/kubectl"

log() { printf '[dev-cluster] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

kubectl_admin() { "$KUBECTL" --kubeconfig="$ADMIN_KUBECONFIG" "$@"; }

# ---------------------------------------------------------------------------
# Processes. A PID file alone is not trusted: the process may be gone and its
# PID reused by something else, which `down` must never signal. A PID counts
# as ours only while /proc shows the expected binary running with a command
# line that mentions this state directory (every component's flags do).
# ---------------------------------------------------------------------------

pid_of() { # NAME -> PID recorded for the component, or status 1
  local f="$PIDS/$1.pid" pid
  [[ -f "$f" ]] || return 1
  pid="$(<"$f")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  printf '%s\n' "$pid"
}

is_ours() { # PID NAME
  local pid=$1 name=$2 stat cmdline argv0
  stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || return 1
  # A zombie still answers kill -0 but is dead for every purpose here (when
  # PID 1 of a container does not reap, it may stay a zombie for long).
  stat="${stat##*) }"
  [[ "${stat%% *}" != Z ]] || return 1
  cmdline="$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  argv0="${cmdline%%$'\n'*}"
  [[ "${argv0##*/}" == "$name" && "$cmdline" == *"$STATE"* ]]
}

running() { # NAME: the recorded process is alive and ours
  local pid
  pid="$(pid_of "$1")" && is_ours "$pid" "$1"
}

any_pidfile() { compgen -G "$PIDS/*.pid" >/dev/null; }

# start NAME CMD...: run CMD detached and record its PID in pids/NAME.pid.
start() {
  local name=$1 pidfile="$PIDS/$1.pid" i
  shift
  rm -f "$pidfile"
  # setsid -f always forks into a new session, whatever the caller's job
  # control, so the component has no controlling terminal and is outside the
  # caller's process group: closing the terminal, Ctrl-C in it or `make`
  # finishing does not reach it (nohup covers a stray SIGHUP all the same).
  # The inner shell writes its own PID and then execs, so the PID file names
  # the component itself rather than a short-lived wrapper. fd 9 (our lock) is
  # closed so that a running cluster does not hold the lock forever.
  # shellcheck disable=SC2016 # $$, $0 and $@ belong to the inner shell
  setsid -f bash -c 'echo "$$" >"$0.tmp" && mv "$0.tmp" "$0" && exec nohup "$@"' \
    "$pidfile" "$@" </dev/null >"$LOGS/$name.log" 2>&1 9>&-
  # Wait for the PID file and for the exec: between the two, the PID still
  # runs bash, which is_ours rightly refuses (on a loaded machine that
  # window is long enough to hit).
  for ((i = 0; i < 300; i++)); do
    running "$name" && break
    sleep 0.1
  done
  running "$name" || { show_log "$name"; die "$name did not start"; }
  log "started $name (pid $(pid_of "$name"), log ${LOGS#"$REPO"/}/$name.log)"
}

# stop NAME: SIGTERM the recorded PID, SIGKILL after $STOP_TIMEOUT s.
stop() {
  local name=$1 pid i
  pid="$(pid_of "$name")" || return 0
  if is_ours "$pid" "$name"; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
      is_ours "$pid" "$name" || break
      sleep 0.1
    done
    if is_ours "$pid" "$name"; then
      log "$name (pid $pid) ignored SIGTERM for ${STOP_TIMEOUT}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      for ((i = 0; i < 50; i++)); do
        is_ours "$pid" "$name" || break
        sleep 0.1
      done
      if is_ours "$pid" "$name"; then die "$name (pid $pid) survived SIGKILL"; fi
    fi
    log "stopped $name (pid $pid)"
  else
    log "$name (pid $pid) was not running"
  fi
  rm -f "$PIDS/$name.pid"
}

stop_all() {
  local i
  for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do
    stop "${COMPONENTS[i]}"
  done
}

show_log() { # NAME: the end of a component's log, for failures
  [[ -f "$LOGS/$1.log" ]] || return 0
  log "last lines of ${LOGS#"$REPO"/}/$1.log:"
  tail -n 25 "$LOGS/$1.log" | sed 's/^/    /' >&2
}

# ---------------------------------------------------------------------------
# Health. Only kubectl is used for HTTP(S) probes so that no curl is needed.
# The controller-manager's and scheduler's serving certificates are
# self-signed by themselves, so those probes skip verification (loopback
# only). The admin client certificate is passed although /healthz is open to
# anyone: without any credentials kubectl prompts for a username on https.
# ---------------------------------------------------------------------------

probe() { # URL: GET URL
  "$KUBECTL" --kubeconfig=/dev/null --server="${1%/*}" --insecure-skip-tls-verify=true \
    --client-certificate="$PKI/admin.crt" --client-key="$PKI/admin.key" \
    --request-timeout=3s get --raw="/${1##*/}" </dev/null >/dev/null 2>&1
}

apiserver_ready() { kubectl_admin --request-timeout=5s get --raw=/readyz >/dev/null 2>&1; }

healthy() { # NAME
  case $1 in
  etcd) probe "http://127.0.0.1:$ETCD_PORT/health" ;;
  kube-apiserver) apiserver_ready ;;
  kube-controller-manager) probe "https://127.0.0.1:$KCM_PORT/healthz" ;;
  kube-scheduler) probe "https://127.0.0.1:$SCHEDULER_PORT/healthz" ;;
  kwok) probe "http://127.0.0.1:$KWOK_PORT/healthz" ;;
  esac
}

endpoint() { # NAME: where the component listens, for status
  case $1 in
  etcd) echo "http://127.0.0.1:$ETCD_PORT (peer :$ETCD_PEER_PORT)" ;;
  kube-apiserver) echo "https://127.0.0.1:$APISERVER_PORT" ;;
  kube-controller-manager) echo "https://127.0.0.1:$KCM_PORT" ;;
  kube-scheduler) echo "https://127.0.0.1:$SCHEDULER_PORT" ;;
  kwok) echo "http://127.0.0.1:$KWOK_PORT" ;;
  esac
}

port_taken() { # PORT: something accepts connections on 127.0.0.1:PORT
  (: <>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# wait_for DESCRIPTION CMD...: poll CMD every second for up to $TIMEOUT s, and
# give up early when a component already started has died (its log says why).
wait_for() {
  local desc=$1 deadline=$((SECONDS + TIMEOUT)) name
  shift
  until "$@"; do
    for name in "${COMPONENTS[@]}"; do
      if pid_of "$name" >/dev/null && ! running "$name"; then
        show_log "$name"
        die "$name exited while waiting for $desc"
      fi
    done
    ((SECONDS < deadline)) || die "timed out after ${TIMEOUT}s waiting for $desc"
    sleep 1
  done
}

# ---------------------------------------------------------------------------
# Certificates and kubeconfigs. openssl is in every Debian image that has TLS
# at all; everything is regenerated for each fresh cluster, so there is no
# expiry or stale-SAN state to manage.
# ---------------------------------------------------------------------------

gen_pki() {
  rm -rf "$PKI"
  mkdir -p "$PKI"
  # Our own openssl config, so the result does not depend on the system's
  # openssl.cnf defaults.
  cat >"$PKI/openssl.cnf" <<EOF
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,digitalSignature,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,IP:$SERVICE_FIRST_IP,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local
[client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
EOF
  (
    cd "$PKI"
    umask 077
    openssl req -config openssl.cnf -x509 -new -newkey rsa:2048 -nodes -sha256 -days 3650 \
      -subj "/CN=ozg-dev-cluster-ca" -extensions ca -keyout ca.key -out ca.crt 2>/dev/null
    # leaf NAME SUBJECT PROFILE
    leaf() {
      openssl req -config openssl.cnf -new -newkey rsa:2048 -nodes -subj "$2" \
        -keyout "$1.key" -out "$1.csr" 2>/dev/null
      openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -set_serial "0x$(openssl rand -hex 16)" \
        -sha256 -days 365 -extfile openssl.cnf -extensions "$3" -out "$1.crt" 2>/dev/null
      rm -f "$1.csr"
    }
    leaf apiserver "/CN=kube-apiserver" server
    # The user names below are the ones Kubernetes' bootstrap RBAC policy
    # grants the controller-manager's and scheduler's permissions to.
    leaf admin "/O=system:masters/CN=ozg-dev-admin" client
    leaf kube-controller-manager "/CN=system:kube-controller-manager" client
    leaf kube-scheduler "/CN=system:kube-scheduler" client
    # kwok rewrites status of nodes and pods, deletes pods and renews node
    # leases cluster-wide; on a throwaway dev cluster full rights are simpler
    # than keeping a ClusterRole in step with kwok's needs.
    leaf kwok "/O=system:masters/CN=kwok-controller" client
    # The apiserver's identity towards aggregated API servers. Configuring it
    # also publishes the request-header CA that the controller-manager and
    # scheduler look for (they log errors every few seconds without it).
    leaf front-proxy-client "/CN=front-proxy-client" client
    # Service-account token key pair: the apiserver signs with the private
    # key and verifies with the public one; the controller-manager needs the
    # private key for legacy token Secrets.
    openssl genrsa -out sa.key 2048 2>/dev/null
    openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
  ) || die "generating certificates with openssl failed"
}

write_kubeconfig() { # FILE CERT_NAME (pki/CERT_NAME.{crt,key})
  (
    umask 077
    cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: ozg-dev
  cluster:
    server: https://127.0.0.1:$APISERVER_PORT
    certificate-authority-data: $(base64 -w0 <"$PKI/ca.crt")
users:
- name: $2
  user:
    client-certificate-data: $(base64 -w0 <"$PKI/$2.crt")
    client-key-data: $(base64 -w0 <"$PKI/$2.key")
contexts:
- name: ozg-dev
  context:
    cluster: ozg-dev
    user: $2
current-context: ozg-dev
EOF
  )
}

# Fake nodes: kwok takes over only nodes with this annotation, so a real
# kubelet joining by mistake would be left alone. No taint, so ordinary
# Deployments land on them. kwok's node-initialize stage keeps the
# allocatable/capacity given here.
nodes_manifest() {
  local i name
  for ((i = 0; i < NODE_COUNT; i++)); do
    name="kwok-node-$i"
    cat <<EOF
---
apiVersion: v1
kind: Node
metadata:
  name: $name
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/arch: amd64
    kubernetes.io/hostname: $name
    kubernetes.io/os: linux
    type: kwok
status:
  allocatable: {cpu: "16", memory: 64Gi, pods: "110"}
  capacity: {cpu: "16", memory: 64Gi, pods: "110"}
EOF
  done
}

nodes_ready() {
  kubectl_admin wait --for=condition=Ready node -l type=kwok --timeout=5s >/dev/null 2>&1
}

# Pods are refused until the ServiceAccount controller has created `default`.
default_sa_exists() { kubectl_admin -n default get serviceaccount default >/dev/null 2>&1; }

# ---------------------------------------------------------------------------
# Subcommands
# ---------------------------------------------------------------------------

check_prerequisites() {
  local b
  for b in etcd kube-apiserver kube-controller-manager kube-scheduler kwok kubectl; do
    [[ -x "$KUBE_ASSETS/$b" ]] || die "$KUBE_ASSETS/$b is missing; run 'make kube-binaries' or set KUBE_ASSETS"
  done
  for b in openssl setsid flock base64; do
    command -v "$b" >/dev/null || die "'$b' not found (Debian: apt-get install ${b/setsid/util-linux})"
  done
  compgen -G "$KWOK_STAGES_DIR/*.yaml" >/dev/null || die "no kwok stages in $KWOK_STAGES_DIR"
  [[ "$NODE_COUNT" =~ ^[1-9][0-9]*$ ]] || die "DEV_CLUSTER_NODES must be a positive number"
}

check_ports_free() {
  local port
  for port in "$ETCD_PORT" "$ETCD_PEER_PORT" "$APISERVER_PORT" "$KCM_PORT" "$SCHEDULER_PORT" "$KWOK_PORT"; do
    if port_taken "$port"; then
      die "127.0.0.1:$port is already in use (another dev cluster, maybe from another clone?); stop it or set DEV_CLUSTER_*_PORT"
    fi
  done
}

start_cluster() {
  local name f
  # Keep the previous run's logs one generation: when `up` replaces a
  # partially dead cluster, they say why a component died.
  for f in "$LOGS"/*.log; do
    if [[ -f "$f" ]]; then mv -f "$f" "$f.prev"; fi
  done
  rm -rf "$DATA" "$PIDS" "$STATE"/*.kubeconfig "$ADMIN_KUBECONFIG"
  mkdir -p "$DATA" "$PIDS" "$LOGS"
  gen_pki
  write_kubeconfig "$ADMIN_KUBECONFIG" admin
  for name in kube-controller-manager kube-scheduler kwok; do
    write_kubeconfig "$STATE/$name.kubeconfig" "$name"
  done

  # Unsafe-no-fsync: the data is thrown away anyway, and fsync on a busy
  # developer disk makes etcd (and so the apiserver) slow to start.
  start etcd "$KUBE_ASSETS/etcd" \
    --name=ozg-dev \
    --data-dir="$DATA/etcd" \
    --listen-client-urls="http://127.0.0.1:$ETCD_PORT" \
    --advertise-client-urls="http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster="ozg-dev=http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster-state=new \
    --unsafe-no-fsync=true \
    --log-level=warn
  wait_for "etcd" probe "http://127.0.0.1:$ETCD_PORT/health"

  # --endpoint-reconciler-type=none: the apiserver would otherwise publish
  # 127.0.0.1 as the `kubernetes` Service endpoint, which validation rejects
  # (loopback), and log that forever; nothing in this cluster dials the Service.
  start kube-apiserver "$KUBE_ASSETS/kube-apiserver" \
    --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
    --bind-address=127.0.0.1 \
    --advertise-address=127.0.0.1 \
    --secure-port="$APISERVER_PORT" \
    --cert-dir="$PKI" \
    --tls-cert-file="$PKI/apiserver.crt" \
    --tls-private-key-file="$PKI/apiserver.key" \
    --client-ca-file="$PKI/ca.crt" \
    --authorization-mode=Node,RBAC \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$PKI/sa.pub" \
    --service-account-signing-key-file="$PKI/sa.key" \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --endpoint-reconciler-type=none \
    --proxy-client-cert-file="$PKI/front-proxy-client.crt" \
    --proxy-client-key-file="$PKI/front-proxy-client.key" \
    --requestheader-client-ca-file="$PKI/ca.crt" \
    --requestheader-allowed-names=front-proxy-client \
    --requestheader-username-headers=X-Remote-User \
    --requestheader-group-headers=X-Remote-Group \
    --requestheader-extra-headers-prefix=X-Remote-Extra- \
    --allow-privileged=true
  wait_for "kube-apiserver /readyz" apiserver_ready

  # --leader-elect=false here and for the scheduler: there is only one of
  # each, and leader election would only delay the start by a lease period.
  # The cert dirs keep their self-signed serving certs out of /var/run.
  start kube-controller-manager "$KUBE_ASSETS/kube-controller-manager" \
    --kubeconfig="$STATE/kube-controller-manager.kubeconfig" \
    --authentication-kubeconfig="$STATE/kube-controller-manager.kubeconfig" \
    --authorization-kubeconfig="$STATE/kube-controller-manager.kubeconfig" \
    --bind-address=127.0.0.1 \
    --secure-port="$KCM_PORT" \
    --cert-dir="$PKI/kube-controller-manager-serving" \
    --controllers='*' \
    --use-service-account-credentials=true \
    --root-ca-file="$PKI/ca.crt" \
    --service-account-private-key-file="$PKI/sa.key" \
    --cluster-signing-cert-file="$PKI/ca.crt" \
    --cluster-signing-key-file="$PKI/ca.key" \
    --leader-elect=false

  # The scheduler's --kubeconfig flag is deprecated; a config file is not.
  cat >"$STATE/kube-scheduler.yaml" <<EOF
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
clientConnection:
  kubeconfig: $STATE/kube-scheduler.kubeconfig
leaderElection:
  leaderElect: false
EOF
  start kube-scheduler "$KUBE_ASSETS/kube-scheduler" \
    --config="$STATE/kube-scheduler.yaml" \
    --authentication-kubeconfig="$STATE/kube-scheduler.kubeconfig" \
    --authorization-kubeconfig="$STATE/kube-scheduler.kubeconfig" \
    --bind-address=127.0.0.1 \
    --secure-port="$SCHEDULER_PORT" \
    --cert-dir="$PKI/kube-scheduler-serving"

  # kwok: the node lease duration makes kwok renew each node's Lease (as
  # kwokctl does), which the node-heartbeat-with-lease stage relies on. Its
  # server is only for /healthz; without --node-port the nodes advertise no
  # kubelet endpoint, so `kubectl logs/exec` are not simulated.
  local kwok_args=()
  for f in "$KWOK_STAGES_DIR"/*.yaml; do kwok_args+=(--config="$f"); done
  start kwok "$KUBE_ASSETS/kwok" \
    --kubeconfig="$STATE/kwok.kubeconfig" \
    "${kwok_args[@]}" \
    --manage-all-nodes=false \
    --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
    --node-lease-duration-seconds=40 \
    --cidr="$POD_CIDR" \
    --server-address="127.0.0.1:$KWOK_PORT"

  wait_for "kube-controller-manager /healthz" probe "https://127.0.0.1:$KCM_PORT/healthz"
  wait_for "kube-scheduler /healthz" probe "https://127.0.0.1:$SCHEDULER_PORT/healthz"
  wait_for "kwok /healthz" probe "http://127.0.0.1:$KWOK_PORT/healthz"

  nodes_manifest | kubectl_admin apply -f - >/dev/null
  wait_for "$NODE_COUNT kwok nodes Ready" nodes_ready
  wait_for "ServiceAccount default/default" default_sa_exists
}

all_running() {
  local name
  for name in "${COMPONENTS[@]}"; do running "$name" || return 1; done
}

print_usage_hint() {
  local rel="${ADMIN_KUBECONFIG#"$REPO"/}" kubectl_rel="${KUBECTL#"$REPO"/}"
  cat <<EOF

Dev cluster is up: $(kubectl_admin version -o yaml 2>/dev/null | sed -n 's/^  gitVersion: //p' | tail -n 1), $NODE_COUNT kwok nodes, API https://127.0.0.1:$APISERVER_PORT
  export KUBECONFIG=$ADMIN_KUBECONFIG
  $kubectl_rel get nodes          # or: $kubectl_rel --kubeconfig $rel ...
  hack/dev-cluster.sh status         # which components run
  make dev-cluster-down              # stop it (deletes the cluster's data)
Pods are simulated by kwok: they become Running/Ready without any container.
EOF
}

cmd_up() {
  check_prerequisites
  mkdir -p "$STATE"
  # One up/down at a time per state dir: a concurrent second `up` waits and
  # then finds the first one's cluster healthy and reuses it.
  exec 9>"$STATE/.lock"
  flock -w $((TIMEOUT * 3)) 9 || die "another dev-cluster.sh holds $STATE/.lock"

  if all_running && apiserver_ready; then
    log "reusing the running dev cluster (all components alive, /readyz ok)"
    print_usage_hint
    return 0
  fi
  if any_pidfile; then
    log "found a partially running or unhealthy dev cluster; tearing it down first"
    stop_all
  fi

  check_ports_free

  # A failed or interrupted start must not leave half a cluster behind.
  local started_ok=false
  trap '[[ $started_ok == true ]] || ! any_pidfile || { log "start failed; stopping what was started"; stop_all; }' EXIT
  trap 'exit 130' INT TERM
  start_cluster
  started_ok=true
  trap - EXIT INT TERM
  print_usage_hint
}

cmd_down() {
  mkdir -p "$STATE"
  exec 9>"$STATE/.lock"
  flock -w $((TIMEOUT * 3)) 9 || die "another dev-cluster.sh holds $STATE/.lock"
  if any_pidfile; then
    stop_all
  else
    log "no dev cluster processes recorded in ${PIDS#"$REPO"/}"
  fi
  # The cluster is disposable; keep only the logs for post-mortems.
  rm -rf "$DATA" "$PIDS" "$PKI" "$STATE"/*.kubeconfig "$STATE/kube-scheduler.yaml" "$ADMIN_KUBECONFIG"
  log "dev cluster is down (logs kept in ${LOGS#"$REPO"/})"
}

cmd_status() {
  local name pid state health ok=true
  printf '%-24s %-8s %-8s %-8s %s\n' COMPONENT STATE PID HEALTH ENDPOINT
  for name in "${COMPONENTS[@]}"; do
    health=-
    if pid="$(pid_of "$name")"; then
      if is_ours "$pid" "$name"; then
        state=running
        if healthy "$name"; then health=ok; else health=failing ok=false; fi
      else
        state=dead ok=false
      fi
    else
      state=stopped pid=- ok=false
    fi
    printf '%-24s %-8s %-8s %-8s %s\n' "$name" "$state" "$pid" "$health" "$(endpoint "$name")"
  done
  if [[ -f "$ADMIN_KUBECONFIG" ]] && apiserver_ready; then
    echo
    kubectl_admin get nodes -o wide 2>/dev/null || true
    echo
    echo "export KUBECONFIG=$ADMIN_KUBECONFIG"
  fi
  [[ $ok == true ]]
}

case "${1:-}" in
up) cmd_up ;;
down) cmd_down ;;
status) cmd_status ;;
*)
  echo "usage: $0 up|down|status" >&2
  exit 2
  ;;
esac
