#!/usr/bin/env bash
# The test command (README, CI): install, build, typecheck, run every jest suite.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_deps
build_all
echo "==> type-checking the tests (tsconfig.tests.json)"
node_modules/.bin/tsc -p tsconfig.tests.json
echo "==> running tests"
node_modules/.bin/jest --ci "$@"
