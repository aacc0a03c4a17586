/*
 * pow/rx/argon2d.c and pow/rx/argon2d_avx2.c: the RandomX cache test of
 * the reference implementation, RFC 9106's Argon2d test vector (with a
 * test-only finalization), and the AVX2 and NEON paths against the portable
 * one.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arch/cpu.h"
#include "pow/hex.h"
#include "pow/prim/blake2b.h"
#include "pow/rx/argon2d.h"

#define WORDS POW_RX_ARGON2D_WORDS

/* The AVX2 compression function; skips the test when it is not built or cannot run here. */
static pow_rx_argon2d__compress_fn avx2_or_skip(void)
{
#ifdef MM_BUILD_AVX2
    if (arch_cpu_has(ARCH_CPU_AVX2))
        return pow_rx_argon2d__compress_avx2;
    cr_skip_test("this CPU has no AVX2");
#else
    cr_skip_test("the AVX2 path is not compiled in");
#endif
}

/* The NEON compression function; skips the test when it is not built or cannot run here. */
static pow_rx_argon2d__compress_fn neon_or_skip(void)
{
#ifdef MM_BUILD_NEON
    if (arch_cpu_has(ARCH_CPU_NEON))
        return pow_rx_argon2d__compress_neon;
    cr_skip_test("this CPU has no Advanced SIMD");
#else
    cr_skip_test("the NEON path is not compiled in");
#endif
}

static void *alloc_blocks(size_t blocks)
{
    void *p = aligned_alloc(64, blocks * POW_RX_ARGON2D_BLOCK);
    cr_assert_not_null(p, "cannot allocate %zu blocks", blocks);
    return p;
}

