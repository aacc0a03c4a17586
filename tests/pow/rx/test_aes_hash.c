/*
 * pow/rx/aes_hash*.c and the decryption round of pow/prim/aes.h: the soft
 * AESDEC against FIPS-197's inverse cipher example and the AESDEC
 * instruction (or ARMv8's AESD and AESIMC), AesGenerator1R against RandomX's published vector, and
 * the portable path against the AES-NI and ARMv8 crypto ones.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "arch/cpu.h"
#include "pow/prim/aes.h"
#include "pow/rx/aes_hash.h"

#if defined(__x86_64__)
#include <wmmintrin.h>
#define AES_INSTRUCTION_FEATURE ARCH_CPU_AESNI
#elif defined(__aarch64__)
#include <arm_neon.h>
#define AES_INSTRUCTION_FEATURE ARCH_CPU_ARM_AES
#endif

static uint64_t next_random(uint64_t *seed)
{
    *seed = *seed * 6364136223846793005u + 1442695040888963407u;
    return *seed;
}

static void fill_random(uint64_t *seed, void *buf, size_t len)
{
    uint8_t *b = buf;
    for (size_t i = 0; i < len; i++)
        b[i] = (uint8_t)(next_random(seed) >> 56);
}

static void hex_to_bytes(uint8_t *out, const char *hex, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char byte[3] = {hex[2 * i], hex[2 * i + 1], 0};
        out[i] = (uint8_t)strtoul(byte, NULL, 16);
    }
}

static void words_from_bytes(uint32_t w[4], const uint8_t b[16])
{
    for (int i = 0; i < 4; i++)
        w[i] = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 | (uint32_t)b[4 * i + 2] << 16 |
               (uint32_t)b[4 * i + 3] << 24;
}

/* A byte-at-a-time GF(2^8) product, independent of the tables under test. */
static uint8_t gf_mul(uint8_t a, uint8_t b)
{
    uint8_t p = 0;
    while (b) {
        if (b & 1)
            p ^= a;
        a = (uint8_t)((a << 1) ^ ((a & 0x80) ? 0x1b : 0));
        b >>= 1;
    }
    return p;
}

/* InvMixColumns (FIPS-197, 5.3.3) on a 16-byte block, column by column. */
static void inv_mix_columns(uint8_t out[16], const uint8_t in[16])
{
    static const uint8_t m[4][4] = {
        {0x0e, 0x0b, 0x0d, 0x09},
        {0x09, 0x0e, 0x0b, 0x0d},
        {0x0d, 0x09, 0x0e, 0x0b},
        {0x0b, 0x0d, 0x09, 0x0e},
    };
    for (int c = 0; c < 4; c++)
        for (int r = 0; r < 4; r++) {
            uint8_t v = 0;
            for (int k = 0; k < 4; k++)
                v ^= gf_mul(m[r][k], in[4 * c + k]);
            out[4 * c + r] = v;
        }
}

/*
 * FIPS-197 appendix C.1 (AES-128, key 000102...0f), inverse cipher:
 * round[r].istart for r = 1..10 and round[r].ik_sch for r = 1..9.
 */
static const char *const fips197_c1_istart[10] = {
    "7ad5fda789ef4e272bca100b3d9ff59f", "54d990a16ba09ab596bbf40ea111702f",
    "3e1c22c0b6fcbf768da85067f6170495", "b458124c68b68a014b99f82e5f15554c",
    "e8dab6901477d4653ff7f5e2e747dd4f", "36339d50f9b539269f2c092dc4406d23",
    "2d6d7ef03f33e334093602dd5bfb12c7", "3bd92268fc74fb735767cbe0c0590e2d",
    "a7be1a6997ad739bd8c9ca451f618b61", "6353e08c0960e104cd70b751bacad0e7",
};
static const char *const fips197_c1_ik_sch[9] = {
    "549932d1f08557681093ed9cbe2c974e", "47438735a41c65b9e016baf4aebf7ad2",
    "14f9701ae35fe28c440adf4d4ea9c026", "5e390f7df7a69296a7553dc10aa31f6b",
    "3caaa3e8a99f9deb50f3af57adf622aa", "47f7f7bc95353e03f96c32bcfd058dfd",
    "b6ff744ed2c2c9bf6c590cbf0469bf41", "b692cf0b643dbdf1be9bc5006830b3fe",
    "d6aa74fdd2af72fadaa678f1d6ab76fe",
};

