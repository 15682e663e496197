#!/usr/bin/env bash
# Installs every Debian 12 package that Cairn's build and tests need.
# Idempotent: when all packages are already installed it does nothing.
# Runs as root, or as a user with sudo.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  librocksdb-dev libjemalloc-dev libboost1.81-dev libboost-json1.81-dev libboost-program-options1.81-dev
  libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev libssl-dev libxxhash-dev
  liblua5.1-0-dev lua-cjson-dev lua-bitop-dev liblzf-dev python3 python3-redis redis-server redis-tools tcl dpkg-dev
  procps iproute2 curl
  clang libclang-rt-14-dev
  python3-fusepy fuse
)
# python3-fusepy (with libfuse2) runs tests/powerloss/lazyfs.py, the FUSE layer
# of the power-loss test; fuse is libfuse2's fusermount, which unmounts it.
# Node.js and npm run tests/http (the @upstash/redis and @vercel/kv clients).
# Only when npm is missing: NodeSource's nodejs bundles npm and conflicts with
# Debian's npm package.
if ! command -v npm >/dev/null; then
  PACKAGES+=(nodejs npm)
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == installed ]] || missing+=("$pkg")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi
echo "install-deps: installing ${missing[*]}" >&2

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo" >&2; exit 1; }
  SUDO=(sudo)
fi

# The redis-server package may start a daemon on port 6379. Remember which
# daemon (if any) ran before, so that only one started by this install is stopped.
PIDFILE=/run/redis/redis-server.pid
daemon_pid() {
  local pid
  pid=$(cat "$PIDFILE" 2>/dev/null || true)
  if [[ "$pid" =~ ^[0-9]+$ ]] && [[ "$(ps -o comm= -p "$pid" 2>/dev/null)" == redis-server ]]; then
    echo "$pid"
  fi
}
pid_before=$(daemon_pid)

"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -q --no-install-recommends "${missing[@]}"

pid_after=$(daemon_pid)
if [[ -n "$pid_after" && "$pid_after" != "$pid_before" ]]; then
  echo "install-deps: stopping the redis-server the package started (pid $pid_after)" >&2
  "${SUDO[@]}" kill -TERM "$pid_after" || true
fi
