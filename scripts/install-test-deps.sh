#!/usr/bin/env bash
# Everything the test suite needs beyond node_modules, installed once and cached under
# ${DEEPSEEK_LOCAL_CACHE:-~/.cache/deepseek-local}: Debian's build tools, chromium and code-server
# for the browser suite, the peer llama-server built from node-llama-cpp's bundled sources, and
# (Linux) node-llama-cpp's CPU variants rebuilt from the same sources. Each stage prints its time;
# a cached stage takes under a second. README "What the setup installs" lists sizes and removal.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/setup.sh

preflight
stage "Debian packages (chromium, compilers, fonts)" "first time ~1-2 min, then instant" apt_install "${APT_PACKAGES[@]}"
stage "Node 24 and code-server for the browser suite" "first time ~4 min, then instant" bash scripts/install-e2e-deps.sh
stage "llama-server, the bench's peer, from node-llama-cpp's llama.cpp sources" "first time ~6 min on 2 cores, then instant" \
  without_outer_npm node_modules/.bin/tsx native/llama-server/build.ts
# node-llama-cpp's CPU variants rebuilt with this compiler, as the packaged extension ships them (native/ggml-cpu).
if [ "$(uname -s)" = Linux ]; then
  stage "node-llama-cpp's CPU variants, rebuilt" "first time ~12 min on 2 cores, then instant" without_outer_npm node_modules/.bin/tsx native/ggml-cpu/build.ts
fi
