#!/usr/bin/env bash
# http_vs_nginx.sh — issue 5's HTTP read benchmark: `wrk` against Cairn's
# `GET /v1/kv/{key}` (a 100-byte value) and against Debian's nginx serving a
# 100-byte static file, in the same run, alternating (A B A B …), keep-alive,
# 50 connections; medians and the Cairn/nginx ratio as a Markdown table.
#
# Installs wrk and nginx-light if missing, builds Cairn in Release mode into
# build-release/ (unless --cairn PATH). Both servers are pinned to CPU 0 with
# taskset (nginx: one worker), wrk to CPU 1. Every process is stopped by PID.
#
#   bench/http_vs_nginx.sh [--cairn PATH] [--no-install]
#   ROUNDS=3 DURATION=10 CONNECTIONS=50 bench/http_vs_nginx.sh
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
LIB_NAME=http_vs_nginx
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"

bench_options "$@"
ROUNDS=${ROUNDS:-3} DURATION=${DURATION:-10} CONNECTIONS=${CONNECTIONS:-50}

if ((INSTALL)); then
  missing=()
  command -v wrk >/dev/null || missing+=(wrk)
  [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
  command -v redis-cli >/dev/null || missing+=(redis-tools)
  if ((${#missing[@]})); then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
  fi
fi
release_cairn "$ROOT"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cairn-http-bench.XXXXXX")
NGINX_PID="" CAIRN_PID=""
cleanup() {
  for pid in $NGINX_PID $CAIRN_PID; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in $NGINX_PID $CAIRN_PID; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

VALUE=$(head -c 100 /dev/zero | tr '\0' 'v')
mkdir -p "$WORK/www" "$WORK/nginx"
printf '%s' "$VALUE" >"$WORK/www/value"
# nginx's worker drops to www-data when started as root: let it read the file.
chmod 755 "$WORK" "$WORK/www" && chmod 644 "$WORK/www/value"

NGINX_PORT=$(free_port)
cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $WORK/www;
  }
}
EOF
taskset -c 0 /usr/sbin/nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" >"$WORK/nginx.log" 2>&1 &
NGINX_PID=$!

RESP_PORT=$(free_port) HTTP_PORT=$(free_port)
taskset -c 0 "$CAIRN_BIN" serve --data-dir "$WORK/data" --port "$RESP_PORT" --http-port "$HTTP_PORT" \
  --fsync everysec >"$WORK/cairn.log" 2>&1 &
CAIRN_PID=$!
for _ in $(seq 100); do
  [[ $(redis-cli -p "$RESP_PORT" PING 2>/dev/null) == PONG ]] && curl -fs "http://127.0.0.1:$NGINX_PORT/value" >/dev/null && break
  sleep 0.1
done
redis-cli -p "$RESP_PORT" SET value "$VALUE" >/dev/null
[[ $(curl -fs "http://127.0.0.1:$HTTP_PORT/v1/kv/value") == "$VALUE" ]] || die "Cairn does not serve the value"
[[ $(curl -fs "http://127.0.0.1:$NGINX_PORT/value") == "$VALUE" ]] || die "nginx does not serve the file"

run_wrk() {  # run_wrk URL -> requests/s
  taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$1" 2>&1 |
    awk '/^Requests\/sec:/ { print $2 } /Non-2xx/ { print "non-2xx: " $0 > "/dev/stderr" }'
}
declare -a NG CA
for ((r = 1; r <= ROUNDS; r++)); do
  note "round $r/$ROUNDS"
  NG+=("$(run_wrk "http://127.0.0.1:$NGINX_PORT/value")")
  CA+=("$(run_wrk "http://127.0.0.1:$HTTP_PORT/v1/kv/value")")
done
med() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
n=$(med "${NG[@]}") c=$(med "${CA[@]}")
echo "| | nginx (static 100-byte file) | Cairn \`GET /v1/kv/value\` | Cairn / nginx |"
echo "|---|---:|---:|---:|"
echo "| requests/s (median of $ROUNDS) | $(fmt_int "$n") | $(fmt_int "$c") | $(ratio "$c" "$n") |"
echo
echo "Every run (requests/s): nginx ${NG[*]}; Cairn ${CA[*]}."
echo "Machine: $(machine_line). \`wrk -t1 -c$CONNECTIONS -d${DURATION}s\` pinned to CPU 1; both servers pinned to CPU 0 (nginx: one worker, access log off; Cairn: --fsync everysec, one I/O thread)."
