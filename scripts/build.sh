#!/usr/bin/env bash
# Installs dependencies, then configures and builds Cairn with CMake + Ninja.
# CAIRN_BUILD_TYPE (default RelWithDebInfo) and CAIRN_BUILD_DIR (default build)
# choose the build; extra arguments are passed to `cmake --build`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BUILD_TYPE=${CAIRN_BUILD_TYPE:-RelWithDebInfo}
BUILD_DIR=${CAIRN_BUILD_DIR:-build}

bash scripts/install-deps.sh
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE"
cmake --build "$BUILD_DIR" "$@"
