#!/usr/bin/env bash
# Load on `samkart serve`, on loopback and bounded in time (about 2 minutes):
#
#  1. 500 respondents answer one survey round at the same time
#     (bench/web_respondents.mjs, every page over HTTP). Afterwards the
#     answers are counted twice: the round's live count, and after closing
#     the round the respondents of the stored batch. Both must be exactly
#     500: nothing lost, nothing duplicated.
#  2. The explorer's JSON API under 200 connections with wrk for 20 s:
#     p50/p99 latency and throughput (target p99 < 50 ms). The peer, in the
#     same run on the same server: the static stylesheet, which costs no
#     analysis, so the ratio shows what the table itself costs.
#  3. A municipality's result page (/resultater/kommune/9001) and one of
#     its theme pages the same way: built from its report once, then served
#     from the page cache (target p99 < 50 ms).
#
# Usage: bench/web_load.sh [RESPONDENTS] [CONNECTIONS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
respondents=${1:-500}
connections=${2:-200}
seconds=${3:-20}

scripts/bootstrap.sh
scripts/build.sh release >/dev/null
samkart=$PWD/build/release/src/samkart
work=$PWD/build/bench-web
rm -rf "$work"
mkdir -p "$work"
db=(--db "$work/samkart.sqlite")

echo "== Data: standard syntetisk datasett"
"$samkart" synth --out "$work/syntetisk" >/dev/null
"$samkart" "${db[@]}" import "$work/syntetisk" | tail -n 1
password=$("$samkart" "${db[@]}" user add bench --role admin --generate-password |
  sed -n 's/^Passord: //p')

"$samkart" "${db[@]}" serve --port 0 >"$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  base=$(sed -n 's|.*\(http://[0-9.]*:[0-9]*\)/.*|\1|p' "$work/serve.log")
  [ -n "$base" ] && break
  sleep 0.2
done
[ -n "$base" ] || { echo "serveren startet ikke"; cat "$work/serve.log"; exit 1; }

jar="$work/cookies"
csrf=$(curl -sf -c "$jar" -H 'Content-Type: application/json' \
  -d "{\"brukernavn\":\"bench\",\"passord\":\"$password\"}" "$base/api/logg-inn" |
  sed -n 's/.*"csrf":"\([^"]*\)".*/\1/p')
session=$(awk '$6 == "samkart_okt" {print $7}' "$jar")

echo "== 1. $respondents respondenter samtidig"
year=$(date +%Y)
round=$(curl -sf -b "$jar" -o /dev/null -w '%{redirect_url}' \
  --data-urlencode "csrf=$csrf" -d kommune=9001 -d "aar=$year" -d type=follow_up \
  -d "siste_svardag=$(date -d '+20 days' +%F)" \
  -d inviterte_barnehage=400 -d inviterte_barneskole=400 "$base/runder" | sed 's|.*/runder/||')
survey=$(curl -sf -b "$jar" "$base/runder/$round" | grep -o "$base/s/[A-Za-z0-9_-]*" | head -n 1)
node bench/web_respondents.mjs "$survey" "$respondents" | tee "$work/respondents.json"
live=$(curl -sf -b "$jar" "$base/api/runder/$round/svarprosent" |
  sed -n 's/.*"totalt":{[^}]*"svar":\([0-9]*\).*/\1/p')
curl -sf -b "$jar" -o /dev/null --data-urlencode "csrf=$csrf" -d bekreft=ja \
  "$base/runder/$round/avslutt"
stored=$(sqlite3 "$work/samkart.sqlite" \
  "SELECT count(*) FROM respondents WHERE batch_id = (SELECT batch_id FROM survey_rounds WHERE id = $round)")
echo "Telt i runden: $live; lagret etter avslutning: $stored (forventet $respondents)"
[ "$live" = "$respondents" ] && [ "$stored" = "$respondents" ] ||
  { echo "FEIL: svar tapt eller doblet"; exit 1; }

echo "== 2. Utforskerens API: $connections forbindelser i $seconds s (wrk)"
api="$base/api/tabell?familie=risk_identification&etter=tjeneste"
curl -sf -b "$jar" "$api" >/dev/null || { echo "FEIL: $api svarer ikke"; exit 1; }
run_wrk() {
  wrk -t2 -c"$connections" -d"${seconds}s" --latency -H "Cookie: samkart_okt=$session" "$1"
}
run_wrk "$api" | tee "$work/wrk_api.txt"
run_wrk "$base/static/samkart.css" | tee "$work/wrk_static.txt"

echo "== 3. Resultatsiden for kommune 9001: $connections forbindelser i $seconds s (wrk)"
landing="$base/resultater/kommune/9001"
# The first request builds the page from the municipality report.
curl -sf -b "$jar" "$landing" >/dev/null || { echo "FEIL: $landing svarer ikke"; exit 1; }
run_wrk "$landing" | tee "$work/wrk_landing.txt"
theme="$landing/tema/risk_identification"
curl -sf -b "$jar" "$theme" >/dev/null || { echo "FEIL: $theme svarer ikke"; exit 1; }
run_wrk "$theme" | tee "$work/wrk_theme.txt"

summary() {
  local file=$1
  local p50 p99 rps non2xx
  p50=$(awk '$1 == "50%" {print $2}' "$file")
  p99=$(awk '$1 == "99%" {print $2}' "$file")
  rps=$(awk '/Requests\/sec/ {print $2}' "$file")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$file")
  echo "p50 $p50, p99 $p99, $rps forespørsler/s, ikke-2xx: ${non2xx:-0}"
}
echo
echo "Oppsummering"
echo "  Respondenter: $(cat "$work/respondents.json")"
echo "  API /api/tabell:       $(summary "$work/wrk_api.txt")"
echo "  Motpart, statisk CSS:  $(summary "$work/wrk_static.txt")"
echo "  Resultatside kommune:  $(summary "$work/wrk_landing.txt")"
echo "  Tema for kommunen:     $(summary "$work/wrk_theme.txt")"
