#!/usr/bin/env bash
# PostgreSQL versus SQLite as the store, whole commands on the default
# synthetic dataset (scale 1: 91 exports, 32,167 respondents), in the same
# run on the same machine:
#
#   import      `samkart import DIR` of the whole folder into a new database
#               (SQLite: a new file; PostgreSQL: a new database that the owner
#               role has migrated with --grant, imported into as the app role)
#   tabeller    the tables scripts/run.sh writes (risk_identification by
#               service; concern_experienced --distribution by size_group;
#               cooperation_with_services --matrix; all round_type=baseline)
#               plus `report national --format xlsx`, one command after the other
#   copy        `samkart copy` into a new database of that backend (SQLite
#               column: PostgreSQL -> new file; PostgreSQL column: SQLite ->
#               new database, as the owner role)
#
# Each step runs SAMKART_BENCH_RUNS times (default 3); the median is printed.
# The tables must be byte-identical between the two backends, and so must the
# worksheets of the XLSX report (when `unzip` is there): otherwise the script
# fails. The PostgreSQL server is a throwaway one (scripts/postgres_server.sh:
# loopback, fsync=off), stopped on exit.
#
#   bench/postgres_vs_sqlite.sh
#   SAMKART_BIN=build/h-bench/src/samkart bench/postgres_vs_sqlite.sh
#
#   SAMKART_BIN          the samkart binary to time; then nothing is built.
#                        Without it: scripts/build.sh release, build/release/src/samkart
#   SAMKART_BENCH_RUNS   runs per step (default 3)
#   SAMKART_BENCH_KEEP=1 keep the work folder (databases, outputs; the server is stopped)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
runs=${SAMKART_BENCH_RUNS:-3}

die() {
  echo "postgres_vs_sqlite: $*" >&2
  exit 1
}
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "SAMKART_BENCH_RUNS må være et positivt heltall"

if [[ -n ${SAMKART_BIN:-} ]]; then
  samkart=$(cd "$(dirname "$SAMKART_BIN")" && pwd)/$(basename "$SAMKART_BIN")
else
  scripts/build.sh release >/dev/null
  samkart=$root/build/release/src/samkart
fi
[[ -x $samkart ]] || die "finner ikke samkart: $samkart"

