/* RandomX v2's F/E mixing with the ARMv8 crypto extensions (-march=armv8-a+crypto). */
#include <arm_neon.h>

#include "pow/rx/aes_hash_armcrypto.h"
#include "pow/rx/vm.h"

void pow_rx_fe_mix_armcrypto(rx_fpair_t f[4], const rx_fpair_t e[4])
{
    uint8x16_t f0 = vld1q_u8((const uint8_t *)&f[0]);
    uint8x16_t f1 = vld1q_u8((const uint8_t *)&f[1]);
    uint8x16_t f2 = vld1q_u8((const uint8_t *)&f[2]);
    uint8x16_t f3 = vld1q_u8((const uint8_t *)&f[3]);
    /* Four rounds with key e[k]: f0 and f2 encrypt, f1 and f3 decrypt. */
    for (int k = 0; k < 4; k++) {
        const uint8x16_t key = vld1q_u8((const uint8_t *)&e[k]);
        f0 = pow_rx__arm_aesenc(f0, key);
        f1 = pow_rx__arm_aesdec(f1, key);
        f2 = pow_rx__arm_aesenc(f2, key);
        f3 = pow_rx__arm_aesdec(f3, key);
    }
    vst1q_u8((uint8_t *)&f[0], f0);
    vst1q_u8((uint8_t *)&f[1], f1);
    vst1q_u8((uint8_t *)&f[2], f2);
    vst1q_u8((uint8_t *)&f[3], f3);
}
