/*
 * Victim probes for `minemeter impact`: small built-in workloads, each a
 * model of a real one, measured for a window while a miner runs beside it
 * (or not, for the baseline). Each probe runs on the calling thread (the
 * latency probe adds a server thread of its own), pinned by the caller.
 *
 * A probe's headline figure is "value" in its unit; "higher_is_better"
 * says which way is worse. Slowdown is always expressed as extra time per
 * unit of work (impact/protocol.h).
 */
#ifndef MINEMETER_IMPACT_PROBE_H
#define MINEMETER_IMPACT_PROBE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *name;     /* "latency", "memory", "bandwidth", "cache", "compute" */
    const char *unit;     /* "us p99", "ns/access", "GB/s", "lookups/s", "MB/s" */
    int higher_is_better; /* throughputs 1, latencies 0 */
    const char *models;   /* one line for --help: the real workload it stands for */
} impact_probe_info_t;

typedef struct {
    int pu;          /* OS index of the PU the probe's threads are pinned to; -1: not pinned */
    size_t l3_bytes; /* the last-level cache the probe's PU sees (sizes the buffers) */
    uint64_t seed;   /* for the random layouts; the same seed gives the same layout */
    double rate;     /* latency: requests per second the client aims at (0: the default) */
} impact_probe_config_t;

typedef struct {
    double value;                   /* the headline figure, in info->unit */
    double p50_us, p99_us, p999_us; /* latency only (p99_us is value); < 0 otherwise */
    double requests_per_s;          /* latency only; < 0 otherwise */
    uint64_t operations;            /* accesses, lookups, bytes, requests: what value counts */
    double wall_seconds;            /* the window actually measured */
    double cpu_seconds;             /* the probe's threads' CPU time over the window */
} impact_probe_sample_t;

typedef struct impact_probe impact_probe_t;

/* Every probe, in the order --help lists them; *count set. */
const impact_probe_info_t *impact_probes(size_t *count);

/* The probe of that name, or NULL. */
const impact_probe_info_t *impact_probe_find(const char *name);

/*
 * Prepares a probe (its buffers, the latency probe's server on 127.0.0.1
 * port 0). Returns 0 or a negative errno.
 */
int impact_probe_open(const impact_probe_info_t *info, const impact_probe_config_t *config,
                      impact_probe_t **out);

/*
 * Runs the probe for about seconds and measures it. Returns early, with
 * what it measured so far, when *stop becomes nonzero (Ctrl-C). Returns 0
 * or a negative errno.
 */
int impact_probe_run(impact_probe_t *probe, double seconds, volatile sig_atomic_t *stop,
                     impact_probe_sample_t *out);

/* Stops the probe's threads and frees it; NULL is fine. */
void impact_probe_close(impact_probe_t *probe);

#endif
