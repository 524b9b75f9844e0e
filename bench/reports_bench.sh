#!/usr/bin/env bash
# Report benchmark: all municipality reports of the
# default synthetic dataset in HTML, PDF, XLSX and PPTX, on every core, timed as a
# whole command (median of 3), with the per-report median that samkart
# prints. The peer, in the same run on the same reports: headless Chromium
# printing the same HTML files to PDF — the other way to get a PDF report,
# which Samkart replaces with native cairo/pango drawing.
#
#   bench/reports_bench.sh [SAMKART]
#
# Default SAMKART: build/release/src/samkart. Needs /usr/bin/chromium
# (scripts/bootstrap.sh installs it). Builds no binaries itself.
#   SAMKART_BENCH_DATA   cache folder for the imported store (default build/bench-data)
#   SAMKART_BENCH_RUNS   runs of the report command (default 3; the median is reported)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
samkart=${1:-$root/build/release/src/samkart}
data_root=${SAMKART_BENCH_DATA:-$root/build/bench-data}
runs=${SAMKART_BENCH_RUNS:-3}

bench=reports_bench
# shellcheck source=bench/report_bench_lib.sh
source "$root/bench/report_bench_lib.sh"
check_report_bench
db=$(default_store)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

totals=()
per_report=()
for ((i = 1; i <= runs; i++)); do
  rm -rf "$work/rapporter"
  start=$(now)
  line=$("$samkart" --db "$db" report municipality --all \
    --format html,pdf,xlsx,pptx --out "$work/rapporter" 2>/dev/null | grep ' kommunerapporter ')
  end=$(now)
  totals+=("$(minus "$end" "$start")")
  per_report+=("$(echo "$line" | sed -n 's/.*median \([0-9.]*\) s.*/\1/p')")
  reports=$(echo "$line" | awk '{print $1}')
done
total=$(printf '%s\n' "${totals[@]}" | median)
each=$(printf '%s\n' "${per_report[@]}" | median)
pdfs=$(find "$work/rapporter" -name '*.pdf' | wc -l)
pages=0
for f in "$work"/rapporter/*.pdf; do
  pages=$((pages + $(pdfinfo "$f" | awk '/^Pages:/ {print $2}')))
done

# The peer: Chromium prints each HTML report to PDF, two at a time (2 cores).
mkdir -p "$work/chromium"
start=$(now)
find "$work/rapporter" -name '*.html' -print0 |
  xargs -0 -P "$(nproc)" -I{} sh -c '
    f="$1"; out="$2/$(basename "$f" .html).pdf"; profile=$(mktemp -d)
    timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
      --disable-background-networking --disable-component-update --disable-sync \
      --user-data-dir="$profile" --no-pdf-header-footer --print-to-pdf="$out" "file://$f" \
      >/dev/null 2>&1
    rm -rf "$profile"' _ {} "$work/chromium"
end=$(now)
peer=$(minus "$end" "$start")
peer_pdfs=$(find "$work/chromium" -name '*.pdf' | wc -l)

printf '\nKommunerapporter, syntetisk datasett (standard), %s kjerner, median av %s kjøringer\n' \
  "$(nproc)" "$runs"
printf '%-58s %10s\n' "" "sekunder"
printf '%-58s %10.2f\n' "samkart: $reports kommuner × HTML+PDF+XLSX+PPTX (mål < 30 s)" "$total"
printf '%-58s %10.3f\n' "samkart: median per kommune (bygg + fire formater, én tråd)" "$each"
printf '%-58s %10.2f\n' "Chromium: de samme $peer_pdfs HTML-filene skrevet ut som PDF" "$peer"
printf '%-58s %10.1f×\n' "forhold Chromium (bare PDF) / samkart (alle fire formater)" \
  "$(awk -v a="$peer" -v b="$total" 'BEGIN {print a / b}')"
printf 'PDF-sider fra samkart: %s i %s filer\n' "$pages" "$pdfs"
