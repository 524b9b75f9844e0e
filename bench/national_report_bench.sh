#!/usr/bin/env bash
# National report benchmark: `samkart report national` in HTML, PDF and
# XLSX, timed as a whole command (database read, publication rules, every
# chapter, three files; median of runs), on the default synthetic dataset
# and on about 1.28 million respondents. The peer, in the same run on the
# same data: headless Chromium printing the report's own HTML to PDF — the
# usual way to get a PDF of a web report, which Samkart replaces with native
# drawing while also writing the other two formats.
#
#   bench/national_report_bench.sh [SAMKART]
#
# Default SAMKART: build/release/src/samkart. Needs /usr/bin/chromium
# (scripts/bootstrap.sh installs it). Builds no binaries itself.
#   SAMKART_BENCH_DATA      cache folder (default build/bench-data)
#   SAMKART_BENCH_LARGE_DB  the large store; default: the one
#                           bench/analysis_bench.sh made (synth --scale 40)
#   SAMKART_BENCH_RUNS      runs per size (default 3; the median is reported)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
samkart=${1:-$root/build/release/src/samkart}
data_root=${SAMKART_BENCH_DATA:-$root/build/bench-data}
runs=${SAMKART_BENCH_RUNS:-3}

bench=national_report_bench
# shellcheck source=bench/report_bench_lib.sh
source "$root/bench/report_bench_lib.sh"
check_report_bench
small_db=$(default_store)
large=${SAMKART_BENCH_LARGE_DB:-}
if [[ -z $large ]]; then
  large=$(ls -td "$data_root"/analysis_scale40_*/samkart.sqlite 2>/dev/null | head -1 || true)
fi
[[ -n $large && -f $large ]] ||
  die "finner ingen stor database; kjør bench/analysis_bench.sh først (den lager én med synth --scale 40), eller sett SAMKART_BENCH_LARGE_DB"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Median seconds of the report command over `runs`, and the files of the last run.
time_report() {
  local db=$1 out=$2 times=()
  for ((i = 1; i <= runs; i++)); do
    rm -rf "$out"
    local start end
    start=$(now)
    "$samkart" --db "$db" report national --format html,pdf,xlsx --out "$out" >/dev/null 2>&1 ||
      die "report national feilet på $db"
    end=$(now)
    times+=("$(minus "$end" "$start")")
  done
  printf '%s\n' "${times[@]}" | median
}

# Seconds for Chromium to print one HTML file to PDF.
time_chromium() {
  local html=$1 pdf=$2 profile start end
  profile=$(mktemp -d)
  start=$(now)
  timeout 300 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --no-pdf-header-footer --print-to-pdf="$pdf" "file://$html" \
    >/dev/null 2>&1 || true
  end=$(now)
  rm -rf "$profile"
  [[ -s $pdf ]] || die "Chromium skrev ingen PDF av $html"
  minus "$end" "$start"
}

respondents() {
  sqlite3 "$1" 'SELECT count(*) FROM respondents WHERE round_type = '"'"'baseline'"'"';' 2>/dev/null ||
    echo "?"
}

printf '\nNasjonal rapport (HTML+PDF+XLSX), median av %s kjøringer, %s kjerner\n' "$runs" "$(nproc)"
printf '%-44s %12s %10s %10s %8s %8s\n' "datasett" "svar (0-p.)" "samkart s" "Chromium s" "forhold" "sider"
for size in small large; do
  db=$small_db
  label="syntetisk standard (mål < 2 s)"
  if [[ $size == large ]]; then
    db=$large
    label="synth --scale 40 (mål < 10 s)"
  fi
  seconds=$(time_report "$db" "$work/$size")
  peer=$(time_chromium "$work/$size/nasjonal_rapport.html" "$work/$size-chromium.pdf")
  pages=$(pdfinfo "$work/$size/nasjonal_rapport.pdf" | awk '/^Pages:/ {print $2}')
  printf '%-44s %12s %10.2f %10.2f %7.1f× %8s\n' "$label" "$(respondents "$db")" "$seconds" \
    "$peer" "$(awk -v a="$peer" -v b="$seconds" 'BEGIN {print a / b}')" "$pages"
done
echo "forhold: Chromium (bare PDF av samkarts HTML) / samkart (alle tre formater, fra databasen)"
