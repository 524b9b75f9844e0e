#!/usr/bin/env bash
# The browser tests' tools (tests/browser): Node.js from Debian when the
# machine has none, then playwright-core and axe-core from npm at the
# versions in package-lock.json. Playwright drives Debian's Chromium
# (installed by scripts/bootstrap.sh); it never downloads a browser.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "Installerer Node.js og npm"
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then
    sudo_cmd=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends nodejs npm
fi

browser=tests/browser
stamp=$browser/node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ "$browser/package-lock.json" -nt "$stamp" ]; then
  echo "Installerer playwright-core og axe-core (npm ci)"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix "$browser" --no-audit --no-fund --loglevel=error
fi
