#!/usr/bin/env bash
# harness.sh — issue 4's one-command, side-by-side benchmark of Cairn against Debian's Redis 7.0.
#
# On a fresh Debian machine it
#   1. installs redis-server, redis-tools and gnuplot-nox with apt-get (only what is missing);
#   2. builds Cairn in Release mode into build-release/ (its own build directory);
#   3. runs, for ROUNDS rounds, in the order A B C D A B C D …, each server started afresh
#      (free loopback port, empty temporary data directory) and pinned with `taskset -c 0`,
#      with redis-benchmark pinned with `taskset -c 1`:
#        A. redis-server --appendonly yes --appendfsync everysec --save ''
#        B. cairn serve --fsync everysec
#        C. cairn serve --fsync always
#        D. redis-server --appendonly yes --appendfsync always --save ''   (workload 3 only)
#      the workloads
#        1. GET and SET, -P 1 and -P 16, -r 1000000          (A B C)
#        2. INCR LPUSH LPOP SADD HSET ZADD LRANGE_100 MSET   (A B C)
#        3. SET -P 1 -r 1000000: C against A and against D    (A B C D; shares workload 1's run)
#        6. p50/p99/p99.9 latency of workload 1 at -P 1       (from the same runs)
#        7. EVALSHA (GET+SET script), PUBLISH to 50 subscribers, BLPOP/LPUSH ping-pong, XADD,
#           XREADGROUP+XACK, BullMQ add and process throughput (A B, by bench/semantics.sh with the same ROUNDS, CLIENTS and VALUE_SIZE and at most
#           100,000 requests; --no-semantics leaves it out)
#      and, only with --with-10m, the heavy ones (A and B, HEAVY_ROUNDS rounds):
#        4. memory after loading 10,000,000 keys of 100 bytes: RSS and on-disk size
#        5. restart with those keys: process start to the first PONG followed by a correct GET
#   4. prints a Markdown section (medians, Cairn/Redis ratios, every run, the machine, the exact
#      commands) and draws the ratios with gnuplot into docs/benchmarks-ratios.png.
#
# Usage:
#   bench/harness.sh [--with-10m] [--no-semantics] [--doc FILE.md | --out FILE.md] [--chart FILE.png]
#                    [--no-install] [--no-build] [--cairn PATH]
#   bench/harness.sh --with-10m        # the full run: rewrites its section of docs/benchmarks.md
#   ROUNDS=1 REQUESTS=20000 bench/harness.sh --out /tmp/r.md --chart /tmp/r.png   # a quick smoke run
#
# By default the report replaces the part of docs/benchmarks.md between the lines
# "<!-- harness:begin -->" and "<!-- harness:end -->" (added at the end if missing); --doc names
# another file to update that way, --out writes the report alone to FILE ("-": stdout).
#
# Environment (all optional):
#   ROUNDS=3 REQUESTS=200000 CLIENTS=50 VALUE_SIZE=100 KEYSPACE=1000000
#   HEAVY_KEYS=10000000 HEAVY_ROUNDS=1       workloads 4 and 5 (with --with-10m)
#   SERVER_CPU=0 CLIENT_CPU=1                taskset CPU lists
#   CAIRN_EXTRA_ARGS="--threads 1"           appended to the Cairn command
#   TMPDIR                                   where data directories go: a real disk, not tmpfs
#
# Progress goes to stderr.

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
LIB_NAME=harness
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"

WITH_10M=0 SEMANTICS=1 INSTALL=1 BUILD=1 OUT="" DOC="$ROOT/docs/benchmarks.md" CHART="$ROOT/docs/benchmarks-ratios.png" CAIRN_BIN=""
while (($#)); do
  case $1 in
    --with-10m) WITH_10M=1 ;;
    --no-semantics) SEMANTICS=0 ;;
    --no-install) INSTALL=0 ;;
    --no-build) BUILD=0 ;;
    --out) OUT=${2:?--out needs a file}; DOC=""; shift ;;
    --doc) DOC=${2:?--doc needs a file}; shift ;;
    --chart) CHART=${2:?--chart needs a file}; shift ;;
    --cairn) CAIRN_BIN=${2:?--cairn needs a path}; shift ;;
    -h | --help) sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
  shift
done

