/* RandomX v2's F/E mixing with AES-NI (compiled with -maes -msse4.1). */
#include <wmmintrin.h>

#include "pow/rx/vm.h"

void pow_rx_fe_mix_aesni(rx_fpair_t f[4], const rx_fpair_t e[4])
{
    __m128i f0 = _mm_loadu_si128((const __m128i *)&f[0]);
    __m128i f1 = _mm_loadu_si128((const __m128i *)&f[1]);
    __m128i f2 = _mm_loadu_si128((const __m128i *)&f[2]);
    __m128i f3 = _mm_loadu_si128((const __m128i *)&f[3]);
    for (int k = 0; k < 4; k++) {
        __m128i key = _mm_loadu_si128((const __m128i *)&e[k]);
        f0 = _mm_aesenc_si128(f0, key);
        f1 = _mm_aesdec_si128(f1, key);
        f2 = _mm_aesenc_si128(f2, key);
        f3 = _mm_aesdec_si128(f3, key);
    }
    _mm_storeu_si128((__m128i *)&f[0], f0);
    _mm_storeu_si128((__m128i *)&f[1], f1);
    _mm_storeu_si128((__m128i *)&f[2], f2);
    _mm_storeu_si128((__m128i *)&f[3], f3);
}
