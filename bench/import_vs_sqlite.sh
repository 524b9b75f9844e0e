#!/usr/bin/env bash
# Import benchmark: one large G5 export, imported by
#   (a) the sqlite3 shell's own `.import --csv FILE answers` (parse + insert, nothing else), and
#   (b) `samkart --db DB import FILE` (parse, harmonise, validate, anonymise, store),
# in the same run, each RUNS times on a fresh database. Prints the median wall
# time, CPU time (user + system) and peak RSS, and the ratio samkart/sqlite3
# (targets: at most 0.6x the wall time and 256 MB peak RSS; CPU time is steadier
# on a shared machine).
#
#   bench/import_vs_sqlite.sh [SAMKART [GENERATOR]]
#
# Defaults: build/release/src/samkart and build/release/bench/samkart_make_import_csv
# (scripts/build.sh release builds both). Builds nothing itself.
#   SAMKART_BENCH_RESPONDENTS  respondents in the file (default 1000000)
#   SAMKART_BENCH_RUNS         runs per side (default 3)
#   SAMKART_BENCH_SEED         generator seed (default 2022)
#   SAMKART_BENCH_DATA         cache folder for generated files (default build/bench-data)
#   SAMKART_BENCH_KEEP=1       keep the databases of the last run (their folder is printed)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

samkart=${1:-$root/build/release/src/samkart}
generator=${2:-$root/build/release/bench/samkart_make_import_csv}
respondents=${SAMKART_BENCH_RESPONDENTS:-1000000}
runs=${SAMKART_BENCH_RUNS:-3}
seed=${SAMKART_BENCH_SEED:-2022}
data_root=${SAMKART_BENCH_DATA:-$root/build/bench-data}

bench=import_vs_sqlite
# shellcheck source=bench/g5_export_lib.sh
source "$root/bench/g5_export_lib.sh"
check_export_bench
command -v sqlite3 >/dev/null || die "sqlite3 mangler (apt-get install sqlite3)"
g5_export
csv_mb=$(($(stat -c %s "$csv") / 1000000))
rows_in_file=$(($(wc -l <"$csv") - 1))
echo "   $rows_in_file rader, $csv_mb MB; $(nproc) kjerner; $(sqlite3 --version | cut -d' ' -f1-2)"
cat "$csv" "$register" >/dev/null # both sides start with the file in the page cache

work=$(mktemp -d "${TMPDIR:-/tmp}/samkart-bench.XXXXXX")
if [[ ${SAMKART_BENCH_KEEP:-0} != 1 ]]; then trap 'rm -rf "$work"' EXIT; fi

# Seconds since $1 in front of every line read (samkart's progress lines).
stamp() {
  local start=$1 line now
  while IFS= read -r line; do
    now=$(date +%s.%N)
    printf '%7.1f s  %s\n' "$(echo "$now - $start" | bc)" "$line"
  done
}

sqlite_times=() sqlite_cpu=() sqlite_rss=() samkart_times=() samkart_cpu=() samkart_rss=()
for ((run = 1; run <= runs; run++)); do
  # (a) sqlite3's own CSV import into a fresh file.
  rm -f "$work"/sqlite.db*
  if ! /usr/bin/time -f '%e %M %U %S' -o "$work/time" \
    sqlite3 "$work/sqlite.db" ".import --csv \"$csv\" answers" >"$work/sqlite.out" 2>&1; then
    cat "$work/sqlite.out" >&2
    die "sqlite3 .import feilet (kjøring $run)"
  fi
  read -r seconds rss_kb user system <"$work/time"
  cpu=$(awk -v u="$user" -v s="$system" 'BEGIN {printf "%.2f", u + s}')
  sqlite_times+=("$seconds") sqlite_cpu+=("$cpu") sqlite_rss+=("$rss_kb")
  echo "   kjøring $run: sqlite3 .import  $seconds s (CPU $cpu s), $((rss_kb / 1024)) MB"

  # (b) samkart: the register first (not timed), then the export (timed).
  rm -f "$work"/samkart.sqlite*
  if ! "$samkart" --db "$work/samkart.sqlite" import "$register" >"$work/register.out" 2>&1; then
    cat "$work/register.out" >&2
    die "samkart kunne ikke importere kommuneregisteret"
  fi
  start=$(date +%s.%N)
  set +e
  /usr/bin/time -f '%e %M %U %S' -o "$work/time" \
    "$samkart" --progress --db "$work/samkart.sqlite" import "$csv" 2>&1 >"$work/samkart.out" |
    stamp "$start" >"$work/samkart.phases"
  status=${PIPESTATUS[0]}
  set -e
  if [[ $status -ne 0 ]]; then
    cat "$work/samkart.phases" "$work/samkart.out" >&2
    die "samkart import feilet (kjøring $run, status $status)"
  fi
  read -r seconds rss_kb user system <"$work/time"
  cpu=$(awk -v u="$user" -v s="$system" 'BEGIN {printf "%.2f", u + s}')
  samkart_times+=("$seconds") samkart_cpu+=("$cpu") samkart_rss+=("$rss_kb")
  echo "   kjøring $run: samkart import   $seconds s (CPU $cpu s), $((rss_kb / 1024)) MB"
