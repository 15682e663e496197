#!/usr/bin/env bash
# Runs real, unmodified npm Redis client libraries (ioredis, node-redis v4,
# redlock, rate-limiter-flexible, connect-redis + express-session) against
# Cairn's RESP port (redis_clients.test.mjs).
#   tests/redis-clients/run_redis_clients.sh path/to/cairn [suite.test.mjs [timeout-ms]]
# The suite defaults to redis_clients.test.mjs here; another one (e.g.
# tests/bullmq/bullmq.test.mjs) brings its own package.json and lock file
# in its directory. node --test applies the timeout (default 60000) to the
# whole file as well as to each test in it.
# Installs the pinned clients from package-lock.json (npm ci) when
# node_modules is missing or older than the lock file, picks a free loopback
# port and a temporary data dir, and runs `node --test`. The test itself
# starts the binary (CAIRN_BINARY) as
#   cairn serve --data-dir "$CAIRN_DATA_DIR" --port "$CAIRN_PORT" \
#     --bind 127.0.0.1 --http-port 0 --fsync always
# waits until `redis-cli -p PORT ping` answers PONG, and kills -9 and
# restarts it on the same data dir and port to check that locks and sessions
# survive a crash; it writes the PID of the server it runs to
# $CAIRN_PID_FILE, so whatever is still running at the end is stopped here,
# by that PID. The exit status is the test's.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BINARY=$(realpath "${1:?usage: run_redis_clients.sh path/to/cairn [suite.test.mjs [timeout-ms]]}")
SUITE=$(realpath "${2:-$HERE/redis_clients.test.mjs}")
PACKAGE=$(dirname "$SUITE")
TIMEOUT_MS=${3:-60000}

for tool in node npm redis-cli; do
  command -v "$tool" >/dev/null ||
    { echo "run_redis_clients.sh: '$tool' not found (bash scripts/install-deps.sh installs it)" >&2; exit 1; }
done

if [[ ! -d "$PACKAGE/node_modules" || "$PACKAGE/package-lock.json" -nt "$PACKAGE/node_modules" ]]; then
  echo "run_redis_clients.sh: npm ci in $PACKAGE" >&2
  (cd "$PACKAGE" && npm ci --no-audit --no-fund)
  touch "$PACKAGE/node_modules"  # npm ci may leave the directory's mtime older than the lock file
fi

TMP=$(mktemp -d -t cairn-redis-clients-XXXXXX)
STATUS=1

# Stops the server the test left running (if any): the PID it last wrote, and
# only while that PID is still our binary (not a reused PID).
stop_server() {
  local pid
  pid=$(cat "$TMP/cairn.pid" 2>/dev/null) || return 0
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  [[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" == "$BINARY" ]] || return 0
  echo "run_redis_clients.sh: stopping cairn (pid $pid) left running by the test" >&2
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  trap '' PIPE  # stdout/stderr may be a closed pipe (| head): still stop the server and clean up
  stop_server
  if [[ "$STATUS" -ne 0 ]]; then
    { echo "--- cairn log (last 100 lines) ---"; tail -n 100 "$TMP/server.log"; } >&2 || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

RESP_PORT=$(/usr/bin/python3 -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')

export CAIRN_BINARY="$BINARY"
export CAIRN_DATA_DIR="$TMP/data"
export CAIRN_PORT="$RESP_PORT"
export CAIRN_LOG="$TMP/server.log"
export CAIRN_PID_FILE="$TMP/cairn.pid"

set +e
node --test --test-timeout="$TIMEOUT_MS" "$SUITE"
STATUS=$?
set -e
exit "$STATUS"