static uint64_t next_random(uint64_t *state)
{
    /* splitmix64: any fixed, well-mixed sequence will do. */
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/*
 * RandomX cache: tevador/RandomX src/tests/tests.cpp, "Cache initialization"
 * (key "test key 000", the cache read as little-endian 64-bit words).
 */
static const pow_rx_argon2d_params_t randomx_params = {
    .salt = (const uint8_t *)"RandomX\x03",
    .salt_len = 8,
    .memory_kib = 262144,
    .passes = 3,
    .lanes = 1,
};

static void check_randomx_cache(int (*fill)(void *, const pow_rx_argon2d_params_t *, const void *,
                                            size_t))
{
    uint64_t *cache = alloc_blocks(randomx_params.memory_kib);
    cr_assert_eq(fill(cache, &randomx_params, "test key 000", 12), 0);
    cr_expect_eq(cache[0], 0x191e0e1d23c02186u, "word 0 is %016lx", (unsigned long)cache[0]);
    cr_expect_eq(cache[1568413], 0xf1b62fe6210bf8b1u, "word 1568413 is %016lx",
                 (unsigned long)cache[1568413]);
    cr_expect_eq(cache[33554431], 0x1f47f056d05cd99bu, "word 33554431 is %016lx",
                 (unsigned long)cache[33554431]);
    free(cache);
}

Test(argon2d, randomx_cache_for_test_key_000_matches_reference_words)
{
    check_randomx_cache(pow_rx_argon2d_fill);
}

Test(argon2d, randomx_cache_for_test_key_000_matches_reference_words_with_avx2)
{
    avx2_or_skip();
#ifdef MM_BUILD_AVX2
    check_randomx_cache(pow_rx_argon2d_fill_avx2);
#endif
}

Test(argon2d, randomx_cache_for_test_key_000_matches_reference_words_with_neon)
{
    neon_or_skip();
#ifdef MM_BUILD_NEON
    check_randomx_cache(pow_rx_argon2d_fill_neon);
#endif
}

/*
 * RFC 9106, section 5.1, Argon2d test vector: 32 KiB, 3 passes, 4 lanes,
 * tag length 32, password 32 x 01, salt 16 x 02, secret 8 x 03, associated
 * data 12 x 04; its pre-hashing digest, the first and last four words of
 * memory after each pass, and the tag.
 */
static const pow_rx_argon2d_params_t rfc_params = {
    .salt = (const uint8_t[16]){2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2},
    .salt_len = 16,
    .memory_kib = 32,
    .passes = 3,
    .lanes = 4,
};

static const char rfc_h0_hex[] = "b8819791a0359660bb7709c85fa48f04d5d82c05c5f215ccdb885491717cf757"
                                 "082c28b951be381410b5fc2eb7274033b9fdc7ae672bcaac5d179097a4af3109";

/* After pass p: block 0 words 0..3, then block 31 words 124..127. */
static const uint64_t rfc_after_pass[3][8] = {
    {0xdb2fea6b2c6f5c8a, 0x719413be00f82634, 0xa1e3f6dd42aa25cc, 0x3ea8efd4d55ac0d1,
     0x28d17914aea9734c, 0x6a4622176522e398, 0x951aa08aeecb2c05, 0x6a6c49d2cb75d5b6},
    {0xd3801200410f8c0d, 0x0bf9e8a6e442ba6d, 0xe2ca92fe9c541fcc, 0x6269fe6db177a388,
     0x9eacfcfbdb3ce0fc, 0x07dedaeb0aee71ac, 0x074435fad91548f4, 0x2dbfff23f31b5883},
    {0x5f047b575c5ff4d2, 0xf06985dbf11c91a8, 0x89efb2759f9a8964, 0x7486a73f62f9b142,
     0x57cfb9d20479da49, 0x4099654bc6607f69, 0xf142a1126075a5c8, 0xc341b3ca45c10da5},
};

static const char rfc_tag_hex[] =
    "512b391b6f1162975371d30919734294f868e3be3984f3c1a13a4db9fabe4acb";

static void rfc_initial_hash(uint8_t h0[64])
{
    uint8_t password[32], secret[8], ad[12];
    memset(password, 1, sizeof(password));
    memset(secret, 3, sizeof(secret));
    memset(ad, 4, sizeof(ad));
    pow_rx_argon2d__initial_hash(h0, &rfc_params, 32, password, sizeof(password), secret,
                                 sizeof(secret), ad, sizeof(ad));
}

/*
 * Argon2's finalization (RFC 9106, 3.2 step 7), which RandomX leaves out:
 * the XOR of every lane's last block, hashed with H' to the tag length.
 */
static void rfc_finalize(const uint64_t *mem, const pow_rx_argon2d_params_t *p, uint8_t *tag,
                         size_t tag_len)
{
    const uint32_t lane_len = p->memory_kib / (4 * p->lanes) * 4;
    uint64_t c[WORDS] = {0};
    for (uint32_t lane = 0; lane < p->lanes; lane++)
        for (int w = 0; w < WORDS; w++)
            c[w] ^= mem[((size_t)lane * lane_len + lane_len - 1) * WORDS + (size_t)w];
    uint8_t bytes[POW_RX_ARGON2D_BLOCK];
    for (int w = 0; w < WORDS; w++)
        for (int b = 0; b < 8; b++)
            bytes[8 * w + b] = (uint8_t)(c[w] >> (8 * b));
    pow_blake2b_long(tag, tag_len, bytes, sizeof(bytes));
}

Test(argon2d, initial_hash_matches_rfc9106_argon2d_predigest)
{
    uint8_t h0[64];
    char hex[129];
    rfc_initial_hash(h0);
    pow_hex_encode(h0, sizeof(h0), hex);
    cr_expect_str_eq(hex, rfc_h0_hex);
}

static void check_rfc_passes(pow_rx_argon2d__compress_fn compress)
{
    uint8_t h0[64];
    rfc_initial_hash(h0);
    uint64_t *mem = alloc_blocks(rfc_params.memory_kib);

    /* With H0 given, t only counts passes: t = pass + 1 stops right after that pass. */
    for (uint32_t pass = 0; pass < 3; pass++) {
        pow_rx_argon2d_params_t p = rfc_params;
        p.passes = pass + 1;
        cr_assert_eq(pow_rx_argon2d__fill_from_h0(mem, &p, h0, compress), 0);
        for (int i = 0; i < 8; i++) {
            const size_t at = i < 4 ? (size_t)i : 31 * WORDS + 120 + (size_t)i;
            cr_expect_eq(mem[at], rfc_after_pass[pass][i], "after pass %u, word %zu: %016lx", pass,
                         at, (unsigned long)mem[at]);
        }
    }

    uint8_t tag[32];
    char hex[65];
    rfc_finalize(mem, &rfc_params, tag, sizeof(tag));
    pow_hex_encode(tag, sizeof(tag), hex);
    cr_expect_str_eq(hex, rfc_tag_hex);
    free(mem);
}

Test(argon2d, rfc9106_argon2d_vector_blocks_after_each_pass_and_tag)
{
    check_rfc_passes(pow_rx_argon2d__compress_portable);
}

Test(argon2d, rfc9106_argon2d_vector_blocks_after_each_pass_and_tag_with_avx2)
{
    check_rfc_passes(avx2_or_skip());
}

static void check_compression_equals_portable(pow_rx_argon2d__compress_fn compress)
{
    _Alignas(64) uint64_t prev[WORDS], ref[WORDS], old[WORDS], a[WORDS], b[WORDS];
    uint64_t seed = 1;
    for (int trial = 0; trial < 200; trial++) {
        for (int w = 0; w < WORDS; w++) {
            prev[w] = next_random(&seed);
            ref[w] = next_random(&seed);
            old[w] = next_random(&seed);
        }
        const int xor_into_next = trial & 1;
        memcpy(a, old, sizeof(a));
        memcpy(b, old, sizeof(b));
        pow_rx_argon2d__compress_portable(a, prev, ref, xor_into_next);
        compress(b, prev, ref, xor_into_next);
        cr_assert_arr_eq(a, b, sizeof(a), "trial %d", trial);
    }
}

static void check_fill_equals_portable(pow_rx_argon2d__compress_fn compress)
{
    static const struct {
        uint32_t memory_kib, passes, lanes;
    } shapes[] = {{8, 1, 1}, {64, 3, 1}, {256, 2, 3}, {1000, 3, 4}, {4096, 1, 8}};
    uint8_t h0[64];
    for (int i = 0; i < 64; i++)
        h0[i] = (uint8_t)(i * 37 + 11);
    for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
        pow_rx_argon2d_params_t p = {NULL, 0, shapes[s].memory_kib, shapes[s].passes,
                                     shapes[s].lanes};
        uint8_t *a = alloc_blocks(p.memory_kib);
        uint8_t *b = alloc_blocks(p.memory_kib);
        cr_assert_eq(pow_rx_argon2d__fill_from_h0(a, &p, h0, pow_rx_argon2d__compress_portable), 0);
        cr_assert_eq(pow_rx_argon2d__fill_from_h0(b, &p, h0, compress), 0);
        cr_expect(memcmp(a, b, (size_t)p.memory_kib * POW_RX_ARGON2D_BLOCK) == 0,
                  "m=%u t=%u p=%u differ", p.memory_kib, p.passes, p.lanes);
        free(a);
        free(b);
    }
}