ROUNDS=${ROUNDS:-3}
REQUESTS=${REQUESTS:-200000}
CLIENTS=${CLIENTS:-50}
VALUE_SIZE=${VALUE_SIZE:-100}
KEYSPACE=${KEYSPACE:-1000000}
HEAVY_KEYS=${HEAVY_KEYS:-10000000}
HEAVY_ROUNDS=${HEAVY_ROUNDS:-1}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
CAIRN_EXTRA_ARGS=${CAIRN_EXTRA_ARGS:-}
HEAVY_START_TIMEOUT_S=${HEAVY_START_TIMEOUT_S:-600}
REDIS_SERVER=redis-server REDIS_BENCHMARK=redis-benchmark REDIS_CLI=redis-cli
for v in ROUNDS REQUESTS CLIENTS VALUE_SIZE KEYSPACE HEAVY_KEYS HEAVY_ROUNDS; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer"
done

# ---- 1. install ---------------------------------------------------------------------------------

if ((INSTALL)); then
  missing=()
  command -v redis-server >/dev/null || missing+=(redis-server)
  { command -v redis-benchmark && command -v redis-cli; } >/dev/null || missing+=(redis-tools)
  command -v gnuplot >/dev/null || missing+=(gnuplot-nox)
  command -v taskset >/dev/null || missing+=(util-linux)
  command -v python3 >/dev/null || missing+=(python3)
  ((BUILD)) && { command -v cmake >/dev/null || missing+=(cmake); }
  ((BUILD)) && { command -v ninja >/dev/null || missing+=(ninja-build); }
  if ((${#missing[@]})); then
    SUDO=(); (($(id -u) == 0)) || SUDO=(sudo)
    note "installing from Debian: ${missing[*]}"
    "${SUDO[@]}" apt-get update >&2
    DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y "${missing[@]}" >&2
  else
    note "redis-server, redis-tools, gnuplot already installed"
  fi
fi
for tool in redis-server redis-benchmark redis-cli gnuplot taskset /usr/bin/python3; do
  command -v "$tool" >/dev/null || die "$tool not found (apt-get install redis-server redis-tools gnuplot-nox)"
done

# ---- 2. build -----------------------------------------------------------------------------------

BUILD_CMDS="cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release && ninja -C build-release cairn"
if [[ -z $CAIRN_BIN ]]; then
  CAIRN_BIN=$ROOT/build-release/cairn
  if ((BUILD)); then
    note "building Cairn (Release) into build-release/"
    (cd "$ROOT" && eval "$BUILD_CMDS") >&2 || die "the Release build failed"
  fi
fi
[[ -x $CAIRN_BIN ]] || die "$CAIRN_BIN is not an executable file (build it, or pass --cairn PATH)"
CAIRN_BIN=$(cd "$(dirname "$CAIRN_BIN")" && pwd)/$(basename "$CAIRN_BIN")

# ---- servers ------------------------------------------------------------------------------------

PIN_SERVER=(taskset -c "$SERVER_CPU") PIN_CLIENT=(taskset -c "$CLIENT_CPU")
if (($(nproc) < 2)); then
  note "only $(nproc) CPU: not pinning (server and client share the CPU)"
  PIN_SERVER=() PIN_CLIENT=()
fi
PIN_S=${PIN_SERVER[*]:+${PIN_SERVER[*]} } PIN_C=${PIN_CLIENT[*]:+${PIN_CLIENT[*]} }
REDIS_CMD="${PIN_S}redis-server --port {port} --bind 127.0.0.1 --dir {data_dir} --appendonly yes --appendfsync {fsync} --save ''"
CAIRN_CMD="${PIN_S}$(printf '%q' "$CAIRN_BIN") serve --data-dir {data_dir} --port {port} --bind 127.0.0.1 --http-port 0 --fsync {fsync}${CAIRN_EXTRA_ARGS:+ $CAIRN_EXTRA_ARGS}"

# config -> template, fsync, label
declare -A TEMPLATE=([A]=$REDIS_CMD [B]=$CAIRN_CMD [C]=$CAIRN_CMD [D]=$REDIS_CMD)
declare -A FSYNC=([A]=everysec [B]=everysec [C]=always [D]=always)
declare -A LABEL=([A]="Redis, AOF everysec" [B]="Cairn, fsync everysec" [C]="Cairn, fsync always" [D]="Redis, AOF always")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cairn-harness.XXXXXX")
RESULTS=$WORK/results.txt   # config round test rps p50 p99 p99.9
HEAVY=$WORK/heavy.txt       # config round rss_bytes disk_bytes restart_ms
: >"$RESULTS"; : >"$HEAVY"
cleanup() {
  stop_server
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- workloads ----------------------------------------------------------------------------------

W1_TESTS=set,get
W2_TESTS=incr,lpush,lpop,sadd,hset,zadd,lrange_100,mset
bench_args() {   # bench_args TESTS EXTRA...: the redis-benchmark arguments after -h/-p
  local tests=$1; shift
  echo "-t $tests -c $CLIENTS -n $REQUESTS -d $VALUE_SIZE --precision 3${*:+ $*}"
}
W1P1_ARGS=$(bench_args "$W1_TESTS" -r "$KEYSPACE" -P 1)
W1P16_ARGS=$(bench_args "$W1_TESTS" -r "$KEYSPACE" -P 16)
W2_ARGS=$(bench_args "$W2_TESTS")
W3D_ARGS=$(bench_args set -r "$KEYSPACE" -P 1)

# parse_bench: redis-benchmark 7.0's full (non -q) output -> "TEST rps p50 p99 p99.9" lines.
# p50 and p99 come from its "latency summary" (avg min p50 p95 p99 max); it prints no p99.9 there,
# so p99.9 is the first line of its "Latency by percentile distribution" at or above 99.9 %
# (HdrHistogram steps: in practice the 99.902 % line).
parse_bench() {
  tr '\r' '\n' | awk '
    /^====== / { name = $2; skip = ($0 ~ /needed to benchmark/); inpct = 0; p999 = ""; next }
    /^Latency by percentile distribution:/ { inpct = 1; next }
    /^Cumulative distribution of latencies:/ { inpct = 0; next }
    inpct && /^[0-9.]+% <= / && p999 == "" { p = $1; sub(/%/, "", p); if (p + 0 >= 99.9) p999 = $3 }
    /throughput summary:/ { rps = $3 }
    /latency summary \(msec\):/ { getline; getline; if (!skip) print name, rps, $3, $5, p999 }'
}

# bench NAME_SUFFIX CONFIG ROUND ARGS: one redis-benchmark run, recorded in RESULTS.
bench() {
  local suffix=$1 config=$2 round=$3 args=$4 out parsed expected
  # shellcheck disable=SC2086  # ARGS is a word list on purpose
  out=$("${PIN_CLIENT[@]}" "$REDIS_BENCHMARK" -h 127.0.0.1 -p "$PORT" $args 2>&1) \
    || { note "redis-benchmark failed against ${LABEL[$config]}:"; tail -n 30 <<<"$out" >&2; exit 1; }
  parsed=$(parse_bench <<<"$out")
  expected=$(awk '{ print split($2, t, ",") }' <<<"$args")   # ARGS starts with -t a,b,c
  [[ $(grep -c . <<<"$parsed") -eq $expected ]] \
    || { note "unexpected redis-benchmark output against ${LABEL[$config]}:"; tail -n 40 <<<"$out" >&2; exit 1; }
  while read -r test rps p50 p99 p999; do
    echo "$config $round $test$suffix $rps $p50 $p99 $p999" >>"$RESULTS"
  done <<<"$parsed"
}

run_round() {   # run_round CONFIG ROUND
  local config=$1 round=$2 value
  note "round $round/$ROUNDS: ${LABEL[$config]}"
  start_server "${TEMPLATE[$config]}" "${FSYNC[$config]}" "${LABEL[$config]}"
  if [[ $config == D ]]; then
    bench _P1 "$config" "$round" "$W3D_ARGS"
  else
    bench _P1 "$config" "$round" "$W1P1_ARGS"
    bench _P16 "$config" "$round" "$W1P16_ARGS"
    bench "" "$config" "$round" "$W2_ARGS"
    # redis-benchmark ignores replies: check that MSET (no -r) really stored key:__rand_int__,
    # so that a server answering errors fast does not look like a fast server.
    value=$("$REDIS_CLI" -h 127.0.0.1 -p "$PORT" GET 'key:__rand_int__' 2>&1)
    [[ ${#value} -eq $VALUE_SIZE ]] \
      || die "${LABEL[$config]}: after MSET, GET key:__rand_int__ returned '${value:0:80}', not a $VALUE_SIZE-byte value"
  fi
  stop_server
}

# ---- workloads 4 and 5 (--with-10m) -------------------------------------------------------------

# gen_load N: RESP for SET key:%012d <VALUE_SIZE bytes> for i in 0..N-1 — exactly N distinct keys
# (redis-benchmark -r N -n N draws keys at random and would leave about 0.63 N distinct ones).
gen_load() {
  awk -v n="$1" -v vs="$VALUE_SIZE" 'BEGIN {
    for (i = 0; i < n; i++) {
      k = sprintf("key:%012d", i); v = k; while (length(v) < vs) v = v k; v = substr(v, 1, vs)
      printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(k), k, length(v), v
    } }'
}
expected_value() {
  awk -v i="$1" -v vs="$VALUE_SIZE" 'BEGIN { k = sprintf("key:%012d", i); v = k; while (length(v) < vs) v = v k; print substr(v, 1, vs) }'
}

run_heavy() {   # run_heavy CONFIG ROUND
  local config=$1 round=$2 data_dir out rss disk t0 t1 deadline probe want got pong
  note "heavy round $round/$HEAVY_ROUNDS: ${LABEL[$config]}: loading $HEAVY_KEYS keys"
  start_server "${TEMPLATE[$config]}" "${FSYNC[$config]}" "${LABEL[$config]}"
  data_dir=$SERVER_DATA_DIR
  out=$(gen_load "$HEAVY_KEYS" | "${PIN_CLIENT[@]}" "$REDIS_CLI" -h 127.0.0.1 -p "$PORT" --pipe 2>&1) \
    || { note "redis-cli --pipe failed:"; echo "$out" >&2; exit 1; }
  grep -q 'errors: 0, replies: '"$HEAVY_KEYS" <<<"$out" || { note "load failed: $out"; exit 1; }
  sleep 5   # let the write path settle before reading RSS
  rss=$(awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$SERVER_PID/status")
  stop_server
  disk=$(du -sb "$data_dir" | awk '{ print $1 }')
  # Restart on the same data directory: process start -> first PONG followed by a correct GET.
  probe=$((HEAVY_KEYS / 2)); want=$(expected_value "$probe")
  t0=$(now_ms); deadline=$((t0 + HEAVY_START_TIMEOUT_S * 1000)); t1=""
  launch_server "${TEMPLATE[$config]}" "${FSYNC[$config]}" "$data_dir"
  while (($(now_ms) < deadline)); do
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 30 "$SERVER_LOG" >&2; die "${LABEL[$config]} died on restart"; }
    pong=$("$REDIS_CLI" -h 127.0.0.1 -p "$PORT" PING 2>/dev/null || true)
    if [[ $pong == PONG ]]; then
      got=$("$REDIS_CLI" -h 127.0.0.1 -p "$PORT" GET "$(printf 'key:%012d' "$probe")" 2>/dev/null || true)
      if [[ $got == "$want" ]]; then t1=$(now_ms); break; fi
    fi
    sleep 0.01
  done
  [[ -n $t1 ]] || die "${LABEL[$config]} did not serve a correct GET within $HEAVY_START_TIMEOUT_S s of restarting"
  stop_server
  PORT=""
  echo "$config $round $rss $disk $((t1 - t0))" >>"$HEAVY"
  rm -rf "$data_dir" "$data_dir.log"
}

# ---- run ----------------------------------------------------------------------------------------

STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')
for ((round = 1; round <= ROUNDS; round++)); do
  for config in A B C D; do run_round "$config" "$round"; done
done
if ((WITH_10M)); then
  for ((round = 1; round <= HEAVY_ROUNDS; round++)); do
    for config in A B; do run_heavy "$config" "$round"; done
  done
else
  note "workloads 4 (memory at $HEAVY_KEYS keys) and 5 (restart time) skipped: pass --with-10m to run them"
fi

# Workload 7: its own script, whose Markdown table goes into the report.
if ((SEMANTICS)); then
  ROUNDS=$ROUNDS CLIENTS=$CLIENTS VALUE_SIZE=$VALUE_SIZE REQUESTS=$((REQUESTS < 100000 ? REQUESTS : 100000)) \
    bash "$HERE/semantics.sh" "$CAIRN_BIN" >"$WORK/semantics.md"
else
  note "workload 7 (EVALSHA, PUBLISH, BLPOP) skipped: --no-semantics"
fi

# ---- report -------------------------------------------------------------------------------------

# verdict A B MIN: "(met)" when A / B >= MIN, "(not met)" otherwise.
verdict() { awk -v a="$1" -v b="$2" -v m="$3" 'BEGIN { if (a == "nan" || b == "nan" || b <= 0) print ""; else if (a / b >= m) print "(met)"; else print "(not met)" }'; }
col() { awk -v c="$1" -v t="$2" -v k="$3" '$1 == c && $3 == t { print $k }' "$RESULTS" | median; }   # 4 rps 5 p50 6 p99 7 p99.9
hcol() { awk -v c="$1" -v k="$2" '$1 == c { print $k }' "$HEAVY" | median; }                       # 3 rss 4 disk 5 ms
label() { if [[ $1 == *_P[0-9]* ]]; then echo "${1%_P*} -P ${1##*_P}"; else echo "$1"; fi; }   # GET_P16 -> "GET -P 16"
mib() { awk -v b="$1" 'BEGIN { if (b == "nan") print "n/a"; else printf "%.0f MiB", b / 1048576 }'; }

W1_ROWS="GET_P1 SET_P1 GET_P16 SET_P16"
W2_ROWS=$(awk '$1 == "A" && $2 == 1 && $3 !~ /_P/ { print $3 }' "$RESULTS")
CHART_DATA=$WORK/chart.dat
: >"$CHART_DATA"

report() {
  local redis_version cairn_version git_rev data_fs t a b c d
  redis_version=$("$REDIS_SERVER" --version | sed -n 's/.* v=\([^ ]*\).*/\1/p')
  cairn_version=$(timeout 5 "$CAIRN_BIN" --version 2>/dev/null | head -n 1 || true)
  git_rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || true)
  [[ -n $(git -C "$ROOT" status --porcelain -- src 2>/dev/null) ]] && git_rev="$git_rev + uncommitted changes in src/"
  data_fs=$(df -T "$WORK" | awk 'NR == 2 { print $2 }')

  echo "## Side by side with Redis (issue 4 harness)"
  echo
  echo "Run $STARTED; rounds: $ROUNDS, in the order A B C D …; medians. Machine: $(machine_line)."
  echo "Redis $redis_version (Debian); Cairn ${cairn_version:-unknown}${git_rev:+, commit $git_rev}, Release build."
  echo "Servers pinned with \`${PIN_SERVER[*]:-(no pinning)}\`, redis-benchmark with \`${PIN_CLIENT[*]:-(no pinning)}\`; data directories on $data_fs."
  echo "redis-benchmark: $CLIENTS connections, $REQUESTS requests per test, $VALUE_SIZE-byte values."
  echo
  echo "- A. ${LABEL[A]} · B. ${LABEL[B]} · C. ${LABEL[C]} · D. ${LABEL[D]} (workload 3 only)"
  echo
  echo "![Cairn/Redis throughput ratios]($(basename "$CHART"))"
  echo
  echo "### 1 and 2. Throughput (requests/s) and Cairn/Redis"
  echo
  echo "| Workload | Test | A. Redis everysec | B. Cairn everysec | B / A | target B / A | C. Cairn always | C / A |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|"
  for t in $W1_ROWS $W2_ROWS; do
    a=$(col A "$t" 4) b=$(col B "$t" 4) c=$(col C "$t" 4)
    local w=2; [[ $t == *_P* ]] && w=1
    local target="≥ 0.7×"; [[ $t == *_P1 ]] && target="≥ 0.9×"
    echo "| $w | $(label "$t") | $(fmt_int "$a") | $(fmt_int "$b") | $(ratio "$b" "$a") | $target $(verdict "$b" "$a" "${target//[^0-9.]/}") | $(fmt_int "$c") | $(ratio "$c" "$a") |"
    echo "\"$(label "$t")\" $(ratio_num "$b" "$a") $(ratio_num "$c" "$a")" >>"$CHART_DATA"
  done
  echo
  echo "### 3. Durable SET (-P 1, -r $KEYSPACE): Cairn fsync always against Redis"
  echo
  a=$(col A SET_P1 4) c=$(col C SET_P1 4) d=$(col D SET_P1 4)
  echo "| C. Cairn always | A. Redis everysec | C / A (target ≥ 0.5×) | D. Redis always | C / D (target ≥ 1.0×) |"
  echo "|---:|---:|---:|---:|---:|"
  echo "| $(fmt_int "$c") | $(fmt_int "$a") | $(ratio "$c" "$a") $(verdict "$c" "$a" 0.5) | $(fmt_int "$d") | $(ratio "$c" "$d") $(verdict "$c" "$d" 1.0) |"
  echo "\"SET, C / Redis everysec\" nan $(ratio_num "$c" "$a")" >>"$CHART_DATA"
  echo "\"SET, C / Redis always\" nan $(ratio_num "$c" "$d")" >>"$CHART_DATA"
  echo
  echo "### 6. Latency at -P 1 (ms, medians of the rounds)"
  echo
  echo "p50 and p99 are redis-benchmark 7.0's \"latency summary\" (it prints avg, min, p50, p95, p99,"
  echo "max); p99.9 is the first step of its \"Latency by percentile distribution\" at or above 99.9 %"
  echo "(HdrHistogram steps, in practice 99.902 %)."
  echo
  echo "| Test | Server | p50 | p99 | p99.9 | p99 / Redis everysec p99 (target for B ≤ 1.5×) |"
  echo "|---|---|---:|---:|---:|---:|"
  for t in GET_P1 SET_P1; do
    for cfg in A B C D; do
      [[ $cfg == D && $t == GET_P1 ]] && continue
      echo "| ${t%_P1} | $cfg. ${LABEL[$cfg]} | $(col "$cfg" "$t" 5) | $(col "$cfg" "$t" 6) | $(col "$cfg" "$t" 7) | $(ratio "$(col "$cfg" "$t" 6)" "$(col A "$t" 6)") |"
    done
  done
  echo
  echo "### 4 and 5. Memory and restart at $(fmt_int "$HEAVY_KEYS") keys"
  echo
  if ((WITH_10M)); then
    a=$(hcol A 3) b=$(hcol B 3)
    echo "Loaded with \`redis-cli --pipe\` (SET key:%012d, $VALUE_SIZE-byte value, keys 0 … N-1: exactly N distinct keys);"
    echo "RSS read from /proc 5 s after the load; on-disk size \`du -sb\` of the data directory after a clean stop;"
    echo "restart = process start to the first PONG followed by a correct GET of key N/2. Median of $HEAVY_ROUNDS round(s)."
    echo
    echo "| | A. Redis everysec | B. Cairn everysec | B / A |"
    echo "|---|---:|---:|---:|"
    echo "| RSS (target B / A ≤ 0.25×) | $(mib "$a") | $(mib "$b") | $(ratio "$b" "$a") $(verdict "$a" "$b" 4) |"
    a=$(hcol A 4) b=$(hcol B 4)
    echo "| On disk | $(mib "$a") | $(mib "$b") | $(ratio "$b" "$a") |"
    a=$(hcol A 5) b=$(hcol B 5)
    echo "| Restart to a correct GET (target for B ≤ 1,000 ms) | $(fmt_int "$a") ms | $(fmt_int "$b") ms | $(ratio "$b" "$a") $(verdict 1000 "$b" 1) |"
  else
    echo "Skipped in this run (they load $(fmt_int "$HEAVY_KEYS") keys into each server): \`bench/harness.sh --with-10m\` runs them."
  fi
  echo
  echo "<details><summary>Every run (requests/s, p50 / p99 / p99.9 ms)</summary>"
  echo
  echo "| Round | Server | Test | requests/s | p50 | p99 | p99.9 |"
  echo "|---:|---|---|---:|---:|---:|---:|"
  awk '{ printf "| %s | %s | %s | %.0f | %s | %s | %s |\n", $2, $1, $3, $4, $5, $6, $7 }' "$RESULTS"
  if ((WITH_10M)); then
    echo
    echo "| Round | Server | RSS bytes | disk bytes | restart ms |"
    echo "|---:|---|---:|---:|---:|"
    awk '{ printf "| %s | %s | %s | %s | %s |\n", $2, $1, $3, $4, $5 }' "$HEAVY"
  fi
  echo
  echo "</details>"
  echo
  echo "Commands (each run: a free loopback port, a fresh empty data directory):"
  echo
  echo '```sh'
  echo "ROUNDS=$ROUNDS REQUESTS=$REQUESTS$( ((WITH_10M)) && echo " HEAVY_KEYS=$HEAVY_KEYS HEAVY_ROUNDS=$HEAVY_ROUNDS") bench/harness.sh$( ((WITH_10M)) && echo ' --with-10m')"
  echo "# build"
  echo "$BUILD_CMDS"
  local s
  for cfg in A B C D; do
    s=$(fill_template "${TEMPLATE[$cfg]}" '<port>' '<empty-dir>' "${FSYNC[$cfg]}")
    echo "# ${cfg}. ${LABEL[$cfg]}"
    echo "${s//$ROOT\//}"
  done
  echo "# load (workloads 1 and 6, 2; workload 3 against D)"
  for s in "$W1P1_ARGS" "$W1P16_ARGS" "$W2_ARGS" "$W3D_ARGS"; do
    echo "${PIN_C}redis-benchmark -h 127.0.0.1 -p <port> $s"
  done
  if ((WITH_10M)); then
    echo "# workloads 4 and 5"
    echo "<SET key:%012d for 0 … $((HEAVY_KEYS - 1)), RESP> | ${PIN_C}redis-cli -h 127.0.0.1 -p <port> --pipe"
  fi
  echo '```'
  if [[ -s $WORK/semantics.md ]]; then
    echo
    echo "### Workload 7: scripts, pub/sub fan-out, blocking pops, streams, BullMQ (A and B, \`bench/semantics.sh\`)"
    echo
    cat "$WORK/semantics.md"
  fi
  if [[ $data_fs == tmpfs ]]; then
    echo
    echo "**Warning:** the data directories were on tmpfs, where fsync costs nothing. Set TMPDIR to a real disk."
  fi
}

if [[ $OUT == - ]]; then
  report
elif [[ -n $OUT ]]; then
  report >"$OUT"; note "wrote $OUT"
else
  # Replace the harness's own section of DOC, keeping everything around it.
  report >"$WORK/section.md"
  [[ -f $DOC ]] || echo "# Benchmarks" >"$DOC"
  /usr/bin/python3 - "$DOC" "$WORK/section.md" <<'PY'
import sys
doc_path, section_path = sys.argv[1], sys.argv[2]
doc = open(doc_path, encoding="utf-8").read()
section = open(section_path, encoding="utf-8").read().rstrip("\n")
begin, end = "<!-- harness:begin -->", "<!-- harness:end -->"
block = f"{begin}\n{section}\n{end}"
if begin in doc and end in doc:
    doc = doc[: doc.index(begin)] + block + doc[doc.index(end) + len(end):]
else:
    doc = doc.rstrip("\n") + "\n\n" + block + "\n"
open(doc_path, "w", encoding="utf-8").write(doc)
PY
  note "updated $DOC"
fi

# ---- chart --------------------------------------------------------------------------------------

mkdir -p "$(dirname "$CHART")"
gnuplot <<EOF >&2
set terminal png size 1100,580 font ",10" noenhanced
set output "$CHART"
set title "Cairn / Redis 7.0 throughput (redis-benchmark, $CLIENTS connections), median of $ROUNDS round(s), $STARTED"
set datafile missing "nan"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set xtics rotate by -30 scale 0 nomirror
set bmargin 7
set rmargin 12
set ytics nomirror
set grid ytics
set yrange [0:*]
set ylabel "ratio (1.0 = as fast as Redis)"
set key top right
set arrow from graph 0, first 1 to graph 1, first 1 nohead dashtype 2 lw 2 lc rgb "black" front
plot "$CHART_DATA" using 2:xtic(1) title "Cairn fsync everysec (B) / Redis everysec" lc rgb "#4477aa", \
     "" using 3 title "Cairn fsync always (C) / Redis everysec (last bar: / Redis always)" lc rgb "#ee6677"
EOF
note "wrote $CHART"
