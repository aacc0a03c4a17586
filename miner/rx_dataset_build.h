/*
 * Building RandomX's 2080 MiB dataset in parallel: the items are split in
 * equal ranges over threads pinned like the miner's workers.
 */
#ifndef MINEMETER_MINER_RX_DATASET_BUILD_H
#define MINEMETER_MINER_RX_DATASET_BUILD_H

#include "arch/topology.h"
#include "pow/rx/randomx.h"

/*
 * Initialises every item of dataset from cache with threads threads on
 * pus[] (NULL or -1 entries: unpinned). Returns 0 or a negative errno.
 */
int miner_build_dataset(pow_rx_dataset_t *dataset, const pow_rx_cache_t *cache, unsigned threads,
                        arch_topology_t *topo, const int *pus);

#endif
