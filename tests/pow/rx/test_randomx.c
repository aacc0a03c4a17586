/*
 * RandomX end to end in light mode: the published hash vectors of
 * tevador/RandomX src/tests/tests.cpp for v1 (rx/0) and v2 (rx/2), of
 * RandomWOW (rx/wow) and of arqma/RandomARQ's tests.cpp (rx/arq), on every
 * path, with programs compiled (pow/rx/vm_jit.h) and interpreted; the
 * pipelined API; the v2 commitment; the caller's rounding mode.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fenv.h>
#include <stdio.h>
#include <string.h>

#include "pow/hex.h"
#include "pow/rx/randomx.h"
#include "pow/rx/vm_jit.h"
#include "pow/vectors.h"

TestSuite(randomx, .timeout = 900);

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
    long n = pow_hex_decode(hex, strlen(hex), out, cap, NULL);
    cr_assert_geq(n, 0, "bad hex in a vector");
    return (size_t)n;
}

static void expect_hex(const uint8_t hash[32], const char *want, const char *what)
{
    char got[65];
    pow_hex_encode(hash, 32, got);
    cr_expect_str_eq(got, want, "%s", what);
}

enum { JIT_DEFAULT = -1, JIT_OFF = 0, JIT_ON = 1 };

/* All vectors of one variant on one path (want of them), one cache per distinct key. */
static void check_variant(const char *name, pow_isa_t isa, int jit, unsigned want)
{
    const pow_rx_variant_t *variant = pow_rx_variant_find(name);
    cr_assert_not_null(variant, "%s is not shipped", name);
    if (!pow_rx_isa_available(isa))
        cr_skip_test("path %s is not available here", pow_isa_name(isa));
    pow_rx_cache_t *cache = pow_rx_cache_alloc(variant);
    cr_assert_not_null(cache);
    pow_rx_vm_t *vm = pow_rx_vm_create(cache, isa);
    cr_assert_not_null(vm);
    if (jit != JIT_DEFAULT) {
        if (jit == JIT_ON && !pow_rx_vm_jit_supported())
            cr_skip_test("no VM JIT on this machine");
        cr_assert_eq(pow_rx_vm_set_jit(vm, jit), 0);
        cr_assert_eq(pow_rx_vm_jit_enabled(vm), jit);
    }
    unsigned checked = 0;
    for (unsigned i = 0; i < pow_rx_vectors_count; i++) {
        const pow_vector_t *v = &pow_rx_vectors[i];
        if (strcmp(v->algo, name) != 0)
            continue;
        uint8_t key[64], input[256], hash[32];
        size_t key_len = unhex(v->key_hex, key, sizeof(key));
        size_t len = unhex(v->input_hex, input, sizeof(input));
        cr_assert_eq(pow_rx_cache_init(cache, key, key_len), 0);
        pow_rx_hash(vm, input, len, hash);
        char what[96];
        snprintf(what, sizeof(what), "%s on %s (%s), rx_vectors.txt line %u", name,
                 pow_isa_name(isa), pow_rx_vm_jit_enabled(vm) ? "JIT" : "interpreter", v->line);
        expect_hex(hash, v->hash_hex, what);
        checked++;
    }
    cr_expect_eq(checked, want, "%u of the %u vectors of %s checked", checked, want, name);
    cr_expect_eq(pow_rx_vm_jit_enabled(vm), jit == JIT_DEFAULT ? pow_rx_vm_jit_enabled(vm) : jit,
                 "the JIT stayed as set while hashing");
    pow_rx_vm_destroy(vm);
    pow_rx_cache_release(cache);
}

Test(randomx, rx0_matches_reference_vectors_portable)
{
    check_variant("rx/0", POW_ISA_PORTABLE, JIT_DEFAULT, 5);
}

Test(randomx, rx0_matches_reference_vectors_aesni_jit)
{
    check_variant("rx/0", POW_ISA_AESNI, JIT_ON, 5);
}

Test(randomx, rx0_matches_reference_vectors_aesni_interpreted)
{
    check_variant("rx/0", POW_ISA_AESNI, JIT_OFF, 5);
}

Test(randomx, rx0_matches_reference_vectors_armcrypto)
{
    check_variant("rx/0", POW_ISA_ARMCRYPTO, JIT_DEFAULT, 5);
}

Test(randomx, rx2_matches_reference_vectors_portable)
{
    check_variant("rx/2", POW_ISA_PORTABLE, JIT_DEFAULT, 5);
}

Test(randomx, rx2_matches_reference_vectors_aesni_jit)
{
    check_variant("rx/2", POW_ISA_AESNI, JIT_ON, 5);
}

