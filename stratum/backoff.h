/*
 * How long to wait before the next connection attempt: the retry pause,
 * doubled after each failure up to a minute, with +-25% jitter drawn from a
 * generator seeded per process from the kernel's randomness, so miners that
 * lost a pool together do not all come back at the same moment.
 */
#ifndef MINEMETER_STRATUM_BACKOFF_H
#define MINEMETER_STRATUM_BACKOFF_H

#include <stdint.h>

#define STRATUM_MAX_BACKOFF_MS 60000u

/* The wait after failures failed attempts in a row (0 or 1: base_ms), jittered. */
unsigned stratum_backoff_ms(uint64_t base_ms, unsigned failures);

/* A 64-bit random number from this process's own generator (thread-safe). */
uint64_t stratum_random(void);

#endif
