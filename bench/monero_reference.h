/*
 * The side-by-side baseline for CryptoNight: Monero's own reference hash
 * tool (Debian monero-tests: /usr/lib/monero/tests/bin/hash-tests), timed
 * over its vector file in the same run as our measurement. Debian's build
 * uses software AES; its cn/r JIT is turned off (MONERO_USE_CNV4_JIT=0)
 * because it aborts on some machines.
 */
#ifndef MINEMETER_BENCH_MONERO_REFERENCE_H
#define MINEMETER_BENCH_MONERO_REFERENCE_H

#include <stddef.h>

#define BENCH_MONERO_HASH_TESTS "/usr/lib/monero/tests/bin/hash-tests"

typedef struct {
    double seconds_per_hash; /* wall time / lines, process start included */
    unsigned lines;          /* hashes the tool computed (and checked) */
    double seconds;
} bench_reference_t;

/* Whether Monero's tool has algo ("cn/0", "cn/1", "cn/2", "cn/r"). */
int bench_monero_reference_has(const char *algo);

/*
 * Runs the tool once on algo's vector file, pinned to pu (-1: unpinned).
 * Returns 0; -ENOENT when the tool or its file is missing; -EIO when it
 * failed, which includes disagreeing with its own vectors. why says which.
 */
int bench_monero_reference(const char *algo, int pu, bench_reference_t *out, char *why,
                           size_t why_len);

#endif
