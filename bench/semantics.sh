#!/usr/bin/env bash
# semantics.sh — throughput of scripts and pub/sub fan-out, Cairn next to Redis in the same run.
#
# Workloads (redis-benchmark, CLIENTS connections, REQUESTS requests each):
#   EVALSHA    a script doing GET then SET of one random key (-r 100000): SCRIPT LOAD, then
#              `evalsha <sha> 1 key:__rand_int__ <VALUE_SIZE bytes>`
#   PUBLISH    `publish bench:chan <VALUE_SIZE bytes>` with SUBSCRIBERS (default 50) connections
#              subscribed (bench/pubsub_subscribers.py); the subscribers' message count is
#              checked against REQUESTS x SUBSCRIBERS after each run
#   BLPOP      ping-pong through one list: CLIENTS connections block in `blpop bench:q 0` while
#              CLIENTS others send `lpush bench:q <VALUE_SIZE bytes>`, REQUESTS of each (two
#              redis-benchmark runs at once); the rate is REQUESTS over the time from the first
#              push to the last pop served, and the list must be empty at the end
#   XADD       `xadd bench:s * f <VALUE_SIZE bytes>`: REQUESTS entries on one stream (XLEN checked)
#   XREADGROUP then, on that stream with a group at 0, a script doing `XREADGROUP GROUP g
#              c<rand> COUNT 1 STREAMS bench:s >` and XACK of the entry it got, REQUESTS times
#              (one round trip for the pair); afterwards nothing is pending and the group has
#              read every entry
#   BULLMQ     bench/bullmq_throughput.cjs: BULLMQ_JOBS jobs (default 20000) added with addBulk by 4
#              producers, then processed by one Worker of concurrency 50 (jobs/s for each phase)
# against A. redis-server --appendonly yes --appendfsync everysec and B. Cairn --fsync everysec,
# alternating A B for ROUNDS rounds; servers pinned with `taskset -c 0`, the load generator and
# the subscribers with `taskset -c 1` (when the machine has 2 CPUs or more). Markdown on stdout.
#
#   bench/semantics.sh build/cairn > /tmp/semantics.md
#   ROUNDS=3 REQUESTS=100000 CLIENTS=50 VALUE_SIZE=100 SUBSCRIBERS=50 bench/semantics.sh build/cairn
#   WORKLOADS="XADD BULLMQ" bench/semantics.sh build/cairn      (a subset; XADD includes XREADGROUP)
# BULLMQ needs tests/bullmq/node_modules (npm ci there); without it the workload is skipped.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CAIRN=$(realpath "${1:?usage: bench/semantics.sh path/to/cairn}")
ROUNDS=${ROUNDS:-3}
REQUESTS=${REQUESTS:-100000}
CLIENTS=${CLIENTS:-50}
VALUE_SIZE=${VALUE_SIZE:-100}
SUBSCRIBERS=${SUBSCRIBERS:-50}
BULLMQ_JOBS=${BULLMQ_JOBS:-20000}
WORKLOADS=${WORKLOADS:-EVALSHA PUBLISH BLPOP XADD BULLMQ}
REDIS_SERVER=${REDIS_SERVER:-redis-server}
REDIS_BENCHMARK=${REDIS_BENCHMARK:-redis-benchmark}
REDIS_CLI=${REDIS_CLI:-redis-cli}
LIB_NAME=semantics
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"

PIN_SERVER=() PIN_CLIENT=()
if (($(nproc) >= 2)); then PIN_SERVER=(taskset -c 0) PIN_CLIENT=(taskset -c 1); fi
WORK=$(mktemp -d -t cairn-semantics-XXXXXX)
SUB_PID=""
cleanup() {
  [[ -z $SUB_PID ]] || kill -TERM "$SUB_PID" 2>/dev/null || true
  stop_server
  rm -rf "$WORK"
}
trap cleanup EXIT

declare -A TEMPLATE LABEL
TEMPLATE[A]="${PIN_SERVER[*]} $REDIS_SERVER --port {port} --bind 127.0.0.1 --dir {data_dir} --appendonly yes --appendfsync {fsync} --save ''"
LABEL[A]="Redis 7 (appendfsync everysec)"
TEMPLATE[B]="${PIN_SERVER[*]} $CAIRN serve --port {port} --bind 127.0.0.1 --http-port 0 --data-dir {data_dir} --fsync {fsync}"
LABEL[B]="Cairn (--fsync everysec)"

