/*
 * The path about to be measured checked against the verified one.
 *
 * The published vectors are hashed through the plain hasher and a light-
 * mode group; the benchmark then measures fast mode's dataset, the
 * pipelined hash_first/next, and VMs switched to another variant of a
 * shared cache. Each of those is checked here against light mode's plain
 * hash of the same input, the path the vectors proved.
 */
#ifndef MINEMETER_BENCH_VERIFY_PATH_H
#define MINEMETER_BENCH_VERIFY_PATH_H

#include <stddef.h>
#include <stdint.h>

#include "pow/isa.h"
#include "pow/rx/randomx.h"

/*
 * Compares dataset items with the items computed from the cache: the first
 * and the last, both sides of every range boundary of a build on
 * builder_threads threads (where a split goes wrong), and 1024 more spread
 * over the dataset. Returns 0, or -EIO with the first bad item in why.
 */
int bench_verify_dataset(pow_rx_cache_t *cache, pow_rx_dataset_t *dataset, unsigned builder_threads,
                         char *why, size_t why_len);

/*
 * Hashes input in light mode with variant (a plain VM over cache, the
 * verified path) and compares with hash. Returns 0, -EIO when they differ,
 * -ENOMEM.
 */
int bench_verify_hash(pow_rx_cache_t *cache, pow_isa_t isa, const pow_rx_variant_t *variant,
                      const uint8_t *input, size_t len, const uint8_t hash[32]);

/*
 * A VM over cache switched to variant (rx/2 over rx/0's cache) against a
 * VM over a cache built for variant itself from the same key, on one
 * input. Returns 0, -EIO when they differ (why says so), -ENOMEM.
 */
int bench_verify_switched_variant(pow_rx_cache_t *cache, pow_isa_t isa,
                                  const pow_rx_variant_t *variant, const void *key, size_t key_len,
                                  char *why, size_t why_len);

/*
 * The test hook that stands for a broken dataset builder:
 * MINEMETER_TEST_CORRUPT_DATASET_ITEM=last flips a bit of the dataset's
 * last item (where a split that loses the tail would leave it wrong).
 */
void bench_verify_test_corrupt_dataset(pow_rx_dataset_t *dataset);

/*
 * The test hook that stands for a measured path broken after the vectors
 * passed: with MINEMETER_TEST_BREAK_MEASURED_PATH set, flips a bit of hash.
 */
void bench_verify_test_break_hash(uint8_t hash[32]);

#endif
