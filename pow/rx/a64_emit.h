/*
 * A small AArch64 (A64) encoder for the RandomX JITs: a buffer of 32-bit
 * instruction words with a hard bound, and one function per instruction
 * form they use. Registers are numbered as the CPU numbers them: 0 x0 ...
 * 30 x30, and 31 is xzr or sp as the form says. Every integer operation
 * here is 64-bit (sf = 1).
 */
#ifndef MINEMETER_POW_RX_A64_EMIT_H
#define MINEMETER_POW_RX_A64_EMIT_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

enum { A64_XZR = 31, A64_SP = 31, A64_LR = 30 };

typedef struct {
    uint8_t *p;
    size_t used; /* bytes, a multiple of 4 */
    size_t capacity;
} a64_emitter_t;

/* Instructions are stored little-endian, whatever the host's byte order. */
static inline void a64_emit(a64_emitter_t *e, uint32_t word)
{
    assert(e->used + 4 <= e->capacity);
    for (int i = 0; i < 4; i++)
        e->p[e->used + (size_t)i] = (uint8_t)(word >> (8 * i));
    e->used += 4;
}

/* The three-register data-processing forms: op | m << 16 | n << 5 | d. */
static inline void a64_rrr(a64_emitter_t *e, uint32_t op, int d, int n, int m)
{
    a64_emit(e, op | (uint32_t)m << 16 | (uint32_t)n << 5 | (uint32_t)d);
}

#define A64_ADD   0x8B000000u /* add d, n, m (lsl #amount: a64_add_shifted) */
#define A64_SUB   0xCB000000u /* sub d, n, m */
#define A64_EOR   0xCA000000u /* eor d, n, m */
#define A64_ORR   0xAA000000u /* orr d, n, m */
#define A64_MUL   0x9B007C00u /* mul d, n, m (madd with xzr) */
#define A64_UMULH 0x9BC07C00u /* high 64 bits of unsigned n * m */
#define A64_SMULH 0x9B407C00u /* high 64 bits of signed n * m */
#define A64_SUBS  0xEB000000u /* subs d, n, m; with d = xzr: cmp n, m */

/* d = n + (m << shift), shift 0-63. */
static inline void a64_add_shifted(a64_emitter_t *e, int d, int n, int m, unsigned shift)
{
    assert(shift < 64);
    a64_emit(e, A64_ADD | (uint32_t)m << 16 | shift << 10 | (uint32_t)n << 5 | (uint32_t)d);
}

/* d = m (orr d, xzr, m); neither may be sp. */
static inline void a64_mov(a64_emitter_t *e, int d, int m)
{
    a64_rrr(e, A64_ORR, d, A64_XZR, m);
}

/* d = n rotated right by amount (extr d, n, n, #amount). */
static inline void a64_ror_imm(a64_emitter_t *e, int d, int n, unsigned amount)
{
    assert(amount < 64);
    a64_emit(e, 0x93C00000u | (uint32_t)n << 16 | amount << 10 | (uint32_t)n << 5 | (uint32_t)d);
}

/* d = n + imm12 and d = n - imm12 (imm12 < 4096); n and d may be sp. */
static inline void a64_add_imm(a64_emitter_t *e, int d, int n, uint32_t imm12)
{
    assert(imm12 < 4096);
    a64_emit(e, 0x91000000u | imm12 << 10 | (uint32_t)n << 5 | (uint32_t)d);
}

static inline void a64_sub_imm(a64_emitter_t *e, int d, int n, uint32_t imm12)
{
    assert(imm12 < 4096);
    a64_emit(e, 0xD1000000u | imm12 << 10 | (uint32_t)n << 5 | (uint32_t)d);
}

/*
 * d = imm, in as few instructions as its 16-bit chunks allow: movz over
 * the non-zero chunks, or movn over those not all ones when that is
 * shorter (a sign-extended negative 32-bit value is two instructions).
 */
