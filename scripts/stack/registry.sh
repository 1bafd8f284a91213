#!/usr/bin/env bash
# The Confluent-compatible Schema Registry + DEK Registry (the project's own server, in memory:
# state is lost on stop). Port: CSFLE_REGISTRY_PORT (default 18081).
SERVICE=registry
source "$(dirname "$0")/lib.sh"
PORT=${CSFLE_REGISTRY_PORT:-18081}

do_install() {
  if [ ! -f "$STACK_ROOT/packages/registry/dist/server.js" ] || [ ! -f "$STACK_ROOT/packages/core/dist/index.js" ]; then
    log "building @csfle/registry (tsc -b)"
    (cd "$STACK_ROOT" && node_modules/.bin/tsc -b packages/registry/tsconfig.json)
  fi
}
do_start() {
  port_free "$PORT" || { log "port $PORT is taken by another process"; return 1; }
  start_bg registry node "$STACK_ROOT/scripts/registry-server.mjs" --host 127.0.0.1 --port "$PORT"
  wait_tcp 127.0.0.1 "$PORT" 30 registry
}
do_env() { echo "CSFLE_REGISTRY_URL=http://127.0.0.1:$PORT"; }
dispatch "$@"
