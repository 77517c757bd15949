#!/usr/bin/env bash
# Runs the benchmarks (Go benchmarks behind the `bench` build tag) against a
# real kube-apiserver and etcd, once each (they report ratios measured in the
# same run, see each benchmark's doc comment), then the API server outage
# scenario of the fault suite, which measures how soon the manager recovers.
# The text output goes to bin/bench/results.txt, the headline figures to
# bin/bench/summary.json (internal/testsupport/benchsummary; a run with
# BENCH=... replaces only the sections it measures).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${KUBEBUILDER_ASSETS:?set KUBEBUILDER_ASSETS (make bench does)}"
mkdir -p bin/bench
BENCH="${BENCH:-.}"
export OZG_BENCH_SUMMARY="$PWD/bin/bench/summary.json"
# -p 1: one package at a time, so that no benchmark shares the machine with
# another and the ratios each reports stay comparable.
go test -p 1 -tags bench -run '^$' -bench "$BENCH" -benchtime 1x -timeout 90m ./... 2>&1 | tee bin/bench/results.txt
if [ "$BENCH" = . ] || [ "${BENCH_OUTAGE:-}" = 1 ]; then
  go test -count 1 -run TestFaults ./test/faults/ -args -ginkgo.focus='API server outage' -ginkgo.v 2>&1 |
    tee -a bin/bench/results.txt
fi
echo "summary: bin/bench/summary.json"
cat bin/bench/summary.json
