#!/usr/bin/env bash
# Runs units of Redis 7.0's own test suite (tests/unit/...) against Cairn.
#   tests/redis-suite/run.sh path/to/cairn unit/type/string unit/type/incr ...
# Starts Cairn on a free loopback port with a temporary data dir, runs
# Redis's `runtest` in external-server mode on a private copy of the suite
# (parallel runs do not share tests/tmp), and fails on any [err] or [exception].
# Tests named in skip/*.txt are skipped. In skip/*.txt a line
# starting with '#' is a comment giving the reason for the entries below it.
# Extra runtest flags may be given in $CAIRN_RUNTEST_ARGS (e.g. "--verbose").
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BINARY=$(realpath "${1:?usage: run.sh path/to/cairn unit/... [unit/...]}")
shift
[[ $# -gt 0 ]] || { echo "run.sh: name at least one unit, e.g. unit/type/incr" >&2; exit 2; }

SUITE=$(bash "$REPO/scripts/fetch-redis-tests.sh")
WORK=$(mktemp -d -t cairn-redis-suite-XXXXXX)
PID=

cleanup() {
  if [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

server_log() {
  echo "--- cairn log (last 100 lines) ---"
  tail -n 100 "$WORK/server.log" || true
}

# A private copy of the suite: runtest writes to and cleans tests/tmp.
mkdir -p "$WORK/redis"
cp -r "$SUITE/runtest" "$SUITE/tests" "$WORK/redis/"

# runtest takes one --skipfile without comments: merge ours, comments dropped.
cat "$HERE"/skip/*.txt 2>/dev/null | grep -v '^#' | grep -v '^[[:space:]]*$' \
  >"$WORK/skiplist.txt" || true

PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BINARY" serve --data-dir "$WORK/data" --port "$PORT" --bind 127.0.0.1 --http-port 0 --fsync everysec \
  >"$WORK/server.log" 2>&1 &
PID=$!
for _ in $(seq 200); do
  [[ "$(redis-cli -h 127.0.0.1 -p "$PORT" PING 2>/dev/null)" == PONG ]] && break
  kill -0 "$PID" 2>/dev/null || { echo "run.sh: cairn exited during start-up" >&2; server_log >&2; exit 1; }
  sleep 0.1
done
[[ "$(redis-cli -h 127.0.0.1 -p "$PORT" PING 2>/dev/null)" == PONG ]] ||
  { echo "run.sh: cairn did not answer PING within 20 s" >&2; server_log >&2; exit 1; }

# --tags -X skips tests tagged X (each --tags adds to the deny list).
# --skipfile: one exact test name per line, or /regexp; blank lines ignored.
# runtest's own control port is picked near --baseport. Parallel runs pick
# different base ports; if the control port is still taken between runtest's
# probe and its bind (a race with other tests), retry with another one.
singles=()
for unit in "$@"; do singles+=(--single "$unit"); done
# shellcheck disable=SC2206  # word splitting of the extra flags is intended
extra=(${CAIRN_RUNTEST_ARGS:-})
for attempt in 1 2 3; do
  baseport=$((10000 + (RANDOM * 7 + $$) % 500 * 40))
  set +e
  (
    cd "$WORK/redis"
    TERM=dumb ./runtest --host 127.0.0.1 --port "$PORT" \
      --ignore-encoding --ignore-digest \
      --tags -needs:repl --tags -needs:debug --tags -needs:config-maxmemory \
      --skipfile "$WORK/skiplist.txt" \
      --clients 1 --timeout 600 --baseport "$baseport" \
      "${extra[@]}" "${singles[@]}"
  ) 2>&1 | tee "$WORK/runtest.log"
  status=${PIPESTATUS[0]}
  set -e
  grep -q "couldn't open socket: address already in use" "$WORK/runtest.log" || break
  echo "run.sh: runtest's control port $baseport was taken; retrying with another (attempt $attempt)" >&2
done

if ! kill -0 "$PID" 2>/dev/null; then
  echo "run.sh: FAIL: cairn is no longer running (crashed during the suite)" >&2
  server_log >&2
  exit 1
fi
if grep -qE '\[(err|exception)\]' "$WORK/runtest.log"; then
  echo "run.sh: FAIL: runtest reported [err] or [exception]:" >&2
  grep -E '\[(err|exception)\]' "$WORK/runtest.log" | sort -u >&2
  server_log >&2
  exit 1
fi
if [[ $status -ne 0 ]]; then
  echo "run.sh: FAIL: runtest exited with status $status" >&2
  server_log >&2
  exit 1
fi
# A clean stop must exit 0: under the sanitizers that is where leaks and
# late reports surface.
kill -TERM "$PID"
code=0
wait "$PID" || code=$?
PID=
if [[ $code -ne 0 ]]; then
  echo "run.sh: FAIL: cairn exited with status $code on SIGTERM" >&2
  tail -c 4000 "$WORK/server.log" >&2
  exit 1
fi
echo "run.sh: PASS: $*"
