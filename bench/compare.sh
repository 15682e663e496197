#!/usr/bin/env bash
# compare.sh — redis-benchmark throughput of Cairn next to Redis, as a table for docs/benchmarks.md.
#
# Runs the stock `redis-benchmark -t $TESTS` (default set,get) against
#   A. Debian's redis-server with AOF on and fsync once a second (appendfsync everysec),
#   B. Cairn with --fsync everysec (the comparable durability setting),
#   C. Cairn with --fsync always (Cairn's default: every acknowledged write is on disk),
# in the order A B C, repeated ROUNDS times so that drift on the machine spreads evenly over
# all three. Every run starts its server afresh on a free loopback port with an empty
# temporary data directory and stops it (by PID) afterwards, so no server's background work
# (compaction, AOF rewrite) runs during another's measurement.
#
# Prints Markdown on stdout (medians, the Cairn/Redis ratio, every run, the machine, the exact
# commands); progress goes to stderr. Builds nothing.
#
# Usage:
#   bench/compare.sh build/cairn > /tmp/set-get.md
#   TESTS=lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100 bench/compare.sh build/cairn
#
# Environment (all optional):
#   ROUNDS=3  REQUESTS=200000  CLIENTS=50  VALUE_SIZE=100      benchmark shape
#   TESTS=set,get  EXTRA_BENCH_ARGS="-r 1000000 -P 16"          which tests, more redis-benchmark flags
#   CAIRN_EXTRA_ARGS="--threads 2"                              appended to the Cairn command
#   CAIRN_CMD='...{port}...{data_dir}...{fsync}...'             replaces the Cairn command line
#       (to try this script before Cairn is built, let redis-server stand in for it:
#        CAIRN_CMD="redis-server --port {port} --bind 127.0.0.1 --dir {data_dir} \
#                   --appendonly yes --appendfsync {fsync} --save ''" bench/compare.sh)
#   REDIS_SERVER=redis-server  REDIS_BENCHMARK=redis-benchmark  REDIS_CLI=redis-cli
#   TMPDIR                                                      where the data directories go
#       (it must be a real disk, not tmpfs, or fsync costs nothing)

set -euo pipefail

ROUNDS=${ROUNDS:-3}
REQUESTS=${REQUESTS:-200000}
CLIENTS=${CLIENTS:-50}
VALUE_SIZE=${VALUE_SIZE:-100}
REDIS_SERVER=${REDIS_SERVER:-redis-server}
REDIS_BENCHMARK=${REDIS_BENCHMARK:-redis-benchmark}
REDIS_CLI=${REDIS_CLI:-redis-cli}
CAIRN_EXTRA_ARGS=${CAIRN_EXTRA_ARGS:-}
START_TIMEOUT_TENTHS=300   # 30 s for a server to answer PING
STOP_TIMEOUT_TENTHS=300    # 30 s after SIGTERM before SIGKILL
LIB_NAME=compare
# shellcheck source=bench/lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"   # note, die, start_server, stop_server, median, …

CAIRN_BIN=${1:-}
if [[ -n ${CAIRN_CMD:-} ]]; then
  CAIRN_OVERRIDDEN=1
else
  CAIRN_OVERRIDDEN=0
  [[ -n $CAIRN_BIN ]] || die "usage: $0 path/to/cairn   (or set CAIRN_CMD; see the top of this file)"
  [[ -x $CAIRN_BIN ]] || die "$CAIRN_BIN is not an executable file"
  CAIRN_BIN=$(cd "$(dirname "$CAIRN_BIN")" && pwd)/$(basename "$CAIRN_BIN")
  CAIRN_CMD="$(printf '%q' "$CAIRN_BIN") serve --data-dir {data_dir} --port {port} --bind 127.0.0.1 --http-port 0 --fsync {fsync}"
