#!/usr/bin/env bash
# Writes one fuzz seed per case of a case table (testdata/*.test):
#   fuzz/write_case_seeds.sh TABLE DIR
# A seed is the byte the target reads its option from (value % 3: «encoding»
# auto, utf8, windows1252 for csv_source; «delimiter» comma, semicolon, tab
# for csv_reader), then the case's «input» lines joined. The tables' escapes
# are those printf '%b' knows. scripts/fuzz.sh seeds its runs with these, and
# the CTest tests fuzz_replay.<target>_cases replay them.
set -euo pipefail
table=$1 dir=$2 name="" option="" input=""
mkdir -p "$dir"
flush() {
  [[ -n $name ]] || return 0
  local byte
  case $option in
    "" | auto | comma) byte='\x00' ;;
    utf8 | semicolon) byte='\x01' ;;
    windows1252 | tab) byte='\x02' ;;
    *) echo "$table: ukjent valg «$option» i $name" >&2; return 1 ;;
  esac
  printf '%b' "$byte$input" >"$dir/case_$name"
}
while IFS= read -r line || [[ -n $line ]]; do
  line=${line%$'\r'}
  [[ -z $line || $line == '#'* ]] && continue
  keyword=${line%% *}
  rest=""
  [[ $line == *' '* ]] && rest=${line#* }
  case $keyword in
    case) flush; name=$rest option="" input="" ;;
    encoding | delimiter) option=$rest ;;
    input) input+=$rest ;;
  esac
done <"$table"
flush
