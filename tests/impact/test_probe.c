/*
 * impact/probe*.c: the registry lists and finds every probe; the memory
 * probe's chase is one cycle through every slot; each buffer probe measures
 * a window in its unit, with wall and CPU time, and stops when told; the
 * compute probe hashes right.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "impact/probe.h"
#include "impact/probe_compute.h"
#include "impact/probe_memory.h"

/* Small buffers: 1 MiB for memory and bandwidth, 128 KiB for cache. */
#define TEST_L3 ((size_t)256 * 1024)

Test(impact_probe, lists_the_five_probes_in_help_order)
{
    static const struct {
        const char *name, *unit;
        int higher_is_better;
    } want[] = {
        {"latency", "us p99", 0},  {"memory", "ns/access", 0}, {"bandwidth", "GB/s", 1},
        {"cache", "lookups/s", 1}, {"compute", "MB/s", 1},
    };
    size_t count = 0;
    const impact_probe_info_t *probes = impact_probes(&count);
    cr_assert_eq(count, 5);
    for (size_t i = 0; i < count; i++) {
        cr_expect_str_eq(probes[i].name, want[i].name);
        cr_expect_str_eq(probes[i].unit, want[i].unit);
        cr_expect_eq(probes[i].higher_is_better, want[i].higher_is_better, "%s", want[i].name);
        cr_expect_gt(strlen(probes[i].models), 20, "%s says what it models", want[i].name);
    }
}

Test(impact_probe, find_knows_every_name_and_nothing_else)
{
    size_t count = 0;
    const impact_probe_info_t *probes = impact_probes(&count);
    for (size_t i = 0; i < count; i++)
        cr_expect_eq(impact_probe_find(probes[i].name), &probes[i], "%s", probes[i].name);
    cr_expect_null(impact_probe_find("nonsense"));
    cr_expect_null(impact_probe_find(""));
    cr_expect_null(impact_probe_find("Memory"));
    cr_expect_null(impact_probe_find(NULL));
}

/* Follows the cycle from slot 0 for rounds rounds: each slot once per round, back at 0 after. */
static void expect_one_cycle(const size_t *next, size_t n, size_t stride, uint64_t seed)
{
    unsigned *seen = calloc(n, sizeof(*seen));
    cr_assert_not_null(seen);
    size_t at = 0;
    for (unsigned round = 1; round <= 2; round++) {
        for (size_t step = 0; step < n; step++) {
            cr_assert_lt(next[at * stride], n, "n %zu seed %llu: a link out of range", n,
                         (unsigned long long)seed);
            seen[at]++;
            at = next[at * stride];
        }
        cr_assert_eq(at, 0, "n %zu seed %llu: not back at the start after one round", n,
                     (unsigned long long)seed);
        for (size_t i = 0; i < n; i++)
            cr_assert_eq(seen[i], round, "n %zu seed %llu: slot %zu seen %u times in %u rounds", n,
                         (unsigned long long)seed, i, seen[i], round);
    }
    free(seen);
}

Test(impact_probe, memory_chase_visits_every_slot_once_per_round)
{
    static const size_t sizes[] = {1, 2, 3, 7, 64, 1000, 4099, 16384};
    static const uint64_t seeds[] = {0, 1, 42, 0xdeadbeefcafef00dull};
    for (size_t a = 0; a < sizeof(sizes) / sizeof(sizes[0]); a++) {
        for (size_t b = 0; b < sizeof(seeds) / sizeof(seeds[0]); b++) {
            size_t *next = malloc(sizes[a] * sizeof(*next));
            cr_assert_not_null(next);
            impact_probe_memory_cycle(next, sizes[a], 1, seeds[b]);
            expect_one_cycle(next, sizes[a], 1, seeds[b]);
            free(next);
        }
    }
}

/* The probe links one slot per cache line; the words between links are not its to write. */
Test(impact_probe, memory_chase_with_a_stride_writes_only_the_links)
{
    enum { N = 500, STRIDE = 8 };
    size_t *next = malloc(N * STRIDE * sizeof(*next));
    cr_assert_not_null(next);
    for (size_t i = 0; i < N * STRIDE; i++)
        next[i] = 0x5a5a5a5a;
    impact_probe_memory_cycle(next, N, STRIDE, 7);
    expect_one_cycle(next, N, STRIDE, 7);
    for (size_t i = 0; i < N * STRIDE; i++)
        if (i % STRIDE != 0)
            cr_assert_eq(next[i], 0x5a5a5a5a, "word %zu written", i);
    free(next);
}

