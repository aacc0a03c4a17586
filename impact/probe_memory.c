/*
 * The memory probe: a dependent chase over a buffer 4x the L3. Each
 * load's address comes from the previous load, so the CPU cannot overlap
 * them and every access pays the whole latency of DRAM, and of the page
 * walk its TLB miss needs: both longer while a miner shares the memory
 * controller and the L3 that would hold the page tables.
 */
#include "impact/probe_memory.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "impact/probe_impl.h"
#include "impact/probe_window.h"
#include "impact/protocol.h"

#define LINE_BYTES 64
/* The buffer when the L3 size is unknown: past most desktops' L3 and most server cores' slice. */
#define DEFAULT_BYTES ((size_t)64 << 20)
/* Steps between clock reads: under a millisecond at DRAM latency, a clock read being ~20 ns. */
#define STEPS_PER_CHECK 4096

/* One link per cache line, so that each step brings in a line of its own. */
#define STRIDE (LINE_BYTES / sizeof(size_t))

typedef struct {
    size_t *links; /* the successor of slot i at links[i * STRIDE] */
    size_t count;  /* slots */
    size_t at;     /* where the chase stands: the next run carries on from there */
} memory_state_t;

void impact_probe_memory_cycle(size_t *next, size_t n, size_t stride, uint64_t seed)
{
    uint64_t random = seed;
    for (size_t i = 0; i < n; i++)
        next[i * stride] = i;
    /*
     * Sattolo: like Fisher-Yates, but j stops short of i, which makes the
     * permutation a single cycle. The modulo's bias, under n / 2^64, is
     * nothing next to the noise of a memory measurement.
     */
    for (size_t i = n; i > 1; i--) {
        size_t last = i - 1;
        size_t j = (size_t)(impact_random(&random) % last);
        size_t t = next[last * stride];
        next[last * stride] = next[j * stride];
        next[j * stride] = t;
    }
}

static int memory_open(const impact_probe_config_t *config, void **state)
{
    if (!config || config->l3_bytes > SIZE_MAX / 4 - LINE_BYTES)
        return -EINVAL;
    /* Tests pass a small L3 to keep the buffer small; only an unknown L3 gets the default. */
    size_t bytes = config->l3_bytes ? 4 * config->l3_bytes : DEFAULT_BYTES;
    size_t count = (bytes + LINE_BYTES - 1) / LINE_BYTES;

    memory_state_t *s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    /*
     * Ordinary memory, not arch/pages.c's huge pages: the probe stands for
     * an ordinary program, whose TLB misses are part of what a miner makes
     * worse.
     */
    void *links = NULL;
    if (posix_memalign(&links, LINE_BYTES, count * LINE_BYTES) != 0) {
        free(s);
        return -ENOMEM;
    }
    s->links = links;
    s->count = count;
    /* Building the cycle writes every slot, so no page fault falls in a window. */
    impact_probe_memory_cycle(s->links, count, STRIDE, config->seed);
    s->at = 0;
    *state = s;
    return 0;
}

static int memory_run(void *state, double seconds, volatile sig_atomic_t *stop,
                      impact_probe_sample_t *out)
{
    memory_state_t *s = state;
    const size_t *links = s->links;
    size_t at = s->at;
    uint64_t steps = 0;
    probe_window_t w;
    probe_window_start(&w, seconds);
    do {
        for (int i = 0; i < STEPS_PER_CHECK; i++)
            at = links[at * STRIDE];
        steps += STEPS_PER_CHECK;
    } while (!probe_window_over(&w, stop));
    double wall = probe_window_finish(&w, steps, out);
    /* Keeping the end of the chase makes it a result the compiler must compute. */
    s->at = at;
    out->value = wall * 1e9 / (double)steps;
    return 0;
}

static void memory_close(void *state)
{
    memory_state_t *s = state;
    if (!s)
        return;
    free(s->links);
    free(s);
}

const impact_probe_ops_t impact_probe_memory_ops = {memory_open, memory_run, memory_close};
