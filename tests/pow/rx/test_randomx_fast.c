/*
 * Fast mode: the 2080 MiB dataset built from the cache (in parallel, as the
 * miner builds it) gives exactly the hashes of light mode, with programs
 * compiled (pow/rx/vm_jit.h: dataset reads inline) and interpreted. Slow:
 * building the dataset takes tens of seconds, so the suite is named for
 * the filter.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "miner/rx_dataset_build.h"
#include "pow/rx/randomx.h"
#include "pow/rx/vm_jit.h"
#include "tests/support/machine.h"

/* What a build reported: how often, whether the count ever went back, the first and last. */
typedef struct {
    unsigned calls, backwards;
    uint64_t first, last, total;
} reports_t;

static void record(void *context, uint64_t done, uint64_t total)
{
    reports_t *r = context;
    if (r->calls == 0)
        r->first = done;
    else if (done < r->last)
        r->backwards++;
    r->calls++;
    r->last = done;
    r->total = total;
}

Test(slow_randomx_fast, fast_and_light_modes_agree_on_100_random_inputs, .timeout = 1800)
{
    test_need_memory(TEST_RX_FAST_BYTES, "the RandomX dataset");
    pow_rx_cache_t *cache = pow_rx_cache_alloc(pow_rx_variant_find("rx/0"));
    cr_assert_not_null(cache);
    cr_assert_eq(pow_rx_cache_init(cache, "test key 000", 12), 0);
    pow_rx_dataset_t *dataset = pow_rx_dataset_alloc(0);
    cr_assert_not_null(dataset, "cannot allocate the 2080 MiB dataset");
    reports_t reports = {0};
    const miner_build_progress_t progress = {record, &reports};
    cr_assert_eq(miner_build_dataset(dataset, cache, 2, NULL, NULL, &progress), 0);
    /* The build's progress: from 0 to every item, never back, several times on the way. */
    cr_expect_eq(reports.first, 0);
    cr_expect_eq(reports.total, pow_rx_dataset_item_count());
    cr_expect_eq(reports.last, reports.total);
    cr_expect_eq(reports.backwards, 0);
    cr_expect_geq(reports.calls, 3, "%u reports over a build of seconds", reports.calls);

    /* Where there is a JIT, fast and light compile programs and fast_interpreted does not. */
    int jit = pow_rx_vm_jit_supported() && pow_rx_isa_best() != POW_ISA_PORTABLE;
    pow_rx_vm_t *light = pow_rx_vm_create(cache, pow_rx_isa_best());
    pow_rx_vm_t *fast = pow_rx_vm_create(cache, pow_rx_isa_best());
    pow_rx_vm_t *fast_interpreted = pow_rx_vm_create(cache, pow_rx_isa_best());
    cr_assert(light != NULL && fast != NULL && fast_interpreted != NULL);
    pow_rx_vm_set_dataset(fast, dataset);
    pow_rx_vm_set_dataset(fast_interpreted, dataset);
    cr_assert_eq(pow_rx_vm_set_jit(fast_interpreted, 0), 0);
    cr_expect_eq(pow_rx_vm_jit_enabled(fast), jit);
    cr_expect_eq(pow_rx_vm_jit_enabled(light), jit);

    /* The published vector first, then inputs nobody published. */
    uint8_t hash[32], other[32];
    pow_rx_hash(fast, "This is a test", 14, hash);
    static const uint8_t vector_a[32] = {0x63, 0x91, 0x83, 0xaa, 0xe1, 0xbf, 0x4c, 0x9a,
                                         0x35, 0x88, 0x4c, 0xb4, 0x6b, 0x09, 0xca, 0xd9,
                                         0x17, 0x5f, 0x04, 0xef, 0xd7, 0x68, 0x4e, 0x72,
                                         0x62, 0xa0, 0xac, 0x1c, 0x2f, 0x0b, 0x4e, 0x3f};
    cr_expect_arr_eq(hash, vector_a, 32, "fast mode, tests.cpp vector a");
    pow_rx_hash(fast_interpreted, "This is a test", 14, other);
    cr_expect_arr_eq(other, vector_a, 32, "fast mode interpreted, tests.cpp vector a");
    uint64_t seed = 99;
    for (int n = 0; n < 100; n++) {
        uint8_t input[128];
        size_t len = (size_t)(n * 7) % sizeof(input);
        for (size_t i = 0; i < len; i++) {
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            input[i] = (uint8_t)(seed >> 56);
        }
        pow_rx_hash(fast, input, len, hash);
        pow_rx_hash(light, input, len, other);
        cr_expect_arr_eq(hash, other, 32, "input %d: fast and light", n);
        pow_rx_hash(fast_interpreted, input, len, other);
        cr_expect_arr_eq(hash, other, 32, "input %d: fast compiled and interpreted", n);
    }
    /* Back to light mode: the next compiled program calls dataset_read again. */
    cr_assert_eq(pow_rx_vm_set_dataset(fast, NULL), 0);
    pow_rx_hash(fast, "This is a test", 14, hash);
    cr_expect_arr_eq(hash, vector_a, 32, "fast VM switched back to light mode");
    /* The cache's memory given back, as the miner does: fast mode goes on, light is refused. */
    cr_assert_eq(pow_rx_vm_set_dataset(fast, dataset), 0);
    pow_rx_cache_release_memory(cache);
    pow_rx_hash(fast, "This is a test", 14, hash);
    cr_expect_arr_eq(hash, vector_a, 32, "fast mode without the cache's memory");
    cr_expect_eq(pow_rx_vm_set_dataset(fast, NULL), -EINVAL);
    cr_expect_eq(pow_rx_cache_init(cache, "test key 000", 12), 0, "the cache can be built again");
    cr_expect_eq(pow_rx_vm_set_dataset(light, NULL), 0);
    pow_rx_hash(light, "This is a test", 14, hash);
    cr_expect_arr_eq(hash, vector_a, 32, "light mode after the cache was built again");
    pow_rx_vm_destroy(fast_interpreted);
    pow_rx_vm_destroy(light);
    pow_rx_vm_destroy(fast);
    pow_rx_dataset_release(dataset);
    pow_rx_cache_release(cache);
}
