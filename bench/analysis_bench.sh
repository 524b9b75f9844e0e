#!/usr/bin/env bash
# Analysis benchmark: builds a store with about a million
# respondents once (`samkart synth --scale 40` + `samkart import`, cached) and
# runs samkart_analysis_bench on it: a bare counting loop (the peer), one
# indicator × one breakdown through ComputeTable, the national report's full
# table set, and the same crosstab as a SQLite GROUP BY. The benchmark prints
# the medians, the ratios and the peak RSS; see bench/README.md.
#
#   bench/analysis_bench.sh [SAMKART [BENCH]] [-- GOOGLE-BENCHMARK-FLAGS…]
#
# Defaults: build/release/src/samkart and build/release/bench/samkart_analysis_bench
# (scripts/build.sh release builds both when libbenchmark-dev is installed).
# Builds no binaries itself.
#   SAMKART_BENCH_SCALE        synth --scale (default 40: about 1.28 million respondents)
#   SAMKART_BENCH_SEED         synth --seed (default 2022)
#   SAMKART_BENCH_REPETITIONS  repetitions per benchmark (default 5; the median is reported)
#   SAMKART_BENCH_DATA         cache folder (default build/bench-data)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

samkart=$root/build/release/src/samkart
bench=$root/build/release/bench/samkart_analysis_bench
if [[ $# -gt 0 && $1 != -- ]]; then samkart=$1 && shift; fi
if [[ $# -gt 0 && $1 != -- ]]; then bench=$1 && shift; fi
if [[ $# -gt 0 && $1 == -- ]]; then shift; fi
scale=${SAMKART_BENCH_SCALE:-40}
seed=${SAMKART_BENCH_SEED:-2022}
data_root=${SAMKART_BENCH_DATA:-$root/build/bench-data}

die() {
  echo "analysis_bench: $*" >&2
  exit 1
}
[[ -x $samkart ]] || die "finner ikke samkart: $samkart (bygg med scripts/build.sh release, eller oppgi stien)"
[[ -x $bench ]] || die "finner ikke samkart_analysis_bench: $bench (krever libbenchmark-dev; bygg med scripts/build.sh release, eller oppgi stien)"
[[ $scale =~ ^[0-9]+([.][0-9]+)?$ ]] || die "SAMKART_BENCH_SCALE må være et tall"
[[ $seed =~ ^[0-9]+$ ]] || die "SAMKART_BENCH_SEED må være et heltall"

# The store depends on the instrument, the synthetic country and the code
# that generates, harmonises, anonymises and stores; the cache is keyed by
# their content (not by the binary, which changes with every rebuild).
inputs_hash=$(cd "$root" && find data/instrument data/synth src/samkart/synth src/samkart/import \
  src/samkart/harmonise src/samkart/anonymise src/samkart/store -type f ! -name '*_test.cc' |
  LC_ALL=C sort | xargs cat | sha256sum | cut -c1-12)
data_dir=$data_root/analysis_scale${scale}_s${seed}_${inputs_hash}
db=$data_dir/samkart.sqlite
if [[ ! -s $db ]]; then
  echo "== Lager databasen $db (synth --scale $scale --seed $seed, så import; tar noen minutter)"
  rm -rf "$data_dir.partial"
  mkdir -p "$data_dir.partial"
  start=$(date +%s)
  "$samkart" synth --out "$data_dir.partial/syntetisk" --scale "$scale" --seed "$seed" >/dev/null
  echo "   synth: $(($(date +%s) - start)) s, $(du -sh "$data_dir.partial/syntetisk" | cut -f1) eksportfiler"
  start=$(date +%s)
  "$samkart" --db "$data_dir.partial/samkart.sqlite" import "$data_dir.partial/syntetisk" \
    >"$data_dir.partial/import.log" 2>&1 || {
    tail -20 "$data_dir.partial/import.log" >&2
    die "import feilet"
  }
  echo "   import: $(($(date +%s) - start)) s; $(grep -E '^Ferdig' "$data_dir.partial/import.log" || true)"
  rm -rf "$data_dir.partial/syntetisk" # only the store is kept (the exports are ~1 GB)
  rm -rf "$data_dir"
  mv "$data_dir.partial" "$data_dir"
else
  echo "== Bruker lagret database $db"
fi
respondents=$(sqlite3 "$db" 'SELECT count(*) FROM respondents' 2>/dev/null || echo '?')
echo "   $respondents respondenter, $(du -h "$db" | cut -f1); $(nproc) kjerner; belastning $(cut -d' ' -f1-3 /proc/loadavg)"
cat "$db" >/dev/null # both sides start with the file in the page cache
echo

SAMKART_BENCH_DB=$db "$bench" "$@"
