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

cmake -S . -B "build/$kind" -G Ninja "${flags[@]}" >/dev/null
cmake --build "build/$kind" -j "$jobs"
