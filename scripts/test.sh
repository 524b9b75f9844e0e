#!/usr/bin/env bash
# The whole test suite on a fresh machine: install what is missing, then
# build and test twice (optimised, and with AddressSanitizer + UBSan), check
# formatting, and run each fuzzer briefly (scripts/fuzz.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/bootstrap.sh
scripts/bootstrap_browser.sh

echo "== Formatering (clang-format)"
mapfile -t sources < <(git ls-files '*.cc' '*.h' 2>/dev/null || find src fuzz bench -name '*.cc' -o -name '*.h')
clang-format --dry-run --Werror "${sources[@]}"

# CTest's fixture starts a throwaway PostgreSQL server per build tree and
# stops it after the tests, also when they fail; this stops it if ctest
# itself is interrupted.
stop_postgres() {
  for kind in release asan; do
    scripts/postgres_server.sh stop "build/$kind/postgres" >/dev/null 2>&1 || true
  done
}
trap stop_postgres EXIT

for kind in release asan; do
  echo "== Bygg og test: $kind"
  scripts/build.sh "$kind"
  ctest --test-dir "build/$kind" --output-on-failure -j 2
done

echo "== Fuzzing (libFuzzer, clang)"
scripts/fuzz.sh