Test(randomx, rx2_matches_reference_vectors_aesni_interpreted)
{
    check_variant("rx/2", POW_ISA_AESNI, JIT_OFF, 5);
}

Test(randomx, rx2_matches_reference_vectors_armcrypto)
{
    check_variant("rx/2", POW_ISA_ARMCRYPTO, JIT_DEFAULT, 5);
}

/* RandomWOW publishes one per-hash vector; RandomARQ five, as RandomX does. */
Test(randomx, rxwow_matches_its_vector_portable)
{
    check_variant("rx/wow", POW_ISA_PORTABLE, JIT_DEFAULT, 1);
}

Test(randomx, rxwow_matches_its_vector_aesni_jit)
{
    check_variant("rx/wow", POW_ISA_AESNI, JIT_ON, 1);
}

Test(randomx, rxwow_matches_its_vector_aesni_interpreted)
{
    check_variant("rx/wow", POW_ISA_AESNI, JIT_OFF, 1);
}

Test(randomx, rxwow_matches_its_vector_armcrypto)
{
    check_variant("rx/wow", POW_ISA_ARMCRYPTO, JIT_DEFAULT, 1);
}

Test(randomx, rxarq_matches_reference_vectors_portable)
{
    check_variant("rx/arq", POW_ISA_PORTABLE, JIT_DEFAULT, 5);
}

Test(randomx, rxarq_matches_reference_vectors_aesni_jit)
{
    check_variant("rx/arq", POW_ISA_AESNI, JIT_ON, 5);
}

Test(randomx, rxarq_matches_reference_vectors_aesni_interpreted)
{
    check_variant("rx/arq", POW_ISA_AESNI, JIT_OFF, 5);
}

Test(randomx, rxarq_matches_reference_vectors_armcrypto)
{
    check_variant("rx/arq", POW_ISA_ARMCRYPTO, JIT_DEFAULT, 5);
}

/* A VM of variant name on isa over a fresh cache for "test key 000". */
static pow_rx_vm_t *vm_for_test_key(const char *name, pow_isa_t isa, pow_rx_cache_t **cache)
{
    *cache = pow_rx_cache_alloc(pow_rx_variant_find(name));
    cr_assert_not_null(*cache);
    cr_assert_eq(pow_rx_cache_init(*cache, "test key 000", 12), 0);
    pow_rx_vm_t *vm = pow_rx_vm_create(*cache, isa);
    cr_assert_not_null(vm);
    return vm;
}

static const char *const inputs[3] = {
    "This is a test", "Lorem ipsum dolor sit amet",
    "sed do eiusmod tempor incididunt ut labore et dolore magna aliqua"};

Test(randomx, pipelined_api_gives_the_same_hashes_in_order)
{
    const char *names[] = {"rx/0", "rx/2"};
    for (size_t n = 0; n < 2; n++) {
        pow_rx_cache_t *cache;
        pow_rx_vm_t *vm = vm_for_test_key(names[n], pow_rx_isa_best(), &cache);
        uint8_t single[3][32], piped[3][32];
        for (int i = 0; i < 3; i++)
            pow_rx_hash(vm, inputs[i], strlen(inputs[i]), single[i]);
        pow_rx_hash_first(vm, inputs[0], strlen(inputs[0]));
        pow_rx_hash_next(vm, inputs[1], strlen(inputs[1]), piped[0]);
        pow_rx_hash_next(vm, inputs[2], strlen(inputs[2]), piped[1]);
        pow_rx_hash_last(vm, piped[2]);
        for (int i = 0; i < 3; i++)
            cr_expect_arr_eq(piped[i], single[i], 32, "%s input %d", names[n], i);
        pow_rx_vm_destroy(vm);
        pow_rx_cache_release(cache);
    }
}

/* tests.cpp "Commitment test": key "test key 000", input "This is a test", v2. */
Test(randomx, v2_commitment_matches_reference)
{
    pow_rx_cache_t *cache;
    pow_rx_vm_t *vm = vm_for_test_key("rx/2", pow_rx_isa_best(), &cache);
    uint8_t hash[32], commitment[32];
    pow_rx_hash(vm, inputs[0], strlen(inputs[0]), hash);
    pow_rx_commitment(inputs[0], strlen(inputs[0]), hash, commitment);
    expect_hex(commitment, "133be717399046b03ae82ce8ddd9d1ee4d3ea7fca03a50dec09b6848cbb98e18",
               "commitment");
    pow_rx_vm_destroy(vm);
    pow_rx_cache_release(cache);
}

