/*
 * Hash rate over sliding windows (10 s, 60 s, 15 min, as miners print it)
 * from samples of a growing hash count, taken about once a second. A
 * window reads as unknown until the samples cover most of it, so a rate is
 * never extrapolated from a few seconds.
 */
#ifndef MINEMETER_MINER_HASHRATE_H
#define MINEMETER_MINER_HASHRATE_H

#include <stdint.h>

#define MINER_HASHRATE_SAMPLES 1024 /* 17 minutes at one sample a second */

typedef struct {
    uint64_t ns;     /* arch_clock_ns() when taken */
    uint64_t hashes; /* hashes done by then, in total */
} miner_hashrate_sample_t;

typedef struct {
    miner_hashrate_sample_t ring[MINER_HASHRATE_SAMPLES];
    unsigned head; /* next slot to write */
    unsigned count;
} miner_hashrate_t;

void miner_hashrate_init(miner_hashrate_t *rate);

/* Records that hashes were done by now_ns (both never decrease). */
void miner_hashrate_add(miner_hashrate_t *rate, uint64_t now_ns, uint64_t hashes);

/*
 * Hashes per second over the last window_ns before the newest sample, or
 * a negative value when the samples cover less than 90% of the window.
 */
double miner_hashrate_over(const miner_hashrate_t *rate, uint64_t window_ns);

#endif
