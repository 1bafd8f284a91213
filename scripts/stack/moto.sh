#!/usr/bin/env bash
# AWS KMS emulator: moto's server mode (PyPI `moto[server]`), in a venv under .cache/.
# Port: CSFLE_MOTO_PORT (default 14566). Keys live in memory and vanish on stop.
SERVICE=moto
source "$(dirname "$0")/lib.sh"
PORT=${CSFLE_MOTO_PORT:-14566}
MOTO_VERSION=${CSFLE_MOTO_VERSION:-5.2.5}
VENV="$CACHE_DIR/moto-$MOTO_VERSION-venv"

do_install() {
  if [ -x "$VENV/bin/moto_server" ]; then return 0; fi
  log "installing moto[server]==$MOTO_VERSION into $VENV (first run only)"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "moto[server]==$MOTO_VERSION" >&2
}
do_start() {
  port_free "$PORT" || { log "port $PORT is taken by another process"; return 1; }
  start_bg moto "$VENV/bin/moto_server" -H 127.0.0.1 -p "$PORT"
  wait_tcp 127.0.0.1 "$PORT" 60 moto
}
do_env() { echo "CSFLE_MOTO_URL=http://127.0.0.1:$PORT"; }
dispatch "$@"
