#!/usr/bin/env bash
# Checks the Helm chart (charts/ozg-operator) and its kustomize equivalent
# (config/default), offline and, given a cluster, against a real API server.
#
#   hack/check-chart.sh [KUBECONFIG]
#
# Offline:
#   - the chart's files/ and CRD table match config/ (sync-chart.sh --check)
#   - every value in values.yaml has a "# --" comment and a row in README.md
#   - helm lint --strict and helm template, with the default values and with
#     each values file in test/chart/; values.schema.json refuses each file of
#     test/chart/bad/ with the message its "# expect:" line names
#   - kubectl kustomize config/default and config/samples
# With a kubeconfig (the argument, else $KUBECONFIG):
#   - installs the CRDs for real (kubectl apply --server-side), as the CRs
#     need them; nothing else is persisted
#   - creates the namespace $CHECK_NAMESPACE (default ozg-chart-check-<random>),
#     labelled to enforce the "restricted" Pod Security Standard, and deletes
#     it again at the end
#   - kubectl apply --dry-run=server of every rendering of the chart, of
#     config/default (re-targeted to that namespace) and of config/samples;
#     a PodSecurity warning fails the check
#   - the manager's pod template, as a Pod, is dry-run created in that
#     namespace, so that the restricted standard is enforced, not only warned
#
# HELM and KUBECTL select the binaries (default bin/helm, bin/k8s/kubectl:
# `make helm kube-binaries`).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
HELM="${HELM:-$REPO/bin/helm}"
KUBECTL="${KUBECTL:-$REPO/bin/k8s/kubectl}"
CHART=charts/ozg-operator
# A fresh namespace per run: the previous run's may still be terminating.
NS="${CHECK_NAMESPACE:-ozg-chart-check-$RANDOM}"
RELEASE=ozg-operator
KUBECONFIG_ARG="${1:-${KUBECONFIG:-}}"

log() { printf '[check-chart] %s\n' "$*" >&2; }
fail() { printf '[check-chart] FAIL: %s\n' "$*" >&2; exit 1; }

for tool in "$HELM" "$KUBECTL"; do
  [ -x "$tool" ] || fail "$tool not found (make helm kube-binaries)"
done

