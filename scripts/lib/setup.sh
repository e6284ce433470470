# Sourced by the setup scripts: stages shown with their expected and actual time, one clear message
# for a missing prerequisite, and nested npm runs that do not inherit the outer npm's config.
# shellcheck shell=bash

# `stage NAME EXPECTED CMD…`: prints the stage as it starts, with how long it is expected to take,
# and its time when it ends.
stage() {
  local name=$1 expected=$2 start rc
  shift 2
  start=$(date +%s)
  printf '[setup] ▶ %s (%s)\n' "$name" "$expected" >&2
  "$@" && rc=0 || rc=$?
  if [ "$rc" -eq 0 ]; then
    printf '[setup] ✓ %s in %ss\n' "$name" "$(($(date +%s) - start))" >&2
  else
    printf '[setup] ✗ %s failed after %ss (exit %s)\n' "$name" "$(($(date +%s) - start))" "$rc" >&2
  fi
  return "$rc"
}

# Stops with one message naming what to install or fix.
require() {
  printf '[setup] cannot set up the test tools: %s\n' "$*" >&2
  exit 1
}

# `as_root CMD…`: runs CMD as root (directly, or through sudo), or stops with the command to run.
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo "$@"
  else require "this needs root for: $*. Run it with sudo, or as root, once; later runs need no root."
  fi
}

# `apt_install PKG…`: installs the Debian packages that are not installed yet.
apt_install() {
  local pkg missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  command -v apt-get >/dev/null || require "no apt-get: the setup installs Debian packages (${missing[*]}) and supports Debian 12 / Ubuntu 22.04+ only; install them with your package manager"
  printf '[setup] apt-get install %s\n' "${missing[*]}" >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# What the setup cannot do without, checked before anything is downloaded or built.
preflight() {
  local id="" like=""
  if [ -r /etc/os-release ]; then
    id=$(. /etc/os-release && echo "${ID:-}")
    like=$(. /etc/os-release && echo "${ID_LIKE:-}")
  fi
  case " $id $like " in
    *" debian "* | *" ubuntu "*) ;;
    *) require "this is ${id:-an unknown system}; the setup installs Debian packages and supports Debian 12 / Ubuntu 22.04+ (elsewhere install chromium, cmake, g++, make, git, python3 and libkrb5-dev yourself, then run it again)" ;;
  esac
  local node_version
  node_version=$(node -p 'process.versions.node' 2>/dev/null) || require "no node on PATH: install Node.js 20.19 or newer"
  node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' ||
    require "Node.js $node_version is too old: the tooling (vitest, esbuild) needs Node.js 20.19 or newer"
  [ "$(uname -m)" = x86_64 ] || require "this is $(uname -m); the test tools (node-llama-cpp's prebuilt binary, Node 24 for code-server) are set up for x86_64 Linux only"
  if [ "$(id -u)" != 0 ] && ! { command -v sudo >/dev/null && sudo -n true 2>/dev/null; }; then
    local pkg missing=()
    for pkg in "${APT_PACKAGES[@]}"; do
      dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
    done
    [ "${#missing[@]}" -eq 0 ] || require "not root and no sudo, and these Debian packages are missing: ${missing[*]}. Install them once: sudo apt-get install -y ${missing[*]}"
  fi
}

# Called before a download from the npm registry, so an offline machine gets one clear message.
require_registry() {
  without_outer_npm timeout 30 npm ping >/dev/null 2>&1 ||
    require "the npm registry ($(without_outer_npm npm config get registry 2>/dev/null)) does not answer: the setup downloads $1 from it"
}

# `with_progress LOG CMD…`: runs CMD with its output in LOG, printing every 30 s how long it has run
# and LOG's last line, so a build of several minutes does not look hung.
with_progress() {
  local log=$1 start ticker rc
  shift
  start=$(date +%s)
  (
    while sleep 30; do
      printf '[setup]   … %ss: %s\n' "$(($(date +%s) - start))" "$(tail -n 1 "$log" 2>/dev/null | cut -c1-120)" >&2
    done
  ) &
  ticker=$!
  "$@" >"$log" 2>&1 && rc=0 || rc=$?
  kill "$ticker" 2>/dev/null
  wait "$ticker" 2>/dev/null || true
  return "$rc"
}

# `without_outer_npm CMD…` runs CMD with none of the outer npm's identity or config. Under
# `npm test` / `npm start` the environment carries npm_config_user_agent (naming the outer Node),
# npm_package_*, npm_lifecycle_* and more; a nested npm reads every npm_config_* variable as its own
# config, and code-server's postinstall takes the Node version from that user agent ("requires node
# v24 … you are on node v20"). Kept: where packages come from and where they are cached, which the
# caller may have chosen on purpose.
without_outer_npm() {
  local name unset_args=()
  for name in $(compgen -e); do
    case "$name" in
      npm_config_cache | npm_config_registry | npm_config_proxy | npm_config_https_proxy | npm_config_noproxy | npm_config_cafile | npm_config_strict_ssl) ;;
      npm_* | INIT_CWD | NODE | COLOR) unset_args+=(-u "$name") ;;
    esac
  done
  env "${unset_args[@]}" "$@"
}

# Debian packages the setup needs: chromium for the browser suite (a CJK font so random model text
# renders as glyphs, not boxes); a C++ toolchain, cmake, python3 and Kerberos headers to build
# llama.cpp and code-server's native modules (no prebuilt binary can be fetched offline).
APT_PACKAGES=(chromium fonts-dejavu-core fonts-wqy-zenhei build-essential cmake git pkg-config python3 libkrb5-dev)
