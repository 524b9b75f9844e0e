#!/usr/bin/env bash
# The main job on a fresh machine: install what is missing, build, and run
# Samkart on its embedded default. Output goes to ./out/.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/bootstrap.sh
scripts/build.sh release
samkart=build/release/src/samkart
out=${SAMKART_OUT:-out}

echo
"$samkart" instrument check
"$samkart" instrument docs --out "$out/kodebok"
echo
"$samkart" instrument show --crosswalks > "$out/kodebok/kodebok.txt"
"$samkart" instrument show | sed -n '1,40p'
echo "…"
echo "Hele kodeboken: $out/kodebok/kodebok.html, $out/kodebok/kodebok.md og $out/kodebok/kodebok.txt"