fi
[[ -n $CAIRN_EXTRA_ARGS ]] && CAIRN_CMD="$CAIRN_CMD $CAIRN_EXTRA_ARGS"
REDIS_CMD="$REDIS_SERVER --port {port} --bind 127.0.0.1 --dir {data_dir} --appendonly yes --appendfsync everysec --save ''"
TESTS=${TESTS:-set,get}
# shellcheck disable=SC2206  # word splitting of the extra flags is intended
BENCH_ARGS=(-t "$TESTS" -c "$CLIENTS" -n "$REQUESTS" -d "$VALUE_SIZE" -q ${EXTRA_BENCH_ARGS:-})
NTESTS=$(tr ',' '\n' <<<"$TESTS" | grep -c .)

for tool in "$REDIS_SERVER" "$REDIS_BENCHMARK" "$REDIS_CLI" /usr/bin/python3; do
  command -v "$tool" >/dev/null || die "$tool not found (apt-get install redis-server redis-tools python3)"
done
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cairn-bench.XXXXXX")
RESULTS=$WORK/results.txt   # lines: config round test rps p50_ms
: >"$RESULTS"

cleanup() {
  stop_server
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# run_one CONFIG ROUND: one server start, one redis-benchmark run, one server stop.
run_one() {
  local config=$1 round=$2 template fsync label out parsed value
  case $config in
    redis) template=$REDIS_CMD fsync=everysec label="redis-server" ;;
    cairn-everysec) template=$CAIRN_CMD fsync=everysec label="cairn --fsync everysec" ;;
    cairn-always) template=$CAIRN_CMD fsync=always label="cairn --fsync always" ;;
  esac
  note "round $round/$ROUNDS: $label"
  start_server "$template" "$fsync" "$label"
  out=$("$REDIS_BENCHMARK" -h 127.0.0.1 -p "$PORT" "${BENCH_ARGS[@]}" 2>&1) \
    || { note "redis-benchmark failed against $label:"; echo "$out" >&2; exit 1; }
  # -q prints progress lines ending in \r, then e.g. "SET: 88888.89 requests per second, p50=0.263 msec".
  # (LRANGE tests print an extra "LPUSH (needed to benchmark LRANGE)" line: not a test of its own.)
  parsed=$(tr '\r' '\n' <<<"$out" | grep -v 'needed to benchmark' |
    sed -n 's/^ *\([A-Z_0-9]*\)[^:]*: \([0-9.]*\) requests per second, p50=\([0-9.]*\) msec.*/\1 \2 \3/p')
  [[ $(wc -l <<<"$parsed") -eq $NTESTS ]] || { note "unexpected redis-benchmark output:"; echo "$out" >&2; exit 1; }
  # redis-benchmark does not look at replies: make sure the SETs really stored the value,
  # so that a server answering errors fast does not look like a fast server.
  if [[ ,$TESTS, == *,set,* && -z ${EXTRA_BENCH_ARGS:-} ]]; then
    value=$("$REDIS_CLI" -h 127.0.0.1 -p "$PORT" GET 'key:__rand_int__' 2>&1)
    [[ ${#value} -eq $VALUE_SIZE ]] \
      || die "$label: after the SET test, GET key:__rand_int__ returned '${value:0:80}', not a $VALUE_SIZE-byte value"
  fi
  while read -r test rps p50; do
    echo "$config $round $test $rps $p50" >>"$RESULTS"
  done <<<"$parsed"
  stop_server
}

CONFIGS=(redis cairn-everysec cairn-always)
STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')
for ((round = 1; round <= ROUNDS; round++)); do
  for config in "${CONFIGS[@]}"; do
    run_one "$config" "$round"
  done
done

# ---- report -------------------------------------------------------------------------------

# field CONFIG TEST COLUMN: the values of one column (4 = rps, 5 = p50) over all rounds.
field() { awk -v c="$1" -v t="$2" -v col="$3" '$1 == c && $3 == t { print $col }' "$RESULTS"; }

redis_version=$("$REDIS_SERVER" --version | sed -n 's/.* v=\([^ ]*\).*/\1/p')
if ((CAIRN_OVERRIDDEN)); then
  cairn_version="(CAIRN_CMD override — see Commands)"
else
  cairn_version=$(timeout 5 "$CAIRN_BIN" --version 2>/dev/null | head -n 1 || true)
  git_rev=$(git -C "$(dirname "$CAIRN_BIN")" rev-parse --short HEAD 2>/dev/null || true)
  [[ -n $git_rev ]] && cairn_version="${cairn_version:+$cairn_version, }commit $git_rev"
  cairn_version=${cairn_version:-unknown}
fi
cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
mem_total=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
# shellcheck disable=SC1091
os_name=$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-unknown}")
data_fs=$(df -T "$WORK" | awk 'NR == 2 { print $2 }')

TEST_NAMES=$(awk '$1 == "redis" && $2 == 1 { print $3 }' "$RESULTS")
echo "### redis-benchmark throughput: Cairn and Redis"
echo
echo "\`redis-benchmark -t $TESTS ${EXTRA_BENCH_ARGS:-}\`, $CLIENTS clients, $REQUESTS requests per test, $VALUE_SIZE-byte values,"
echo "median of $ROUNDS runs per server (run order A B C, repeated), requests per second."
echo
echo "| Test | A. Redis $redis_version, AOF everysec | B. Cairn, fsync everysec | B / A | C. Cairn, fsync always | C / A |"
echo "|---|---:|---:|---:|---:|---:|"
for test in $TEST_NAMES; do
  a=$(field redis $test 4 | median)
  b=$(field cairn-everysec $test 4 | median)
  c=$(field cairn-always $test 4 | median)
  echo "| $test | $(fmt_int "$a") | $(fmt_int "$b") | $(ratio "$b" "$a") | $(fmt_int "$c") | $(ratio "$c" "$a") |"
done
echo
echo "Median p50 latency (ms):"
echo
echo "| Test | A. Redis, AOF everysec | B. Cairn, fsync everysec | C. Cairn, fsync always |"
echo "|---|---:|---:|---:|"
for test in $TEST_NAMES; do
  echo "| $test | $(field redis $test 5 | median) | $(field cairn-everysec $test 5 | median) | $(field cairn-always $test 5 | median) |"
done
echo
echo "<details><summary>Every run (requests/s, p50 ms)</summary>"
echo
echo "| Round | Server | Test | requests/s (p50 ms) |"
echo "|---:|---|---|---:|"
for ((round = 1; round <= ROUNDS; round++)); do
  for config in "${CONFIGS[@]}"; do
    awk -v c="$config" -v r="$round" '$1 == c && $2 == r { printf "| %s | %s | %s | %.0f (%s) |\n", r, c, $3, $4, $5 }' "$RESULTS"
  done
done
echo
echo "</details>"
echo
echo "Machine: $(nproc) cores ($cpu_model), $mem_total RAM, $os_name, Linux $(uname -r);"
echo "data directories on $data_fs; benchmark client on the same machine; run $STARTED."
echo "Cairn: $cairn_version. Client: $("$REDIS_BENCHMARK" --version 2>/dev/null | head -n 1)."
echo
echo "Commands (each run: a free loopback port, a fresh empty data directory):"
echo
echo '```sh'
echo "# A"
shown=${REDIS_CMD//\{data_dir\}/<empty-dir>}
echo "${shown//\{port\}/<port>}"
echo "# B and C"
echo "${CAIRN_CMD//\{data_dir\}/<empty-dir>}" | sed 's/{port}/<port>/g; s/{fsync}/everysec|always/g'
echo "# load"
echo "redis-benchmark -h 127.0.0.1 -p <port> ${BENCH_ARGS[*]}"
echo '```'
if [[ $data_fs == tmpfs ]]; then
  echo
  echo "**Warning:** the data directories were on tmpfs, where fsync costs nothing; these numbers"
  echo "say nothing about durable writes. Set TMPDIR to a directory on a real disk."
fi
if ((CAIRN_OVERRIDDEN)); then
  echo
  echo "**Note:** CAIRN_CMD was overridden; B and C did not run the Cairn binary unless the command above does."
fi
