#!/usr/bin/env bash
# The Norwegian (Bokmål) spelling of what users read: the national report,
# a municipality's baseline report and one with a follow-up round, as HTML,
# and the web application's pages (login, front page, explorer, rounds,
# reports, administration and a respondent's survey pages) from a real
# `samkart serve`. hunspell's nb_NO dictionary judges every word; the words
# in accepted_words.txt were reviewed (domain terms, names). Fails listing
# each unknown word with its count.
# Stored codes shown as text («baseline», «follow_up») fail it too.
# Usage: check_spelling.sh SAMKART_BINARY SOURCE_DIR
# With SAMKART_KEEP_SPELLING=MAPPE the pages checked are kept there.
set -euo pipefail
samkart=$1
source_dir=$2
here=$(cd "$(dirname "$0")" && pwd)
dictionary=nb_NO
work=$(mktemp -d /tmp/samkart-spelling.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${SAMKART_KEEP_SPELLING:-}" ] && cp -r "$work/sider" "$SAMKART_KEEP_SPELLING"
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FEIL: $*" >&2; exit 1; }
# Runs a command, showing what it printed only when it fails.
quiet() { "$@" >"$work/kommando.log" 2>&1 || { cat "$work/kommando.log" >&2; fail "$*"; }; }

command -v hunspell >/dev/null || fail "hunspell mangler (scripts/bootstrap.sh installerer hunspell og hunspell-no)"
hunspell -d "$dictionary" -l </dev/null >/dev/null 2>&1 ||
  fail "ordboka $dictionary mangler (pakken hunspell-no)"

# A small synthetic country: every chapter of the reports, quickly.
db="$work/samkart.sqlite"
quiet "$samkart" synth --scale 0.2 --out "$work/syntetisk"
quiet "$samkart" --db "$db" import "$work/syntetisk"
# The municipality with a follow-up round, and the largest with a baseline only.
rounds=$("$samkart" --db "$db" rounds)
follow_up=$(awk '$0 ~ / Oppfølgingsundersøkelse / {print $1; exit}' <<<"$rounds")
baseline=$(awk '$1 ~ /^[0-9]+$/ && / (0-punktsmåling|Oppfølgingsundersøkelse) / {n[$1]++; if ($0 ~ / Oppfølgingsundersøkelse /) f[$1]=1; svar[$1]=$(NF-1)}
  END {for (m in n) if (!f[m] && svar[m] > best) {best=svar[m]; pick=m}; print pick}' <<<"$rounds")
[ -n "$follow_up" ] && [ -n "$baseline" ] || fail "fant ingen kommune med og uten oppfølgingsmåling"
pages="$work/sider"
mkdir -p "$pages"
quiet "$samkart" --db "$db" report national --format html --out "$pages"
quiet "$samkart" --db "$db" report municipality --municipality "$baseline" --municipality "$follow_up" \
  --format html --out "$pages"

# The web application, logged in as an administrator.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
password="riktig-hest-batteri-stift-$RANDOM"
printf '%s\n' "$password" | "$samkart" --db "$db" user add saksbehandler --role admin >/dev/null
"$samkart" --db "$db" serve --quiet --port "$port" 2>"$work/serve.log" &
pids+=($!)
for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done
site=http://127.0.0.1:$port
jar="$work/cookies"
get() { curl -sS -b "$jar" -c "$jar" "$site$1" -o "$pages/$2.html"; }
csrf_of() { sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$1" | head -n 1; }
get /logg-inn logg-inn
curl -sS -b "$jar" -c "$jar" -o /dev/null --data-urlencode "csrf=$(csrf_of "$pages/logg-inn.html")" \
  --data-urlencode brukernavn=saksbehandler --data-urlencode "passord=$password" "$site/logg-inn"
# The audit log (/admin/logg) is left out: it shows the stored action
# codes («login», «user_add») as recorded, not text written for reading.
for page in / /utforsk /runder /rapporter /admin/brukere /admin/import; do
  name=$(tr -c 'a-z\n' '-' <<<"${page#/}")
  get "$page" "web-${name:-forside}"
done
grep -q 'name="csrf"' "$pages/web-runder.html" || fail "innloggingen virket ikke: $(head -c 300 "$pages/web-runder.html")"
# A round for the baseline municipality, and its survey as a respondent sees it.
round=$(curl -sS -b "$jar" -c "$jar" -o "$pages/web-runde-opprettet.html" -w '%{redirect_url}' \
  --data-urlencode "csrf=$(csrf_of "$pages/web-runder.html")" --data-urlencode "kommune=$baseline" \
  --data-urlencode "aar=$(date +%Y)" --data-urlencode type=follow_up \
  --data-urlencode "siste_svardag=$(date -d '+20 days' +%F)" \
  --data-urlencode "$(grep -o 'name="inviterte_[a-z_]*"' "$pages/web-runder.html" | head -n 1 | cut -d'"' -f2)=20" \
  "$site/runder")
[ -n "$round" ] || fail "kunne ikke opprette en runde: $(python3 "$here/spell_words.py" --text "$pages/web-runde-opprettet.html" | head -c 600)"
get "${round#"$site"}" web-runde
token=$(grep -o '/s/[A-Za-z0-9_-]*' "$pages/web-runde.html" | head -n 1)
[ -n "$token" ] || fail "runden viser ingen lenke til spørreskjemaet"
respondent="$work/respondent"
curl -sS -c "$respondent" -b "$respondent" "$site$token" -o "$pages/web-skjema.html"
curl -sS -c "$respondent" -b "$respondent" -o /dev/null \
  --data-urlencode "csrf=$(csrf_of "$pages/web-skjema.html")" "$site$token/start"
for n in 1 2 3; do
  curl -sS -c "$respondent" -b "$respondent" "$site$token/side/$n" -o "$pages/web-skjema-side-$n.html"
done

# The synthetic municipalities' names are words of the data, not of the program.
cut -d, -f2 "$work/syntetisk/kommuner.csv" | tail -n +2 > "$work/stedsnavn.txt"
# The round types' stored codes: words to the dictionary, never text for users.
cut -d, -f2 "$source_dir/data/instrument/background/round_types.csv" | tail -n +2 > "$work/koder.txt"
python3 "$here/spell_words.py" "$dictionary" "$here/accepted_words.txt" "$work/stedsnavn.txt" \
  "$work/koder.txt" "$pages"/*.html
