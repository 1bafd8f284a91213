#!/usr/bin/env bash
# The main job (README): install, build, start the local stack (a real Kafka broker and the
# Schema Registry + DEK Registry), run the end-to-end demo, and stop what this script started.
# CSFLE_KEEP_STACK=1 leaves the stack running.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_deps >/dev/null
build_all >/dev/null

started=()
for s in kafka registry; do
  if ! bash "scripts/stack/$s.sh" status >/dev/null 2>&1; then started+=("$s"); fi
done
cleanup() {
  if [ "${CSFLE_KEEP_STACK:-0}" != 1 ]; then
    for s in "${started[@]}"; do bash "scripts/stack/$s.sh" stop; done
  fi
}
trap cleanup EXIT

echo "==> starting the local stack (first run downloads Kafka from Maven Central; later runs take seconds)"
eval "$(bash scripts/stack.sh env kafka registry | sed 's/^/export /')"
bash scripts/stack.sh up kafka registry
echo "    Kafka ${CSFLE_KAFKA_BROKERS} · Schema Registry + DEK Registry ${CSFLE_REGISTRY_URL} · KMS local-kms"
echo
node examples/dist/kafka/run-demo.js
