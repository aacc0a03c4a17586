/*
 * pow/prim/aes.c: the key schedule against OpenSSL's AES-256 key
 * expansion, and the table-driven round against FIPS-197's worked example
 * and (where the CPU has it) the AESENC instruction or its ARMv8 equivalent.
 */
#define OPENSSL_API_COMPAT 0x10100000L
#include <criterion/criterion.h>
#include <openssl/aes.h>
#include <string.h>

#include "arch/cpu.h"
#include "pow/prim/aes.h"

#if defined(__x86_64__)
#include <wmmintrin.h>
#define AES_INSTRUCTION_FEATURE ARCH_CPU_AESNI
#elif defined(__aarch64__)
#include <arm_neon.h>
#define AES_INSTRUCTION_FEATURE ARCH_CPU_ARM_AES
#endif

static uint32_t load_be32(const uint8_t *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static uint32_t load_le32(const uint8_t *b)
{
    return (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
}

static void words_from_bytes(uint32_t w[4], const uint8_t b[16])
{
    for (int i = 0; i < 4; i++)
        w[i] = load_le32(b + 4 * i);
}

Test(aes, key_schedule_matches_openssl_aes256)
{
    uint64_t seed = 1;
    for (int trial = 0; trial < 64; trial++) {
        uint8_t key[32], ours[10][16];
        for (int i = 0; i < 32; i++) {
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            key[i] = (uint8_t)(seed >> 56);
        }
        AES_KEY ref;
        cr_assert_eq(AES_set_encrypt_key(key, 256, &ref), 0);
        pow_aes256_key_schedule10(key, ours);
        /*
         * OpenSSL's C code keeps each schedule word as the big-endian integer of
         * its four bytes, its x86-64 assembly as bytes in memory order; word 0
         * is the key's first four bytes, which tells the two apart.
         */
        int big_endian_words = ref.rd_key[0] == load_be32(key);
        for (int i = 0; i < 40; i++) {
            const uint8_t *b = &ours[i / 4][4 * (i % 4)];
            uint32_t mine = big_endian_words ? load_be32(b) : load_le32(b);
            cr_assert_eq(mine, ref.rd_key[i], "trial %d word %d: %08x vs OpenSSL %08x", trial, i,
                         mine, ref.rd_key[i]);
        }
    }
}

Test(aes, soft_round_matches_fips197_appendix_b)
{
    static const uint8_t in[16] = {0x19, 0x3d, 0xe3, 0xbe, 0xa0, 0xf4, 0xe2, 0x2b,
                                   0x9a, 0xc6, 0x8d, 0x2a, 0xe9, 0xf8, 0x48, 0x08};
    static const uint8_t key[16] = {0xa0, 0xfa, 0xfe, 0x17, 0x88, 0x54, 0x2c, 0xb1,
                                    0x23, 0xa3, 0x39, 0x39, 0x2a, 0x6c, 0x76, 0x05};
    static const uint8_t want[16] = {0xa4, 0x9c, 0x7f, 0xf2, 0x68, 0x9f, 0x35, 0x2b,
                                     0x6b, 0x5b, 0xea, 0x43, 0x02, 0x6a, 0x50, 0x49};
    uint32_t s[4], k[4], w[4];
    words_from_bytes(s, in);
    words_from_bytes(k, key);
    words_from_bytes(w, want);
    pow_aes_soft_round(s, s, k);
    cr_expect_arr_eq(s, w, sizeof(w));
}

#if defined(__x86_64__)
__attribute__((target("aes"))) static void aesenc_instruction(uint8_t out[16], const uint8_t in[16],
                                                              const uint8_t key[16])
{
    __m128i v = _mm_loadu_si128((const __m128i *)in);
    __m128i k = _mm_loadu_si128((const __m128i *)key);
    _mm_storeu_si128((__m128i *)out, _mm_aesenc_si128(v, k));
}
#elif defined(__aarch64__)
/* x86's AESENC from ARMv8's instructions: zero key into the first, the real key XORed last. */
__attribute__((target("+crypto"))) static void
aesenc_instruction(uint8_t out[16], const uint8_t in[16], const uint8_t key[16])
{
    uint8x16_t v = vld1q_u8(in);
    vst1q_u8(out, veorq_u8(vaesmcq_u8(vaeseq_u8(v, vdupq_n_u8(0))), vld1q_u8(key)));
}
#endif

Test(aes, soft_round_matches_aesenc_instruction)
{
#ifdef AES_INSTRUCTION_FEATURE
    if (!arch_cpu_has(AES_INSTRUCTION_FEATURE))
        cr_skip_test("this CPU has no AES instructions");
    uint64_t seed = 7;
    for (int trial = 0; trial < 10000; trial++) {
        uint8_t in[16], key[16], hw[16];
        for (int i = 0; i < 16; i++) {
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            in[i] = (uint8_t)(seed >> 56);
            key[i] = (uint8_t)(seed >> 48);
        }
        aesenc_instruction(hw, in, key);
        uint32_t s[4], k[4], w[4];
        words_from_bytes(s, in);
        words_from_bytes(k, key);
        words_from_bytes(w, hw);
        pow_aes_soft_round(s, s, k);
        cr_assert_arr_eq(s, w, sizeof(w), "trial %d", trial);
    }
#else
    cr_skip_test("no AES instruction to compare with on this architecture");
#endif
}
