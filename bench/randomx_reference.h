/*
 * The side-by-side baseline for RandomX: the reference library (Debian
 * librandomx0, tevador/RandomX 1.1.10), loaded at run time with dlopen so
 * that minemeter neither needs it to build nor to run. It is only ever
 * timed and compared against, never used to produce our hashes.
 */
#ifndef MINEMETER_BENCH_RANDOMX_REFERENCE_H
#define MINEMETER_BENCH_RANDOMX_REFERENCE_H

#include <stddef.h>
#include <stdint.h>

#include "arch/topology.h"

typedef struct bench_randomx_ref bench_randomx_ref_t;

typedef struct {
    int hard_aes;          /* RANDOMX_FLAG_HARD_AES */
    int jit;               /* RANDOMX_FLAG_JIT */
    int fast;              /* RANDOMX_FLAG_FULL_MEM: build the dataset */
    int large_pages;       /* RANDOMX_FLAG_LARGE_PAGES, dropped when the system has none */
    unsigned init_threads; /* threads building the dataset */
    /* Where they run, as ours do (thread i on pus[i]); topo NULL: unpinned. */
    arch_topology_t *topo;
    const int *pus;
} bench_randomx_ref_options_t;

/*
 * Loads the library and builds a cache for key (and in fast mode the
 * dataset, on init_threads threads) with the asked flags and the fastest
 * Argon2 the library offers here. *cache_seconds and *dataset_seconds
 * receive the times randomx_init_cache and randomx_init_dataset took.
 * Returns 0, or -ENOENT / -ENOTSUP / -ENOMEM with why filled.
 */
int bench_randomx_ref_open(bench_randomx_ref_t **out, const bench_randomx_ref_options_t *options,
                           const void *key, size_t key_len, double *cache_seconds,
                           double *dataset_seconds, char *why, size_t why_len);

/* One hash with the reference (for checking it agrees with us). */
void bench_randomx_ref_hash(bench_randomx_ref_t *ref, const void *in, size_t len, uint8_t out[32]);

/*
 * The pages the reference's hashes read from: "2MB" when its dataset (fast
 * mode) or its cache (light mode) got large pages, "default" when that
 * allocation fell back to the system's pages.
 */
const char *bench_randomx_ref_pages(const bench_randomx_ref_t *ref);

/*
 * Hashes distinct nonces of a block blob for about seconds on threads
 * threads (a VM each), thread i pinned to pus[i] (-1 or pus NULL:
 * unpinned); returns hashes per second of all threads together, or a
 * negative errno.
 */
double bench_randomx_ref_rate(bench_randomx_ref_t *ref, arch_topology_t *topo, const int *pus,
                              unsigned threads, double seconds);

void bench_randomx_ref_close(bench_randomx_ref_t *ref);

#endif
