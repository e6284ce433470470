#!/usr/bin/env bash
# Everything the test suite needs beyond node_modules, installed once and cached under
# ${DEEPSEEK_LOCAL_CACHE:-~/.cache/deepseek-local}: Debian's build tools, chromium and code-server
# for the browser suite, the peer llama-server built from node-llama-cpp's bundled sources, and
# (Linux) node-llama-cpp's CPU variants rebuilt from the same sources.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for tool in cmake git g++ make; do command -v "$tool" >/dev/null || need+=("$tool")
done
if [ "${#need[@]}" -gt 0 ]; then
  echo "[install-test-deps] installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends cmake git g++ make >/dev/null
fi

bash scripts/install-e2e-deps.sh
npx tsx native/llama-server/build.ts
# node-llama-cpp's CPU variants rebuilt with this compiler, as the packaged extension ships them (native/ggml-cpu).
if [ "$(uname -s)" = Linux ]; then npx tsx native/ggml-cpu/build.ts; fi
