#!/usr/bin/env bash
# Builds the libFuzzer targets in fuzz/ with clang (build/fuzz) and runs each
# for a bounded time on a copy of its committed corpus, so the inputs the
# fuzzer adds never land in fuzz/corpus/. Fails when a fuzzer finds a crash,
# undefined behaviour, a leak or a hang; the input is kept in
# build/fuzz/artifacts/<target>/ (add it to fuzz/corpus/<target>/ once fixed).
# Targets with a case table (see case_tables below) also start from every
# input in it, written out as seeds next to the committed corpus.
#   SAMKART_FUZZ_SECONDS=10   seconds per target (seven targets; longer runs by hand)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${SAMKART_FUZZ_SECONDS:-10}
jobs=${SAMKART_JOBS:-2}
targets=(csv_reader csv_source instrument_loader xlsx_reader sav_reader dta_reader web_input)

CC=clang CXX=clang++ cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSAMKART_BUILD_FUZZERS=ON -DSAMKART_BUILD_TESTS=OFF >/dev/null
cmake --build build/fuzz -j "$jobs" --target "${targets[@]/%/_fuzzer}"

# Case tables whose inputs also seed a target.
declare -A case_tables=([csv_reader]=src/samkart/io/testdata/csv_reader_cases.test
  [csv_source]=src/samkart/io/testdata/csv_cases.test)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for target in "${targets[@]}"; do
  echo "== Fuzzing: $target ($seconds s)"
  corpus="$work/$target"
  artifacts="build/fuzz/artifacts/$target"
  mkdir -p "$corpus"
  rm -rf "$artifacts" && mkdir -p "$artifacts"
  cp -R "fuzz/corpus/$target/." "$corpus/"
  from_table=""
  if [[ -n ${case_tables[$target]:-} ]]; then
    fuzz/write_case_seeds.sh "${case_tables[$target]}" "$corpus"
    from_table=" og $(grep -c '^case ' "${case_tables[$target]}") fra tabellen"
  fi
  log="$work/$target.log"
  # -timeout: an input slower than this counts as a hang and fails the run.
  if ! "build/fuzz/fuzz/${target}_fuzzer" -max_total_time="$seconds" -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "Fuzzeren $target fant en feil; inndata ligger i $artifacts/" >&2
    exit 1
  fi
  grep -E '^(Done|stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb))' \
    "$log" || true
  echo "korpus: $(find "fuzz/corpus/$target" -type f | wc -l) filer inn$from_table, $(find "$corpus" -type f | wc -l) ut"
done
