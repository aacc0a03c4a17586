/*
 * 128-bit blocks for the AES-NI CryptoNight kernels: SSE registers and the
 * AESENC instruction. Only for files compiled with -maes -msse4.1.
 */
#ifndef MINEMETER_POW_CN_CN_VEC_AESNI_H
#define MINEMETER_POW_CN_CN_VEC_AESNI_H

#include <smmintrin.h>
#include <stdint.h>
#include <wmmintrin.h>

typedef __m128i cn_vec_t;

static inline cn_vec_t cn_vec_load(const void *p)
{
    return _mm_loadu_si128((const __m128i *)p);
}

static inline void cn_vec_store(void *p, cn_vec_t v)
{
    _mm_storeu_si128((__m128i *)p, v);
}

static inline cn_vec_t cn_vec_make(uint64_t lo, uint64_t hi)
{
    return _mm_set_epi64x((long long)hi, (long long)lo);
}

static inline uint64_t cn_vec_lo(cn_vec_t v)
{
    return (uint64_t)_mm_cvtsi128_si64(v);
}

static inline uint64_t cn_vec_hi(cn_vec_t v)
{
    return (uint64_t)_mm_extract_epi64(v, 1);
}

static inline cn_vec_t cn_vec_xor(cn_vec_t a, cn_vec_t b)
{
    return _mm_xor_si128(a, b);
}

static inline cn_vec_t cn_vec_add64(cn_vec_t a, cn_vec_t b)
{
    return _mm_add_epi64(a, b);
}

static inline cn_vec_t cn_vec_aesenc(cn_vec_t v, cn_vec_t key)
{
    return _mm_aesenc_si128(v, key);
}

#endif
