/*
 * Building RandomX's 2080 MiB dataset in parallel: the items are split in
 * equal ranges over threads pinned like the miner's workers. On a machine
 * with several NUMA nodes, one dataset per node that runs workers, bound to
 * that node, so that every dataset read a worker makes is local: the first
 * is computed, the others are copies made by the threads of their node.
 */
#ifndef MINEMETER_MINER_RX_DATASET_BUILD_H
#define MINEMETER_MINER_RX_DATASET_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "arch/topology.h"
#include "miner/miner.h"
#include "pow/rx/randomx.h"

#define MINER_MAX_NODES 16

/* Which dataset each worker reads. */
typedef struct {
    unsigned count;                  /* datasets, 1 .. MINER_MAX_NODES */
    int node[MINER_MAX_NODES];       /* each one's NUMA node (logical index), -1: not bound */
    uint8_t slot[MINER_MAX_THREADS]; /* the dataset of each worker */
} miner_dataset_plan_t;

/*
 * One dataset per NUMA node among the workers' PUs (pus[i], OS indexes;
 * -1 or NULL: unpinned, which reads the first dataset). A machine with one
 * node, or workers without PUs, get one dataset, not bound.
 */
void miner_plan_datasets(const arch_topology_t *topo, const int *pus, unsigned threads,
                         miner_dataset_plan_t *plan);

/*
 * Initialises every item of dataset from cache with threads threads on
 * pus[] (NULL or -1 entries: unpinned), reporting to progress (NULL: no
 * report). Returns 0 or a negative errno.
 */
int miner_build_dataset(pow_rx_dataset_t *dataset, const pow_rx_cache_t *cache, unsigned threads,
                        arch_topology_t *topo, const int *pus,
                        const miner_build_progress_t *progress);

/*
 * Whether one more 2080 MiB dataset (and 64 MiB to work) fits in the
 * memory this process may use (arch_memory_fits); when not, why says how
 * much is needed and what limits it.
 */
int miner_dataset_fits(char *why, size_t why_len);

/*
 * The 2 MiB huge pages fast mode needs with this many datasets (and their
 * 256 MiB caches) and threads (a 2 MiB scratchpad each, for each dataset's
 * side), 16 spare: what to reserve in /proc/sys/vm/nr_hugepages. One dataset: mining; two: bench's
 * like for like, ours and the reference's. Every hint minemeter prints uses this.
 */
unsigned miner_huge_pages_for(unsigned datasets, unsigned threads);

/*
 * Allocates (with try_1g as pow_rx_dataset_alloc) and fills the plan's
 * datasets into datasets[0 .. plan->count): each bound to its node (where
 * the machine lets it), the first built from cache by all the workers'
 * PUs, the others copied from it by the PUs of their node. When a node's
 * copy cannot be allocated its workers read the first dataset instead (the
 * plan's slots say so afterwards, that entry stays NULL). progress hears
 * of the first dataset's build (the copies take a memcpy's time). Returns 0, or a
 * negative errno when the first dataset cannot be had (nothing is left
 * allocated then).
 */
int miner_build_datasets(miner_dataset_plan_t *plan, pow_rx_dataset_t **datasets,
                         const pow_rx_cache_t *cache, int try_1g, unsigned threads,
                         arch_topology_t *topo, const int *pus,
                         const miner_build_progress_t *progress);

#endif
