#!/usr/bin/env bash
# Fetches Redis 7.0's own test suite (Debian's redis source package) into
# build/redis-src/redis-*/ and prints that directory. Does nothing when it is
# already there. Enables deb-src entries for the Debian mirrors if needed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DEST=$PWD/build/redis-src
mkdir -p "$DEST"

find_suite() {
  local helper
  for helper in "$DEST"/redis-*/tests/test_helper.tcl; do
    [[ -f "$helper" ]] && { dirname "$(dirname "$helper")"; return 0; }
  done
  return 1
}

# Parallel test runs may all try to fetch; only one does the work.
exec 9>"$DEST/.lock"
flock 9

if suite=$(find_suite); then
  echo "$suite"
  exit 0
fi

SUDO=()
[[ $(id -u) -eq 0 ]] || SUDO=(sudo)

SRC_LIST=/etc/apt/sources.list.d/cairn-deb-src.sources
has_deb_src() {
  grep -qsE '^[[:space:]]*deb-src[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list ||
    grep -qsiE '^Types:.*deb-src' /etc/apt/sources.list.d/*.sources
}
if ! has_deb_src; then
  echo "fetch-redis-tests: adding deb-src entries in $SRC_LIST" >&2
  if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    # Same stanzas as the binary entries, with Types: deb-src and no comments.
    awk '/^#/ {next} /^Types:/ {print "Types: deb-src"; next} {print}' \
      /etc/apt/sources.list.d/debian.sources
  else
    printf '%s\n' 'Types: deb-src' 'URIs: http://deb.debian.org/debian' \
      'Suites: bookworm bookworm-updates' 'Components: main' \
      'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' '' \
      'Types: deb-src' 'URIs: http://deb.debian.org/debian-security' \
      'Suites: bookworm-security' 'Components: main' \
      'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg'
  fi | "${SUDO[@]}" tee "$SRC_LIST" >/dev/null
  "${SUDO[@]}" apt-get update -q >&2
elif ! compgen -G '/var/lib/apt/lists/*_source_Sources*' >/dev/null; then
  "${SUDO[@]}" apt-get update -q >&2
fi

# Download and unpack only; nothing is built.
(cd "$DEST" && apt-get source -q redis >&2)
find_suite
