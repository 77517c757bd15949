#!/usr/bin/env bash
# Runs the benchmarks (Go benchmarks behind the `bench` build tag) against a
# real kube-apiserver and etcd, once each (they report ratios measured in the
# same run, see each benchmark's doc comment), and keeps the output in
# bin/bench/results.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${KUBEBUILDER_ASSETS:?set KUBEBUILDER_ASSETS (make bench does)}"
mkdir -p bin/bench
BENCH="${BENCH:-.}"
# -p 1: one package at a time, so that no benchmark shares the machine with
# another and the ratios each reports stay comparable.
go test -p 1 -tags bench -run '^$' -bench "$BENCH" -benchtime 1x -timeout 90m ./... 2>&1 | tee bin/bench/results.txt