work=$(mktemp -d "${TMPDIR:-/tmp}/samkart-pgbench.XXXXXX")
cleanup() {
  scripts/postgres_server.sh stop "$work/pg" >/dev/null 2>&1 || true
  if [[ ${SAMKART_BENCH_KEEP:-0} == 1 ]]; then
    echo "Arbeidsmappen ligger i $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

# Other work on the machine skews the times: the load average is printed with them.
load=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== Starter en PostgreSQL-tjener for målingen"
scripts/postgres_server.sh start "$work/pg"
# shellcheck disable=SC1091
source "$work/pg/env"
psql=("$SAMKART_PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1)
pg_url() { echo "postgresql://$1@$SAMKART_PG_HOST:$SAMKART_PG_PORT/$2"; }
# Passwords go through PGPASSWORD, never the URL (which `ps` would show).
as_owner() { PGPASSWORD=$SAMKART_PG_OWNER_PASSWORD "$@"; }
as_app() { PGPASSWORD=$SAMKART_PG_APP_PASSWORD "$@"; }
# The test server gives samkart_owner CREATEDB, so the owner makes its own databases.
new_pg_database() {
  as_owner "${psql[@]}" -h "$SAMKART_PG_HOST" -p "$SAMKART_PG_PORT" -U samkart_owner -d postgres \
    -c "CREATE DATABASE $1"
}

echo "== Syntetisk datasett (standard skala)"
"$samkart" synth --out "$work/syntetisk" 2>/dev/null | sed -n 1p

now() { date +%s.%N; }
# time_step LOG COMMAND…: runs the command with its output in LOG and prints
# the wall time in seconds; on failure shows LOG and stops.
time_step() {
  local log=$1 start end
  shift
  start=$(now)
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    die "feilet: ${*: -3}"
  fi
  end=$(now)
  awk -v a="$end" -v b="$start" 'BEGIN {printf "%.2f", a - b}'
}

# The table set: what scripts/run.sh writes to out/tabeller/, and the national report as XLSX.
table_set() {
  local out=$1
  shift
  mkdir -p "$out"
  "$samkart" "$@" table risk_identification --by service --where round_type=baseline \
    >"$out/risikofaktorer_etter_tjeneste.txt"
  "$samkart" "$@" table concern_experienced --distribution --by size_group \
    --where round_type=baseline >"$out/bekymring_etter_kommunestorrelse.txt"
  "$samkart" "$@" table cooperation_with_services --matrix --where round_type=baseline \
    >"$out/samarbeidsmatrise.txt"
  "$samkart" "$@" report national --format xlsx --out "$out/rapport"
}

sq_import=() pg_import=() sq_tables=() pg_tables=() sq_copy=() pg_copy=()
for ((run = 1; run <= runs; run++)); do
  sqlite_db=$work/samkart_$run.sqlite
  pg_db=samkart_$run
  new_pg_database "$pg_db"
  as_owner "$samkart" --db "$(pg_url samkart_owner "$pg_db")" migrate --grant samkart_app \
    >"$work/migrate.log"
  sqlite=(--db "$sqlite_db")
  pg=(--db "$(pg_url samkart_app "$pg_db")")

  s=$(time_step "$work/import_sqlite.log" "$samkart" "${sqlite[@]}" import "$work/syntetisk")
  p=$(time_step "$work/import_pg.log" as_app "$samkart" "${pg[@]}" import "$work/syntetisk")
  sq_import+=("$s") pg_import+=("$p")
  echo "   kjøring $run: import            SQLite $s s, PostgreSQL $p s"

  rm -rf "$work/tabeller"
  s=$(time_step "$work/tables_sqlite.log" table_set "$work/tabeller/sqlite" "${sqlite[@]}")
  p=$(time_step "$work/tables_pg.log" as_app table_set "$work/tabeller/postgresql" "${pg[@]}")
  sq_tables+=("$s") pg_tables+=("$p")
  echo "   kjøring $run: tabeller + rapport  SQLite $s s, PostgreSQL $p s"

  # Into SQLite: from the PostgreSQL database just imported; into PostgreSQL:
  # from the SQLite file, as the owner (the copy moves the identity sequences).
  new_pg_database "kopi_$run"
  s=$(time_step "$work/copy_to_sqlite.log" as_app "$samkart" copy \
    --from "$(pg_url samkart_app "$pg_db")" --to "$work/kopi_$run.sqlite")
  p=$(time_step "$work/copy_to_pg.log" as_owner "$samkart" copy \
    --from "$sqlite_db" --to "$(pg_url samkart_owner "kopi_$run")")
  sq_copy+=("$s") pg_copy+=("$p")
  echo "   kjøring $run: copy til backenden  SQLite $s s, PostgreSQL $p s"
done

echo
echo "== Er resultatene like?"
same=1
for f in "$work"/tabeller/sqlite/*.txt; do
  name=$(basename "$f")
  if cmp -s "$f" "$work/tabeller/postgresql/$name"; then
    echo "   $name: byte for byte lik ($(wc -l <"$f") linjer)"
  else
    echo "   $name: ULIK"
    diff "$f" "$work/tabeller/postgresql/$name" | head -n 10
    same=0
  fi
done
if command -v unzip >/dev/null; then
  # The XLSX files differ only in their creation time and the «Laget av …
  # fra DATABASE» line (shared strings); the worksheets must be the same.
  for side in sqlite postgresql; do
    unzip -q -o "$work/tabeller/$side/rapport/nasjonal_rapport.xlsx" 'xl/worksheets/*' \
      -d "$work/xlsx_$side"
  done
  if diff -r -q "$work/xlsx_sqlite" "$work/xlsx_postgresql" >/dev/null; then
    echo "   nasjonal_rapport.xlsx: regnearkene er byte for byte like"
  else
    echo "   nasjonal_rapport.xlsx: regnearkene er ULIKE"
    diff -r -q "$work/xlsx_sqlite" "$work/xlsx_postgresql" | head -n 10
    same=0
  fi
else
  echo "   (unzip mangler: regnearkene i XLSX-rapporten er ikke sammenlignet)"
fi
grep -E '^Ferdig' "$work/import_pg.log" | sed 's/^/   PostgreSQL: /' || true
grep -E '^Ferdig' "$work/copy_to_pg.log" | sed 's/^/   copy: /' || true

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {m = int((NR + 1) / 2); print (NR % 2) ? v[m] : (v[m] + v[m + 1]) / 2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2fx", a / b}'; }

echo
version=$("$SAMKART_PG_BINDIR/postgres" --version | sed 's/^postgres (PostgreSQL) /PostgreSQL /')
echo "== Median av $runs kjøringer, $(nproc) kjerner (belastning ved start: $load)"
echo "   $version på loopback (fsync=off); SQLite-filene og tjenerens data under ${TMPDIR:-/tmp}"
row() { printf '| %-40s | %9s | %13s | %10s |\n' "$@"; }
row "steg" "SQLite s" "PostgreSQL s" "PG/SQLite"
row "----------------------------------------" "--------:" "------------:" "---------:"
for step in import tables copy; do
  case $step in
  import) label="import (91 filer)" a=$(median "${sq_import[@]}") b=$(median "${pg_import[@]}") ;;
  tables) label="3 tabeller + nasjonal rapport (XLSX)" a=$(median "${sq_tables[@]}") b=$(median "${pg_tables[@]}") ;;
  copy) label="copy inn i backenden" a=$(median "${sq_copy[@]}") b=$(median "${pg_copy[@]}") ;;
  esac
  row "$label" "$a" "$b" "$(ratio "$b" "$a")"
done
echo "(copy: SQLite-kolonnen er PostgreSQL → ny SQLite-fil, PostgreSQL-kolonnen SQLite → ny database)"

[[ $same == 1 ]] || die "resultatene er ikke like i SQLite og PostgreSQL"
