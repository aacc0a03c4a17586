/*
 * The cache probe: random lookups in a table half the L3. Alone, the table
 * stays in cache and a lookup costs an L3 hit at most; a miner's own
 * working set evicts it, and the same lookups go to DRAM. The lookups are
 * independent, as separate requests to a key-value store are, so the CPU
 * overlaps them and the figure is a throughput.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "impact/probe_impl.h"
#include "impact/probe_window.h"
#include "impact/protocol.h"

#define LINE_BYTES 64
/* The table when the L3 size is unknown: in the L3 of anything that has one. */
#define DEFAULT_BYTES ((size_t)1 << 20)
/* Lookups between clock reads: some tens of microseconds. */
#define LOOKUPS_PER_CHECK 4096

typedef struct {
    uint64_t *entries;
    uint32_t count;  /* entries */
    uint64_t random; /* the lookup sequence's state: the next run carries on from there */
    uint64_t sum;    /* what the lookups found, kept so that they must be made */
} cache_state_t;

static int cache_open(const impact_probe_config_t *config, void **state)
{
    if (!config)
        return -EINVAL;
    /* Tests pass a small L3 to keep the table small; only an unknown L3 gets the default. */
    size_t bytes = config->l3_bytes ? config->l3_bytes / 2 : DEFAULT_BYTES;
    size_t count = bytes / sizeof(uint64_t);
    /* The index is drawn with 32-bit arithmetic: 32 GiB of table is far past any real L3. */
    if (count == 0 || count > UINT32_MAX)
        return -EINVAL;

    cache_state_t *s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    void *entries = NULL;
    if (posix_memalign(&entries, LINE_BYTES, count * sizeof(uint64_t)) != 0) {
        free(s);
        return -ENOMEM;
    }
    s->entries = entries;
    s->count = (uint32_t)count;
    /* Filling the table faults its pages in outside any window. */
    uint64_t random = config->seed;
    for (size_t i = 0; i < count; i++)
        s->entries[i] = impact_random(&random);
    s->random = random;
    *state = s;
    return 0;
}

/*
 * xorshift64 for the lookup indexes: inline and a few cycles, where a call
 * per lookup to a stronger generator would weigh in what is measured. It
 * needs a nonzero state, which cache_run ensures.
 */
static inline uint64_t next_random(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

static int cache_run(void *state, double seconds, volatile sig_atomic_t *stop,
                     impact_probe_sample_t *out)
{
    cache_state_t *s = state;
    const uint64_t *entries = s->entries;
    uint64_t count = s->count;
    uint64_t x = s->random ? s->random : 1;
    uint64_t sum = 0;
    uint64_t lookups = 0;
    probe_window_t w;
    probe_window_start(&w, seconds);
    do {
        for (int i = 0; i < LOOKUPS_PER_CHECK; i++) {
            /* The top 32 bits scaled to [0, count): no division in the loop. */
            uint64_t index = ((next_random(&x) >> 32) * count) >> 32;
            sum += entries[index];
        }
        lookups += LOOKUPS_PER_CHECK;
    } while (!probe_window_over(&w, stop));
    double wall = probe_window_finish(&w, lookups, out);
    s->random = x;
    s->sum += sum;
    out->value = (double)lookups / wall;
    return 0;
}

static void cache_close(void *state)
{
    cache_state_t *s = state;
    if (!s)
        return;
    free(s->entries);
    free(s);
}

const impact_probe_ops_t impact_probe_cache_ops = {cache_open, cache_run, cache_close};
