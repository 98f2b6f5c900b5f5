#!/usr/bin/env bash
# `make demo`: shows what marketlm can do today.
set -euo pipefail
BUILD_DIR=${1:-build}
ML="$BUILD_DIR/src/cli/marketlm"
echo "== marketlm $("$ML" version)"
"$ML" --help
