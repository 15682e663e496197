#!/usr/bin/env bash
# Smoke test with redis-cli: SET, GET, kill -9 the server, restart it on the
# same data dir and port, and GET the value back.
#   tests/integration/smoke_cli.sh path/to/cairn
set -euo pipefail

BINARY=$(realpath "${1:?usage: smoke_cli.sh path/to/cairn}")
TMP=$(mktemp -d -t cairn-smoke-XXXXXX)
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
PID=

cleanup() {
  if [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$PID" 2>/dev/null || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  echo "--- server log ---" >&2
  cat "$TMP/server.log" >&2 || true
  exit 1
}

start() {
  "$BINARY" serve --data-dir "$TMP/data" --port "$PORT" --bind 127.0.0.1 --http-port 0 --fsync always \
    >>"$TMP/server.log" 2>&1 &
  PID=$!
  for _ in $(seq 200); do
    [[ "$(redis-cli -h 127.0.0.1 -p "$PORT" PING 2>/dev/null)" == PONG ]] && return 0
    kill -0 "$PID" 2>/dev/null || fail "server exited during start-up"
    sleep 0.1
  done
  fail "server did not answer PING within 20 s"
}

expect() {  # expect WANT redis-cli-args...
  local want=$1 got
  shift
  got=$(redis-cli -h 127.0.0.1 -p "$PORT" "$@" 2>&1) || fail "redis-cli $* exited non-zero: $got"
  [[ "$got" == "$want" ]] || fail "redis-cli $*: expected '$want', got '$got'"
  echo "ok: $* -> $got"
}

start
expect OK SET greeting world
expect world GET greeting

kill -KILL "$PID"
wait "$PID" 2>/dev/null || true
PID=
echo "ok: killed with SIGKILL, restarting"

start
expect world GET greeting
echo "PASS"
