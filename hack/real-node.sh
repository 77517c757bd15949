#!/usr/bin/env bash
# One real node of the dev cluster: containerd (with runc and the CNI bridge),
# kubelet and kube-proxy. hack/dev-cluster.sh runs this script as PID 1 of a
# pid and mount namespace of its own (unshare --pid --mount --fork), so that
# stopping it ends every process it started, shims and containers included,
# and every mount it made (overlay rootfs, volumes, network namespaces)
# disappears with the namespace. The network namespace is the host's: the
# kubelet reaches the API server on 127.0.0.1, and the host reaches the pods
# through the bridge.
#
#   hack/real-node.sh NODE_DIR BIN_DIR    (all configuration is in NODE_DIR,
#                                          written by hack/dev-cluster.sh)
set -euo pipefail

NODE_DIR="$1"
BIN="$2"
export PATH="$BIN:$PATH" # containerd finds containerd-shim-runc-v2 on PATH

log() { printf '[real-node] %s\n' "$*" >&2; }

# The kernel gives a pid namespace's init only the signals it handles.
pids=()
stopping=false
stop_node() {
  stopping=true
  # The kubelet and kube-proxy first, so that nothing restarts containers
  # while containerd goes; the namespace's end kills what is left.
  local pid
  for pid in "${pids[@]:1}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]:1}"; do wait "$pid" 2>/dev/null || true; done
  kill -TERM "${pids[0]}" 2>/dev/null || true
  wait "${pids[0]}" 2>/dev/null || true
  log "stopped"
  exit 0
}
trap stop_node TERM INT

# containerd pins each pod's network namespace under /run/netns; a tmpfs of
# this namespace's own keeps them off the host.
mkdir -p /run/netns
mount -t tmpfs tmpfs /run/netns

containerd --config "$NODE_DIR/containerd.toml" >>"$NODE_DIR/logs/containerd.log" 2>&1 &
pids+=($!)
for ((i = 0; i < 300; i++)); do
  [[ -S "$NODE_DIR/containerd/containerd.sock" ]] && break
  kill -0 "${pids[0]}" 2>/dev/null || { log "containerd exited (logs/containerd.log)"; exit 1; }
  sleep 0.1
done
[[ -S "$NODE_DIR/containerd/containerd.sock" ]] || { log "containerd did not open its socket"; exit 1; }
log "containerd is up"

kubelet --config="$NODE_DIR/kubelet.yaml" \
  --kubeconfig="$NODE_DIR/kubelet.kubeconfig" \
  --root-dir="$NODE_DIR/kubelet" \
  --cert-dir="$NODE_DIR/kubelet-pki" \
  --hostname-override="$(<"$NODE_DIR/node-name")" \
  --node-ip="$(<"$NODE_DIR/node-ip")" \
  --node-labels=ozg.dev/node=real \
  >>"$NODE_DIR/logs/kubelet.log" 2>&1 &
pids+=($!)

if [[ -f "$NODE_DIR/kube-proxy.yaml" ]]; then
  kube-proxy --config="$NODE_DIR/kube-proxy.yaml" >>"$NODE_DIR/logs/kube-proxy.log" 2>&1 &
  pids+=($!)
fi
log "kubelet and kube-proxy started"

# Any of them exiting ends the node: dev-cluster.sh sees it dead and says so.
set +e
wait -n "${pids[@]}"
rc=$?
[[ $stopping == true ]] || { log "a node process exited ($rc); stopping the node"; stop_node; }