# Scratch space inside bin/ (git-ignored), so that the kustomize overlay
# below can refer to config/default by a relative path.
mkdir -p "$REPO/bin"
TMP="$(mktemp -d "$REPO/bin/.check-chart.XXXXXX")"
CREATED_NS=""
cleanup() {
  if [ -n "$CREATED_NS" ]; then
    "$KUBECTL" delete namespace "$CREATED_NS" --wait=false >/dev/null 2>&1 || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

# --- offline -------------------------------------------------------------------

hack/sync-chart.sh --check
log "ok: the chart's files/ and README CRD table are in sync with config/"

# documented_values prints "path<TAB>default" for every value with a "# --"
# comment, and "UNDOCUMENTED<TAB>path" for a value without one on itself or
# on an enclosing map.
documented_values() {
  awk '
    function indent(s) { match(s, /^ */); return RLENGTH }
    /^[ ]*# -- / { pending = 1; next }
    /^[ ]*#/ || /^[ ]*$/ || /^[ ]*- / { next }
    /^[ ]*[A-Za-z0-9_]+:/ {
      n = indent($0)
      while (depth > 0 && ind[depth] >= n) depth--
      key = $0; sub(/^ */, "", key); val = key; sub(/:.*/, "", key); sub(/^[^:]*: ?/, "", val)
      depth++; ind[depth] = n; name[depth] = key
      path = name[1]; for (i = 2; i <= depth; i++) path = path "." name[i]
      documented[depth] = pending
      if (pending) { print path "\t" val; pending = 0 }
      else if (val != "") {
        ok = 0; for (i = 1; i < depth; i++) if (documented[i]) ok = 1
        if (!ok) print "UNDOCUMENTED\t" path
      }
    }' "$CHART/values.yaml"
}
undocumented=0
while IFS=$'\t' read -r path _; do
  if [ "$path" = UNDOCUMENTED ]; then
    log "values.yaml: $_ has no '# --' comment"; undocumented=1
  elif ! grep -qF "| \`$path\` |" "$CHART/README.md"; then
    log "README.md: no row for value $path"; undocumented=1
  fi
done < <(documented_values)
[ "$undocumented" = 0 ] || fail "document every value in values.yaml and README.md"
log "ok: $(documented_values | wc -l) values documented in values.yaml and README.md"

# Value sets: the defaults plus test/chart/*.yaml.
value_sets=(default)
for f in test/chart/*.yaml; do [ -e "$f" ] && value_sets+=("$f"); done
for set in "${value_sets[@]}"; do
  args=()
  [ "$set" = default ] || args=(-f "$set")
  out="$TMP/chart-$(basename "$set" .yaml).yaml"
  if ! lint="$("$HELM" lint --strict "$CHART" "${args[@]}" 2>&1)"; then
    printf '%s\n' "$lint" >&2; fail "helm lint ($set)"
  fi
  "$HELM" template "$RELEASE" "$CHART" --namespace "$NS" "${args[@]}" >"$out" ||
    fail "helm template ($set)"
  log "ok: helm lint --strict and helm template ($set): $(grep -c '^kind:' "$out") objects"
done

# Value sets whose kinds a bare cluster lacks (the Prometheus Operator's):
# linted and rendered only.
for f in test/chart/offline/*.yaml; do
  if ! lint="$("$HELM" lint --strict "$CHART" -f "$f" 2>&1)"; then
    printf '%s\n' "$lint" >&2; fail "helm lint ($f)"
  fi
  out="$TMP/chart-offline-$(basename "$f" .yaml).yaml"
  "$HELM" template "$RELEASE" "$CHART" --namespace "$NS" -f "$f" >"$out" || fail "helm template ($f)"
  for kind in ServiceMonitor PodMonitor PrometheusRule; do
    grep -q "^kind: $kind$" "$out" || fail "helm template ($f) rendered no $kind"
  done
  grep -q '"uid": "ozg-operator-overview"' "$out" || fail "helm template ($f) rendered no Grafana dashboard"
  # The manager's series carry the object's namespace label (the alerts
  # name it); the ServiceMonitor must keep it.
  grep -q 'honorLabels: true' "$out" || fail "helm template ($f): the ServiceMonitor does not honor the manager's namespace label"
  log "ok: helm lint --strict and helm template ($f): $(grep -c '^kind:' "$out") objects"
done

# Prometheus's role comes with the secure metrics, not with the roles for
# people: it is there without them.
out="$TMP/chart-no-roles.yaml"
"$HELM" template "$RELEASE" "$CHART" --namespace "$NS" --set tenancy.roles=false >"$out" || fail "helm template (tenancy.roles=false)"
grep -q -- '-metrics-reader$' "$out" || fail "helm template (tenancy.roles=false) rendered no metrics-reader ClusterRole for metrics.secure"
log "ok: the metrics-reader ClusterRole without tenancy.roles"

# Bad values: values.schema.json refuses each file of test/chart/bad/ with
# the message its "# expect:" line names.
for f in test/chart/bad/*.yaml; do
  want="$(sed -n 's/^# expect: //p' "$f")"
  [ -n "$want" ] || fail "$f has no '# expect:' line"
  if lint="$("$HELM" lint --strict "$CHART" -f "$f" 2>&1)"; then
    fail "helm lint accepted $f"
  fi
  case "$lint" in
    *"$want"*) ;;
    *) printf '%s
' "$lint" >&2; fail "helm lint refused $f, but not with: $want" ;;
  esac
done
log "ok: values.schema.json refuses the bad values of test/chart/bad/ with their messages"

# CRDs: the defaults render every CRD of config/crd/bases, kept on
# uninstall; crds.keep=false drops the annotation, crds.enabled=false the
# CRDs. The server-side apply below installs the rendered ones.
want_crds="$(cat config/crd/bases/*.yaml | grep -c '^kind: CustomResourceDefinition$')"
"$HELM" template "$RELEASE" "$CHART" --namespace "$NS" --show-only templates/crds.yaml >"$TMP/crds.yaml" ||
  fail "helm template (CRDs)"
[ "$(grep -c '^kind: CustomResourceDefinition$' "$TMP/crds.yaml")" = "$want_crds" ] ||
  fail "the chart renders $(grep -c '^kind: CustomResourceDefinition$' "$TMP/crds.yaml") CRDs, config/crd/bases has $want_crds"
[ "$(grep -c 'helm.sh/resource-policy: keep' "$TMP/crds.yaml")" = "$want_crds" ] || fail "not every CRD is kept (crds.keep)"
"$HELM" template "$RELEASE" "$CHART" --namespace "$NS" --set crds.keep=false --show-only templates/crds.yaml >"$TMP/crds-nokeep.yaml" ||
  fail "helm template (crds.keep=false)"
! grep -q 'helm.sh/resource-policy' "$TMP/crds-nokeep.yaml" || fail "crds.keep=false still keeps the CRDs"
"$HELM" template "$RELEASE" "$CHART" --namespace "$NS" --set crds.enabled=false >"$TMP/chart-nocrds.yaml" ||
  fail "helm template (crds.enabled=false)"
! grep -q '^kind: CustomResourceDefinition$' "$TMP/chart-nocrds.yaml" || fail "crds.enabled=false still renders CRDs"
log "ok: the chart renders the $want_crds CRDs (kept on uninstall; crds.keep and crds.enabled turn that off)"

"$KUBECTL" kustomize config/default >"$TMP/kustomize-default.yaml" || fail "kubectl kustomize config/default"
log "ok: kubectl kustomize config/default: $(grep -c '^kind:' "$TMP/kustomize-default.yaml") objects"
"$KUBECTL" kustomize config/samples >"$TMP/samples.yaml" || fail "kubectl kustomize config/samples"
log "ok: kubectl kustomize config/samples: $(grep -c '^kind:' "$TMP/samples.yaml") objects"

if [ -z "$KUBECONFIG_ARG" ]; then
  log "no kubeconfig given: skipped the server-side dry runs"
  exit 0
fi

# --- against a cluster ---------------------------------------------------------

export KUBECONFIG="$KUBECONFIG_ARG"
k() { "$KUBECTL" "$@"; }
k version >/dev/null || fail "cannot reach the cluster of $KUBECONFIG"
log "cluster: $(k config current-context 2>/dev/null || echo '?') ($(k version -o json | sed -n 's/.*"gitVersion": "\(.*\)".*/\1/p' | tail -1))"

# dry_run NAME ARGS...: kubectl apply --server-side --dry-run=server ARGS
# (server-side, like `kubectl apply --server-side -k` or Helm 4); fails on errors
# and on PodSecurity warnings ("would violate PodSecurity"). Conflicts are
# forced: on a cluster where ozgctl or the demo already applied the same
# objects (the samples name real administrations), a dry run must still
# validate them, and it changes nothing.
dry_run() {
  local name="$1" out; shift
  if ! out="$(k apply --dry-run=server --server-side --force-conflicts --field-manager=ozg-operator-check "$@" 2>&1)"; then
    printf '%s\n' "$out" >&2; fail "dry run of $name"
  fi
  if grep -q 'PodSecurity' <<<"$out"; then
    printf '%s\n' "$out" >&2; fail "$name violates the restricted Pod Security Standard"
  fi
  log "ok: kubectl apply --dry-run=server ($name): $(grep -c . <<<"$out") objects"
}

# pod_check NAME FILE: the pod template of the Deployment in FILE, as a Pod,
# dry-run created in the restricted namespace (the enforce check, which a
# Deployment only gets as a warning).
pod_check() {
  local name="$1" file="$2" spec sa out
  spec="$(k create --dry-run=client -f "$file" -o jsonpath='{.kind} {.spec.template.spec}{"\n"}' |
    sed -n 's/^Deployment //p')" ||
    fail "no Deployment in $name"
  [ -n "$spec" ] || fail "no Deployment in $name"
  # The ServiceAccount admission plugin wants the pod's ServiceAccount to
  # exist; create it in the (throwaway) check namespace.
  sa="$(k create --dry-run=client -f "$file" -o jsonpath='{.kind} {.spec.template.spec.serviceAccountName}{"\n"}' |
    sed -n 's/^Deployment //p')"
  if [ -n "$sa" ] && ! k -n "$NS" get serviceaccount "$sa" >/dev/null 2>&1; then
    k -n "$NS" create serviceaccount "$sa" >/dev/null
  fi
  if ! out="$(printf '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"ozg-operator-pss-check","namespace":"%s"},"spec":%s}' "$NS" "$spec" |
    k create --dry-run=server -f - 2>&1)"; then
    printf '%s\n' "$out" >&2; fail "the manager pod of $name is rejected in namespace $NS (pod-security.kubernetes.io/enforce=restricted)"
  fi
  log "ok: manager pod of $name admitted under enforce=restricted"
}

