#!/usr/bin/env bash
# Configures and builds one build tree incrementally.
#   scripts/build.sh release   -> build/release (RelWithDebInfo)
#   scripts/build.sh asan      -> build/asan (Debug, AddressSanitizer + UBSan)
set -euo pipefail
cd "$(dirname "$0")/.."

kind=${1:-release}
jobs=${SAMKART_JOBS:-2}
case "$kind" in
  release) flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  asan) flags=(-DCMAKE_BUILD_TYPE=Debug -DSAMKART_ENABLE_SANITIZERS=ON) ;;
  *) echo "ukjent byggtype: $kind (bruk release eller asan)" >&2; exit 2 ;;
esac

# ccache keyed on paths relative to the checkout, so a second clone (CI's)
# reuses what this one compiled.
if command -v ccache >/dev/null 2>&1; then
  flags+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
fi

cmake -S . -B "build/$kind" -G Ninja "${flags[@]}" >/dev/null
cmake --build "build/$kind" -j "$jobs"
