#!/usr/bin/env bash
# End-to-end benchmark through the real broker: starts the stack if needed (and stops what it started).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_deps >/dev/null
build_all >/dev/null
started=()
for s in kafka registry; do bash "scripts/stack/$s.sh" status >/dev/null 2>&1 || started+=("$s"); done
trap 'for s in "${started[@]}"; do bash "scripts/stack/$s.sh" stop; done' EXIT
bash scripts/stack.sh up kafka registry
node bench/e2e.mjs "$@"
