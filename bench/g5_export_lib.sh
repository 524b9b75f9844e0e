# Shared by the benchmarks that read one large G5 export (import_vs_sqlite.sh,
# describe_bench.sh): the argument checks and the cached generated file.
# The caller sets `bench` (its name), `samkart`, `generator`, `respondents`,
# `runs`, `seed` and `data_root`.

die() {
  echo "$bench: $*" >&2
  exit 1
}

check_export_bench() {
  [[ -x $samkart ]] || die "finner ikke samkart: $samkart (bygg med scripts/build.sh release, eller oppgi stien)"
  [[ -x $generator ]] || die "finner ikke generatoren: $generator (bygg med scripts/build.sh release, eller oppgi stien)"
  [[ -x /usr/bin/time ]] || die "/usr/bin/time mangler (apt-get install time)"
  [[ $respondents =~ ^[0-9]+$ && $respondents -gt 0 ]] || die "SAMKART_BENCH_RESPONDENTS må være et positivt heltall"
  [[ $runs =~ ^[0-9]+$ && $runs -gt 0 ]] || die "SAMKART_BENCH_RUNS må være et positivt heltall"
}

# The generated export and its municipality register, cached by size, seed
# and generator binary (which embeds the instrument), so reruns skip the
# generation. Sets `data_dir`, `csv` and `register`.
g5_export() {
  local generator_hash
  generator_hash=$(sha256sum "$generator" | cut -c1-12)
  data_dir=$data_root/n${respondents}_s${seed}_${generator_hash}
  csv=$data_dir/svar_g5.csv
  register=$data_dir/kommuner.csv
  if [[ ! -s $csv || ! -s $register ]]; then
    echo "== Lager $respondents respondenter i $data_dir"
    rm -rf "$data_dir.partial"
    "$generator" --out "$data_dir.partial/svar_g5.csv" --respondents "$respondents" --seed "$seed"
    rm -rf "$data_dir"
    mv "$data_dir.partial" "$data_dir"
  else
    echo "== Bruker lagret fil $csv"
  fi
}