Test(argon2d, avx2_compression_equals_portable_on_random_blocks)
{
    check_compression_equals_portable(avx2_or_skip());
}

Test(argon2d, avx2_fill_equals_portable_for_several_shapes)
{
    check_fill_equals_portable(avx2_or_skip());
}

Test(argon2d, rfc9106_argon2d_vector_blocks_after_each_pass_and_tag_with_neon)
{
    check_rfc_passes(neon_or_skip());
}

Test(argon2d, neon_compression_equals_portable_on_random_blocks)
{
    check_compression_equals_portable(neon_or_skip());
}

Test(argon2d, neon_fill_equals_portable_for_several_shapes)
{
    check_fill_equals_portable(neon_or_skip());
}

Test(argon2d, memory_past_the_last_whole_segment_is_left_untouched)
{
    /* m = 4 lanes * 4 segments * 2 blocks + 5: Argon2 uses m' = 32 blocks. */
    pow_rx_argon2d_params_t p = {(const uint8_t *)"saltsalt", 8, 37, 2, 4};
    uint8_t *mem = alloc_blocks(p.memory_kib);
    memset(mem, 0xa5, (size_t)p.memory_kib * POW_RX_ARGON2D_BLOCK);
    cr_assert_eq(pow_rx_argon2d_fill(mem, &p, "key", 3), 0);
    for (size_t i = 32 * POW_RX_ARGON2D_BLOCK; i < 37 * POW_RX_ARGON2D_BLOCK; i++)
        cr_assert_eq(mem[i], 0xa5, "byte %zu changed", i);
    free(mem);
}

