#include "config.h"
#include "bench/verify_path.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SPREAD_ITEMS 1024

static int item_is_right(pow_rx_cache_t *cache, pow_rx_dataset_t *dataset, uint64_t item)
{
    size_t len;
    const uint8_t *memory = pow_rx_dataset_memory(dataset, &len);
    uint8_t expected[64];
    pow_rx_cache_dataset_item(cache, item, expected);
    return (item + 1) * 64 <= len && memcmp(memory + item * 64, expected, 64) == 0;
}

int bench_verify_dataset(pow_rx_cache_t *cache, pow_rx_dataset_t *dataset, unsigned builder_threads,
                         char *why, size_t why_len)
{
    uint64_t total = pow_rx_dataset_item_count();
    uint64_t checks[2 * 256 + 2 + SPREAD_ITEMS];
    size_t n = 0;
    checks[n++] = 0;
    checks[n++] = total - 1;
    /* miner_build_dataset gives thread i the items from i * (total / threads) on. */
    unsigned threads = builder_threads == 0 ? 1 : builder_threads > 256 ? 256 : builder_threads;
    for (unsigned i = 1; i < threads; i++) {
        checks[n++] = (total / threads) * i - 1;
        checks[n++] = (total / threads) * i;
    }
    uint64_t x = 0x9e3779b97f4a7c15u;
    for (unsigned i = 0; i < SPREAD_ITEMS; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        checks[n++] = x % total;
    }
    for (size_t i = 0; i < n; i++) {
        if (!item_is_right(cache, dataset, checks[i])) {
            snprintf(why, why_len,
                     "dataset item %llu differs from the item computed from the cache",
                     (unsigned long long)checks[i]);
            return -EIO;
        }
    }
    return 0;
}

int bench_verify_hash(pow_rx_cache_t *cache, pow_isa_t isa, const pow_rx_variant_t *variant,
                      const uint8_t *input, size_t len, const uint8_t hash[32])
{
    pow_rx_vm_t *vm = pow_rx_vm_create(cache, isa);
    if (vm == NULL)
        return -ENOMEM;
    int rc = pow_rx_vm_set_variant(vm, variant);
    uint8_t expected[32];
    if (rc == 0) {
        pow_rx_hash(vm, input, len, expected);
        rc = memcmp(expected, hash, 32) == 0 ? 0 : -EIO;
    }
    pow_rx_vm_destroy(vm);
    return rc;
}

int bench_verify_switched_variant(pow_rx_cache_t *cache, pow_isa_t isa,
                                  const pow_rx_variant_t *variant, const void *key, size_t key_len,
                                  char *why, size_t why_len)
{
    static const uint8_t input[76] = {7, 6, 5, 4, 3, 2, 1};
    pow_rx_cache_t *own = pow_rx_cache_alloc(variant);
    int rc = own == NULL ? -ENOMEM : pow_rx_cache_init(own, key, key_len);
    pow_rx_vm_t *native = rc == 0 ? pow_rx_vm_create(own, isa) : NULL;
    uint8_t expected[32];
    if (rc == 0 && native == NULL)
        rc = -ENOMEM;
    if (rc == 0) {
        pow_rx_hash(native, input, sizeof(input), expected);
        rc = bench_verify_hash(cache, isa, variant, input, sizeof(input), expected);
    }
    if (rc == -EIO)
        snprintf(why, why_len,
                 "a VM switched to this variant over the shared cache hashes otherwise than "
                 "one over the variant's own cache");
    else if (rc != 0)
        snprintf(why, why_len, "cannot check the variant over the shared cache: %s", strerror(-rc));
    pow_rx_vm_destroy(native);
    pow_rx_cache_release(own);
    return rc;
}

void bench_verify_test_corrupt_dataset(pow_rx_dataset_t *dataset)
{
    const char *which = getenv("MINEMETER_TEST_CORRUPT_DATASET_ITEM");
    if (which == NULL || strcmp(which, "last") != 0)
        return;
    size_t len;
    uint8_t *memory = pow_rx_dataset_memory(dataset, &len);
    memory[(pow_rx_dataset_item_count() - 1) * 64] ^= 1;
}

void bench_verify_test_break_hash(uint8_t hash[32])
{
    if (getenv("MINEMETER_TEST_BREAK_MEASURED_PATH") != NULL)
        hash[0] ^= 1;
}
