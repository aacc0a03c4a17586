/*
 * Argon2's compression function G with aarch64 Advanced SIMD (NEON); the
 * memory fill around it is argon2d.c's.
 *
 * Each 128-bit register holds one 16-byte register pair (two words) of the
 * permutation P's sixteen: x_j is words 2j and 2j+1. The column rounds of P
 * then work on whole registers, and the diagonal rounds only need words
 * moved between neighbouring registers (EXT), as in argon2d_avx2.c with one
 * instance per register instead of two.
 */
#include "pow/rx/argon2d.h"

#include <arm_neon.h>

/* rotr(x, n) in each 64-bit lane: a shift left, then SRI shifts x right into the low bits. */
#define ROTR(x, n) vsriq_n_u64(vshlq_n_u64((x), 64 - (n)), (x), (n))

static inline uint64x2_t rotr32(uint64x2_t x)
{
    return vreinterpretq_u64_u32(vrev64q_u32(vreinterpretq_u32_u64(x)));
}

static inline uint64x2_t rotr63(uint64x2_t x)
{
    return vsriq_n_u64(vaddq_u64(x, x), x, 63);
}

/* x + y + 2 * lo32(x) * lo32(y) in each 64-bit lane. */
static inline uint64x2_t blamka(uint64x2_t x, uint64x2_t y)
{
    const uint64x2_t m = vmull_u32(vmovn_u64(x), vmovn_u64(y));
    return vaddq_u64(vaddq_u64(x, y), vaddq_u64(m, m));
}

#define GB2(a, b, c, d)                                                                            \
    do {                                                                                           \
        a = blamka(a, b);                                                                          \
        d = rotr32(veorq_u64(d, a));                                                               \
        c = blamka(c, d);                                                                          \
        b = ROTR(veorq_u64(b, c), 24);                                                             \
        a = blamka(a, b);                                                                          \
        d = ROTR(veorq_u64(d, a), 16);                                                             \
        c = blamka(c, d);                                                                          \
        b = rotr63(veorq_u64(b, c));                                                               \
    } while (0)

/*
 * P on x_j = words (2j, 2j+1). The column rounds pair words v_i, v_i+4,
 * v_i+8, v_i+12, that is x0,x2,x4,x6 and x1,x3,x5,x7. The diagonal rounds
 * need (v5,v6), (v10,v11), (v15,v12) beside (v0,v1) and (v7,v4), (v8,v9),
 * (v13,v14) beside (v2,v3); vextq_u64(a, b, 1) is (a[1], b[0]).
 */
#define P_PAIRS(x0, x1, x2, x3, x4, x5, x6, x7)                                                    \
    do {                                                                                           \
        GB2(x0, x2, x4, x6);                                                                       \
        GB2(x1, x3, x5, x7);                                                                       \
        uint64x2_t b1_ = vextq_u64(x2, x3, 1);                                                     \
        uint64x2_t b2_ = vextq_u64(x3, x2, 1);                                                     \
        uint64x2_t d1_ = vextq_u64(x7, x6, 1);                                                     \
        uint64x2_t d2_ = vextq_u64(x6, x7, 1);                                                     \
        GB2(x0, b1_, x5, d1_);                                                                     \
        GB2(x1, b2_, x4, d2_);                                                                     \
        x2 = vextq_u64(b2_, b1_, 1);                                                               \
        x3 = vextq_u64(b1_, b2_, 1);                                                               \
        x6 = vextq_u64(d1_, d2_, 1);                                                               \
        x7 = vextq_u64(d2_, d1_, 1);                                                               \
    } while (0)

/* P on the eight register pairs at q, q + stride, ... (words; stride 2 for a row, 16 for a column).
 */
static inline void permute(uint64_t *q, size_t stride)
{
    uint64x2_t x0 = vld1q_u64(q), x1 = vld1q_u64(q + stride);
    uint64x2_t x2 = vld1q_u64(q + 2 * stride), x3 = vld1q_u64(q + 3 * stride);
    uint64x2_t x4 = vld1q_u64(q + 4 * stride), x5 = vld1q_u64(q + 5 * stride);
    uint64x2_t x6 = vld1q_u64(q + 6 * stride), x7 = vld1q_u64(q + 7 * stride);
    P_PAIRS(x0, x1, x2, x3, x4, x5, x6, x7);
    vst1q_u64(q, x0);
    vst1q_u64(q + stride, x1);
    vst1q_u64(q + 2 * stride, x2);
    vst1q_u64(q + 3 * stride, x3);
    vst1q_u64(q + 4 * stride, x4);
    vst1q_u64(q + 5 * stride, x5);
    vst1q_u64(q + 6 * stride, x6);
    vst1q_u64(q + 7 * stride, x7);
}

void pow_rx_argon2d__compress_neon(uint64_t *restrict next, const uint64_t *prev,
                                   const uint64_t *ref, int xor_into_next)
{
    /* r keeps R (and, from the second pass on, R ^ old block) for the final XOR. */
    _Alignas(64) uint64_t r[POW_RX_ARGON2D_WORDS];
    _Alignas(64) uint64_t q[POW_RX_ARGON2D_WORDS];

    for (int i = 0; i < POW_RX_ARGON2D_WORDS; i += 2) {
        const uint64x2_t v = veorq_u64(vld1q_u64(prev + i), vld1q_u64(ref + i));
        vst1q_u64(q + i, v);
        vst1q_u64(r + i, xor_into_next ? veorq_u64(v, vld1q_u64(next + i)) : v);
    }

    /* Row i is words 16i .. 16i+15; column i the pairs at words 2i + 16j. */
    for (int i = 0; i < 8; i++)
        permute(q + 16 * i, 2);
    for (int i = 0; i < 8; i++)
        permute(q + 2 * i, 16);

    for (int i = 0; i < POW_RX_ARGON2D_WORDS; i += 2)
        vst1q_u64(next + i, veorq_u64(vld1q_u64(q + i), vld1q_u64(r + i)));
}

int pow_rx_argon2d_fill_neon(void *memory, const pow_rx_argon2d_params_t *params, const void *key,
                             size_t key_len)
{
    return pow_rx_argon2d__fill_key(memory, params, key, key_len, pow_rx_argon2d__compress_neon);
}