done

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {m = int((NR + 1) / 2); print (NR % 2) ? v[m] : (v[m] + v[m + 1]) / 2}'; }
max() { printf '%s\n' "$@" | sort -g | tail -1; }

sqlite_s=$(median "${sqlite_times[@]}")
samkart_s=$(median "${samkart_times[@]}")
sqlite_mb=$(($(max "${sqlite_rss[@]}") / 1024))
samkart_mb=$(($(max "${samkart_rss[@]}") / 1024))
sqlite_c=$(median "${sqlite_cpu[@]}")
samkart_c=$(median "${samkart_cpu[@]}")
ratio=$(awk -v a="$samkart_s" -v b="$sqlite_s" 'BEGIN {printf "%.2f", a / b}')
cpu_ratio=$(awk -v a="$samkart_c" -v b="$sqlite_c" 'BEGIN {printf "%.2f", a / b}')
sqlite_rows=$(sqlite3 "$work/sqlite.db" 'select count(*) from answers')
samkart_rows=$(sqlite3 "$work/samkart.sqlite" 'select count(*) from respondents')

echo
echo "== Import av $rows_in_file respondenter ($csv_mb MB CSV), median av $runs kjøringer"
row() { printf '| %-22s | %10s | %10s | %14s | %12s |\n' "$@"; }
row "" "sekunder" "CPU-sek." "maks RSS (MB)" "rader lagret"
row "----------------------" "---------:" "---------:" "-------------:" "-----------:"
row "sqlite3 .import --csv" "$sqlite_s" "$sqlite_c" "$sqlite_mb" "$sqlite_rows"
row "samkart import" "$samkart_s" "$samkart_c" "$samkart_mb" "$samkart_rows"
row "samkart/sqlite3" "${ratio}x" "${cpu_ratio}x" "" ""
echo
if awk -v r="$ratio" 'BEGIN {exit !(r <= 0.6)}'; then
  echo "samkart/sqlite3 = ${ratio}x i veggtid (mål: høyst 0.6x): nådd"
else
  echo "samkart/sqlite3 = ${ratio}x i veggtid (mål: høyst 0.6x): IKKE nådd"
fi
if [[ $samkart_mb -le 256 ]]; then
  echo "samkart maks RSS = $samkart_mb MB (mål: høyst 256 MB): nådd"
else
  echo "samkart maks RSS = $samkart_mb MB (mål: høyst 256 MB): IKKE nådd"
fi
[[ $sqlite_rows -eq $rows_in_file ]] || echo "advarsel: sqlite3 lagret $sqlite_rows av $rows_in_file rader"
[[ $samkart_rows -eq $rows_in_file ]] ||
  echo "merk: samkart lagret $samkart_rows av $rows_in_file rader (rader uten svar avvises)"

echo
echo "== Hvor tiden går i samkart (siste kjøring; fremdriftslinjer med tid siden start)"
cat "$work/samkart.phases"
grep -E '^Ferdig' "$work/samkart.out" || true
# Phase boundaries from the first line of each phase: «Leser» parses on one
# core and harmonises on the other while a third thread hashes the file and
# checks that it is UTF-8; then anonymising and storing.
awk -v total="${samkart_times[-1]}" '
  $4 == "Leser" && $5 == "…" && !r { r = $1 }
  /Anonymiserer/ && !a { a = $1 }
  /Lagrer/ && !l { l = $1 }
  END {
    if (a && l) {
      printf "åpne: %.1f s, parsing + harmonisering + validering (SHA-256 og UTF-8-sjekk ved siden av): %.1f s, ", r, a - r
      printf "anonymisering: %.1f s, lagring i SQLite: %.1f s (av %.1f s)\n", l - a, total - l, total
    }
  }' "$work/samkart.phases"
if [[ ${SAMKART_BENCH_KEEP:-0} == 1 ]]; then echo "Databasene ligger i $work"; fi
