#!/usr/bin/env bash
# The local stack: bash scripts/stack.sh up|down|status|install [service...]
# Services: kafka registry moto vault (see scripts/stack/<service>.sh).
# Default for up/down/status: kafka registry (what the demo needs); "all" for every service.
set -euo pipefail
cd "$(dirname "$0")/.."
ALL=(kafka registry moto vault)
cmd=${1:-status}; shift || true
services=("$@")
[ ${#services[@]} -eq 0 ] && services=(kafka registry)
[ "${services[0]}" = all ] && services=("${ALL[@]}")
case "$cmd" in
  up) for s in "${services[@]}"; do bash "scripts/stack/$s.sh" start >/dev/null; done ;;
  down) for s in "${services[@]}"; do bash "scripts/stack/$s.sh" stop; done ;;
  install) for s in "${services[@]}"; do bash "scripts/stack/$s.sh" install; done ;;
  status) rc=0; for s in "${services[@]}"; do bash "scripts/stack/$s.sh" status || rc=1; done; exit $rc ;;
  env) for s in "${services[@]}"; do bash "scripts/stack/$s.sh" env; done ;;
  *) echo "usage: $0 up|down|status|install|env [service...|all]" >&2; exit 2 ;;
esac
