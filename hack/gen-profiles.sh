#!/usr/bin/env bash
# Generates the responsibility profiles the project ships (config/profiles)
# from their tables (hack/profiles/<land>/services.csv) with ozgctl's own
# importer, so that a provider can check a changed table the same way.
set -euo pipefail
cd "$(dirname "$0")/.."

mkdir -p config/profiles
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
go run ./cmd/ozgctl import profile --strict --file hack/profiles/nrw/services.csv \
  --name nrw --land Nordrhein-Westfalen -o yaml >"$tmp"
chmod 644 "$tmp"
mv "$tmp" config/profiles/nrw.yaml
