/*
 * CryptoNight's main loops in hand-written x86-64 assembly
 * (cn_loop_x86_64.S), for the AES-NI kernels: variants 1 and 2, and the
 * template of cn/r's compiled loop (cn_r_jit.h). The loops' inputs, laid
 * out as the assembly reads them.
 */
#ifndef MINEMETER_POW_CN_CN_LOOP_H
#define MINEMETER_POW_CN_CN_LOOP_H

#include <stdint.h>

#if defined(__x86_64__) && defined(__ELF__)
#define CN_LOOP_X86_64 1
#endif

typedef struct {
    uint64_t a[2], b0[2], b1[2]; /* offsets 0, 16, 32 */
    uint64_t division_result;    /* 48 */
    uint64_t sqrt_result;        /* 56 */
    uint64_t mask;               /* 64 */
    uint64_t iterations;         /* 72 */
    uint64_t tweak;              /* 80: variant 1's */
} cn_loop_input_t;

/* The loop over pad (16-byte aligned), with the plain or the reversed shuffle. */
void pow__cn_v2_loop_x86_64(const cn_loop_input_t *in, uint8_t *pad);
void pow__cn_v2_reverse_loop_x86_64(const cn_loop_input_t *in, uint8_t *pad);
/* Variant 1's loop (b1 unused), and cn/rto's. */
void pow__cn_v1_loop_x86_64(const cn_loop_input_t *in, uint8_t *pad);
void pow__cn_v1_rto_loop_x86_64(const cn_loop_input_t *in, uint8_t *pad);

#endif
