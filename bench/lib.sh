# shellcheck shell=bash
# bench/lib.sh — shell functions shared by the benchmark scripts in bench/ (sourced, not run).
#
# The caller sets, before using start_server/stop_server:
#   LIB_NAME      prefix of progress messages (e.g. "harness")
#   WORK          a scratch directory (fresh data directories go under it)
#   REDIS_CLI     the redis-cli to PING with
# and may set START_TIMEOUT_TENTHS / STOP_TIMEOUT_TENTHS (default 300 each, i.e. 30 s).
# Every loop here is bounded; every process is stopped by its PID.

START_TIMEOUT_TENTHS=${START_TIMEOUT_TENTHS:-300}
STOP_TIMEOUT_TENTHS=${STOP_TIMEOUT_TENTHS:-300}
SERVER_PID=""

note() { echo "${LIB_NAME:-bench}: $*" >&2; }
die() { note "$*"; exit 1; }

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# fill_template TEMPLATE PORT DATA_DIR FSYNC: substitutes {port} {data_dir} {fsync}.
fill_template() {
  local cmd=$1
  cmd=${cmd//\{port\}/$2}
  cmd=${cmd//\{data_dir\}/$3}
  cmd=${cmd//\{fsync\}/$4}
  printf '%s' "$cmd"
}

# launch_server TEMPLATE FSYNC DATA_DIR: starts the filled command in the background without
# waiting. Uses PORT if set (a restart on the same port), else picks a free one.
# Sets SERVER_PID, PORT, SERVER_DATA_DIR, SERVER_LOG, SERVER_CMD.
launch_server() {
  local template=$1 fsync=$2
  SERVER_DATA_DIR=$3
  [[ -n ${PORT:-} ]] || PORT=$(free_port)
  SERVER_LOG=$SERVER_DATA_DIR.log
  SERVER_CMD=$(fill_template "$template" "$PORT" "$SERVER_DATA_DIR" "$fsync")
  # exec: the PID we record is the server itself (taskset execs too), not a wrapper shell.
  bash -c "exec $SERVER_CMD" </dev/null >>"$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
}

# start_server TEMPLATE FSYNC LABEL [DATA_DIR]: starts the server on a free loopback port with
# a fresh empty data directory (or DATA_DIR) and waits until it answers PING.
start_server() {
  local template=$1 fsync=$2 label=$3 data_dir=${4:-} i
  [[ -n $data_dir ]] || data_dir=$(mktemp -d "$WORK/data.XXXXXX")
  PORT=""
  launch_server "$template" "$fsync" "$data_dir"
  for ((i = 0; i < START_TIMEOUT_TENTHS; i++)); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      wait "$SERVER_PID" 2>/dev/null || true
      SERVER_PID=""
      note "$label exited during start-up. Command: $SERVER_CMD"
      tail -n 50 "$SERVER_LOG" >&2
      exit 1
    fi
    if [[ $("$REDIS_CLI" -h 127.0.0.1 -p "$PORT" PING 2>/dev/null) == PONG ]]; then
      return 0
    fi
    sleep 0.1
  done
  note "$label did not answer PING within $((START_TIMEOUT_TENTHS / 10)) s. Command: $SERVER_CMD"
  tail -n 50 "$SERVER_LOG" >&2
  exit 1
}

# stop_server: SIGTERM to SERVER_PID, SIGKILL after STOP_TIMEOUT_TENTHS.
stop_server() {
  [[ -n $SERVER_PID ]] || return 0
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    local i
    for ((i = 0; i < STOP_TIMEOUT_TENTHS; i++)); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
      note "server $SERVER_PID ignored SIGTERM for $((STOP_TIMEOUT_TENTHS / 10)) s; sending SIGKILL"
      kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
  fi
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

# ---- small single-purpose scripts ------------------------------------------------------------

# bench_options ARGS...: the options of the small scripts (--cairn PATH, --no-install) into
# CAIRN_BIN and INSTALL (read by the caller); anything else is an error.
# shellcheck disable=SC2034
bench_options() {
  CAIRN_BIN="" INSTALL=1
  while (($#)); do
    case $1 in
      --cairn) CAIRN_BIN=${2:?--cairn needs a path}; shift ;;
      --no-install) INSTALL=0 ;;
      *) die "unknown option $1" ;;
    esac
    shift
  done
}

# release_cairn ROOT: unless CAIRN_BIN is set, builds Cairn in Release mode into
# ROOT/build-release/ and points CAIRN_BIN at it.
release_cairn() {
  [[ -z $CAIRN_BIN ]] || return 0
  (cd "$1" && cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null && ninja -C build-release cairn >&2)
  CAIRN_BIN=$1/build-release/cairn
}

# ---- numbers ----------------------------------------------------------------------------------

median() {
  sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
fmt_int() {   # 1234567 -> 1,234,567
  [[ $1 == nan || -z $1 ]] && { printf 'n/a'; return; }
  printf '%.0f' "$1" | sed ':a; s/\B[0-9]\{3\}\>/,&/; ta'
}
ratio_num() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "nan" && b != "nan" && b > 0) printf "%.3f", a / b; else print "nan" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "nan" && b != "nan" && b > 0) printf "%.2f×", a / b; else print "n/a" }'; }

# ---- the machine ------------------------------------------------------------------------------

machine_line() {
  local cpu_model mem_total os_name
  cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
  mem_total=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
  # shellcheck disable=SC1091
  os_name=$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-unknown}")
  echo "nproc $(nproc), CPU ${cpu_model:-unknown}, $mem_total RAM, $os_name, kernel $(uname -r)"
}