Test(aes_hash, soft_dec_round_follows_fips197_equivalent_inverse_cipher)
{
    /*
     * AESDEC is one round of the Equivalent Inverse Cipher (FIPS-197, 5.3.5),
     * whose round key is InvMixColumns of the schedule word; applied to
     * round r's istart it must give round r + 1's istart of appendix C.1.
     */
    for (int r = 0; r < 9; r++) {
        uint8_t in[16], sched[16], dkey[16], want[16];
        hex_to_bytes(in, fips197_c1_istart[r], 16);
        hex_to_bytes(sched, fips197_c1_ik_sch[r], 16);
        hex_to_bytes(want, fips197_c1_istart[r + 1], 16);
        inv_mix_columns(dkey, sched);
        uint32_t s[4], k[4], w[4];
        words_from_bytes(s, in);
        words_from_bytes(k, dkey);
        words_from_bytes(w, want);
        pow_aes_soft_dec_round(s, s, k);
        cr_expect_arr_eq(s, w, sizeof(w), "inverse cipher round %d", r + 1);
    }
}

#if defined(__x86_64__)
__attribute__((target("aes"))) static void aesdec_instruction(uint8_t out[16], const uint8_t in[16],
                                                              const uint8_t key[16])
{
    __m128i v = _mm_loadu_si128((const __m128i *)in);
    __m128i k = _mm_loadu_si128((const __m128i *)key);
    _mm_storeu_si128((__m128i *)out, _mm_aesdec_si128(v, k));
}
#elif defined(__aarch64__)
/* x86's AESDEC from ARMv8's instructions: zero key into the first, the real key XORed last. */
__attribute__((target("+crypto"))) static void
aesdec_instruction(uint8_t out[16], const uint8_t in[16], const uint8_t key[16])
{
    uint8x16_t v = vld1q_u8(in);
    vst1q_u8(out, veorq_u8(vaesimcq_u8(vaesdq_u8(v, vdupq_n_u8(0))), vld1q_u8(key)));
}
#endif

Test(aes_hash, soft_dec_round_matches_aesdec_instruction)
{
#ifdef AES_INSTRUCTION_FEATURE
    if (!arch_cpu_has(AES_INSTRUCTION_FEATURE))
        cr_skip_test("this CPU has no AES instructions");
    uint64_t seed = 11;
    for (int trial = 0; trial < 10000; trial++) {
        uint8_t in[16], key[16], hw[16];
        fill_random(&seed, in, sizeof(in));
        fill_random(&seed, key, sizeof(key));
        aesdec_instruction(hw, in, key);
        uint32_t s[4], k[4], w[4];
        words_from_bytes(s, in);
        words_from_bytes(k, key);
        words_from_bytes(w, hw);
        pow_aes_soft_dec_round(s, s, k);
        cr_assert_arr_eq(s, w, sizeof(w), "trial %d", trial);
    }
#else
    cr_skip_test("no AES instruction to compare with on this architecture");
#endif
}

/* The paths this build and CPU can run, portable first. */
static size_t runnable_paths(const pow_rx_aes_t *paths[2], const char *names[2])
{
    size_t n = 0;
    paths[n] = &pow_rx_aes_portable;
    names[n++] = "portable";
#ifdef MM_BUILD_AESNI
    if (arch_cpu_has(ARCH_CPU_AESNI)) {
        paths[n] = &pow_rx_aes_aesni;
        names[n++] = "aesni";
    }
#endif
#ifdef MM_BUILD_ARMCRYPTO
    if (arch_cpu_has(ARCH_CPU_ARM_AES)) {
        paths[n] = &pow_rx_aes_armcrypto;
        names[n++] = "armcrypto";
    }
#endif
    return n;
}

Test(aes_hash, fill_1r_matches_published_vector)
{
    /* RandomX src/tests/tests.cpp, test "AesGenerator1R". */
    const pow_rx_aes_t *paths[2];
    const char *names[2];
    size_t n = runnable_paths(paths, names);
    for (size_t p = 0; p < n; p++) {
        uint8_t state[64] = {0}, out[64], want[32];
        hex_to_bytes(state, "6c19536eb2de31b6c0065f7f116e86f960d8af0c57210a6584c3237b9d064dc7", 32);
        hex_to_bytes(want, "fa89397dd6ca422513aeadba3f124b5540324c4ad4b6db434394307a17c833ab", 32);
        paths[p]->fill_1r(state, out, sizeof(out));
        cr_expect_arr_eq(out, want, sizeof(want), "%s path", names[p]);
    }
}

Test(aes_hash, fills_leave_their_last_block_as_the_state)
{
    const pow_rx_aes_t *paths[2];
    const char *names[2];
    size_t n = runnable_paths(paths, names);
    uint64_t seed = 3;
    for (size_t p = 0; p < n; p++) {
        uint8_t state[64], out[256];
        fill_random(&seed, state, sizeof(state));
        paths[p]->fill_1r(state, out, sizeof(out));
        cr_expect_arr_eq(state, out + 192, 64, "%s fill_1r", names[p]);
        paths[p]->fill_4r(state, out, sizeof(out), pow_rx_aes4r_keys_rx0);
        cr_expect_arr_eq(state, out + 192, 64, "%s fill_4r", names[p]);
    }
}

