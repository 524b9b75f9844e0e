# Shared by the report benchmarks (reports_bench.sh, national_report_bench.sh):
# the argument checks, the default synthetic store and the timing helpers.
# The caller sets `bench` (its name), `samkart`, `data_root` and `runs`.

die() {
  echo "$bench: $*" >&2
  exit 1
}

check_report_bench() {
  [[ -x $samkart ]] || die "finner ikke samkart: $samkart (bygg med scripts/build.sh release)"
  command -v chromium >/dev/null || die "finner ikke chromium (scripts/bootstrap.sh installerer den)"
  [[ $runs =~ ^[1-9][0-9]*$ ]] || die "SAMKART_BENCH_RUNS må være et positivt heltall"
}

# The default synthetic dataset imported once; rebuilt whenever the samkart
# binary changes. Prints the database's path.
default_store() {
  local key data
  key=$(stat -c '%s_%Y' "$samkart")
  data=$data_root/reports_$key
  if [[ ! -f $data/samkart.sqlite ]]; then
    rm -rf "$data_root"/reports_*
    mkdir -p "$data"
    echo "Lager og importerer det syntetiske datasettet …" >&2
    "$samkart" synth --out "$data/syntetisk" >/dev/null
    "$samkart" --db "$data/samkart.sqlite" import "$data/syntetisk" >/dev/null
  fi
  echo "$data/samkart.sqlite"
}

now() { date +%s.%N; }
minus() { awk -v a="$1" -v b="$2" 'BEGIN {print a - b}'; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