Test(impact_probe, memory_layout_follows_the_seed)
{
    enum { N = 1000 };
    static size_t a[N], b[N], c[N];
    impact_probe_memory_cycle(a, N, 1, 1);
    impact_probe_memory_cycle(b, N, 1, 1);
    impact_probe_memory_cycle(c, N, 1, 2);
    cr_expect_arr_eq(a, b, sizeof(a), "the same seed gives the same layout");
    cr_expect_neq(memcmp(a, c, sizeof(a)), 0, "seeds 1 and 2 give the same layout");
    /* Not the identity's neighbour either: a shuffle, not a walk in address order. */
    size_t sequential = 0;
    for (size_t i = 0; i < N; i++)
        sequential += a[i] == (i + 1) % N;
    cr_expect_lt(sequential, 20, "%zu of %d links go to the next slot", sequential, N);
}

/* What each probe's value must be, from its operations and wall time. */
static double expected_value(const char *name, const impact_probe_sample_t *s)
{
    double ops = (double)s->operations;
    if (strcmp(name, "memory") == 0)
        return s->wall_seconds * 1e9 / ops;
    if (strcmp(name, "bandwidth") == 0)
        return ops / s->wall_seconds / 1e9;
    if (strcmp(name, "cache") == 0)
        return ops / s->wall_seconds;
    return ops / s->wall_seconds / 1e6; /* compute */
}

static impact_probe_t *open_probe(const char *name)
{
    const impact_probe_info_t *info = impact_probe_find(name);
    cr_assert_not_null(info, "%s", name);
    impact_probe_config_t config = {.pu = -1, .l3_bytes = TEST_L3, .seed = 1};
    impact_probe_t *probe = NULL;
    int rc = impact_probe_open(info, &config, &probe);
    cr_assert_eq(rc, 0, "%s: open returned %d", name, rc);
    cr_assert_not_null(probe);
    return probe;
}

static void expect_measures_a_window(const char *name)
{
    impact_probe_t *probe = open_probe(name);
    volatile sig_atomic_t stop = 0;
    impact_probe_sample_t s;
    memset(&s, 0x7f, sizeof(s));
    cr_assert_eq(impact_probe_run(probe, 0.2, &stop, &s), 0, "%s", name);
    cr_expect(isfinite(s.value) && s.value > 0, "%s: value %g", name, s.value);
    cr_expect_gt(s.operations, 0, "%s", name);
    cr_expect(fabs(s.value - expected_value(name, &s)) <= 1e-9 * s.value,
              "%s: value %g, but %llu operations in %g s make %g", name, s.value,
              (unsigned long long)s.operations, s.wall_seconds, expected_value(name, &s));
    /* The window ends at the first check past 0.2 s; a loaded machine may add a little. */
    cr_expect(s.wall_seconds >= 0.2 && s.wall_seconds < 0.5, "%s: wall %g s", name, s.wall_seconds);
    cr_expect(s.cpu_seconds > 0 && s.cpu_seconds <= s.wall_seconds + 0.01,
              "%s: cpu %g s in a wall %g s", name, s.cpu_seconds, s.wall_seconds);
    cr_expect_eq(s.p50_us, -1, "%s", name);
    cr_expect_eq(s.p99_us, -1, "%s", name);
    cr_expect_eq(s.p999_us, -1, "%s", name);
    cr_expect_eq(s.requests_per_s, -1, "%s", name);
    impact_probe_close(probe);
}

Test(impact_probe, memory_measures_ns_per_access_over_the_window)
{
    expect_measures_a_window("memory");
}

Test(impact_probe, bandwidth_measures_gb_per_s_over_the_window)
{
    expect_measures_a_window("bandwidth");
}

Test(impact_probe, cache_measures_lookups_per_s_over_the_window)
{
    expect_measures_a_window("cache");
}

Test(impact_probe, compute_measures_mb_per_s_over_the_window)
{
    expect_measures_a_window("compute");
}

static void *stop_soon(void *arg)
{
    struct timespec pause = {0, 50 * 1000 * 1000};
    nanosleep(&pause, NULL);
    *(volatile sig_atomic_t *)arg = 1;
    return NULL;
}

/* Asked for 10 s, stopped after 50 ms: back long before, with what it measured. */
static void expect_stops_when_told(const char *name)
{
    impact_probe_t *probe = open_probe(name);
    volatile sig_atomic_t stop = 0;
    pthread_t thread;
    cr_assert_eq(pthread_create(&thread, NULL, stop_soon, (void *)&stop), 0);
    impact_probe_sample_t s;
    int rc = impact_probe_run(probe, 10.0, &stop, &s);
    pthread_join(thread, NULL);
    cr_expect_eq(rc, 0, "%s", name);
    cr_expect(s.wall_seconds >= 0.04 && s.wall_seconds < 2.0, "%s: ran %g s", name, s.wall_seconds);
    cr_expect(isfinite(s.value) && s.value > 0, "%s: value %g", name, s.value);
    cr_expect_gt(s.operations, 0, "%s", name);
    impact_probe_close(probe);
}