VALUE=$(head -c "$VALUE_SIZE" /dev/zero | tr '\0' x)
SCRIPT="local v = redis.call('GET', KEYS[1]); redis.call('SET', KEYS[1], ARGV[1]); return v"
READ_ACK="local r = redis.call('XREADGROUP', 'GROUP', 'g', ARGV[1], 'COUNT', 1, 'STREAMS', KEYS[1], '>')
if r then return redis.call('XACK', KEYS[1], 'g', r[1][2][1][1]) end
return 0"
declare -A RESULT   # "WORKLOAD CONFIG" -> space-separated rps of each round

rps_of() {   # redis-benchmark -q output "NAME: 123456.78 requests per second, ..." -> 123456.78
  awk -F'[: ]+' '/requests per second/ { for (i = 1; i <= NF; i++) if ($i == "requests") { print $(i - 1); exit } }'
}

run_evalsha() {
  local sha out
  sha=$("$REDIS_CLI" -h 127.0.0.1 -p "$PORT" SCRIPT LOAD "$SCRIPT")
  out=$("${PIN_CLIENT[@]}" "$REDIS_BENCHMARK" -h 127.0.0.1 -p "$PORT" -c "$CLIENTS" -n "$REQUESTS" -r 100000 -q \
        evalsha "$sha" 1 key:__rand_int__ "$VALUE")
  [[ $("$REDIS_CLI" -h 127.0.0.1 -p "$PORT" DBSIZE) -gt 0 ]] || die "EVALSHA stored nothing"
  rps_of <<<"$out"
}

run_publish() {
  local ready=$WORK/ready out received
  rm -f "$ready"
  "${PIN_CLIENT[@]}" /usr/bin/python3 "$HERE/pubsub_subscribers.py" "$PORT" bench:chan "$SUBSCRIBERS" "$ready" \
    >"$WORK/received" &
  SUB_PID=$!
  for ((i = 0; i < 300; i++)); do [[ -f $ready ]] && break; sleep 0.1; done
  [[ -f $ready ]] || die "subscribers did not get ready"
  out=$("${PIN_CLIENT[@]}" "$REDIS_BENCHMARK" -h 127.0.0.1 -p "$PORT" -c "$CLIENTS" -n "$REQUESTS" -q \
        publish bench:chan "$VALUE")
  sleep 1  # let the last messages arrive
  kill -TERM "$SUB_PID"
  wait "$SUB_PID"
  SUB_PID=""
  received=$(cat "$WORK/received")
  [[ $received -eq $((REQUESTS * SUBSCRIBERS)) ]] ||
    note "PUBLISH: subscribers received $received of $((REQUESTS * SUBSCRIBERS)) messages"
  rps_of <<<"$out"
}

run_blpop() {
  local pop_pid t0 t1 left
  "${PIN_CLIENT[@]}" "$REDIS_BENCHMARK" -h 127.0.0.1 -p "$PORT" -c "$CLIENTS" -n "$REQUESTS" -q \
    blpop bench:q 0 >/dev/null &
  pop_pid=$!
  for ((i = 0; i < 300; i++)); do
    [[ $("$REDIS_CLI" -h 127.0.0.1 -p "$PORT" INFO clients | tr -d '\r' | awk -F: '/^blocked_clients/ {print $2}') \
      -ge "$CLIENTS" ]] && break
    sleep 0.05
  done
  t0=$(date +%s.%N)
  "${PIN_CLIENT[@]}" "$REDIS_BENCHMARK" -h 127.0.0.1 -p "$PORT" -c "$CLIENTS" -n "$REQUESTS" -q \
    lpush bench:q "$VALUE" >/dev/null
  wait "$pop_pid"
  t1=$(date +%s.%N)
  left=$("$REDIS_CLI" -h 127.0.0.1 -p "$PORT" LLEN bench:q)
  [[ $left -eq 0 ]] || note "BLPOP: $left elements left in the list"
  awk -v n="$REQUESTS" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", n / (b - a) }'
}

cli() { "$REDIS_CLI" -h 127.0.0.1 -p "$PORT" "$@"; }

run_xadd() {
  local out
  out=$("${PIN_CLIENT[@]}" "$REDIS_BENCHMARK" -h 127.0.0.1 -p "$PORT" -c "$CLIENTS" -n "$REQUESTS" -q         xadd bench:s '*' f "$VALUE")
  [[ $(cli XLEN bench:s) -eq $REQUESTS ]] || die "XADD: XLEN is $(cli XLEN bench:s), not $REQUESTS"
  rps_of <<<"$out"
}

