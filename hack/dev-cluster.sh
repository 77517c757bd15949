#!/usr/bin/env bash
# Embedded local Kubernetes cluster for development: etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler and kwok (fake nodes, fake pods), run
# as plain processes from the prebuilt binaries in $KUBE_ASSETS (default
# bin/k8s, see `make kube-binaries`). No containers, no root, no network beyond
# 127.0.0.1.
#
# Optionally, beside the kwok nodes:
#   DEV_CLUSTER_REGISTRY=1  a real OCI registry (CNCF Distribution, bin/registry,
#                           `make registry`) on 127.0.0.1:15000, storage in
#                           bin/dev-cluster/registry/, kept across `down` so
#                           that pushed images survive a restart
#   REAL_NODE=1             the registry and one real node, ozg-real-node:
#                           containerd + runc + CNI bridge, kubelet and
#                           kube-proxy (bin/node, `make node-binaries`), run by
#                           hack/real-node.sh in a pid and mount namespace of
#                           its own. Needs root. Tainted ozg.dev/real-node=true:
#                           NoSchedule, labelled ozg.dev/node=real; its pods get
#                           addresses from $REAL_NODE_POD_CIDR on the bridge
#                           ozg-br0 of this host, reachable from this host only.
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
REGISTRY_PORT="${DEV_CLUSTER_REGISTRY_PORT:-15000}"
KUBELET_PORT="${DEV_CLUSTER_KUBELET_PORT:-16250}"
KUBELET_HEALTHZ_PORT="${DEV_CLUSTER_KUBELET_HEALTHZ_PORT:-16248}"
KUBE_PROXY_HEALTHZ_PORT="${DEV_CLUSTER_KUBE_PROXY_HEALTHZ_PORT:-16256}"
KUBE_PROXY_METRICS_PORT="${DEV_CLUSTER_KUBE_PROXY_METRICS_PORT:-16249}"

REAL_NODE="${REAL_NODE:-0}"
WITH_REGISTRY="${DEV_CLUSTER_REGISTRY:-$REAL_NODE}"
NODE_ASSETS="${NODE_ASSETS:-$REPO/bin/node}"
REGISTRY_BIN="${REGISTRY_BIN:-$REPO/bin/registry}"
REAL_NODE_NAME=ozg-real-node
REAL_NODE_BRIDGE=ozg-br0
# The pods' own range on the bridge; the bridge's address is the node's IP
# (a kubelet refuses a loopback node IP, and this kernel has no dummy links).
REAL_NODE_POD_CIDR="${REAL_NODE_POD_CIDR:-10.88.0.0/16}"
REAL_NODE_IP="${REAL_NODE_POD_CIDR%.*/*}.1"

NODE_COUNT="${DEV_CLUSTER_NODES:-2}"
TIMEOUT="${DEV_CLUSTER_TIMEOUT:-120}"
STOP_TIMEOUT="${DEV_CLUSTER_STOP_TIMEOUT:-15}"

# Service and pod ranges are only bookkeeping here (kwok pods get fake IPs,
# nothing is routed), but they must not overlap each other.
SERVICE_CIDR="10.96.0.0/16"
SERVICE_FIRST_IP="10.96.0.1" # the `kubernetes` Service; must be in the serving cert
POD_CIDR="10.244.0.0/16"

# Start order; `down` stops in reverse so nothing loses its backend first.
# ALL_COMPONENTS is what `down` may find; COMPONENTS what this `up` runs.
ALL_COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok registry real-node)
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)
[[ $WITH_REGISTRY == 1 || $REAL_NODE == 1 ]] && COMPONENTS+=(registry)
[[ $REAL_NODE == 1 ]] && COMPONENTS+=(real-node)

PKI="$STATE/pki"
DATA="$STATE/data"
LOGS="$STATE/logs"
PIDS="$STATE/pids"
NODE_DIR="$STATE/node"
REGISTRY_DIR="$STATE/registry"
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

binary_of() { # NAME: the program a component's process runs
  case $1 in
  real-node) echo unshare ;;
  *) echo "$1" ;;
  esac
}

