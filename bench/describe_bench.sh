#!/usr/bin/env bash
# Describing an export Samkart has never seen, against the least a peer does
# to show the same: Python's csv module counting every column's distinct
# values (collections.Counter), on the same G5 export in the same run.
#   (a) python3: parse the CSV, count the values of every column
#   (b) samkart describe FILE --json: the same, plus encoding and separator
#       detection, identifiers by content, and every column matched by text
#       against the 150 questions of the instrument
#   (c) samkart crosswalk suggest FILE: (b) and the draft crosswalk
# Prints the median wall time, CPU time (user + system) and peak RSS of each,
# and the ratios to the peer.
#
#   bench/describe_bench.sh [SAMKART [GENERATOR]]
#
# Defaults: build/release/src/samkart and build/release/bench/samkart_make_import_csv.
#   SAMKART_BENCH_RESPONDENTS  respondents in the file (default 100000)
#   SAMKART_BENCH_RUNS         runs per side (default 3)
#   SAMKART_BENCH_SEED         generator seed (default 2022)
#   SAMKART_BENCH_DATA         cache folder for generated files (default build/bench-data)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

samkart=${1:-$root/build/release/src/samkart}
generator=${2:-$root/build/release/bench/samkart_make_import_csv}
respondents=${SAMKART_BENCH_RESPONDENTS:-100000}
runs=${SAMKART_BENCH_RUNS:-3}
seed=${SAMKART_BENCH_SEED:-2022}
data_root=${SAMKART_BENCH_DATA:-$root/build/bench-data}

bench=describe_bench
# shellcheck source=bench/g5_export_lib.sh
source "$root/bench/g5_export_lib.sh"
check_export_bench
command -v python3 >/dev/null || die "python3 mangler"
g5_export
csv_mb=$(($(stat -c %s "$csv") / 1000000))
columns=$(head -1 "$csv" | awk -F, '{print NF}')
echo "   $respondents rader, $columns kolonner, $csv_mb MB; $(nproc) kjerner; $(python3 --version)"
cat "$csv" >/dev/null # every side starts with the file in the page cache

work=$(mktemp -d "${TMPDIR:-/tmp}/samkart-describe-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
cat >"$work/peer.py" <<'EOF'
import collections, csv, sys
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    reader = csv.reader(f)
    header = next(reader)
    counts = [collections.Counter() for _ in header]
    rows = 0
    for row in reader:
        rows += 1
        for counter, value in zip(counts, row):
            counter[value] += 1
print(rows, sum(len(c) for c in counts))
EOF

# Runs a command under /usr/bin/time; prints «seconds cpu rss_kb».
measure() {
  local out=$1
  shift
  if ! /usr/bin/time -f '%e %M %U %S' -o "$work/time" "$@" >"$out" 2>&1; then
    cat "$out" >&2
    die "feilet: $*"
  fi
  local seconds rss user system
  read -r seconds rss user system <"$work/time"
  echo "$seconds $(awk -v u="$user" -v s="$system" 'BEGIN {printf "%.2f", u + s}') $rss"
}

declare -A wall cpu rss
for ((run = 1; run <= runs; run++)); do
  for side in peer describe suggest; do
    case $side in
      peer) result=$(measure "$work/peer.out" python3 "$work/peer.py" "$csv") ;;
      describe) result=$(measure "$work/describe.out" "$samkart" describe --json "$csv") ;;
      suggest)
        rm -rf "$work/utkast"
        result=$(measure "$work/suggest.out" "$samkart" crosswalk suggest "$csv" --out "$work/utkast")
        ;;
    esac
    read -r s c r <<<"$result"
    wall[$side]+="$s " cpu[$side]+="$c " rss[$side]+="$r "
    echo "   kjøring $run: $side $s s (CPU $c s), $((r / 1024)) MB"
  done
done

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {m = int((NR + 1) / 2); print (NR % 2) ? v[m] : (v[m] + v[m + 1]) / 2}'; }
max() { printf '%s\n' "$@" | sort -g | tail -1; }

echo
echo "== Beskrivelse av $respondents rader × $columns kolonner ($csv_mb MB CSV), median av $runs kjøringer"
row() { printf '| %-34s | %9s | %9s | %13s | %12s |\n' "$@"; }
row "" "sekunder" "CPU-sek." "maks RSS (MB)" "mot python3"
row "----------------------------------" "--------:" "--------:" "-------------:" "-----------:"
peer_s=$(median ${wall[peer]})
for side in peer describe suggest; do
  s=$(median ${wall[$side]})
  c=$(median ${cpu[$side]})
  mb=$(($(max ${rss[$side]}) / 1024))
  ratio=$(awk -v a="$s" -v b="$peer_s" 'BEGIN {printf "%.2fx", a / b}')
  case $side in
    peer) name="python3 csv + Counter per kolonne" ;;
    describe) name="samkart describe --json" ;;
    suggest) name="samkart crosswalk suggest" ;;
  esac
  row "$name" "$s" "$c" "$mb" "$ratio"
done
echo
grep -E 'kolonner, .* sikre' "$work/suggest.out" || true
