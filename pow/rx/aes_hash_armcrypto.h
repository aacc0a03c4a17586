/*
 * One x86-style AES round (RandomX's AESENC/AESDEC) from ARMv8's AESE/AESMC
 * and AESD/AESIMC, for the files compiled with -march=armv8-a+crypto:
 * AESE XORs its key before SubBytes and ShiftRows, so the round gets a zero
 * key there and the real one after MixColumns.
 */
#ifndef MINEMETER_POW_RX_AES_HASH_ARMCRYPTO_H
#define MINEMETER_POW_RX_AES_HASH_ARMCRYPTO_H

#include <arm_neon.h>

/* x86 AESENC: ShiftRows, SubBytes, MixColumns, then XOR key. */
static inline uint8x16_t pow_rx__arm_aesenc(uint8x16_t x, uint8x16_t key)
{
    return veorq_u8(vaesmcq_u8(vaeseq_u8(x, vdupq_n_u8(0))), key);
}

/* x86 AESDEC: InvShiftRows, InvSubBytes, InvMixColumns, then XOR key. */
static inline uint8x16_t pow_rx__arm_aesdec(uint8x16_t x, uint8x16_t key)
{
    return veorq_u8(vaesimcq_u8(vaesdq_u8(x, vdupq_n_u8(0))), key);
}

#endif
