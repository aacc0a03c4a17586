/*
 * CryptoNight variant 2's square root step.
 */
#ifndef MINEMETER_POW_CN_CN_V2_SQRT_H
#define MINEMETER_POW_CN_CN_V2_SQRT_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* r^2 + 2^34 r > 4n, in two 64-bit halves (the left side is below 2^67). */
static inline int pow_cn_v2_sqrt_above(uint64_t r, uint64_t n)
{
    unsigned __int128 square = (unsigned __int128)r * r;
    uint64_t square_lo = (uint64_t)square, square_hi = (uint64_t)(square >> 64);
    uint64_t left_lo = square_lo + (r << 34);
    uint64_t left_hi = square_hi + (r >> 30) + (left_lo < square_lo);
    uint64_t right_lo = n << 2, right_hi = n >> 62;
    return right_hi < left_hi + (right_lo < left_lo);
}

/* The square root of a positive x, as one instruction where there is one (sqrt() would also
   check for a negative x, to set errno). */
static inline double pow_cn_v2_sqrt_of(double x)
{
#if defined(__SSE2__)
    return _mm_cvtsd_f64(_mm_sqrt_sd(_mm_setzero_pd(), _mm_set_sd(x)));
#else
    return sqrt(x);
#endif
}

/*
 * floor(2 * sqrt(2^64 + n) - 2^33), which fits in 32 bits.
 *
 * The double 2^64 + n is built from its bits: exponent 64 and n's top 52
 * bits as the fraction (below 2^65 a double's step is 2^12, so this is
 * 2^64 + n truncated, with no conversion and so no branch on n's sign
 * bit, which is random here and cost a misprediction every other
 * iteration). The truncation moves the estimate s by under 2^-20 and the
 * square root rounds it by under 2^-21, so when s's fraction is at least
 * 2^-16 from an integer, its floor is the answer. Only otherwise (about
 * one input in 2^15, so the branch is as good as never taken) does the
 * exact test r^2 + 2^34 r <= 4n, the definition with 2^66 taken off both
 * sides, settle the last step, which is one off at most either way.
 */
static inline uint64_t pow_cn_v2_sqrt(uint64_t n)
{
    uint64_t bits = (UINT64_C(1023) + 64) << 52 | n >> 12;
    double x;
    memcpy(&x, &bits, sizeof(x));
    double s = pow_cn_v2_sqrt_of(x) * 2.0 - 8589934592.0; /* 0 <= s < 2^32 */
    int64_t floor_s = (int64_t)s;
    double fraction = s - (double)floor_s;
    if (__builtin_expect(fraction >= 0x1p-16 && fraction <= 1.0 - 0x1p-16, 1))
        return (uint64_t)floor_s;
    uint64_t r = (uint64_t)floor_s;
    r -= (uint64_t)pow_cn_v2_sqrt_above(r, n);
    r += (uint64_t)!pow_cn_v2_sqrt_above(r + 1, n);
    return r;
}

#endif