Test(impact_probe, a_set_stop_flag_ends_each_probe_early)
{
    expect_stops_when_told("memory");
    expect_stops_when_told("bandwidth");
    expect_stops_when_told("cache");
    expect_stops_when_told("compute");
}

Test(impact_probe, open_refuses_bad_arguments)
{
    impact_probe_config_t config = {.pu = -1, .l3_bytes = TEST_L3, .seed = 1};
    impact_probe_t *probe = (impact_probe_t *)&config;
    const impact_probe_info_t *memory = impact_probe_find("memory");

    cr_expect_eq(impact_probe_open(memory, NULL, &probe), -EINVAL);
    cr_expect_null(probe, "out is cleared on failure");
    cr_expect_eq(impact_probe_open(NULL, &config, &probe), -EINVAL);
    cr_expect_eq(impact_probe_open(memory, &config, NULL), -EINVAL);

    /* Only the registry's own entries carry operations. */
    impact_probe_info_t copy = *memory;
    cr_expect_eq(impact_probe_open(&copy, &config, &probe), -EINVAL);

    /* An L3 whose multiple overflows a size_t, and one too small for a single entry. */
    config.l3_bytes = SIZE_MAX;
    cr_expect_eq(impact_probe_open(memory, &config, &probe), -EINVAL);
    cr_expect_eq(impact_probe_open(impact_probe_find("bandwidth"), &config, &probe), -EINVAL);
    config.l3_bytes = 8;
    cr_expect_eq(impact_probe_open(impact_probe_find("cache"), &config, &probe), -EINVAL);
    cr_expect_null(probe);
}

Test(impact_probe, run_refuses_a_window_that_is_not_positive)
{
    impact_probe_t *probe = open_probe("cache");
    volatile sig_atomic_t stop = 0;
    impact_probe_sample_t s;
    cr_expect_eq(impact_probe_run(probe, 0, &stop, &s), -EINVAL);
    cr_expect_eq(impact_probe_run(probe, -1, &stop, &s), -EINVAL);
    cr_expect_eq(impact_probe_run(probe, NAN, &stop, &s), -EINVAL);
    cr_expect_eq(impact_probe_run(NULL, 0.1, &stop, &s), -EINVAL);
    cr_expect_eq(impact_probe_run(probe, 0.1, &stop, NULL), -EINVAL);
    impact_probe_close(probe);
    impact_probe_close(NULL);
}

static void expect_hex(const unsigned char md[32], const char *hex, const char *what)
{
    char got[65];
    for (int i = 0; i < 32; i++)
        snprintf(got + 2 * i, 3, "%02x", md[i]);
    cr_expect_str_eq(got, hex, "%s", what);
}

Test(impact_probe, compute_digest_is_sha256)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    cr_assert_not_null(ctx);
    unsigned char md[32];

    /* FIPS 180-2, appendix B.1: SHA-256("abc"). */
    cr_assert_eq(impact_probe_compute_digest(ctx, (const unsigned char *)"abc", 3, md), 0);
    expect_hex(md, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "abc");

    /* The probe's block size, all zero: `head -c 65536 /dev/zero | sha256sum` (GNU coreutils). */
    unsigned char *block = calloc(1, IMPACT_PROBE_COMPUTE_BLOCK);
    cr_assert_not_null(block);
    for (int reuse = 0; reuse < 2; reuse++) {
        cr_assert_eq(impact_probe_compute_digest(ctx, block, IMPACT_PROBE_COMPUTE_BLOCK, md), 0);
        expect_hex(md, "de2f256064a0af797747c2b97505dc0b9f3df0de4f489eac731c23ae9ca9cc31",
                   "64 KiB of zeros, the context used again");
    }

    /* Any block: the same as libcrypto's one-shot call. */
    for (size_t i = 0; i < IMPACT_PROBE_COMPUTE_BLOCK; i++)
        block[i] = (unsigned char)(i * 131 + 7);
    unsigned char want[32];
    unsigned int want_len = 0;
    cr_assert_eq(EVP_Digest(block, IMPACT_PROBE_COMPUTE_BLOCK, want, &want_len, EVP_sha256(), NULL),
                 1);
    cr_assert_eq(impact_probe_compute_digest(ctx, block, IMPACT_PROBE_COMPUTE_BLOCK, md), 0);
    cr_expect_arr_eq(md, want, sizeof(md));
    free(block);
    EVP_MD_CTX_free(ctx);
}
