/*
 * Differential test against the RandomX reference library (Debian
 * librandomx-dev, tevador/RandomX 1.1.10, v1 only): random keys and inputs
 * of random lengths, which nobody published, must give the same hashes.
 * The library is an oracle here and nowhere in minemeter's hashing.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <string.h>

#ifndef HAVE_RANDOMX_ORACLE
/* Configured without librandomx-dev: nothing to compare against, and the suite says so. */
Test(randomx_oracle, skipped_without_the_reference_library)
{
    cr_skip_test("configured without librandomx-dev (apt-get install librandomx-dev, then "
                 "./configure again)");
}
#else
#include <randomx.h>

#include "pow/rx/randomx.h"

#define KEYS           10
#define INPUTS_PER_KEY 10

static uint64_t next_random(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

Test(randomx_oracle, rx0_light_mode_matches_the_reference_on_100_random_pairs, .timeout = 1800)
{
    randomx_flags flags = randomx_get_flags() & RANDOMX_FLAG_ARGON2;
    randomx_cache *ref_cache = randomx_alloc_cache(flags);
    cr_assert_not_null(ref_cache);
    randomx_vm *ref_vm = NULL;
    pow_rx_cache_t *cache = pow_rx_cache_alloc(pow_rx_variant_find("rx/0"));
    cr_assert_not_null(cache);
    pow_rx_vm_t *vm = pow_rx_vm_create(cache, pow_rx_isa_best());
    cr_assert_not_null(vm);

    uint64_t seed = 0x2545F4914F6CDD1Dull;
    unsigned compared = 0;
    for (int k = 0; k < KEYS; k++) {
        uint8_t key[60];
        size_t key_len = next_random(&seed) % (sizeof(key) + 1);
        for (size_t i = 0; i < key_len; i++)
            key[i] = (uint8_t)next_random(&seed);
        randomx_init_cache(ref_cache, key, key_len);
        if (ref_vm == NULL)
            ref_vm = randomx_create_vm(RANDOMX_FLAG_DEFAULT, ref_cache, NULL);
        cr_assert_not_null(ref_vm);
        cr_assert_eq(pow_rx_cache_init(cache, key, key_len), 0);
        for (int n = 0; n < INPUTS_PER_KEY; n++) {
            uint8_t input[300], ours[32], theirs[32];
            size_t len = next_random(&seed) % sizeof(input);
            for (size_t i = 0; i < len; i++)
                input[i] = (uint8_t)next_random(&seed);
            pow_rx_hash(vm, input, len, ours);
            randomx_calculate_hash(ref_vm, input, len, theirs);
            cr_expect_arr_eq(ours, theirs, 32, "key %d (%zu bytes), input %d (%zu bytes)", k,
                             key_len, n, len);
            compared++;
        }
    }
    cr_expect_eq(compared, 100);
    pow_rx_vm_destroy(vm);
    pow_rx_cache_release(cache);
    randomx_destroy_vm(ref_vm);
    randomx_release_cache(ref_cache);
}
#endif
