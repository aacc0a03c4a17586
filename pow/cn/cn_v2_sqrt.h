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

/*
 * floor(2 * sqrt(2^64 + n) - 2^33), which fits in 32 bits.
 *
 * 2 * sqrt(2^64 + n) - 2^33 = 2^33 * (sqrt(x) - 1) with x = 1 + n / 2^64,
 * and for x in [1, 2) the square root is in [1, sqrt 2): exponent 0, so its
 * 52 fraction bits F are (sqrt(x) - 1) * 2^52 and the answer is F >> 19.
 * The double x is built from its bits (exponent 0, n's top 52 bits as the
 * fraction: x truncated by under 2^-52, with no conversion), and the answer
 * is read from the root's bits: no multiply, subtract or conversion after
 * the square root, which is on the loop's critical path.
 *
 * In units of 2^-52, sqrt(x) lies under the exact root T by less than 1/2
 * (the truncation) and F is sqrt(x) rounded to nearest. So a multiple M of
 * 2^19 can fall between F and T only when F is M itself: from F <= M - 1,
 * sqrt(x) <= M - 1/2 and T < M; from F >= M + 1, sqrt(x) >= M + 1/2 and
 * T > M. F >> 19 is the answer unless F's low 19 bits are all zeros. Only
 * then (one input in 2^19, so the branch is as good as never taken) does
 * the exact test r^2 + 2^34 r <= 4n, the definition with 2^66 taken off
 * both sides, settle it; F >> 19 is one off at most. Above bit 31 the
 * shifted bits hold the exponent; the result is cut to 32 bits.
 */
static inline uint64_t pow_cn_v2_sqrt(uint64_t n)
{
    uint64_t bits = (UINT64_C(1023) << 52) | n >> 12;
#if defined(__SSE2__)
    __m128d x = _mm_castsi128_pd(_mm_cvtsi64_si128((long long)bits));
    bits = (uint64_t)_mm_cvtsi128_si64(_mm_castpd_si128(_mm_sqrt_sd(x, x)));
#else
    double x;
    memcpy(&x, &bits, sizeof(x));
    x = sqrt(x);
    memcpy(&bits, &x, sizeof(bits));
#endif
    uint64_t r = (uint32_t)(bits >> 19);
    if (__builtin_expect((bits & 0x7FFFF) != 0, 1))
        return r;
    r -= (uint64_t)pow_cn_v2_sqrt_above(r, n);
    r += (uint64_t)!pow_cn_v2_sqrt_above(r + 1, n);
    return r;
}

#endif
