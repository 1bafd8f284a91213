#!/usr/bin/env bash
# The main job (README): build, then run the end-to-end example.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_deps >/dev/null
build_all >/dev/null
node examples/dist/run-avro-quickstart.js