is_ours() { # PID NAME
  local pid=$1 name stat cmdline argv0
  name="$(binary_of "$2")"
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
    if [[ $name == real-node ]]; then
      # unshare --fork ignores SIGTERM while it waits for its child, the
      # namespace's PID 1 (hack/real-node.sh): that one stops the node
      # and unshare follows it.
      local child
      while read -r child; do kill -TERM "$child" 2>/dev/null || true; done < <(pgrep -P "$pid")
    else
      kill -TERM "$pid" 2>/dev/null || true
    fi
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
  for ((i = ${#ALL_COMPONENTS[@]} - 1; i >= 0; i--)); do
    stop "${ALL_COMPONENTS[i]}"
  done
  clean_real_node
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
  registry) probe "http://127.0.0.1:$REGISTRY_PORT/v2" ;;
  real-node) real_node_ready ;;
  esac
}

endpoint() { # NAME: where the component listens, for status
  case $1 in
  etcd) echo "http://127.0.0.1:$ETCD_PORT (peer :$ETCD_PEER_PORT)" ;;
  kube-apiserver) echo "https://127.0.0.1:$APISERVER_PORT" ;;
  kube-controller-manager) echo "https://127.0.0.1:$KCM_PORT" ;;
  kube-scheduler) echo "https://127.0.0.1:$SCHEDULER_PORT" ;;
  kwok) echo "http://127.0.0.1:$KWOK_PORT" ;;
  registry) echo "http://127.0.0.1:$REGISTRY_PORT" ;;
  real-node) echo "node $REAL_NODE_NAME, kubelet https://$REAL_NODE_IP:$KUBELET_PORT" ;;
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
    # The real node: the kubelet as its node (the Node authorizer's user
    # and group), kube-proxy as the user bootstrap RBAC binds
    # system:node-proxier to, and the apiserver towards kubelets (logs, exec).
    leaf kubelet "/O=system:nodes/CN=system:node:$REAL_NODE_NAME" client
    leaf kube-proxy "/CN=system:kube-proxy" client
    leaf apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" client
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
# The registry and the real node (optional, see the header).
# ---------------------------------------------------------------------------

start_registry() {
  mkdir -p "$REGISTRY_DIR"
  cat >"$STATE/registry.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $REGISTRY_DIR
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$REGISTRY_PORT
YAML
  # Distribution reads OTEL_* and would try to export traces otherwise.
  OTEL_TRACES_EXPORTER=none start registry "$REGISTRY_BIN" serve "$STATE/registry.yml"
  wait_for "registry /v2/" probe "http://127.0.0.1:$REGISTRY_PORT/v2"
}

real_node_ready() {
  [[ "$(kubectl_admin get node "$REAL_NODE_NAME" \
    -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" == True ]]
}

