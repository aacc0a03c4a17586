/*
 * Hashing throughput: N threads, each pinned to its own core with its own
 * scratchpad (RandomX: its own VM over one shared cache), hash distinct
 * nonces for a fixed time.
 */
#ifndef MINEMETER_BENCH_THROUGHPUT_H
#define MINEMETER_BENCH_THROUGHPUT_H

#include <stdint.h>

#include "arch/clock.h"
#include "arch/pages.h"
#include "arch/topology.h"
#include "pow/algo.h"
#include "pow/rx/randomx.h"

#define BENCH_MAX_THREADS 256

typedef struct {
    double hashes_per_second;    /* all threads together */
    double cycles_per_hash;      /* per thread, averaged; 0 when no counter */
    double cpu_seconds_per_hash; /* thread CPU time per hash, averaged over threads */
    arch_cycles_source_t cycles_source;
    double joules; /* energy over the run, from target->energy; < 0 when unknown */
    uint64_t hashes;
    double seconds;
    const char *pages; /* what the scratchpads got (thread 0's): "2MB", "4KB" ... */
    /*
     * With "THP": the share of thread 0's CryptoNight scratchpad the kernel
     * backed with huge pages after the warm-up (madvise only asks), 0..1;
     * -1 otherwise (RandomX's VMs keep their own scratchpads).
     */
    double pages_huge_share;
    int jit;        /* cn/r or RandomX programs ran compiled */
    unsigned lanes; /* hashes each thread ran at once: RandomX light mode in lockstep, else 1 */
} bench_sample_t;

/* What to hash: the algorithm, the path, and for RandomX the initialised shared cache. */
typedef struct {
    const pow_algo_t *algo;
    pow_isa_t isa;
    pow_rx_cache_t *rx_cache;
    pow_rx_dataset_t *rx_dataset; /* fast mode; NULL: light mode */
    struct arch_energy *energy;   /* the run's power source (arch/energy.h); NULL: none */
} bench_target_t;

/*
 * Runs threads workers on the PUs pus[0..threads-1] (OS indexes; -1 leaves
 * a thread unpinned) for about seconds. Returns 0 or a negative errno.
 */
int bench_throughput(arch_topology_t *topo, const bench_target_t *target, unsigned threads,
                     const int *pus, double seconds, bench_sample_t *out);

#endif