Test(randomx, hashing_preserves_the_callers_rounding_mode)
{
    pow_rx_cache_t *cache;
    pow_rx_vm_t *vm = vm_for_test_key("rx/0", POW_ISA_PORTABLE, &cache);
    static const int modes[] = {FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO};
    uint8_t first[32], hash[32];
    for (size_t m = 0; m < 4; m++) {
        fesetround(modes[m]);
        pow_rx_hash(vm, inputs[0], strlen(inputs[0]), hash);
        cr_expect_eq(fegetround(), modes[m], "mode %zu not restored", m);
        if (m == 0)
            memcpy(first, hash, 32);
        else
            cr_expect_arr_eq(hash, first, 32, "the caller's mode %zu changed the hash", m);
    }
    fesetround(FE_TONEAREST);
    pow_rx_vm_destroy(vm);
    pow_rx_cache_release(cache);
}

Test(randomx, keys_longer_than_60_bytes_are_refused)
{
    pow_rx_cache_t *cache = pow_rx_cache_alloc(pow_rx_variant_find("rx/0"));
    cr_assert_not_null(cache);
    uint8_t key[61] = {0};
    cr_expect_eq(pow_rx_cache_init(cache, key, sizeof(key)), -EINVAL);
    pow_rx_cache_release(cache);
    cr_expect_null(pow_rx_variant_find("rx/9"));
}

/* A dataset item and the first word the reference's tests.cpp gives for it. */
typedef struct {
    uint64_t item, first_word;
} item_word_t;

static void expect_first_words(const pow_rx_cache_t *cache, const item_word_t *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t out[64];
        uint64_t word;
        pow_rx_cache_dataset_item(cache, items[i].item, out);
        memcpy(&word, out, sizeof(word));
        cr_expect_eq(word, items[i].first_word, "item %llu: %016llx",
                     (unsigned long long)items[i].item, (unsigned long long)word);
    }
}

/* tests.cpp "Dataset initialization": key "test key 000", first word of items. */
Test(randomx, dataset_items_match_reference_words)
{
    pow_rx_cache_t *cache;
    pow_rx_vm_t *vm = vm_for_test_key("rx/0", POW_ISA_PORTABLE, &cache);
    static const item_word_t items[] = {{0, 0x680588a85ae222dbull},
                                        {10000000, 0x7943a1f6186ffb72ull},
                                        {20000000, 0x9035244d718095e1ull},
                                        {30000000, 0x145a5091f7853099ull}};
    expect_first_words(cache, items, sizeof(items) / sizeof(items[0]));
    pow_rx_vm_destroy(vm);
    pow_rx_cache_release(cache);
}

/*
 * RandomARQ's tests.cpp: one Argon2 pass under its own salt gives other
 * cache words, and other dataset items.
 */
Test(randomx, rxarq_cache_and_dataset_items_match_its_reference_words)
{
    pow_rx_cache_t *cache;
    pow_rx_vm_t *vm = vm_for_test_key("rx/arq", POW_ISA_PORTABLE, &cache);
    static const struct {
        size_t word;
        uint64_t value;
    } words[] = {{0, 0x974d73241c31484eull},
                 {1568413, 0x83ff7e51b96762full},
                 {33554431, 0x9c3f146fa4fa223aull}};
    size_t bytes = 0;
    const uint64_t *memory = pow_rx_cache_memory(cache, &bytes);
    cr_assert_eq(bytes, 262144u * 1024u);
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        cr_expect_eq(memory[words[i].word], words[i].value, "cache word %zu: %016llx",
                     words[i].word, (unsigned long long)memory[words[i].word]);
    static const item_word_t items[] = {{0, 0x6f21c3d27a471c56ull},
                                        {10000000, 0xcfe006ab42d0f3fdull},
                                        {20000000, 0x67d2689c5855af98ull},
                                        {30000000, 0x2a6985a68c4d9a38ull}};
    expect_first_words(cache, items, sizeof(items) / sizeof(items[0]));
    pow_rx_vm_destroy(vm);
    pow_rx_cache_release(cache);
}

