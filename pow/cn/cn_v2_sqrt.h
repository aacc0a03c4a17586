/*
 * CryptoNight variant 2's square root step.
 */
#ifndef MINEMETER_POW_CN_CN_V2_SQRT_H
#define MINEMETER_POW_CN_CN_V2_SQRT_H

#include <math.h>
#include <stdint.h>

/*
 * floor(2 * sqrt(2^64 + n) - 2^33), which fits in 32 bits. A double gets
 * within one of it; the exact test (r + 2^33)^2 <= 4 (2^64 + n) <
 * (r + 1 + 2^33)^2, with 2^66 taken off both sides and done in 128 bits,
 * settles the last step whatever the rounding.
 */
static inline uint64_t pow_cn_v2_sqrt(uint64_t n)
{
    double estimate = sqrt((double)n + 18446744073709551616.0) * 2.0 - 8589934592.0;
    uint64_t r = estimate > 0 ? (uint64_t)estimate : 0;
    unsigned __int128 n4 = (unsigned __int128)n << 2;
    while (r > 0 && (unsigned __int128)r * r + ((unsigned __int128)r << 34) > n4)
        r--;
    for (;;) {
        unsigned __int128 up = (unsigned __int128)r + 1;
        if (up * up + (up << 34) > n4)
            break;
        r++;
    }
    return r;
}

#endif
