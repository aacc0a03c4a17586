/*
 * For a divisor d of b bits (2^(b-1) <= d < 2^b), 2^(63+b) / d lies in
 * (2^63, 2^64]: the exponent 63 + b is the largest that fits, and it is
 * below 2^64 unless d is a power of two. One 128-by-64-bit division gives it;
 * this runs when a program is generated, never per hash.
 */
#include "pow/rx/reciprocal.h"

uint64_t pow_rx_reciprocal(uint64_t divisor)
{
    if (divisor == 0)
        return 0;
    unsigned bits = 64u - (unsigned)__builtin_clzll(divisor);
    unsigned __int128 numerator = (unsigned __int128)1 << (63u + bits);
    return (uint64_t)(numerator / divisor);
}
