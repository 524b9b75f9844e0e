#!/usr/bin/env bash
# The main job on a fresh machine: install what is missing, build, and run
# Samkart on its embedded default: validate and document the questionnaire,
# generate the synthetic national dataset, import it into a local SQLite
# database, and write the national report and a report for every
# municipality (HTML, PDF, XLSX), then serve the web application (survey,
# explorer, administration) with a demo login made for this run. Output goes
# to ./out/.
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
echo "== Import til nasjonal database"
# A fresh database each run, so the demo always shows a full import.
rm -f "$out/samkart.sqlite" "$out/samkart.sqlite-wal" "$out/samkart.sqlite-shm"
rm -rf "$out/importrapporter"
"$samkart" --db "$out/samkart.sqlite" import "$out/syntetisk" --report-dir "$out/importrapporter" |
  tail -n 3
"$samkart" --db "$out/samkart.sqlite" export --format sav --out "$out/nasjonalt.sav"
echo
echo "== Analyser (0-punktsmålinger, publiseringsregler anvendt)"
db=(--db "$out/samkart.sqlite")
mkdir -p "$out/tabeller"
"$samkart" "${db[@]}" table risk_identification --by service --where round_type=baseline \
  > "$out/tabeller/risikofaktorer_etter_tjeneste.txt"
"$samkart" "${db[@]}" table risk_identification --by service --where round_type=baseline \
  --format xlsx --out "$out/tabeller/risikofaktorer_etter_tjeneste.xlsx" >/dev/null
"$samkart" "${db[@]}" table concern_experienced --distribution --by size_group \
  --where round_type=baseline > "$out/tabeller/bekymring_etter_kommunestorrelse.txt"
"$samkart" "${db[@]}" table cooperation_with_services --matrix --where round_type=baseline \
  > "$out/tabeller/samarbeidsmatrise.txt"
sed -n '1,12p' "$out/tabeller/samarbeidsmatrise.txt"
echo
echo "== Rapporter"
rm -rf "$out/rapporter"
"$samkart" "${db[@]}" report national --out "$out/rapporter"
"$samkart" "${db[@]}" report municipality --all --out "$out/rapporter/kommuner"
echo
echo "Kodeboken: $out/kodebok/kodebok.html (også .md og .txt)"
echo "Eksportfilene: $out/syntetisk/eksport/ (oversikt i $out/syntetisk/manifest.csv)"
echo "Databasen: $out/samkart.sqlite (samkart --db $out/samkart.sqlite rounds)"
echo "Importrapportene: $out/importrapporter/; harmoniserte data for SPSS: $out/nasjonalt.sav"
echo "Tabeller: $out/tabeller/ (flere: samkart --db $out/samkart.sqlite table --help)"
echo
echo "Nasjonal rapport: $out/rapporter/nasjonal_rapport.html (også .pdf, .xlsx og .pptx)"
echo "Kommunerapporter: $out/rapporter/kommuner/ (én per kommune, HTML, PDF, XLSX og PowerPoint)"
echo
echo "== Webapplikasjonen"
# A demo administrator with a fresh random password each run; no default password exists.
password=$("$samkart" "${db[@]}" user add demo --role admin --generate-password | sed -n 's/^Passord: //p')
echo "Demo-innlogging for denne kjøringen: brukernavn «demo», passord «$password»"
echo "(Flere brukere: samkart --db $out/samkart.sqlite user add --help)"
exec "$samkart" "${db[@]}" serve --port "${SAMKART_PORT:-8080}"