/* tests.cpp: switching one VM between v1 and v2 gives a, a(v2), a. */
Test(randomx, one_vm_switches_between_v1_and_v2)
{
    pow_rx_cache_t *cache;
    pow_rx_vm_t *vm = vm_for_test_key("rx/0", pow_rx_isa_best(), &cache);
    uint8_t hash[32];
    const char *a = inputs[0];
    pow_rx_hash(vm, a, strlen(a), hash);
    expect_hex(hash, "639183aae1bf4c9a35884cb46b09cad9175f04efd7684e7262a0ac1c2f0b4e3f", "v1");
    cr_assert_eq(pow_rx_vm_set_variant(vm, pow_rx_variant_find("rx/2")), 0);
    pow_rx_hash(vm, a, strlen(a), hash);
    expect_hex(hash, "22ec6b861b3eb23686b2efbad69513c967ecfce80983df66c9c5b4fbfb4cdb6f", "v2");
    cr_assert_eq(pow_rx_vm_set_variant(vm, pow_rx_variant_find("rx/0")), 0);
    pow_rx_hash(vm, a, strlen(a), hash);
    expect_hex(hash, "639183aae1bf4c9a35884cb46b09cad9175f04efd7684e7262a0ac1c2f0b4e3f",
               "v1 again");
    pow_rx_vm_destroy(vm);
    pow_rx_cache_release(cache);
}

Test(randomx, jit_is_on_by_default_for_aesni_and_refused_for_portable)
{
    pow_rx_cache_t *cache = pow_rx_cache_alloc(pow_rx_variant_find("rx/0"));
    cr_assert_not_null(cache);
    pow_rx_vm_t *portable = pow_rx_vm_create(cache, POW_ISA_PORTABLE);
    cr_assert_not_null(portable);
    cr_expect_eq(pow_rx_vm_jit_enabled(portable), 0, "the portable path interprets");
    cr_expect_eq(pow_rx_vm_set_jit(portable, 1), -ENOTSUP);
    cr_expect_eq(pow_rx_vm_jit_enabled(portable), 0);
    cr_expect_eq(pow_rx_vm_set_jit(portable, 0), 0);
    pow_rx_vm_destroy(portable);

    if (!pow_rx_isa_available(POW_ISA_AESNI) || !pow_rx_vm_jit_supported())
        cr_skip_test("no AES-NI path or no VM JIT here");
    pow_rx_vm_t *vm = pow_rx_vm_create(cache, POW_ISA_AESNI);
    cr_assert_not_null(vm);
    cr_expect_eq(pow_rx_vm_jit_enabled(vm), 1, "on by default for AES-NI");
    cr_expect_eq(pow_rx_vm_set_jit(vm, 0), 0);
    cr_expect_eq(pow_rx_vm_jit_enabled(vm), 0);
    cr_expect_eq(pow_rx_vm_set_jit(vm, 1), 0);
    cr_expect_eq(pow_rx_vm_jit_enabled(vm), 1);
    pow_rx_vm_destroy(vm);
    pow_rx_cache_release(cache);
}

Test(randomx, jit_preserves_the_callers_rounding_mode_and_hashes_alike)
{
    if (!pow_rx_isa_available(POW_ISA_AESNI) || !pow_rx_vm_jit_supported())
        cr_skip_test("no AES-NI path or no VM JIT here");
    pow_rx_cache_t *cache;
    pow_rx_vm_t *vm = vm_for_test_key("rx/2", POW_ISA_AESNI, &cache);
    cr_assert_eq(pow_rx_vm_set_jit(vm, 1), 0);
    static const int modes[] = {FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO};
    uint8_t hash[32];
    for (size_t m = 0; m < 4; m++) {
        fesetround(modes[m]);
        pow_rx_hash(vm, inputs[0], strlen(inputs[0]), hash);
        cr_expect_eq(fegetround(), modes[m], "mode %zu not restored", m);
        expect_hex(hash, "22ec6b861b3eb23686b2efbad69513c967ecfce80983df66c9c5b4fbfb4cdb6f",
                   "rx/2 under the caller's mode");
    }
    fesetround(FE_TONEAREST);
    pow_rx_vm_destroy(vm);
    pow_rx_cache_release(cache);
}

Test(randomx, the_process_default_decides_whether_new_vms_compile)
{
    if (!pow_rx_isa_available(POW_ISA_AESNI) || !pow_rx_vm_jit_supported())
        cr_skip_test("no JIT on this machine");
    pow_rx_cache_t *cache = pow_rx_cache_alloc(pow_rx_variant_find("rx/0"));
    cr_assert_not_null(cache);
    pow_rx_set_default_jit(0);
    pow_rx_vm_t *off = pow_rx_vm_create(cache, POW_ISA_AESNI);
    pow_rx_set_default_jit(1);
    pow_rx_vm_t *on = pow_rx_vm_create(cache, POW_ISA_AESNI);
    cr_assert(off != NULL && on != NULL);
    cr_expect(!pow_rx_vm_jit_enabled(off), "--jit off: interpreted");
    cr_expect(pow_rx_vm_jit_enabled(on), "the default: compiled");
    pow_rx_vm_destroy(off);
    pow_rx_vm_destroy(on);
    pow_rx_cache_release(cache);
}