Test(argon2d, one_key_byte_changes_the_whole_memory)
{
    pow_rx_argon2d_params_t p = {(const uint8_t *)"RandomX\x03", 8, 64, 3, 1};
    uint64_t *a = alloc_blocks(p.memory_kib);
    uint64_t *b = alloc_blocks(p.memory_kib);
    cr_assert_eq(pow_rx_argon2d_fill(a, &p, "test key 000", 12), 0);
    cr_assert_eq(pow_rx_argon2d_fill(b, &p, "test key 001", 12), 0);
    size_t same = 0;
    for (size_t i = 0; i < (size_t)p.memory_kib * WORDS; i++)
        same += a[i] == b[i];
    cr_expect_eq(same, 0, "%zu words equal", same);
    free(a);
    free(b);
}

Test(argon2d, rejects_parameters_outside_argon2s_ranges)
{
    uint8_t *mem = alloc_blocks(65);
    const pow_rx_argon2d_params_t ok = {(const uint8_t *)"saltsalt", 8, 64, 1, 2};
    cr_expect_eq(pow_rx_argon2d_fill(mem, &ok, "k", 1), 0);
    cr_expect_eq(pow_rx_argon2d_fill(mem, &ok, NULL, 0), 0, "an empty key is allowed");

    pow_rx_argon2d_params_t p = ok;
    p.lanes = 0;
    cr_expect_eq(pow_rx_argon2d_fill(mem, &p, "k", 1), -EINVAL, "no lanes");
    p = ok;
    p.lanes = 1u << 24;
    cr_expect_eq(pow_rx_argon2d_fill(mem, &p, "k", 1), -EINVAL, "2^24 lanes");
    p = ok;
    p.passes = 0;
    cr_expect_eq(pow_rx_argon2d_fill(mem, &p, "k", 1), -EINVAL, "no passes");
    p = ok;
    p.memory_kib = 15;
    cr_expect_eq(pow_rx_argon2d_fill(mem, &p, "k", 1), -EINVAL, "fewer than 8 blocks per lane");
    p = ok;
    p.salt = NULL;
    cr_expect_eq(pow_rx_argon2d_fill(mem, &p, "k", 1), -EINVAL, "salt length without salt");
    cr_expect_eq(pow_rx_argon2d_fill(mem, &ok, NULL, 1), -EINVAL, "key length without key");
    cr_expect_eq(pow_rx_argon2d_fill(mem + 8, &ok, "k", 1), -EINVAL, "misaligned memory");
    cr_expect_eq(pow_rx_argon2d_fill(NULL, &ok, "k", 1), -EINVAL, "no memory");
    cr_expect_eq(pow_rx_argon2d_fill(mem, NULL, "k", 1), -EINVAL, "no parameters");
    free(mem);
}
