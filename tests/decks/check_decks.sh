#!/usr/bin/env bash
# The PowerPoint decks as another program reads them: `samkart report
# municipality --format pptx` for a baseline and a follow-up municipality of
# the synthetic dataset, then LibreOffice Impress (headless) converts each
# deck to PDF and to ODP. Checks that every slide becomes a page, that every
# chart arrives with its data, and that the first slides drawn are not blank.
# Usage: check_decks.sh SAMKART_BINARY
set -euo pipefail
samkart=$1
work=$(mktemp -d /tmp/samkart-decks.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FEIL: $*" >&2; exit 1; }

for tool in soffice pdfinfo pdftoppm python3 unzip; do
  command -v "$tool" >/dev/null || fail "finner ikke $tool (scripts/bootstrap.sh installerer det)"
done

# A small synthetic dataset is enough: the decks, not the numbers, are tested.
"$samkart" synth --out "$work/syntetisk" --scale 0.5 >/dev/null 2>&1
"$samkart" --db "$work/samkart.sqlite" import "$work/syntetisk" >/dev/null 2>&1
rounds=$("$samkart" --db "$work/samkart.sqlite" rounds)
baseline=$(awk '$1 ~ /^[0-9]+$/ && / 0-punktsmåling / {print $1}' <<<"$rounds" | sort -u | head -n 1)
follow_up=$(awk '$1 ~ /^[0-9]+$/ && / Oppfølgingsundersøkelse / {print $1}' <<<"$rounds" | sort -u | head -n 1)
[[ -n $baseline && -n $follow_up ]] || fail "fant ikke både en 0-punktsmåling og en oppfølging"
"$samkart" --db "$work/samkart.sqlite" report municipality --municipality "$baseline" \
  --municipality "$follow_up" --format pptx --out "$work/decks" >/dev/null
mapfile -t decks < <(find "$work/decks" -name '*.pptx' | sort)
[[ ${#decks[@]} -eq 2 ]] || fail "ventet 2 presentasjoner, fikk ${#decks[@]}"

# One soffice start per format: a start costs seconds, a deck much less.
profile="-env:UserInstallation=file://$work/lo"
timeout 120 soffice "$profile" --headless --convert-to pdf --outdir "$work/pdf" "${decks[@]}" \
  >/dev/null 2>&1 || fail "LibreOffice kunne ikke lage PDF"
timeout 120 soffice "$profile" --headless --convert-to odp --outdir "$work/odp" "${decks[@]}" \
  >/dev/null 2>&1 || fail "LibreOffice kunne ikke lage ODP"

slides_total=0
charts_total=0
pages_checked=0
for deck in "${decks[@]}"; do
  name=$(basename "$deck" .pptx)
  parts=$(unzip -Z1 "$deck")
  slides=$(grep -c '^ppt/slides/slide[0-9]*\.xml$' <<<"$parts" || true)
  charts=$(grep -c '^ppt/charts/chart[0-9]*\.xml$' <<<"$parts" || true)
  pdf="$work/pdf/$name.pdf"
  [[ -f $pdf ]] || fail "$name: ingen PDF fra LibreOffice"
  pages=$(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}')
  [[ $pages -eq $slides ]] || fail "$name: $slides lysbilder, men $pages sider i PDF-en"
  odp="$work/odp/$name.odp"
  [[ -f $odp ]] || fail "$name: ingen ODP fra LibreOffice"
  # Every chart object in the ODP holds a data table with a value in it.
  with_data=$(python3 - "$odp" <<'EOF'
import re, sys, zipfile
odp = zipfile.ZipFile(sys.argv[1])
count = 0
for name in odp.namelist():
    if re.fullmatch(r"Object \d+/content\.xml", name):
        xml = odp.read(name).decode("utf-8")
        if "<chart:chart" in xml and re.search(r"<table:table-row>.*office:value=", xml, re.S):
            count += 1
print(count)
EOF
)
  [[ $with_data -eq $charts ]] || fail "$name: $charts diagrammer, men $with_data med data i ODP-en"
  # The first slides as grey pixels (PGM): a slide with nothing drawn is all white.
  mkdir -p "$work/pages/$name"
  pdftoppm -r 50 -f 1 -l 4 -gray "$pdf" "$work/pages/$name/side"
  python3 - "$work/pages/$name" <<'EOF' || fail "$name: et lysbilde er tomt"
import pathlib, sys
pages = sorted(pathlib.Path(sys.argv[1]).glob("*.pgm"))
if not pages:
    sys.exit("ingen sider tegnet")
for page in pages:
    magic, width, height, depth, pixels = page.read_bytes().split(maxsplit=4)
    pixels = pixels[: int(width) * int(height)]
    drawn = sum(1 for p in pixels if p < 200) / len(pixels)
    if magic != b"P5" or drawn < 0.005:
        sys.exit(f"{page.name}: {drawn:.1%} av flaten er tegnet")
EOF
  pages_checked=$((pages_checked + $(find "$work/pages/$name" -name '*.pgm' | wc -l)))
  slides_total=$((slides_total + slides))
  charts_total=$((charts_total + charts))
  echo "$name: $slides lysbilder, $charts diagrammer med data, $pages PDF-sider"
done
echo "Presentasjoner: ${#decks[@]}, lysbilder: $slides_total, diagrammer kontrollert: $charts_total," \
  "lysbilder sett som bilde: $pages_checked"
