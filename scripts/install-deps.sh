#!/usr/bin/env bash
# Installs the Debian 12 packages sigil needs to build, test and demo.
# Idempotent: only missing packages are installed, and it is quiet when all are present.
set -euo pipefail

BUILD_PKGS=(build-essential g++ cmake ninja-build pkg-config clang clang-format libclang-rt-14-dev
  libfyaml-dev libhyperscan-dev libre2-dev libpcre2-dev libsimdjson-dev
  nlohmann-json3-dev libfmt-dev libcli11-dev libsqlite3-dev sqlite3 libpq-dev
  libcpp-httplib-dev libkainjow-mustache-dev libmd4c-dev libzstd-dev zstd libxxhash-dev libutf8proc-dev libjemalloc-dev
  libgtest-dev libgmock-dev libbenchmark-dev)
TEST_PKGS=(postgresql libevtx-utils python3 tar curl chromium nodejs wrk)
EXTRA_PKGS=()
case "${1:-build}" in
  build) PKGS=("${BUILD_PKGS[@]}") ;;
  test) PKGS=("${BUILD_PKGS[@]}" "${TEST_PKGS[@]}") ;;
  full) PKGS=("${BUILD_PKGS[@]}" "${TEST_PKGS[@]}" hyperfine) ;;
  *) echo "usage: $0 [build|test|full]" >&2; exit 2 ;;
esac

missing=()
for p in "${PKGS[@]}" "${EXTRA_PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# The PostgreSQL execution test (tests/unit/convert_pg_test.cpp) runs the server
# as the unprivileged `postgres` account when tests run as root (initdb refuses
# root); the postgresql package creates it, this makes sure it exists.
ensure_pg_account() {
  case "${1:-build}" in test|full) ;; *) return 0 ;; esac
  getent passwd postgres >/dev/null && return 0
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo useradd --system --home-dir /var/lib/postgresql --shell /usr/sbin/nologin postgres
}

if [ ${#missing[@]} -eq 0 ]; then ensure_pg_account "${1:-build}"; exit 0; fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
ensure_pg_account "${1:-build}"
