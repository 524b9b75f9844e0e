#!/usr/bin/env bash
# The main job on a fresh machine: install what is missing, build, and run
# Samkart on its embedded default: validate and document the questionnaire,
# then generate the synthetic national dataset. Output goes to ./out/.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/bootstrap.sh
scripts/build.sh release
samkart=build/release/src/samkart
out=${SAMKART_OUT:-out}

echo
echo "== Spørreskjemaet"
"$samkart" instrument check
"$samkart" instrument docs --out "$out/kodebok"
"$samkart" instrument show --crosswalks > "$out/kodebok/kodebok.txt"
echo
echo "== Syntetisk nasjonalt datasett"
"$samkart" synth --out "$out/syntetisk"
echo
echo "Kodeboken: $out/kodebok/kodebok.html (også .md og .txt)"
echo "Eksportfilene: $out/syntetisk/eksport/ (oversikt i $out/syntetisk/manifest.csv)"
