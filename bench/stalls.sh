#!/usr/bin/env bash
# stalls.sh — issue 13's target 4: is write throughput steady over a long run?
#
# For each server (Cairn fsync everysec, Cairn fsync always, and Redis 7 with AOF everysec and
# always as the reference) and each test (SET and HSET by default), starts the server afresh on a
# free loopback port with an empty data directory, pinned with `taskset -c SERVER_CPU`, and runs
# redis-benchmark (pinned to CLIENT_CPU; 50 connections, 100-byte values, -r 1000000, -P 1) for
# SECONDS seconds. redis-benchmark prints its instantaneous rate every 250 ms ("rps=…"); four
# consecutive ones make a one-second sample. The first second (connection set-up) is dropped.
# Prints a Markdown table per run: median, minimum, minimum / median, and the number of seconds
# below half the median (target: none), then every sample.
#
# Usage:
#   bench/stalls.sh [--cairn PATH] [--no-install]
#   SECONDS_PER_RUN=60 TESTS="set hset" SERVERS="cairn-everysec cairn-always redis-everysec redis-always" bench/stalls.sh
#
# Every process is started and stopped by PID; only 127.0.0.1 is used.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
LIB_NAME=stalls
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"
bench_options "$@"

SECONDS_PER_RUN=${SECONDS_PER_RUN:-60}
TESTS=${TESTS:-"set hset"}
SERVERS=${SERVERS:-"cairn-everysec cairn-always redis-everysec redis-always"}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
REDIS_CLI=redis-cli

if ((INSTALL)); then
  command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null \
    || DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server redis-tools >&2
fi
release_cairn "$ROOT"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cairn-stalls.XXXXXX")
cleanup() {
  stop_server
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

REDIS_CMD="taskset -c $SERVER_CPU redis-server --port {port} --bind 127.0.0.1 --dir {data_dir} --appendonly yes --appendfsync {fsync} --save ''"
CAIRN_CMD="taskset -c $SERVER_CPU $(printf '%q' "$CAIRN_BIN") serve --data-dir {data_dir} --port {port} --bind 127.0.0.1 --http-port 0 --fsync {fsync}"

echo "Run $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown);" \
  "${SECONDS_PER_RUN} s per run, servers pinned to CPU $SERVER_CPU, redis-benchmark to CPU $CLIENT_CPU."
echo
echo "| Server | Test | median/s | min/s | min / median | seconds below half the median |"
echo "|---|---|---:|---:|---:|---:|"
SAMPLES=$WORK/samples.txt
: >"$SAMPLES"
for test in $TESTS; do
  for server in $SERVERS; do
    kind=${server%%-*} fsync=${server#*-}
    template=$CAIRN_CMD
    [[ $kind == redis ]] && template=$REDIS_CMD
    note "$server: $test for $SECONDS_PER_RUN s"
    start_server "$template" "$fsync" "$server"
    # -n large enough never to end first; timeout ends the run. stdbuf: unbuffered progress.
    raw=$(timeout --signal=INT "$SECONDS_PER_RUN" stdbuf -o0 taskset -c "$CLIENT_CPU" redis-benchmark \
      -h 127.0.0.1 -p "$PORT" -t "$test" -c 50 -n 1000000000 -d 100 -r 1000000 -P 1 2>&1 || true)
    stop_server
    tr '\r' '\n' <<<"$raw" | /usr/bin/python3 -c '
import re, statistics, sys
server, test = sys.argv[1], sys.argv[2]
ticks = [float(m.group(1)) for m in (re.search(r"rps=([0-9.]+)", l) for l in sys.stdin) if m]
secs = [sum(ticks[i:i + 4]) / 4 for i in range(0, len(ticks) - 3, 4)][1:]
if not secs:
    print(f"| {server} | {test.upper()} | no samples | | | |")
    sys.exit(0)
med = statistics.median(secs)
low = sum(1 for s in secs if s < med / 2)
print(f"| {server} | {test.upper()} | {med:,.0f} | {min(secs):,.0f} | {min(secs) / med:.2f} | {low} of {len(secs)} |")
with open(sys.argv[3], "a") as f:
    f.write(f"{server} {test}: " + " ".join(f"{s:.0f}" for s in secs) + "\n")
' "$server" "$test" "$SAMPLES"
  done
done
echo
echo "One-second samples (requests/s):"
echo
echo '```'
cat "$SAMPLES"
echo '```'
