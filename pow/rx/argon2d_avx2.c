/*
 * Argon2's compression function G in AVX2 (compiled with -mavx2); the
 * memory fill around it is argon2d.c's.
 *
 * Each 256-bit register holds one 16-byte register pair (two words) of two
 * independent instances of the permutation P, one per 128-bit half: two
 * rows of the 8x8 matrix in the row step, two neighbouring columns in the
 * column step. With that layout the diagonal rounds of P only move words
 * within a 128-bit half (VPALIGNR), never across halves, and a pair of
 * neighbouring columns is one aligned 256-bit load.
 */
#include "pow/rx/argon2d.h"

#include <immintrin.h>

static inline __m256i rotr32(__m256i x)
{
    return _mm256_shuffle_epi32(x, _MM_SHUFFLE(2, 3, 0, 1));
}

static inline __m256i rotr24(__m256i x)
{
    const __m256i bytes = _mm256_setr_epi8(3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10, 3,
                                           4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10);
    return _mm256_shuffle_epi8(x, bytes);
}

static inline __m256i rotr16(__m256i x)
{
    const __m256i bytes = _mm256_setr_epi8(2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9, 2,
                                           3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9);
    return _mm256_shuffle_epi8(x, bytes);
}

static inline __m256i rotr63(__m256i x)
{
    return _mm256_xor_si256(_mm256_srli_epi64(x, 63), _mm256_add_epi64(x, x));
}

/* x + y + 2 * lo32(x) * lo32(y) in each 64-bit lane. */
static inline __m256i blamka(__m256i x, __m256i y)
{
    const __m256i m = _mm256_mul_epu32(x, y);
    return _mm256_add_epi64(_mm256_add_epi64(x, y), _mm256_add_epi64(m, m));
}

#define GB4(a, b, c, d)                                                                            \
    do {                                                                                           \
        a = blamka(a, b);                                                                          \
        d = rotr32(_mm256_xor_si256(d, a));                                                        \
        c = blamka(c, d);                                                                          \
        b = rotr24(_mm256_xor_si256(b, c));                                                        \
        a = blamka(a, b);                                                                          \
        d = rotr16(_mm256_xor_si256(d, a));                                                        \
        c = blamka(c, d);                                                                          \
        b = rotr63(_mm256_xor_si256(b, c));                                                        \
    } while (0)

/*
 * P on two instances at once; x_j holds words (2j, 2j+1) of each. The
 * column rounds pair words v_i, v_i+4, v_i+8, v_i+12, that is x0,x2,x4,x6
 * and x1,x3,x5,x7. The diagonal rounds need (v5,v6), (v15,v12) next to
 * (v0,v1), (v10,v11) and (v7,v4), (v13,v14) next to (v2,v3), (v8,v9).
 */
#define P_PAIRS(x0, x1, x2, x3, x4, x5, x6, x7)                                                    \
    do {                                                                                           \
        GB4(x0, x2, x4, x6);                                                                       \
        GB4(x1, x3, x5, x7);                                                                       \
        __m256i b1_ = _mm256_alignr_epi8(x3, x2, 8);                                               \
        __m256i b2_ = _mm256_alignr_epi8(x2, x3, 8);                                               \
        __m256i d1_ = _mm256_alignr_epi8(x6, x7, 8);                                               \
        __m256i d2_ = _mm256_alignr_epi8(x7, x6, 8);                                               \
        GB4(x0, b1_, x5, d1_);                                                                     \
        GB4(x1, b2_, x4, d2_);                                                                     \
        x2 = _mm256_alignr_epi8(b1_, b2_, 8);                                                      \
        x3 = _mm256_alignr_epi8(b2_, b1_, 8);                                                      \
        x6 = _mm256_alignr_epi8(d2_, d1_, 8);                                                      \
        x7 = _mm256_alignr_epi8(d1_, d2_, 8);                                                      \
    } while (0)

