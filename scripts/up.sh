#!/usr/bin/env bash
# README command 1: install dependencies, build, and run the server in the
# foreground. Arguments go to `cairn serve` (data dir defaults to ./data).
#   scripts/up.sh --port 6379 --fsync always
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/build.sh
exec "${CAIRN_BUILD_DIR:-build}/cairn" serve "$@"
