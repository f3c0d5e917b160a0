#!/usr/bin/env bash
# A real Dask cluster on 127.0.0.1 for the ensemble tests: one `dask scheduler` and N
# `dask worker` processes (each a nanny with one single-threaded worker process).
#
#   scripts/dask-cluster.sh start [--dir DIR] [--port PORT] [--workers N]
#       starts the cluster, waits until every worker has joined, and prints the scheduler
#       address (tcp://127.0.0.1:PORT) as its last line of output.
#   scripts/dask-cluster.sh stop [--dir DIR]     stops what `start` started (by its pid files)
#   scripts/dask-cluster.sh status [--dir DIR]   address and live pids
#
# DIR (default $SIDEDOOR_DASK_DIR or ${TMPDIR:-/tmp}/sidedoor-dask) holds pid files, logs and
# scheduler.json. PORT 0 (default) lets the scheduler pick a free port. Everything listens on
# 127.0.0.1 only. Each process runs in its own process group (setsid), so `stop` ends exactly
# the processes `start` began - a nanny and the worker it spawned - and nothing else.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY="${SIDEDOOR_PYTHON:-$ROOT/.venv/bin/python}"
[ -x "$PY" ] || PY="$(command -v python3)"
DIR="${SIDEDOOR_DASK_DIR:-${TMPDIR:-/tmp}/sidedoor-dask}"
PORT=0
WORKERS=2
ACTION="${1:-}"
shift || true
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) DIR="$2"; shift 2 ;;
    --port) PORT="$2"; shift 2 ;;
    --workers) WORKERS="$2"; shift 2 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

address() {
  "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["address"])' "$DIR/scheduler.json"
}

alive() { kill -0 "$1" 2>/dev/null; }

stop_all() {
  local pidfile pid i
  for pidfile in "$DIR"/worker-*.pid "$DIR"/scheduler.pid; do
    [ -f "$pidfile" ] || continue
    pid="$(cat "$pidfile")"
    if alive "$pid"; then
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
      for i in $(seq 1 50); do alive "$pid" || break; sleep 0.2; done
      if alive "$pid"; then kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; fi
    fi
    # the group may outlive its leader (a worker whose nanny died): end it too
    kill -KILL -- "-$pid" 2>/dev/null || true
    rm -f "$pidfile"
  done
  rm -f "$DIR/scheduler.json"
}

case "$ACTION" in
  start)
    mkdir -p "$DIR"
    stop_all  # never two clusters on one directory
    export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 NUMBA_NUM_THREADS=1
    # no statistical profiler in the workers: its 10 ms stack samples slow the engine 3-10%
    export DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False
    setsid "$PY" -m distributed.cli.dask_scheduler --host 127.0.0.1 --port "$PORT" \
      --dashboard-address 127.0.0.1:0 --scheduler-file "$DIR/scheduler.json" \
      >"$DIR/scheduler.log" 2>&1 </dev/null &
    echo $! >"$DIR/scheduler.pid"
    for i in $(seq 1 300); do
      [ -s "$DIR/scheduler.json" ] && break
      alive "$(cat "$DIR/scheduler.pid")" || { cat "$DIR/scheduler.log" >&2; exit 1; }
      sleep 0.1
    done
    [ -s "$DIR/scheduler.json" ] || { echo "scheduler did not start" >&2; stop_all; exit 1; }
    for w in $(seq 1 "$WORKERS"); do
      setsid "$PY" -m distributed.cli.dask_worker --scheduler-file "$DIR/scheduler.json" \
        --host 127.0.0.1 --nworkers 1 --nthreads 1 --name "worker-$w" --no-dashboard --dashboard-address 127.0.0.1:0 \
        --local-directory "$DIR/worker-$w" --death-timeout 60 \
        >"$DIR/worker-$w.log" 2>&1 </dev/null &
      echo $! >"$DIR/worker-$w.pid"
    done
    if ! "$PY" -c 'import sys
from distributed import Client
with Client(scheduler_file=sys.argv[1], timeout="60s") as c:
    c.wait_for_workers(int(sys.argv[2]), timeout=120)' "$DIR/scheduler.json" "$WORKERS"; then
      echo "workers did not join; logs in $DIR" >&2
      stop_all
      exit 1
    fi
    echo "dask cluster: $WORKERS workers, logs and pid files in $DIR"
    address
    ;;
  stop)
    stop_all
    echo "dask cluster in $DIR stopped"
    ;;
  status)
    if [ -s "$DIR/scheduler.json" ]; then address; else echo "no scheduler in $DIR"; fi
    for pidfile in "$DIR"/*.pid; do
      [ -f "$pidfile" ] || continue
      pid="$(cat "$pidfile")"
      if alive "$pid"; then echo "$(basename "$pidfile" .pid) $pid running"; else echo "$(basename "$pidfile" .pid) $pid dead"; fi
    done
    ;;
  *)
    echo "usage: $0 start|stop|status [--dir DIR] [--port PORT] [--workers N]" >&2
    exit 2
    ;;
esac
