#!/usr/bin/env bash
# Unpacks Debian's arm64 builds of minemeter's libraries into a private
# sysroot for the aarch64 cross build (scripts/check-aarch64.sh), as root.
# Prints the sysroot's path on its last line.
#
# Why a sysroot and not multiarch -dev:arm64 packages installed with dpkg:
# libcriterion-dev:arm64 is not co-installable with the amd64 one on
# Debian 12 (its libnanomsg5 is 1.1.5+dfsg-1.1 on arm64 and the binNMU
# 1.1.5+dfsg-1.1+b1 on amd64, and Multi-Arch: same needs equal versions),
# and installing the others drags point-release upgrades of amd64 system
# packages (libudev1 and systemd, krb5, linux-libc-dev) into the machine.
# `apt-get download` + `dpkg-deb -x` touches nothing installed.
#
# The only system change is `dpkg --add-architecture arm64` (so apt knows
# the arm64 package lists); host tools (gcc-aarch64-linux-gnu, qemu-user)
# come from scripts/install-deps.sh.
#
# Idempotent: the sysroot is rebuilt only when its package versions change.
# MM_AARCH64_SYSROOT overrides where it goes.
set -euo pipefail

sysroot=${MM_AARCH64_SYSROOT:-/opt/minemeter/aarch64-sysroot}

# What the build links against (headers, .so links, .pc files) ...
dev=(libuv1-dev libhwloc-dev libssl-dev libjansson-dev libcriterion-dev librandomx-dev
     libcurl4-openssl-dev libmicrohttpd-dev)
# ... and what the binaries load at run time under qemu, with its
# dependencies (apt-cache depends --recurse on the libraries above); libc6
# brings the dynamic loader that QEMU_LD_PREFIX points qemu at.
runtime=(
    libc6 libgcc-s1 gcc-12-base libstdc++6
    libuv1 libhwloc15 libudev1 libssl3 libjansson4 librandomx0
    libcriterion3 libffi8 libnanomsg5 libgit2-1.5 libhttp-parser2.9 libssh2-1
    libmbedcrypto7 libmbedtls14 libmbedx509-1 libpcre2-8-0 zlib1g
    libgssapi-krb5-2 libk5crypto3 libkrb5-3 libkrb5support0 libcom-err2 libkeyutils1
    libmicrohttpd12 libcurl4 libbrotli1 libidn2-0 libunistring2 libldap-2.5-0 libsasl2-2 libsasl2-modules-db
    libdb5.3 libnghttp2-14 libpsl5 librtmp1 libgnutls30 libgmp10 libhogweed6 libnettle8
    libp11-kit0 libtasn1-6 libzstd1
)
packages=("${dev[@]}" "${runtime[@]}")

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps-aarch64: run this script as root" >&2
    exit 1
fi

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    echo "install-deps-aarch64: dpkg --add-architecture arm64"
    dpkg --add-architecture arm64
    apt-get update -qq
elif ! apt-cache show libc6:arm64 >/dev/null 2>&1; then
    apt-get update -qq
fi

# The exact versions apt would fetch now: the sysroot's stamp.
wanted=$(apt-cache policy "${packages[@]/%/:arm64}" |
    awk '/^[^ ]/ {name = $1; sub(/:$/, "", name)} /Candidate:/ {print name "=" $2}')
for p in "${packages[@]}"; do
    if ! grep -q "^$p:arm64=[^(]" <<< "$wanted"; then
        echo "install-deps-aarch64: no arm64 package $p" >&2
        exit 1
    fi
done

if [ -f "$sysroot/.packages" ] && [ "$(cat "$sysroot/.packages")" = "$wanted" ]; then
    echo "install-deps-aarch64: the sysroot is up to date (${#packages[@]} packages)"
    echo "$sysroot"
    exit 0
fi

echo "install-deps-aarch64: unpacking ${#packages[@]} arm64 packages into $sysroot"
work=$(mktemp -d)
trap 'rm -rf "$work" "$sysroot.new"' EXIT
chown _apt "$work" 2>/dev/null || true # apt downloads as its _apt user
mapfile -t specs <<< "$wanted"
(cd "$work" && apt-get download -qq "${specs[@]}")
rm -rf "$sysroot.new"
mkdir -p "$sysroot.new"
for deb in "$work"/*.deb; do
    dpkg-deb -x "$deb" "$sysroot.new"
done
echo "$wanted" > "$sysroot.new/.packages"
rm -rf "$sysroot"
mv "$sysroot.new" "$sysroot"
echo "$sysroot"
