#!/usr/bin/env bash
# README command 2: install dependencies, build, fetch Redis's own test suite,
# then run every test with ctest. Arguments are passed to ctest
# (default parallelism -j2); the exit status is ctest's.
#   scripts/test.sh -R redis_suite
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BUILD_DIR=${CAIRN_BUILD_DIR:-build}

bash scripts/build.sh
bash scripts/fetch-redis-tests.sh >/dev/null
exec ctest --test-dir "$BUILD_DIR" --output-on-failure -j2 "$@"
