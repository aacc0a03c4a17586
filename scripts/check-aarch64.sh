#!/usr/bin/env bash
# Builds the hashing core (pow/ and the parts of arch/ it uses) for aarch64
# with Debian's cross compiler and runs every shipped vector on every
# aarch64 path under qemu-user. Needs gcc-aarch64-linux-gnu, qemu-user and
# libc6-dev-arm64-cross (scripts/install-deps.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

cat > "$out/config.h" <<'CONFIG'
#define PACKAGE_VERSION "aarch64-check"
#define MM_BUILD_NEON 1
#define MM_BUILD_ARMCRYPTO 1
#define HAVE_SYS_AUXV_H 1
#define HAVE_LINUX_PERF_EVENT_H 1
CONFIG

awk -v name=pow_cn_vectors -f scripts/vectors-to-c.awk pow/cn/cn_vectors.txt > "$out/cn_vectors.c"
awk -v name=pow_rx_vectors -f scripts/vectors-to-c.awk pow/rx/rx_vectors.txt > "$out/rx_vectors.c"

cc=aarch64-linux-gnu-gcc
flags=(-std=gnu11 -O2 -pthread -I"$out" -I. -Wall -Wextra)
# Per-file flags, as the real build has them: the crypto kernel and the rounding-mode VM.
for f in pow/cn/cn_armcrypto.c pow/rx/aes_hash_armcrypto.c pow/rx/vm_fe_mix_armcrypto.c; do
    "$cc" "${flags[@]}" -march=armv8-a+crypto -c "$f" -o "$out/$(basename "$f" .c).o"
done
"$cc" "${flags[@]}" -frounding-math -c pow/rx/vm.c -o "$out/vm.o"
# Everything else in pow/ that is not an x86 ISA file.
sources=$(ls pow/*.c pow/prim/*.c pow/cn/*.c pow/rx/*.c |
          grep -v -e _aesni.c -e _avx2.c -e _armcrypto.c -e _vectors.c -e pow/rx/vm.c)
"$cc" "${flags[@]}" -static $sources arch/cpu.c arch/pages.c arch/jit_memory.c \
    "$out/cn_vectors.c" "$out/rx_vectors.c" tests/aarch64/check_vectors.c \
    "$out"/*_armcrypto.o "$out/vm.o" -lm -o "$out/check_vectors"
qemu-aarch64 "$out/check_vectors"