static inline void a64_mov_imm(a64_emitter_t *e, int d, uint64_t imm)
{
    int zeros = 0, ones = 0;
    for (int k = 0; k < 4; k++) {
        uint16_t chunk = (uint16_t)(imm >> (16 * k));
        zeros += chunk == 0;
        ones += chunk == 0xFFFF;
    }
    int inverted = ones > zeros;
    uint16_t skip = inverted ? 0xFFFF : 0;
    int first = 1;
    for (uint32_t k = 0; k < 4; k++) {
        uint16_t chunk = (uint16_t)(imm >> (16 * k));
        if (chunk == skip)
            continue;
        if (first) {
            /* movn writes the complement of its shifted immediate; movz writes it. */
            uint32_t op = inverted ? 0x92800000u : 0xD2800000u;
            uint16_t field = inverted ? (uint16_t)~chunk : chunk;
            a64_emit(e, op | k << 21 | (uint32_t)field << 5 | (uint32_t)d);
            first = 0;
        } else {
            a64_emit(e, 0xF2800000u | k << 21 | (uint32_t)chunk << 5 | (uint32_t)d); /* movk */
        }
    }
    if (first) /* every chunk was the one skipped: 0 or all ones */
        a64_emit(e, (inverted ? 0x92800000u : 0xD2800000u) | (uint32_t)d);
}

/* d = (n & (2^width - 1)) << lsb (ubfiz), 1 <= width <= 64 - lsb. */
static inline void a64_ubfiz(a64_emitter_t *e, int d, int n, unsigned lsb, unsigned width)
{
    assert(width >= 1 && lsb < 64 && width <= 64 - lsb);
    unsigned immr = (64 - lsb) & 63, imms = width - 1;
    a64_emit(e, 0xD3400000u | immr << 16 | imms << 10 | (uint32_t)n << 5 | (uint32_t)d);
}

/* Loads and stores of 64-bit words at [n + offset], offset a multiple of 8 below 32768. */
static inline void a64_ldr(a64_emitter_t *e, int t, int n, uint32_t offset)
{
    assert(offset % 8 == 0 && offset / 8 < 4096);
    a64_emit(e, 0xF9400000u | (offset / 8) << 10 | (uint32_t)n << 5 | (uint32_t)t);
}

static inline void a64_str(a64_emitter_t *e, int t, int n, uint32_t offset)
{
    assert(offset % 8 == 0 && offset / 8 < 4096);
    a64_emit(e, 0xF9000000u | (offset / 8) << 10 | (uint32_t)n << 5 | (uint32_t)t);
}

/* Pairs at [n + offset], offset a multiple of 8 from -512 to 504. */
static inline uint32_t a64_pair_offset(int32_t offset)
{
    assert(offset % 8 == 0 && offset >= -512 && offset <= 504);
    return ((uint32_t)(offset / 8) & 0x7F) << 15;
}

static inline void a64_ldp(a64_emitter_t *e, int t1, int t2, int n, int32_t offset)
{
    a64_emit(e, 0xA9400000u | a64_pair_offset(offset) | (uint32_t)t2 << 10 | (uint32_t)n << 5 |
                    (uint32_t)t1);
}

static inline void a64_stp(a64_emitter_t *e, int t1, int t2, int n, int32_t offset)
{
    a64_emit(e, 0xA9000000u | a64_pair_offset(offset) | (uint32_t)t2 << 10 | (uint32_t)n << 5 |
                    (uint32_t)t1);
}

/* prfm pldl1keep, [n]: a hint to bring the line in for reading. */
static inline void a64_prefetch(a64_emitter_t *e, int n)
{
    a64_emit(e, 0xF9800000u | (uint32_t)n << 5);
}

/* b.ne to the instruction at byte offset target of the buffer (within 1 MiB). */
static inline void a64_b_ne(a64_emitter_t *e, size_t target)
{
    int64_t words = ((int64_t)target - (int64_t)e->used) / 4;
    assert(words >= -(1 << 18) && words < (1 << 18));
    a64_emit(e, 0x54000001u | ((uint32_t)words & 0x7FFFF) << 5);
}

static inline void a64_ret(a64_emitter_t *e)
{
    a64_emit(e, 0xD65F03C0u);
}

#endif
