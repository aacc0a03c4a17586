#!/usr/bin/env bash
# Fuzzes what a pool can send us, and what a miner can send our lab pool
# (minemeter pool): builds tests/fuzz/fuzz_stratum.c with
# clang's libFuzzer, ASan and UBSan (the stratum/ parsers compiled with the
# fuzzer's coverage, the hashing core from an out-of-tree sanitizer build,
# or from the source tree's own build when it is configured in place),
# then runs it for FUZZ_SECONDS (default 60) from the seed corpus in
# tests/fuzz/corpus/stratum/. Exits non-zero when an input crashes, leaks or
# trips a sanitizer; libFuzzer leaves that input as crash-* in the build
# directory (FUZZ_BUILD_DIR, default build-fuzz/).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD_DIR:-$top/build-fuzz}
seconds=${FUZZ_SECONDS:-60}
max_len=${FUZZ_MAX_LEN:-8192}

if ! command -v clang >/dev/null; then
    echo "fuzz-stratum: clang is missing; on Debian 12: apt-get install clang libclang-rt-14-dev" >&2
    exit 1
fi

[ -x "$top/configure" ] || (cd "$top" && autoreconf -fi)
mkdir -p "$build"
if [ -f "$top/config.status" ]; then
    # configure refuses a second, out-of-tree build of a tree configured in place.
    libs="$top"
else
    libs="$build"
    if [ ! -f "$build/Makefile" ]; then
        echo "== fuzz-stratum: configuring the hashing core with clang and sanitizers in $build"
        (cd "$build" && "$top/configure" -q CC=clang --enable-sanitizers)
    fi
fi
make -C "$libs" -j2 libpow.a libarch.a >/dev/null
cd "$build"

echo "== fuzz-stratum: building the fuzz target"
# shellcheck disable=SC2046 # pkg-config prints several words on purpose
clang -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$top" -I"$libs" $(pkg-config --cflags jansson) \
    -o fuzz-stratum "$top/tests/fuzz/fuzz_stratum.c" \
    "$top/stratum/job.c" "$top/stratum/line.c" "$top/stratum/message.c" \
    "$top/stratum/printable.c" "$top/stratum/pool_request.c" \
    "$libs/libpow.a" "$libs/libarch.a" $(pkg-config --libs jansson hwloc) -lm -pthread

# New inputs go to a scratch corpus; the seeds in the repository stay as they are.
mkdir -p corpus
echo "== fuzz-stratum: fuzzing for ${seconds} s"
./fuzz-stratum -max_total_time="$seconds" -max_len="$max_len" -print_final_stats=1 \
    corpus "$top/tests/fuzz/corpus/stratum"
