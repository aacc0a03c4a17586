/*
 * 128-bit blocks for the ARMv8 crypto CryptoNight kernels: NEON registers
 * and AESE/AESMC. AESE applies the round key before SubBytes and ShiftRows,
 * x86's AESENC after MixColumns, so a zero key goes into AESE and the real
 * key is XOR-ed in at the end. Only for files compiled with
 * -march=armv8-a+crypto.
 */
#ifndef MINEMETER_POW_CN_CN_VEC_ARMCRYPTO_H
#define MINEMETER_POW_CN_CN_VEC_ARMCRYPTO_H

#include <arm_neon.h>
#include <stdint.h>

typedef uint8x16_t cn_vec_t;

static inline cn_vec_t cn_vec_load(const void *p)
{
    return vld1q_u8((const uint8_t *)p);
}

static inline void cn_vec_store(void *p, cn_vec_t v)
{
    vst1q_u8((uint8_t *)p, v);
}

static inline cn_vec_t cn_vec_make(uint64_t lo, uint64_t hi)
{
    return vreinterpretq_u8_u64(vcombine_u64(vcreate_u64(lo), vcreate_u64(hi)));
}

static inline uint64_t cn_vec_lo(cn_vec_t v)
{
    return vgetq_lane_u64(vreinterpretq_u64_u8(v), 0);
}

static inline uint64_t cn_vec_hi(cn_vec_t v)
{
    return vgetq_lane_u64(vreinterpretq_u64_u8(v), 1);
}

static inline cn_vec_t cn_vec_xor(cn_vec_t a, cn_vec_t b)
{
    return veorq_u8(a, b);
}

static inline cn_vec_t cn_vec_add64(cn_vec_t a, cn_vec_t b)
{
    return vreinterpretq_u8_u64(vaddq_u64(vreinterpretq_u64_u8(a), vreinterpretq_u64_u8(b)));
}

static inline cn_vec_t cn_vec_aesenc(cn_vec_t v, cn_vec_t key)
{
    return veorq_u8(vaesmcq_u8(vaeseq_u8(v, vdupq_n_u8(0))), key);
}

#endif
