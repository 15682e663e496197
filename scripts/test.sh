#!/usr/bin/env bash
# README command 2: install dependencies, build, fetch Redis's own test suite,
# install the pinned npm clients of tests/http (npm ci from the committed
# lock file), then run every test with ctest. Arguments are passed to ctest
# (default parallelism -j2); the exit status is ctest's.
#   scripts/test.sh -R redis_suite
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BUILD_DIR=${CAIRN_BUILD_DIR:-build}

bash scripts/build.sh
bash scripts/fetch-redis-tests.sh >/dev/null
if [[ ! -d tests/http/node_modules || tests/http/package-lock.json -nt tests/http/node_modules ]]; then
  (cd tests/http && npm ci --no-audit --no-fund --loglevel=error)
  touch tests/http/node_modules
fi
exec ctest --test-dir "$BUILD_DIR" --output-on-failure -j2 "$@"