run_xreadgroup() {
  local sha out pending
  cli XGROUP CREATE bench:s g 0 >/dev/null
  sha=$(cli SCRIPT LOAD "$READ_ACK")
  out=$("${PIN_CLIENT[@]}" "$REDIS_BENCHMARK" -h 127.0.0.1 -p "$PORT" -c "$CLIENTS" -n "$REQUESTS" -r 50 -q         evalsha "$sha" 1 bench:s c__rand_int__)
  pending=$(cli XPENDING bench:s g | head -1)
  [[ $pending -eq 0 ]] || die "XREADGROUP+XACK: $pending entries left pending"
  [[ $(cli XINFO GROUPS bench:s | awk 'prev == "entries-read" { print; exit } { prev = $0 }') -eq $REQUESTS ]] ||
    die "XREADGROUP+XACK: the group did not read all $REQUESTS entries"
  rps_of <<<"$out"
}

run_bullmq() {   # prints "added/s processed/s"
  NODE_PATH=$HERE/../tests/bullmq/node_modules "${PIN_CLIENT[@]}" node "$HERE/bullmq_throughput.cjs" "$PORT"     "$BULLMQ_JOBS" 50 4
}

ROWS=()
for workload in $WORKLOADS; do
  case $workload in
    XADD) ROWS+=(XADD XREADGROUP) ;;
    BULLMQ)
      if [[ -d $HERE/../tests/bullmq/node_modules/bullmq ]]; then ROWS+=(BULLMQ_ADD BULLMQ_PROCESS)
      else note "BULLMQ skipped: no tests/bullmq/node_modules (npm ci there)"; WORKLOADS=${WORKLOADS/BULLMQ/}; fi ;;
    *) ROWS+=("$workload") ;;
  esac
done

for ((round = 1; round <= ROUNDS; round++)); do
  for config in A B; do
    for workload in $WORKLOADS; do
      start_server "${TEMPLATE[$config]}" everysec "${LABEL[$config]}"
      note "round $round: $workload against ${LABEL[$config]}"
      case $workload in
        EVALSHA) RESULT["EVALSHA $config"]+="$(run_evalsha) " ;;
        PUBLISH) RESULT["PUBLISH $config"]+="$(run_publish) " ;;
        BLPOP) RESULT["BLPOP $config"]+="$(run_blpop) " ;;
        XADD)
          RESULT["XADD $config"]+="$(run_xadd) "
          RESULT["XREADGROUP $config"]+="$(run_xreadgroup) " ;;
        BULLMQ)
          read -r added processed < <(run_bullmq)
          RESULT["BULLMQ_ADD $config"]+="$added "
          RESULT["BULLMQ_PROCESS $config"]+="$processed " ;;
      esac
      stop_server
    done
  done
done

declare -A ROW_LABEL=([XREADGROUP]="XREADGROUP + XACK (script)" [BULLMQ_ADD]="BullMQ addBulk (jobs/s)"
  [BULLMQ_PROCESS]="BullMQ Worker (jobs/s)")
echo "| workload | ${LABEL[A]} | ${LABEL[B]} | Cairn / Redis |"
echo "|---|---|---|---|"
for workload in "${ROWS[@]}"; do
  a=$(tr ' ' '\n' <<<"${RESULT["$workload A"]}" | grep . | median)
  b=$(tr ' ' '\n' <<<"${RESULT["$workload B"]}" | grep . | median)
  echo "| ${ROW_LABEL[$workload]:-$workload} | $(fmt_int "$a") | $(fmt_int "$b") | $(ratio "$b" "$a") |"
done
echo
every=""
for workload in "${ROWS[@]}"; do every+="$workload: A ${RESULT["$workload A"]}B ${RESULT["$workload B"]}; "; done
echo "Medians of $ROUNDS round(s) (every run: ${every%; })."
echo "redis-benchmark: $CLIENTS connections, $REQUESTS requests, $VALUE_SIZE-byte values; PUBLISH with $SUBSCRIBERS subscribers; BLPOP: $CLIENTS poppers and $CLIENTS pushers; BullMQ: $BULLMQ_JOBS jobs, 4 producers, concurrency 50."
echo "Servers pinned with \`${PIN_SERVER[*]:-(none)}\`, load with \`${PIN_CLIENT[*]:-(none)}\`. $(machine_line)."
