#!/usr/bin/env bash
# Installs the Debian packages Samkart needs to build and test, if missing.
# Safe to run again: it only calls apt-get when something is absent.
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config ccache  # ccache: rebuilds of unchanged files are free
  libgtest-dev libgmock-dev libbenchmark-dev
  libcli11-dev libfmt-dev nlohmann-json3-dev
  libsqlite3-dev sqlite3 libssl-dev  # the store; SHA-256 for import provenance
  libxlsxwriter-dev libreadstat-dev  # export writers (XLSX, SPSS)
  libzip-dev libexpat1-dev  # XLSX reader: a zip of XML parts
  libcairo2-dev libpango1.0-dev fonts-dejavu-core  # PDF reports, with a font to embed
  libhyphen-dev hyphen-no  # PDF reports: Norwegian hyphenation patterns
  poppler-utils chromium  # visual checks: every PDF page renders, the HTML loads cleanly
  clang-format
  # scripts/fuzz.sh: clang, libFuzzer (in libclang-rt-14-dev on Debian 12) and
  # llvm-symbolizer, so a crash report names source lines.
  clang libclang-rt-14-dev llvm
  r-base-core r-cran-survey  # the R reference test (tests/r_reference/reference.R)
  libcpp-httplib-dev libsodium-dev  # samkart serve: HTTP server; argon2id passwords
  wrk  # bench/web_load.sh: the explorer API under 200 connections
  libpqxx-dev  # the PostgreSQL store (libpqxx over libpq)
  postgresql  # the PostgreSQL tests' throwaway server (scripts/postgres_server.sh)
  libglpk-dev  # samkart audit: the linear programs that bound every hidden cell
  libqrencode-dev  # survey rounds: a QR code per link, for posters
  nginx curl python3-minimal  # tests/nginx/proxy.sh: the reverse-proxy example, for real
  hunspell hunspell-no  # tests/spelling: the Norwegian (Bokmål) spelling of what users read
  libreoffice-impress unzip  # tests/decks/check_decks.sh: the PPTX decks opened by Impress
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "Installerer manglende pakker: ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
# The tests start their own throwaway PostgreSQL server (scripts/postgres_server.sh);
# no package may start a system service while installing (the Debian way:
# policy-rc.d answers 101, «not allowed»), and ours is removed afterwards.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee /usr/sbin/policy-rc.d >/dev/null
  "${sudo_cmd[@]}" chmod 755 /usr/sbin/policy-rc.d
  trap '"${sudo_cmd[@]}" rm -f /usr/sbin/policy-rc.d' EXIT
fi
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
