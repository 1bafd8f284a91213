#!/usr/bin/env bash
# Installs the conformance peers into .cache/ (git-ignored, reused): Confluent's Python client from
# PyPI in a venv. Confluent's JS client comes with the workspace (test/package.json).
# Prints KEY=VALUE lines for the harness.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
PY_VERSION=${CSFLE_PEER_PY_VERSION:-2.16.1}
VENV="$ROOT/.cache/peer-py-$PY_VERSION"
mkdir -p "$ROOT/.cache" "$ROOT/.run"
exec 9>"$ROOT/.run/peer-py.lock"
flock -w 600 9
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import confluent_kafka' 2>/dev/null; then
  echo "[conformance] installing confluent-kafka[avro,json,protobuf,rules]==$PY_VERSION into $VENV (first run only)" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "confluent-kafka[avro,json,protobuf,rules]==$PY_VERSION" >&2
fi
echo "CSFLE_PEER_PYTHON=$VENV/bin/python"

# Go: confluent-kafka-go/v2 (cgo; librdkafka is bundled in the module), built once into .cache/.
GO_VERSION_TAG=$(grep -Eo 'github.com/confluentinc/confluent-kafka-go/v2 v[^ ]+' "$ROOT/test/conformance/peers/go/go.mod" | head -n 1 | cut -d' ' -f2)
GO_BIN="$ROOT/.cache/gopeer-$GO_VERSION_TAG"
if [ ! -x "$GO_BIN" ]; then
  if command -v go >/dev/null 2>&1; then
    echo "[conformance] building the Go peer (confluent-kafka-go/v2 $GO_VERSION_TAG) into $GO_BIN (first run only)" >&2
    (cd "$ROOT/test/conformance/peers/go" && CGO_ENABLED=1 GOFLAGS=-mod=readonly go build -o "$GO_BIN" . >&2)
  else
    echo "[conformance] go not found: no Go peer" >&2
  fi
fi
[ -x "$GO_BIN" ] && echo "CSFLE_PEER_GO=$GO_BIN"
exit 0