write_real_node_config() {
  local d="$NODE_DIR"
  rm -rf "$d"
  mkdir -p "$d/logs" "$d/cni/net.d" "$d/containerd/certs.d/127.0.0.1:$REGISTRY_PORT" "$d/kubelet-pki"
  echo "$REAL_NODE_NAME" >"$d/node-name"
  echo "$REAL_NODE_IP" >"$d/node-ip"
  write_kubeconfig "$d/kubelet.kubeconfig" kubelet
  write_kubeconfig "$d/kube-proxy.kubeconfig" kube-proxy

  # containerd 2 (config version 3): its own root, state and socket; runc
  # and the CNI plugins from bin/node; the pause image from our registry,
  # which it reaches over plain HTTP on loopback only.
  cat >"$d/containerd.toml" <<TOML
version = 3
root = "$d/containerd/root"
state = "$d/containerd/state"
imports = []
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.erofs", "io.containerd.snapshotter.v1.blockfile", "io.containerd.nri.v1.nri"]

[grpc]
  address = "$d/containerd/containerd.sock"

[ttrpc]
  address = "$d/containerd/containerd.sock.ttrpc"

[plugins.'io.containerd.cri.v1.images']
  snapshotter = "overlayfs"
  [plugins.'io.containerd.cri.v1.images'.pinned_images]
    sandbox = "127.0.0.1:$REGISTRY_PORT/ozg-operator/pause:$(pause_tag)"
  [plugins.'io.containerd.cri.v1.images'.registry]
    config_path = "$d/containerd/certs.d"

# Lowering an oom_score_adj needs CAP_SYS_RESOURCE, which the machines
# this runs on withhold even from root: clamp the sandbox's and containers'
# scores to containerd's own instead of failing every pod.
[plugins.'io.containerd.cri.v1.runtime']
  restrict_oom_score_adj = true
  [plugins.'io.containerd.cri.v1.runtime'.cni]
    bin_dirs = ["$NODE_ASSETS/cni"]
    conf_dir = "$d/cni/net.d"
  [plugins.'io.containerd.cri.v1.runtime'.containerd]
    default_runtime_name = "runc"
    [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
        BinaryName = "$NODE_ASSETS/runc"
        SystemdCgroup = false

[plugins.'io.containerd.transfer.v1.local']
  config_path = "$d/containerd/certs.d"

[plugins.'io.containerd.grpc.v1.cri']
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
TOML
  cat >"$d/containerd/certs.d/127.0.0.1:$REGISTRY_PORT/hosts.toml" <<TOML
server = "http://127.0.0.1:$REGISTRY_PORT"

[host."http://127.0.0.1:$REGISTRY_PORT"]
  capabilities = ["pull", "resolve"]
TOML

  # The bridge plugin adds each pod's veth to the bridge made below; no
  # masquerading and no forwarding: the pods talk to this host only.
  cat >"$d/cni/net.d/10-ozg-bridge.conflist" <<JSON
{
  "cniVersion": "1.0.0",
  "name": "ozg-real-node",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$REAL_NODE_BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$d/cni/ipam",
        "ranges": [[{"subnet": "$REAL_NODE_POD_CIDR", "rangeStart": "${REAL_NODE_POD_CIDR%.*/*}.10", "gateway": "$REAL_NODE_IP"}]]
      }
    },
    {"type": "loopback"}
  ]
}
JSON

  # The kubelet: cgroup v1 (this kernel's hierarchy; Kubernetes 1.35+
  # refuses it unless failCgroupV1 is false), cgroupfs without systemd,
  # x509 clients of the cluster CA only. syncFrequency 10s instead of 1m so
  # that ConfigMap changes reach the pods' volumes sooner (real-check
  # measures it); eviction thresholds low so that a full developer disk does
  # not evict the portals.
  cat >"$d/kubelet.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
failCgroupV1: false
cgroupDriver: cgroupfs
containerRuntimeEndpoint: unix://$d/containerd/containerd.sock
address: $REAL_NODE_IP
port: $KUBELET_PORT
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $KUBELET_HEALTHZ_PORT
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: false}
  x509: {clientCAFile: $PKI/ca.crt}
authorization:
  mode: AlwaysAllow
registerWithTaints:
- {key: ozg.dev/real-node, value: "true", effect: NoSchedule}
failSwapOn: false
oomScoreAdj: 0
syncFrequency: 10s
serializeImagePulls: false
maxPods: 30
evictionHard: {memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1%, nodefs.inodesFree: 1%}
imageGCHighThresholdPercent: 99
imageGCLowThresholdPercent: 98
resolvConf: /etc/resolv.conf
podCIDR: $REAL_NODE_POD_CIDR
YAML

  cat >"$d/kube-proxy.yaml" <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: nftables
clientConnection:
  kubeconfig: $d/kube-proxy.kubeconfig
hostnameOverride: $REAL_NODE_NAME
bindAddress: 127.0.0.1
healthzBindAddress: 127.0.0.1:$KUBE_PROXY_HEALTHZ_PORT
metricsBindAddress: 127.0.0.1:$KUBE_PROXY_METRICS_PORT
clusterCIDR: $REAL_NODE_POD_CIDR
YAML
}

pause_tag() { local v; v="$("$NODE_ASSETS/pause" -v 2>&1)"; echo "${v#pause.c }"; }

# The pod sandbox image: no registry here has registry.k8s.io's pause, so
# the one built from the Kubernetes source goes into ours.
push_pause_image() {
  local ref="127.0.0.1:$REGISTRY_PORT/ozg-operator/pause:$(pause_tag)" digest
  digest="$(cd "$REPO" && GOTOOLCHAIN=local go run ./hack/pushbinary --file "$NODE_ASSETS/pause" --entrypoint /pause "$ref")" ||
    die "pushing the pause image to $ref failed"
  log "pushed $ref ($digest)"
}

