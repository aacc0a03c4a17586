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

/*
 * Loads the library and builds a light-mode cache for key, with hardware
 * AES and the JIT as asked and the fastest Argon2 the library offers here;
 * *cache_seconds receives the time randomx_init_cache took. Returns 0, or
 * -ENOENT / -ENOTSUP with why filled (not installed, or the flags are not
 * supported here).
 */
int bench_randomx_ref_open(bench_randomx_ref_t **out, int hard_aes, int jit, const void *key,
                           size_t key_len, double *cache_seconds, char *why, size_t why_len);

/* One hash with the reference (for checking it agrees with us). */
void bench_randomx_ref_hash(bench_randomx_ref_t *ref, const void *in, size_t len, uint8_t out[32]);

/*
 * Hashes distinct nonces of a block blob for about seconds on one thread
 * pinned to pu (-1: unpinned); returns hashes per second, or a negative
 * errno.
 */
double bench_randomx_ref_rate(bench_randomx_ref_t *ref, arch_topology_t *topo, int pu,
                              double seconds);

void bench_randomx_ref_close(bench_randomx_ref_t *ref);

#endif
