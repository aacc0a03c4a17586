/*
 * The latency probe's wire format and its hooks for tests. The probe itself
 * is reached through impact_probe_latency_ops (impact/probe_impl.h); these
 * functions exist so the tests can check what the probe measures against
 * what its server saw, and its statistics against known answers.
 */
#ifndef MINEMETER_IMPACT_PROBE_LATENCY_H
#define MINEMETER_IMPACT_PROBE_LATENCY_H

#include <stddef.h>
#include <stdint.h>

/*
 * Requests and responses are both this size. A request starts with its
 * 8-byte sequence number, a response with the sequence number it answers;
 * the rest is padding. Numbers are in host byte order: both ends are this
 * process.
 */
#define IMPACT_LATENCY_MESSAGE_BYTES 64

/* The requests per second the client aims at when the config's rate is 0. */
#define IMPACT_LATENCY_DEFAULT_RATE 2000.0

/*
 * The nearest-rank percentile of n ascending values: the value at rank
 * ceil(permille / 1000 * n), counting from 1 (so p99 is permille 990 and
 * p99.9 is 999). Always one of the values, never an interpolation; 0 when
 * n is 0. Parts per thousand keep the rank exact in integers.
 */
uint64_t impact_probe_latency_percentile(const uint64_t *sorted, size_t n, unsigned permille);

/* Requests the probe's server has answered since open, warm-up included. */
uint64_t impact_probe_latency_answered(const void *state);

/* The loopback TCP port the probe's server listens on. */
int impact_probe_latency_port(const void *state);

#endif
