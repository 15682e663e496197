#!/usr/bin/env bash
# Runs the real npm clients @upstash/redis and @vercel/kv against Cairn's
# Upstash-compatible REST endpoint (upstash_clients.test.mjs).
#   tests/http/run_upstash_clients.sh path/to/cairn
# Installs the pinned clients from package-lock.json (npm ci) when
# node_modules is missing or older than the lock file, starts Cairn on two
# free loopback ports with a temporary data dir, waits for GET /healthz, and
# runs `node --test`. The exit status is the test's.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BINARY=$(realpath "${1:?usage: run_upstash_clients.sh path/to/cairn}")
TOKEN=secret-token

for tool in node npm curl; do
  command -v "$tool" >/dev/null ||
    { echo "run_upstash_clients.sh: '$tool' not found (bash scripts/install-deps.sh installs it)" >&2; exit 1; }
done

if [[ ! -d "$HERE/node_modules" || "$HERE/package-lock.json" -nt "$HERE/node_modules" ]]; then
  echo "run_upstash_clients.sh: npm ci in $HERE" >&2
  (cd "$HERE" && npm ci --no-audit --no-fund)
  touch "$HERE/node_modules"  # npm ci may leave the directory's mtime older than the lock file
fi

TMP=$(mktemp -d -t cairn-http-clients-XXXXXX)
PID=
STATUS=1

cleanup() {
  trap '' PIPE  # stdout/stderr may be a closed pipe (| head): still stop the server and clean up
  if [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
  fi
  if [[ "$STATUS" -ne 0 ]]; then
    { echo "--- cairn log (last 100 lines) ---"; tail -n 100 "$TMP/server.log"; } >&2 || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

# Two distinct free ports: both sockets stay bound until both are picked.
read -r RESP_PORT HTTP_PORT < <(/usr/bin/python3 -c '
import socket
a, b = socket.socket(), socket.socket()
a.bind(("127.0.0.1", 0)); b.bind(("127.0.0.1", 0))
print(a.getsockname()[1], b.getsockname()[1])')

"$BINARY" serve --data-dir "$TMP/data" --port "$RESP_PORT" --bind 127.0.0.1 --http-port "$HTTP_PORT" \
  --http-token "$TOKEN" --fsync everysec >"$TMP/server.log" 2>&1 &
PID=$!

ready=0
for _ in $(seq 200); do
  if curl -fsS -o /dev/null "http://127.0.0.1:$HTTP_PORT/healthz" 2>/dev/null; then
    ready=1
    break
  fi
  kill -0 "$PID" 2>/dev/null || { echo "run_upstash_clients.sh: cairn exited during start-up" >&2; exit 1; }
  sleep 0.1
done
[[ "$ready" -eq 1 ]] ||
  { echo "run_upstash_clients.sh: GET /healthz did not answer 200 within 20 s" >&2; exit 1; }

export UPSTASH_REDIS_REST_URL="http://127.0.0.1:$HTTP_PORT"
export UPSTASH_REDIS_REST_TOKEN="$TOKEN"
export KV_REST_API_URL="http://127.0.0.1:$HTTP_PORT"
export KV_REST_API_TOKEN="$TOKEN"

set +e
node --test "$HERE/upstash_clients.test.mjs"
STATUS=$?
set -e
exit "$STATUS"
