/*
 * 128-bit blocks for the portable CryptoNight kernels: two 64-bit halves
 * and a table-driven AES round. Little-endian hosts only (x86-64, aarch64).
 */
#ifndef MINEMETER_POW_CN_CN_VEC_PORTABLE_H
#define MINEMETER_POW_CN_CN_VEC_PORTABLE_H

#include <stdint.h>
#include <string.h>

#include "pow/prim/aes.h"

/* AES from tables: cn_kernel.inc.h keeps explode and implode out of line (compile time). */
#define CN_VEC_TABLE_DRIVEN 1

typedef struct {
    uint64_t lo, hi;
} cn_vec_t;

static inline cn_vec_t cn_vec_load(const void *p)
{
    cn_vec_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static inline void cn_vec_store(void *p, cn_vec_t v)
{
    memcpy(p, &v, sizeof(v));
}

static inline cn_vec_t cn_vec_make(uint64_t lo, uint64_t hi)
{
    return (cn_vec_t){lo, hi};
}

static inline uint64_t cn_vec_lo(cn_vec_t v)
{
    return v.lo;
}

static inline uint64_t cn_vec_hi(cn_vec_t v)
{
    return v.hi;
}

static inline cn_vec_t cn_vec_xor(cn_vec_t a, cn_vec_t b)
{
    return (cn_vec_t){a.lo ^ b.lo, a.hi ^ b.hi};
}

/* Two independent 64-bit additions. */
static inline cn_vec_t cn_vec_add64(cn_vec_t a, cn_vec_t b)
{
    return (cn_vec_t){a.lo + b.lo, a.hi + b.hi};
}

static inline cn_vec_t cn_vec_aesenc(cn_vec_t v, cn_vec_t key)
{
    uint32_t s[4] = {(uint32_t)v.lo, (uint32_t)(v.lo >> 32), (uint32_t)v.hi,
                     (uint32_t)(v.hi >> 32)};
    const uint32_t k[4] = {(uint32_t)key.lo, (uint32_t)(key.lo >> 32), (uint32_t)key.hi,
                           (uint32_t)(key.hi >> 32)};
    pow_aes_soft_round(s, s, k);
    return (cn_vec_t){s[0] | (uint64_t)s[1] << 32, s[2] | (uint64_t)s[3] << 32};
}

#endif
