/*
 * XMRig's benchmark, reproduced so that minemeter's RandomX numbers line up
 * with XMRig's public benchmark tables: a job of 112 zero bytes with a zero
 * seed, nonces 0 .. size-1 (little-endian at offset 39) spread over the
 * threads, and the last 8 bytes of every hash (for rx/2: of the
 * commitment) XOR-ed together. XOR does not depend on order, so the sum of
 * a run with two or more threads is a fixed number per (algorithm, size).
 */
#ifndef MINEMETER_BENCH_XMRIG_SUM_H
#define MINEMETER_BENCH_XMRIG_SUM_H

#include <stdint.h>

#include "arch/topology.h"
#include "pow/rx/randomx.h"

#define BENCH_XMRIG_BLOB_SIZE    112
#define BENCH_XMRIG_NONCE_OFFSET 39

typedef struct {
    uint64_t sum;
    double seconds;
    uint64_t hashes;
} bench_xmrig_result_t;

/*
 * Hashes nonces [0, size) with threads workers pinned to pus (NULL:
 * unpinned), each with its own VM over cache (and dataset when not NULL).
 * progress, when not NULL, is called about once a second with the count
 * so far. Returns 0 or a negative errno.
 */
int bench_xmrig_sum(pow_rx_cache_t *cache, const pow_rx_dataset_t *dataset,
                    const pow_rx_variant_t *variant, pow_isa_t isa, uint64_t size, unsigned threads,
                    arch_topology_t *topo, const int *pus,
                    void (*progress)(uint64_t done, uint64_t size), bench_xmrig_result_t *out);

/*
 * XMRig's published sum for algo ("rx/0", "rx/2") and size with two or
 * more threads (BenchState_test.h); 0 when it published none.
 */
uint64_t bench_xmrig_published_sum(const char *algo, uint64_t size);

#endif
