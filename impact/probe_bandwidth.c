/*
 * The bandwidth probe: streaming passes over a buffer 4x the L3, a read
 * pass then a write pass, in turn. Sequential access lets the prefetchers
 * run ahead, so what limits it is the memory bandwidth a miner shares.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "impact/probe_impl.h"
#include "impact/probe_window.h"

#define LINE_BYTES 64
/* The buffer when the L3 size is unknown: past most desktops' L3 and most server cores' slice. */
#define DEFAULT_BYTES ((size_t)64 << 20)
/* Work between clock reads: about 25 us at 10 GB/s, so a window ends on time. */
#define CHUNK_WORDS ((size_t)256 * 1024 / sizeof(uint64_t))
/* Words per line: the unrolled loops below handle one line a turn. */
#define LINE_WORDS (LINE_BYTES / sizeof(uint64_t))

/* Chunks and the buffer are whole lines, which the unrolled read loop relies on. */
_Static_assert(CHUNK_WORDS % LINE_WORDS == 0, "a chunk is whole lines");

typedef struct {
    uint64_t *words;
    size_t count;  /* words, a whole number of lines */
    uint64_t fill; /* what the next write pass stores: it follows the reads, so they count */
} bandwidth_state_t;

static int bandwidth_open(const impact_probe_config_t *config, void **state)
{
    if (!config || config->l3_bytes > SIZE_MAX / 4 - LINE_BYTES)
        return -EINVAL;
    /* Tests pass a small L3 to keep the buffer small; only an unknown L3 gets the default. */
    size_t bytes = config->l3_bytes ? 4 * config->l3_bytes : DEFAULT_BYTES;
    size_t lines = (bytes + LINE_BYTES - 1) / LINE_BYTES;

    bandwidth_state_t *s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    /* Ordinary memory, not huge pages: the probe stands for an ordinary program. */
    void *words = NULL;
    if (posix_memalign(&words, LINE_BYTES, lines * LINE_BYTES) != 0) {
        free(s);
        return -ENOMEM;
    }
    s->words = words;
    s->count = lines * LINE_WORDS;
    /* Written once here so that no page fault falls in a window. */
    for (size_t i = 0; i < s->count; i++)
        s->words[i] = config->seed + i;
    s->fill = config->seed;
    *state = s;
    return 0;
}

/* Four sums, not one, so that the adds are not a chain slower than the loads. */
static uint64_t read_words(const uint64_t *w, size_t n)
{
    uint64_t a = 0, b = 0, c = 0, d = 0;
    for (size_t i = 0; i < n; i += LINE_WORDS) {
        a += w[i] + w[i + 4];
        b += w[i + 1] + w[i + 5];
        c += w[i + 2] + w[i + 6];
        d += w[i + 3] + w[i + 7];
    }
    return a + b + c + d;
}

static void write_words(uint64_t *w, size_t n, uint64_t value)
{
    for (size_t i = 0; i < n; i++)
        w[i] = value;
}

static int bandwidth_run(void *state, double seconds, volatile sig_atomic_t *stop,
                         impact_probe_sample_t *out)
{
    bandwidth_state_t *s = state;
    uint64_t bytes = 0;
    uint64_t sum = 0;
    int writing = 0;
    size_t at = 0;
    probe_window_t w;
    probe_window_start(&w, seconds);
    do {
        size_t n = s->count - at < CHUNK_WORDS ? s->count - at : CHUNK_WORDS;
        if (writing)
            write_words(s->words + at, n, s->fill);
        else
            sum += read_words(s->words + at, n);
        bytes += n * sizeof(uint64_t);
        at += n;
        if (at == s->count) {
            at = 0;
            /* A new value each write pass, from the sums: no pass can be skipped as redundant. */
            if (!writing)
                s->fill = sum + s->fill + 1;
            writing = !writing;
        }
    } while (!probe_window_over(&w, stop));
    double wall = probe_window_finish(&w, bytes, out);
    /* The sum of a pass cut short still goes somewhere the compiler cannot see through. */
    s->fill += sum;
    out->value = (double)bytes / wall / 1e9;
    return 0;
}

static void bandwidth_close(void *state)
{
    bandwidth_state_t *s = state;
    if (!s)
        return;
    free(s->words);
    free(s);
}

const impact_probe_ops_t impact_probe_bandwidth_ops = {bandwidth_open, bandwidth_run,
                                                       bandwidth_close};
