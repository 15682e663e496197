#!/usr/bin/env bash
# README command 2: install dependencies, build, fetch Redis's own test suite,
# install the pinned npm clients of tests/http, tests/redis-clients and
# tests/bullmq (npm ci from the committed lock files), then run every test
# with ctest; then the fuzz targets (60 s each) and the suite again under the
# sanitizers (scripts/test-sanitizers.sh).
# With arguments, only ctest runs, with them (default parallelism -j2):
#   scripts/test.sh -R redis_suite
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BUILD_DIR=${CAIRN_BUILD_DIR:-build}

bash scripts/build.sh
bash scripts/fetch-redis-tests.sh >/dev/null
for dir in tests/http tests/redis-clients tests/bullmq; do
  if [[ ! -d $dir/node_modules || $dir/package-lock.json -nt $dir/node_modules ]]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    touch "$dir/node_modules"
  fi
done
if [[ $# -gt 0 ]]; then
  # A chosen subset (ctest arguments): only the main build's tests.
  exec ctest --test-dir "$BUILD_DIR" --output-on-failure -j2 "$@"
fi
ctest --test-dir "$BUILD_DIR" --output-on-failure -j2
# Issue 6: every fuzz target for 60 s, then the suite under ASan + UBSan and
# the concurrency tests under TSan (skip both with CAIRN_QUICK=1 locally).
if [[ -z "${CAIRN_QUICK:-}" ]]; then
  bash scripts/fuzz.sh --ci
  bash scripts/test-sanitizers.sh all
fi
