/*
 * The probe registry: the probes `minemeter impact` offers, in --help
 * order, and the handle that pairs a probe's description with its state.
 */
#include "impact/probe.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "impact/probe_impl.h"

struct impact_probe {
    const impact_probe_info_t *info;
    const impact_probe_ops_t *ops;
    void *state;
};

static const impact_probe_info_t probes[] = {
    {"latency", "us p99", 0,
     "a request/response service on loopback: p50/p99/p99.9 latency at a fixed request rate"},
    {"memory", "ns/access", 0,
     "a dependent pointer chase over a buffer 4x the L3: memory latency, as in databases and "
     "graph walks"},
    {"bandwidth", "GB/s", 1,
     "streaming read and write of a buffer 4x the L3: memory bandwidth, as in analytics and "
     "media"},
    {"cache", "lookups/s", 1,
     "random lookups in a table half the L3: cache-resident working sets, as in key-value "
     "stores"},
    {"compute", "MB/s", 1,
     "SHA-256 over a 64 KiB block through OpenSSL's libcrypto: CPU-bound work that stays in "
     "L1/L2"},
};

/* Parallel to probes[]: the info array stays contiguous for impact_probes(). */
static const impact_probe_ops_t *const probe_ops[] = {
    &impact_probe_latency_ops, &impact_probe_memory_ops,  &impact_probe_bandwidth_ops,
    &impact_probe_cache_ops,   &impact_probe_compute_ops,
};

#define PROBE_COUNT (sizeof(probes) / sizeof(probes[0]))

_Static_assert(sizeof(probe_ops) / sizeof(probe_ops[0]) == PROBE_COUNT,
               "every probe needs its operations");

const impact_probe_info_t *impact_probes(size_t *count)
{
    if (count)
        *count = PROBE_COUNT;
    return probes;
}

const impact_probe_info_t *impact_probe_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < PROBE_COUNT; i++)
        if (strcmp(probes[i].name, name) == 0)
            return &probes[i];
    return NULL;
}

int impact_probe_open(const impact_probe_info_t *info, const impact_probe_config_t *config,
                      impact_probe_t **out)
{
    if (!out)
        return -EINVAL;
    *out = NULL;
    if (!info || !config)
        return -EINVAL;
    /* Only our own table's entries: a copy of an info carries no operations. */
    size_t index = PROBE_COUNT;
    for (size_t i = 0; i < PROBE_COUNT; i++)
        if (info == &probes[i])
            index = i;
    if (index == PROBE_COUNT)
        return -EINVAL;

    impact_probe_t *probe = calloc(1, sizeof(*probe));
    if (!probe)
        return -ENOMEM;
    probe->info = info;
    probe->ops = probe_ops[index];
    int rc = probe->ops->open(config, &probe->state);
    if (rc < 0) {
        free(probe);
        return rc;
    }
    *out = probe;
    return 0;
}

int impact_probe_run(impact_probe_t *probe, double seconds, volatile sig_atomic_t *stop,
                     impact_probe_sample_t *out)
{
    /* The negated test also turns NAN away. */
    if (!probe || !out || !(seconds > 0))
        return -EINVAL;
    /* The probes poll *stop in their loops; a caller without Ctrl-C handling may pass NULL. */
    volatile sig_atomic_t never = 0;
    if (!stop)
        stop = &never;

    memset(out, 0, sizeof(*out));
    out->p50_us = out->p99_us = out->p999_us = out->requests_per_s = -1;
    int rc = probe->ops->run(probe->state, seconds, stop, out);
    /* The header promises negative figures where a probe has no latencies, whatever the op did. */
    if (probe->ops != &impact_probe_latency_ops)
        out->p50_us = out->p99_us = out->p999_us = out->requests_per_s = -1;
    return rc;
}

void impact_probe_close(impact_probe_t *probe)
{
    if (!probe)
        return;
    probe->ops->close(probe->state);
    free(probe);
}