/* Words w, w+1 of block a in the low half and words w+16, w+17 in the high half. */
static inline __m256i load_row_pair(const uint64_t *a, int w)
{
    const __m128i lo = _mm_load_si128((const __m128i *)(const void *)(a + w));
    const __m128i hi = _mm_load_si128((const __m128i *)(const void *)(a + w + 16));
    return _mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1);
}

static inline __m256i xor_row_pair(const uint64_t *prev, const uint64_t *ref, int w)
{
    return _mm256_xor_si256(load_row_pair(prev, w), load_row_pair(ref, w));
}

static inline void store_row_pair(uint64_t *a, int w, __m256i x)
{
    _mm_store_si128((__m128i *)(void *)(a + w), _mm256_castsi256_si128(x));
    _mm_store_si128((__m128i *)(void *)(a + w + 16), _mm256_extracti128_si256(x, 1));
}

static inline __m256i load4(const uint64_t *a, int w)
{
    return _mm256_load_si256((const __m256i *)(const void *)(a + w));
}

static inline void store4(uint64_t *a, int w, __m256i x)
{
    _mm256_store_si256((__m256i *)(void *)(a + w), x);
}

void pow_rx_argon2d__compress_avx2(uint64_t *restrict next, const uint64_t *prev,
                                   const uint64_t *ref, int xor_into_next)
{
    _Alignas(64) uint64_t q[POW_RX_ARGON2D_WORDS];

    /* Rows r and r+1 of R = prev ^ ref, register pair j of each in x_j. */
    for (int r = 0; r < 8; r += 2) {
        const int w = 16 * r;
        __m256i x0 = xor_row_pair(prev, ref, w + 0);
        __m256i x1 = xor_row_pair(prev, ref, w + 2);
        __m256i x2 = xor_row_pair(prev, ref, w + 4);
        __m256i x3 = xor_row_pair(prev, ref, w + 6);
        __m256i x4 = xor_row_pair(prev, ref, w + 8);
        __m256i x5 = xor_row_pair(prev, ref, w + 10);
        __m256i x6 = xor_row_pair(prev, ref, w + 12);
        __m256i x7 = xor_row_pair(prev, ref, w + 14);
        P_PAIRS(x0, x1, x2, x3, x4, x5, x6, x7);
        store_row_pair(q, w + 0, x0);
        store_row_pair(q, w + 2, x1);
        store_row_pair(q, w + 4, x2);
        store_row_pair(q, w + 6, x3);
        store_row_pair(q, w + 8, x4);
        store_row_pair(q, w + 10, x5);
        store_row_pair(q, w + 12, x6);
        store_row_pair(q, w + 14, x7);
    }

    /*
     * Columns c and c+1: register pair k of each is words 2c+16k .. 2c+16k+3.
     * The result is Z ^ R, recomputing R from prev and ref (both are in L1
     * by now), and ^ the old block from the second pass on.
     */
    for (int c = 0; c < 8; c += 2) {
        const int w = 2 * c;
        __m256i x0 = load4(q, w + 0);
        __m256i x1 = load4(q, w + 16);
        __m256i x2 = load4(q, w + 32);
        __m256i x3 = load4(q, w + 48);
        __m256i x4 = load4(q, w + 64);
        __m256i x5 = load4(q, w + 80);
        __m256i x6 = load4(q, w + 96);
        __m256i x7 = load4(q, w + 112);
        P_PAIRS(x0, x1, x2, x3, x4, x5, x6, x7);
        __m256i z[8] = {x0, x1, x2, x3, x4, x5, x6, x7};
        for (int k = 0; k < 8; k++) {
            const int o = w + 16 * k;
            __m256i out = _mm256_xor_si256(z[k], _mm256_xor_si256(load4(prev, o), load4(ref, o)));
            if (xor_into_next)
                out = _mm256_xor_si256(out, load4(next, o));
            store4(next, o, out);
        }
    }
}

int pow_rx_argon2d_fill_avx2(void *memory, const pow_rx_argon2d_params_t *params, const void *key,
                             size_t key_len)
{
    return pow_rx_argon2d__fill_key(memory, params, key, key_len, pow_rx_argon2d__compress_avx2);
}
