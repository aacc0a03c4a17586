/*
 * Where the workers run: how many threads are worth it, and which PU each
 * one is pinned to (--threads, --affinity, --pin).
 */
#ifndef MINEMETER_MINER_PLACEMENT_H
#define MINEMETER_MINER_PLACEMENT_H

#include <stddef.h>

#include "arch/topology.h"

typedef enum {
    MINER_PIN_CORE, /* one thread per core first (first PU of each core), then second PUs */
    MINER_PIN_PU,   /* PUs in topology order */
    MINER_PIN_NONE, /* no pinning */
} miner_pin_mode_t;

/* "core", "pu", "none"; returns 0, or -1 for another name. */
int miner_pin_mode_from_name(const char *name, miner_pin_mode_t *mode);

/*
 * Threads worth running when each needs memory_per_thread bytes of last-level
 * cache (2 MiB for RandomX): one per core while the L3 that core shares still
 * has that much to spare; every core when the machine reports no L3. At
 * least 1.
 */
unsigned miner_default_threads(const arch_topology_t *topo, size_t memory_per_thread);

/*
 * The same, and why (when not NULL) gets the rule and what it counted, for
 * the start line: "one per core with 2 MiB of L3 to spare: 8 core(s), 1 L3
 * of 32 MiB".
 */
unsigned miner_default_threads_why(const arch_topology_t *topo, size_t memory_per_thread, char *why,
                                   size_t why_len);

/*
 * Fills pus[0 .. threads-1] with the PU (OS index) of each thread, -1 for
 * unpinned. affinity, when not NULL, is a list of OS indexes such as
 * "0-3,8" used in order (and cyclically when shorter than threads);
 * otherwise mode decides. Returns 0, or -EINVAL for a malformed list or a
 * PU this machine does not have.
 */
int miner_place_threads(const arch_topology_t *topo, miner_pin_mode_t mode, const char *affinity,
                        unsigned threads, int *pus);

#endif
