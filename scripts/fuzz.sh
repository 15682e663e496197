#!/usr/bin/env bash
# libFuzzer targets of tests/fuzz, built with Debian's clang (ASan + UBSan).
#   scripts/fuzz.sh --ci              build, run every target for 60 s (two at
#                                     a time), fail on any crash, leak,
#                                     sanitizer report or broken invariant
#   scripts/fuzz.sh TARGET [SECONDS]  one target (resp_parser, http_request,
#                                     json_bodies, codecs), default 600 s
# Seeds are tests/fuzz/corpus/TARGET (read only); what the fuzzer finds grows
# in build-fuzz/corpus/TARGET, and failing inputs land in build-fuzz/artifacts.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BUILD_DIR=${CAIRN_FUZZ_BUILD_DIR:-build-fuzz}
TARGETS=(resp_parser http_request json_bodies codecs)

bash scripts/install-deps.sh
cmake -S tests/fuzz -B "$BUILD_DIR" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD_DIR"
mkdir -p "$BUILD_DIR/artifacts"

# run TARGET SECONDS: prints libFuzzer's last status line; exit status 0 only
# when the run ended by time with nothing found.
run() {
  local target=$1 seconds=$2 log="$BUILD_DIR/fuzz_$1.log"
  mkdir -p "$BUILD_DIR/corpus/$target"
  local status=0
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$BUILD_DIR/fuzz_$target" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$BUILD_DIR/artifacts/$target-" \
    "$BUILD_DIR/corpus/$target" "tests/fuzz/corpus/$target" >"$log" 2>&1 || status=$?
  local runs cov
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1 || true)
  if [[ $status -ne 0 ]]; then
    echo "fuzz $target: FAILED (exit $status) after $runs runs; log $log" >&2
    grep -E 'ERROR|invariant|SUMMARY|Test unit written' "$log" | head -20 >&2 || true
    return 1
  fi
  echo "fuzz $target: ok, $runs runs in ${seconds}s, $cov"
}

if [[ "${1:-}" == "--ci" ]]; then
  seconds=${CAIRN_FUZZ_SECONDS:-60}
  failed=0
  # Two at a time: the CI machine has two cores.
  for ((i = 0; i < ${#TARGETS[@]}; i += 2)); do
    pids=()
    for t in "${TARGETS[@]:i:2}"; do
      run "$t" "$seconds" & pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || failed=1; done
  done
  exit $failed
fi

target=${1:?usage: scripts/fuzz.sh --ci | TARGET [SECONDS]}
run "$target" "${2:-600}"