start_real_node() {
  write_real_node_config
  # The node's address lives on the pods' bridge. The route to the kwok
  # pods' range goes nowhere: nothing on this host may send those addresses
  # out of it (kwok's pod IPs are fake). The Services' range goes to the
  # bridge: a connect() to a blackhole route fails before kube-proxy's
  # DNAT could rewrite the address, and the bridge keeps what kube-proxy
  # does not rewrite on this host.
  ip link add "$REAL_NODE_BRIDGE" type bridge 2>/dev/null || true
  ip addr replace "$REAL_NODE_IP/${REAL_NODE_POD_CIDR#*/}" dev "$REAL_NODE_BRIDGE"
  ip link set "$REAL_NODE_BRIDGE" up
  ip route replace blackhole "$POD_CIDR"
  ip route replace "$SERVICE_CIDR" dev "$REAL_NODE_BRIDGE" src "$REAL_NODE_IP"
  push_pause_image
  start real-node unshare --pid --mount --fork --kill-child=SIGTERM --mount-proc \
    bash "$REPO/hack/real-node.sh" "$NODE_DIR" "$NODE_ASSETS"
  wait_for "node $REAL_NODE_NAME Ready" real_node_ready
}

# clean_real_node: what the node leaves on the host once its namespace is
# gone: the bridge, the blackhole routes, kube-proxy's nftables tables and
# the pods' cgroups.
clean_real_node() {
  [[ -d "$NODE_DIR" ]] || return 0
  ip link del "$REAL_NODE_BRIDGE" 2>/dev/null || true
  ip route del blackhole "$POD_CIDR" 2>/dev/null || true
  ip route del "$SERVICE_CIDR" 2>/dev/null || true
  nft delete table ip kube-proxy 2>/dev/null || true
  nft delete table ip6 kube-proxy 2>/dev/null || true
  local root
  for root in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods; do
    [[ -d "$root" ]] || continue
    find "$root" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
  rm -rf "$NODE_DIR"
  log "real node cleaned up (bridge, routes, nftables, cgroups)"
}

# ---------------------------------------------------------------------------
# Subcommands
# ---------------------------------------------------------------------------

check_prerequisites() {
  local b
  if [[ " ${COMPONENTS[*]} " == *" registry "* ]]; then
    [[ -x "$REGISTRY_BIN" ]] || die "$REGISTRY_BIN is missing; run 'make registry' or set REGISTRY_BIN"
  fi
  if [[ $REAL_NODE == 1 ]]; then
    [[ $(id -u) == 0 ]] || die "REAL_NODE=1 needs root (containerd, runc and the kubelet)"
    for b in kubelet kube-proxy containerd containerd-shim-runc-v2 runc pause cni/bridge cni/host-local cni/loopback; do
      [[ -x "$NODE_ASSETS/$b" ]] || die "$NODE_ASSETS/$b is missing; run 'make node-binaries' or set NODE_ASSETS"
    done
    for b in unshare nft ip pgrep; do
      command -v "$b" >/dev/null || die "'$b' not found (Debian: apt-get install util-linux nftables iproute2 procps)"
    done
  fi
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
  local ports=("$ETCD_PORT" "$ETCD_PEER_PORT" "$APISERVER_PORT" "$KCM_PORT" "$SCHEDULER_PORT" "$KWOK_PORT")
  [[ " ${COMPONENTS[*]} " == *" registry "* ]] && ports+=("$REGISTRY_PORT")
  [[ $REAL_NODE == 1 ]] && ports+=("$KUBELET_HEALTHZ_PORT" "$KUBE_PROXY_HEALTHZ_PORT" "$KUBE_PROXY_METRICS_PORT")
  for port in "${ports[@]}"; do
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

  # --kubelet-preferred-address-types: the real node's name resolves
  # nowhere; logs, exec and port-forward go to its InternalIP.
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
    --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" \
    --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
    --kubelet-preferred-address-types=InternalIP,Hostname \
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

  if [[ " ${COMPONENTS[*]} " == *" registry "* ]]; then start_registry; fi
  if [[ $REAL_NODE == 1 ]]; then start_real_node; fi
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
  rm -rf "$DATA" "$PIDS" "$PKI" "$STATE"/*.kubeconfig "$STATE/kube-scheduler.yaml" "$ADMIN_KUBECONFIG" "$STATE/registry.yml"
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