# CRDs for real, as the chart renders them (a value the template's YAML
# round trip mangled would fail here): the dry runs of the samples need
# the kinds to exist.
k apply --server-side --force-conflicts --field-manager=ozg-operator-install -f "$TMP/crds.yaml" >/dev/null || fail "installing the chart's CRDs"
k wait --for=condition=Established --timeout=60s -f "$TMP/crds.yaml" >/dev/null || fail "CRDs not Established"
log "ok: the chart's CRDs installed (kubectl apply --server-side)"

# The check namespace; reuse one left by an interrupted run, never another.
if k get namespace "$NS" >/dev/null 2>&1; then
  [ "$(k get namespace "$NS" -o jsonpath='{.metadata.labels.ozg\.dev/check-chart}')" = true ] ||
    fail "namespace $NS exists and is not ours; set CHECK_NAMESPACE"
  if [ "$(k get namespace "$NS" -o jsonpath='{.status.phase}')" = Terminating ]; then
    k wait --for=delete "namespace/$NS" --timeout=60s >/dev/null 2>&1 ||
      fail "namespace $NS is still terminating; set another CHECK_NAMESPACE"
    k create namespace "$NS" >/dev/null
  fi
else
  k create namespace "$NS" >/dev/null
fi
CREATED_NS="$NS"
k label --overwrite namespace "$NS" ozg.dev/check-chart=true \
  pod-security.kubernetes.io/enforce=restricted pod-security.kubernetes.io/enforce-version=latest \
  pod-security.kubernetes.io/warn=restricted pod-security.kubernetes.io/warn-version=latest >/dev/null
log "ok: namespace $NS enforces the restricted Pod Security Standard"

for set in "${value_sets[@]}"; do
  file="$TMP/chart-$(basename "$set" .yaml).yaml"
  dry_run "chart, $set" -f "$file"
  pod_check "chart, $set" "$file"
done

# config/default, with its namespace (ozg-system) replaced by the check
# namespace: a dry run cannot create objects in a namespace that does not exist.
mkdir -p "$TMP/overlay"
cat >"$TMP/overlay/kustomization.yaml" <<EOF
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: $NS
resources:
  - ../../../config/default
EOF
k kustomize "$TMP/overlay" >"$TMP/kustomize-check.yaml" || fail "kubectl kustomize config/default (overlay)"
dry_run "config/default" -f "$TMP/kustomize-check.yaml"
pod_check "config/default" "$TMP/kustomize-check.yaml"

dry_run "config/samples" -n "$NS" -f "$TMP/samples.yaml"

log "all checks passed"
