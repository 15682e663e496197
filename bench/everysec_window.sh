#!/usr/bin/env bash
# everysec_window.sh — issue 6's everysec bound, measured: how long an
# acknowledged write sits in the WAL before an fsync covers it, and how many
# writes one such window holds, under `redis-benchmark SET` load at several
# pipeline depths. kill -9 loses none of them (the WAL is in the kernel before
# the reply; tests/crash/ proves it); an OS crash or power cut can lose one
# window. Figures come from the server's own /metrics gauges
# (cairn_wal_unsynced_window_max_seconds, cairn_wal_unsynced_writes_max), which
# start each window at the write's start, so they never under-state it.
#
# Builds Cairn in Release mode into build-release/ (unless --cairn PATH);
# installs redis-tools if missing. Server on CPU 0, redis-benchmark on CPU 1.
#
#   bench/everysec_window.sh [--cairn PATH] [--no-install]
#   SECONDS_EACH=20 PIPELINES="1 16 64" bench/everysec_window.sh
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
LIB_NAME=everysec_window
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"

bench_options "$@"
SECONDS_EACH=${SECONDS_EACH:-20} PIPELINES=${PIPELINES:-"1 16 64"} CLIENTS=${CLIENTS:-50}

if ((INSTALL)) && ! command -v redis-benchmark >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends redis-tools >&2
fi
release_cairn "$ROOT"
REDIS_CLI=$(command -v redis-cli)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cairn-everysec.XXXXXX")
trap 'stop_server; rm -rf "$WORK"' EXIT

metric() {  # metric NAME -> value from /metrics
  curl -fs "http://127.0.0.1:$HTTP_PORT/metrics" | awk -v n="$1" '$1 == n { print $2 }'
}

echo "| pipeline | SET/s | WAL syncs | longest window (ms) | last window (ms) | most writes in one window |"
echo "|---:|---:|---:|---:|---:|---:|"
for p in $PIPELINES; do
  HTTP_PORT=$(free_port)
  start_server "taskset -c 0 $CAIRN_BIN serve --data-dir {data_dir} --port {port} --http-port $HTTP_PORT --fsync {fsync}" \
    everysec "Cairn"
  # -n sized so the run lasts about SECONDS_EACH; redis-benchmark has no duration flag.
  probe=$(taskset -c 1 redis-benchmark -p "$PORT" -c "$CLIENTS" -P "$p" -r 1000000 -n 200000 -t set -q 2>/dev/null |
    awk -F'[: ]+' '/requests per second/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9.]+$/) { print $i; exit } }')
  n=$(awk -v r="$probe" -v s="$SECONDS_EACH" 'BEGIN { printf "%d", r * s }')
  note "pipeline $p: ${probe} SET/s in a probe; running $n requests"
  rps=$(taskset -c 1 redis-benchmark -p "$PORT" -c "$CLIENTS" -P "$p" -r 1000000 -n "$n" -t set -q 2>/dev/null |
    awk -F'[: ]+' '/requests per second/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9.]+$/) { print $i; exit } }')
  sleep 1.5  # let the syncer close the last window
  echo "| $p | $(fmt_int "$rps") | $(metric cairn_wal_unsynced_windows_total) |" \
    "$(awk -v s="$(metric cairn_wal_unsynced_window_max_seconds)" 'BEGIN { printf "%.0f", s * 1000 }') |" \
    "$(awk -v s="$(metric cairn_wal_unsynced_window_last_seconds)" 'BEGIN { printf "%.0f", s * 1000 }') |" \
    "$(fmt_int "$(metric cairn_wal_unsynced_writes_max)") |"
  stop_server
done
echo
echo "Machine: $(machine_line). \`redis-benchmark -c $CLIENTS -P <pipeline> -r 1000000 -t set\` for about ${SECONDS_EACH} s each, on CPU 1; Cairn \`--fsync everysec\` on CPU 0, a fresh data directory per row."