/* One block, a few blocks, an rx/0 and an rx/2 program, and a whole scratchpad. */
static void expect_path_matches_portable(const pow_rx_aes_t *hw, const char *name)
{
    static const size_t sizes[] = {64, 192, 2176, 3200, 2097152};
    uint64_t seed = 5;
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        size_t len = sizes[i];
        uint8_t *in = malloc(len), *soft = malloc(len), *hard = malloc(len);
        cr_assert(in != NULL && soft != NULL && hard != NULL);
        uint8_t seed_state[64], soft_state[64], hard_state[64], keys[8][16];
        uint8_t soft_hash[64], hard_hash[64];

        fill_random(&seed, seed_state, sizeof(seed_state));
        memcpy(soft_state, seed_state, 64);
        memcpy(hard_state, seed_state, 64);
        pow_rx_aes_portable.fill_1r(soft_state, soft, len);
        hw->fill_1r(hard_state, hard, len);
        cr_assert_arr_eq(soft, hard, len, "%s fill_1r output, %zu bytes", name, len);
        cr_assert_arr_eq(soft_state, hard_state, 64, "%s fill_1r state, %zu bytes", name, len);

        /* Random keys as well, since other variants bring their own. */
        fill_random(&seed, keys, sizeof(keys));
        fill_random(&seed, seed_state, sizeof(seed_state));
        memcpy(soft_state, seed_state, 64);
        memcpy(hard_state, seed_state, 64);
        pow_rx_aes_portable.fill_4r(soft_state, soft, len, (const uint8_t(*)[16])keys);
        hw->fill_4r(hard_state, hard, len, (const uint8_t(*)[16])keys);
        cr_assert_arr_eq(soft, hard, len, "%s fill_4r output, %zu bytes", name, len);
        cr_assert_arr_eq(soft_state, hard_state, 64, "%s fill_4r state, %zu bytes", name, len);

        fill_random(&seed, in, len);
        pow_rx_aes_portable.hash_1r(in, len, soft_hash);
        hw->hash_1r(in, len, hard_hash);
        cr_assert_arr_eq(soft_hash, hard_hash, 64, "%s hash_1r, %zu bytes", name, len);

        free(in);
        free(soft);
        free(hard);
    }
}

Test(aes_hash, aesni_path_matches_portable_path_on_random_data)
{
#ifdef MM_BUILD_AESNI
    if (!arch_cpu_has(ARCH_CPU_AESNI))
        cr_skip_test("this CPU has no AES-NI");
    expect_path_matches_portable(&pow_rx_aes_aesni, "aesni");
#else
    cr_skip_test("the AES-NI path is not built");
#endif
}

/* The fused pass of every path against the two separate passes of the portable one. */
Test(aes_hash, hash_and_fill_is_hash_then_fill_in_one_pass)
{
    const pow_rx_aes_t *paths[2];
    const char *names[2];
    size_t count = runnable_paths(paths, names);
    enum { LEN = 64 * 1024 };
    static uint8_t original[LEN], expected_pad[LEN], pad[LEN];
    uint64_t seed = 42;
    fill_random(&seed, original, LEN);
    uint8_t state0[64];
    fill_random(&seed, state0, sizeof(state0));
    uint8_t expected_hash[64], expected_state[64];
    memcpy(expected_pad, original, LEN);
    memcpy(expected_state, state0, 64);
    pow_rx_aes_portable.hash_1r(expected_pad, LEN, expected_hash);
    pow_rx_aes_portable.fill_1r(expected_state, expected_pad, LEN);
    for (size_t p = 0; p < count; p++) {
        uint8_t hash[64], state[64];
        memcpy(pad, original, LEN);
        memcpy(state, state0, 64);
        paths[p]->hash_and_fill(pad, LEN, hash, state);
        cr_expect_arr_eq(hash, expected_hash, 64, "%s: the fingerprint", names[p]);
        cr_expect_arr_eq(pad, expected_pad, LEN, "%s: the new scratchpad", names[p]);
        cr_expect_arr_eq(state, expected_state, 64, "%s: the generator's state", names[p]);
    }
}

Test(aes_hash, armcrypto_path_matches_portable_path_on_random_data)
{
#ifdef MM_BUILD_ARMCRYPTO
    if (!arch_cpu_has(ARCH_CPU_ARM_AES))
        cr_skip_test("this CPU has no ARMv8 AES instructions");
    expect_path_matches_portable(&pow_rx_aes_armcrypto, "armcrypto");
#else
    cr_skip_test("the ARMv8 crypto path is not built");
#endif
}
