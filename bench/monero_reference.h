/*
 * The side-by-side baseline for CryptoNight: Monero's own reference hash
 * tool (Debian monero-tests: /usr/lib/monero/tests/bin/hash-tests), timed
 * over its vector file in the same run as our measurement. The tool runs
 * with software AES (MONERO_USE_SOFTWARE_AES=1, whatever the build would
 * pick) and, unless asked, its cn/r JIT off (MONERO_USE_CNV4_JIT=0): it
 * aborts on some machines. A run's time includes fork, exec and loading,
 * spread over only 4 to 10 hashes, so the tool is timed on the file and on
 * the file repeated BENCH_MONERO_REPEAT times, and a hash costs the
 * difference over the extra lines.
 */
#ifndef MINEMETER_BENCH_MONERO_REFERENCE_H
#define MINEMETER_BENCH_MONERO_REFERENCE_H

#include <stddef.h>

#define BENCH_MONERO_HASH_TESTS "/usr/lib/monero/tests/bin/hash-tests"

#define BENCH_MONERO_REPEAT 5

typedef struct {
    double seconds_per_hash; /* (repeated run - single run) / extra lines: no process start */
    unsigned lines;          /* lines in the vector file (the tool hashes and checks each) */
    double seconds;          /* the single run's wall time, process start included */
    double repeated_seconds; /* the run over the file BENCH_MONERO_REPEAT times */
} bench_reference_t;

/* Whether Monero's tool has algo ("cn/0", "cn/1", "cn/2", "cn/r"). */
int bench_monero_reference_has(const char *algo);

/*
 * Times the tool on algo's vector file and on it repeated, pinned to pu
 * (-1: unpinned); jit asks for its cn/r JIT. Returns 0; -ENOENT when the
 * tool or its file is missing; -EIO when it failed, which includes
 * disagreeing with its own vectors, or timed no difference. why says which.
 */
int bench_monero_reference(const char *algo, int pu, int jit, bench_reference_t *out, char *why,
                           size_t why_len);

#endif
