/*
 * The memory probe's layout, open to tests: one random cycle through every
 * slot, so a chase from any slot meets each slot exactly once per round and
 * the hardware prefetchers cannot guess the next line.
 */
#ifndef MINEMETER_IMPACT_PROBE_MEMORY_H
#define MINEMETER_IMPACT_PROBE_MEMORY_H

#include <stddef.h>
#include <stdint.h>

/*
 * Writes the successor of slot i into next[i * stride], for i in [0, n),
 * so that following successors from any slot is one cycle through all n
 * (Sattolo's algorithm, shuffled from seed: the same seed gives the same
 * cycle). Other words of next are left alone.
 */
void impact_probe_memory_cycle(size_t *next, size_t n, size_t stride, uint64_t seed);

#endif
