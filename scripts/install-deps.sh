#!/usr/bin/env bash
# Installs what minemeter needs to build and test on Debian 12, as root.
# Idempotent: packages already installed are left alone, and the package
# lists are only refreshed when something is missing.
set -euo pipefail

packages=(
    # Build.
    build-essential autoconf automake pkg-config
    libuv1-dev libhwloc-dev libssl-dev libjansson-dev libcurl4-openssl-dev
    # The HTTP API's server; monerod's new-block notifications (mine --zmq).
    libmicrohttpd-dev libzmq3-dev
    # Tests: Criterion, Monero's hash vectors and its reference hash tool,
    # the RandomX reference library (a differential oracle, never our core).
    libcriterion-dev monero-tests librandomx-dev
    # The lab pool's interoperability test: a Stratum client in Python.
    python3
    # The HTTP API's tests: promtool checks /metrics, a real Prometheus scrapes
    # it, and headless Chromium loads the dashboard.
    prometheus chromium
    # The solo-mining integration tests: a real monerod in a private regtest chain.
    monero
    # The aarch64 check: a cross compiler, qemu-user, and the binfmt entry
    # that hands aarch64 programs to qemu (only recommended by qemu-user,
    # and this script installs no recommends).
    gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user qemu-user-binfmt
    # The Stratum fuzz target (scripts/fuzz-stratum.sh): clang with libFuzzer.
    clang libclang-rt-14-dev
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    echo "install-deps: all ${#packages[@]} packages are installed"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages: ${missing[*]}" >&2
    echo "install-deps: run this script as root (or: sudo apt-get install ${missing[*]})" >&2
    exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Packages with a service (prometheus, monero) must not start it: the tests
# start their own on loopback and stop it. policy-rc.d's 101 tells
# invoke-rc.d "not now" for the length of the install.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod +x "$policy"
    trap 'rm -f "$policy"' EXIT
fi
apt-get install -y -qq --no-install-recommends "${missing[@]}"
