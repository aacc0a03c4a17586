/*
 * Inside CryptoNight: the variant table's layout and the kernels, which do
 * the memory-hard middle (scratchpad fill, main loop, scratchpad hash) on
 * the Keccak state. One kernel per algorithmic family, compiled once per
 * instruction-set path from cn_kernel.inc.h.
 */
#ifndef MINEMETER_POW_CN_CN_KERNEL_H
#define MINEMETER_POW_CN_CN_KERNEL_H

#include <stdint.h>

#include "pow/cn/cn.h"
#include "pow/cn/cn_r_jit.h"

typedef enum {
    CN_KERNEL_V0,         /* original CryptoNight */
    CN_KERNEL_V1,         /* Monero v7 tweaks */
    CN_KERNEL_V1_RTO,     /* v1, tweak also xors the low half (cn/rto) */
    CN_KERNEL_V2,         /* Monero v8: shuffle, integer division and square root */
    CN_KERNEL_V2_REVERSE, /* v2 with the reversed shuffle (cn/rwz, cn/upx2) */
    CN_KERNEL_R,          /* CryptonightR: v2 shuffle plus the random program */
    CN_KERNEL_HEAVY,      /* cn-heavy: v0 plus heavy mixing and a division */
    CN_KERNEL_CCX,        /* cn/ccx: v0 with a float tweak before the AES round */
    CN_KERNEL_HEAVY_XHV,  /* cn-heavy/xhv: heavy with an inverted index */
    CN_KERNEL_HEAVY_TUBE, /* cn-heavy/tube: heavy, v1's tweaks and its own AES round */
    CN_KERNEL_COUNT,
} cn_kernel_id_t;

struct pow_cn_algo {
    const char *name;
    uint32_t memory;     /* scratchpad bytes */
    uint32_t iterations; /* main-loop iterations (two half-steps each) */
    uint32_t mask;       /* scratchpad address mask, a multiple of 16 */
    uint8_t kernel;      /* cn_kernel_id_t */
};

/*
 * A kernel: runs on the 200-byte Keccak state (25 little-endian words)
 * and leaves the hashed scratchpad in state bytes 64..191. tweak is cn/1's
 * nonce tweak; program is cn/r's, NULL for the others, and jit its compiled
 * form when there is one (NULL: interpret).
 */
typedef void (*cn_kernel_fn)(uint64_t state[25], uint8_t *scratchpad, const pow_cn_algo_t *algo,
                             uint64_t tweak, const cn_r_program_t *program, const cn_r_jit_t *jit);

extern const cn_kernel_fn pow__cn_kernels_portable[CN_KERNEL_COUNT];
extern const cn_kernel_fn pow__cn_kernels_aesni[CN_KERNEL_COUNT];
extern const cn_kernel_fn pow__cn_kernels_armcrypto[CN_KERNEL_COUNT];

#endif
