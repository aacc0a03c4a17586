/*
 * CryptoNight variant 2's main loop in hand-written x86-64 assembly
 * (cn_v2_loop_x86_64.S), for the AES-NI kernels: the loop's inputs, laid
 * out as the assembly reads them.
 */
#ifndef MINEMETER_POW_CN_CN_V2_LOOP_H
#define MINEMETER_POW_CN_CN_V2_LOOP_H

#include <stdint.h>

#if defined(__x86_64__) && defined(__ELF__)
#define CN_V2_LOOP_X86_64 1
#endif

typedef struct {
    uint64_t a[2], b0[2], b1[2]; /* offsets 0, 16, 32 */
    uint64_t division_result;    /* 48 */
    uint64_t sqrt_result;        /* 56 */
    uint64_t mask;               /* 64 */
    uint64_t iterations;         /* 72 */
} cn_v2_loop_t;

/* The loop over pad (16-byte aligned), with the plain or the reversed shuffle. */
void pow__cn_v2_loop_x86_64(const cn_v2_loop_t *in, uint8_t *pad);
void pow__cn_v2_reverse_loop_x86_64(const cn_v2_loop_t *in, uint8_t *pad);

#endif
