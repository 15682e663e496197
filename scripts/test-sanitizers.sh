#!/usr/bin/env bash
# The test suite under the sanitizers (issue 6).
#   scripts/test-sanitizers.sh asan   AddressSanitizer + UndefinedBehaviorSanitizer
#                                     build in build-asan; every ctest test
#   scripts/test-sanitizers.sh tsan   ThreadSanitizer build in build-tsan; the
#                                     concurrency tests (below)
#   scripts/test-sanitizers.sh all    both (what .ci/run does)
# Any report fails: UBSan is built non-recoverable, ASan/TSan abort on the
# first report, LeakSanitizer runs at every clean exit, and the test
# harnesses fail a server that does not exit 0 on SIGTERM. Extra arguments
# go to ctest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

mode=${1:-all}
shift || true

# -O1 with line tables only: readable reports, and a build about twice as
# fast as RelWithDebInfo (which matters on CI's two cores).
configure_and_build() {
  local dir=$1 sanitize=$2
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="-O1 -g1" \
    -DCAIRN_SANITIZE="$sanitize" >/dev/null
  cmake --build "$dir"
}

export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:detect_stack_use_after_return=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:history_size=4:suppressions=$PWD/tests/sanitizers/tsan.supp
# Sanitized code runs several times slower: tests that wait on the server
# scale their patience by this (tests/lib/cairn_server.py).
export CAIRN_TEST_SLOWDOWN=3

# Every test but the soak, whose memory bound is about the real allocator
# (ASan's shadow memory and quarantine multiply RSS), and the power-loss
# tests, which check what reaches the disk (the plain build runs them; under
# ASan they would take most of CI's time for no more memory checking than
# the crash test already gives).
run_asan() {
  configure_and_build build-asan address,undefined
  ctest --test-dir build-asan --output-on-failure -j2 -E '^(soak_|powerloss_)' "$@"
}

# ThreadSanitizer: the tests where threads meet. The unit tests of the
# engine's writer, group commit, record cache and keyspace; the server under
# concurrent clients (I/O threads + writer thread): crash test, HTTP watch
# (commit listeners wake I/O threads), RESP watch, hostile input (many
# connections), the Upstash clients and the Redis suite's keyspace unit.
run_tsan() {
  configure_and_build build-tsan thread
  ctest --test-dir build-tsan --output-on-failure -j2 \
    -R '^(Engine|Overlay|RecordCache|Keyspace|Txn)|crash_test$|integration_(http_watch|resp_watch|hostile_input|http_upstash)|redis_suite_keyspace' "$@"
}

case "$mode" in
  asan) run_asan "$@" ;;
  tsan) run_tsan "$@" ;;
  all) run_asan "$@"; run_tsan "$@" ;;
  *) echo "usage: scripts/test-sanitizers.sh asan|tsan|all [ctest args]" >&2; exit 2 ;;
esac
