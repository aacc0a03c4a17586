/*
 * What each probe file provides to impact/probe.c: its description and
 * three operations on a state of its own.
 */
#ifndef MINEMETER_IMPACT_PROBE_IMPL_H
#define MINEMETER_IMPACT_PROBE_IMPL_H

#include "impact/probe.h"

typedef struct {
    /* Allocates the state (buffers filled, server listening). 0 or a negative errno. */
    int (*open)(const impact_probe_config_t *config, void **state);
    /* Measures for about seconds (sooner when *stop): value, operations, wall and CPU time. */
    int (*run)(void *state, double seconds, volatile sig_atomic_t *stop,
               impact_probe_sample_t *out);
    void (*close)(void *state);
} impact_probe_ops_t;

extern const impact_probe_ops_t impact_probe_latency_ops;   /* impact/probe_latency.c */
extern const impact_probe_ops_t impact_probe_memory_ops;    /* impact/probe_memory.c */
extern const impact_probe_ops_t impact_probe_bandwidth_ops; /* impact/probe_bandwidth.c */
extern const impact_probe_ops_t impact_probe_cache_ops;     /* impact/probe_cache.c */
extern const impact_probe_ops_t impact_probe_compute_ops;   /* impact/probe_compute.c */

#endif
