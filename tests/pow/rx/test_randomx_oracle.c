/*
 * Differential test against the RandomX reference library (Debian
 * librandomx-dev, tevador/RandomX 1.1.10, v1 only): the same key and
 * inputs nobody published must give the same hashes. The library is an
 * oracle here and nowhere else in minemeter's hashing.
 */
#include <criterion/criterion.h>
#include <randomx.h>
#include <string.h>

#include "pow/rx/randomx.h"

Test(randomx_oracle, rx0_light_mode_matches_the_reference_library_on_random_inputs, .timeout = 900)
{
    static const char key[] = "minemeter differential key";
    randomx_cache *ref_cache = randomx_alloc_cache(RANDOMX_FLAG_DEFAULT);
    cr_assert_not_null(ref_cache);
    randomx_init_cache(ref_cache, key, sizeof(key) - 1);
    randomx_vm *ref_vm = randomx_create_vm(RANDOMX_FLAG_DEFAULT, ref_cache, NULL);
    cr_assert_not_null(ref_vm);

    pow_rx_cache_t *cache = pow_rx_cache_alloc(pow_rx_variant_find("rx/0"));
    cr_assert_not_null(cache);
    cr_assert_eq(pow_rx_cache_init(cache, key, sizeof(key) - 1), 0);
    pow_rx_vm_t *vm = pow_rx_vm_create(cache, pow_rx_isa_best());
    cr_assert_not_null(vm);

    uint64_t seed = 0x2545F4914F6CDD1Dull;
    for (int n = 0; n < 12; n++) {
        uint8_t input[200], ours[32], theirs[32];
        size_t len = (size_t)(n * 17) % sizeof(input);
        for (size_t i = 0; i < len; i++) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            input[i] = (uint8_t)seed;
        }
        pow_rx_hash(vm, input, len, ours);
        randomx_calculate_hash(ref_vm, input, len, theirs);
        cr_expect_arr_eq(ours, theirs, 32, "input %d (%zu bytes)", n, len);
    }
    pow_rx_vm_destroy(vm);
    pow_rx_cache_release(cache);
    randomx_destroy_vm(ref_vm);
    randomx_release_cache(ref_cache);
}
