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

/* d = n + imm12 in 32 bits (the upper half of d is zeroed). */
static inline void a64_add_w_imm(a64_emitter_t *e, int d, int n, uint32_t imm12)
{
    assert(imm12 < 4096);
    a64_emit(e, 0x11000000u | imm12 << 10 | (uint32_t)n << 5 | (uint32_t)d);
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

#define A64_AND   0x8A000000u /* and d, n, m */
#define A64_BIC   0x8A200000u /* d = n & ~m */
#define A64_RORV  0x9AC02C00u /* d = n rotated right by m mod 64 */
#define A64_ADD_W 0x0B000000u /* 32-bit forms: the upper half of d is zeroed */
#define A64_EOR_W 0x4A000000u

/* The shift types of the shifted-register forms. */
enum { A64_LSL = 0, A64_LSR = 1, A64_ASR = 2, A64_ROR = 3 };

/* op d, n, m shifted by amount (type A64_LSL ...; ROR only for the logical ops). */
static inline void a64_rrr_shifted(a64_emitter_t *e, uint32_t op, int d, int n, int m,
                                   unsigned type, unsigned amount)
{
    assert(type < 4 && amount < 64);
    a64_emit(e,
             op | type << 22 | (uint32_t)m << 16 | amount << 10 | (uint32_t)n << 5 | (uint32_t)d);
}

/*
 * The bitmask-immediate field (N:immr:imms) of a run of ones: length ones
 * from bit lowest, rotated within a 64-bit element (wide) or a 32-bit one.
 */
static inline uint32_t a64_bitmask_field(int wide, unsigned lowest, unsigned length)
{
    unsigned size = wide ? 64 : 32;
    assert(length >= 1 && length < size && lowest < size);
    uint32_t n = wide ? 1u : 0u, immr = (size - lowest) % size, imms = length - 1;
    return n << 22 | immr << 16 | imms << 10;
}

/* and d, n, #(run of ones) in 32 bits (the upper half of d is zeroed). */
static inline void a64_and_w_imm(a64_emitter_t *e, int d, int n, unsigned lowest, unsigned length)
{
    a64_emit(e,
             0x12000000u | a64_bitmask_field(0, lowest, length) | (uint32_t)n << 5 | (uint32_t)d);
}

/* tst n, #(run of ones) in 64 bits: the flags of n & the run (ands xzr). */
static inline void a64_tst_imm(a64_emitter_t *e, int n, unsigned lowest, unsigned length)
{
    a64_emit(e, 0xF2000000u | a64_bitmask_field(1, lowest, length) | (uint32_t)n << 5 | A64_XZR);
}

/* d = n >> shift (logical), 64-bit and 32-bit. */
static inline void a64_lsr_imm(a64_emitter_t *e, int d, int n, unsigned shift)
{
    assert(shift < 64);
    a64_emit(e, 0xD3400000u | shift << 16 | 63u << 10 | (uint32_t)n << 5 | (uint32_t)d);
}

static inline void a64_lsr_w_imm(a64_emitter_t *e, int d, int n, unsigned shift)
{
    assert(shift < 32);
    a64_emit(e, 0x53000000u | shift << 16 | 31u << 10 | (uint32_t)n << 5 | (uint32_t)d);
}

/* d = the bits of n in reverse order, 32-bit. */
static inline void a64_rbit_w(a64_emitter_t *e, int d, int n)
{
    a64_emit(e, 0x5AC00000u | (uint32_t)n << 5 | (uint32_t)d);
}

/* d = the 32-bit imm (movz and movk; the upper half of d is zeroed). */
static inline void a64_mov_imm32(a64_emitter_t *e, int d, uint32_t imm)
{
    a64_emit(e, 0x52800000u | (imm & 0xFFFF) << 5 | (uint32_t)d);
    if (imm >> 16 != 0)
        a64_emit(e, 0x72A00000u | (imm >> 16) << 5 | (uint32_t)d);
}

/* subs d, n, #imm12 (64-bit). */
static inline void a64_subs_imm(a64_emitter_t *e, int d, int n, uint32_t imm12)
{
    assert(imm12 < 4096);
    a64_emit(e, 0xF1000000u | imm12 << 10 | (uint32_t)n << 5 | (uint32_t)d);
}

/* 32-bit loads and stores at [n + offset], offset a multiple of 4 below 16384. */
static inline void a64_ldr_w(a64_emitter_t *e, int t, int n, uint32_t offset)
{
    assert(offset % 4 == 0 && offset / 4 < 4096);
    a64_emit(e, 0xB9400000u | (offset / 4) << 10 | (uint32_t)n << 5 | (uint32_t)t);
}

static inline void a64_str_w(a64_emitter_t *e, int t, int n, uint32_t offset)
{
    assert(offset % 4 == 0 && offset / 4 < 4096);
    a64_emit(e, 0xB9000000u | (offset / 4) << 10 | (uint32_t)n << 5 | (uint32_t)t);
}

/* 64-bit loads and stores at [n + m], and a prefetch there. */
static inline void a64_ldr_indexed(a64_emitter_t *e, int t, int n, int m)
{
    a64_emit(e, 0xF8606800u | (uint32_t)m << 16 | (uint32_t)n << 5 | (uint32_t)t);
}

static inline void a64_str_indexed(a64_emitter_t *e, int t, int n, int m)
{
    a64_emit(e, 0xF8206800u | (uint32_t)m << 16 | (uint32_t)n << 5 | (uint32_t)t);
}

static inline void a64_prefetch_indexed(a64_emitter_t *e, int n, int m)
{
    a64_emit(e, 0xF8A06800u | (uint32_t)m << 16 | (uint32_t)n << 5); /* prfm pldl1keep */
}

/* The low 64 bits of vector register t = [n + m] (ldr d), the upper half zeroed. */
static inline void a64_ldr_d_indexed(a64_emitter_t *e, int t, int n, int m)
{
    a64_emit(e, 0xFC606800u | (uint32_t)m << 16 | (uint32_t)n << 5 | (uint32_t)t);
}

/* 128-bit loads and stores of vector registers at [n + offset], offset a multiple of 16. */
static inline void a64_ldr_q(a64_emitter_t *e, int t, int n, uint32_t offset)
{
    assert(offset % 16 == 0 && offset / 16 < 4096);
    a64_emit(e, 0x3DC00000u | (offset / 16) << 10 | (uint32_t)n << 5 | (uint32_t)t);
}

static inline void a64_str_q(a64_emitter_t *e, int t, int n, uint32_t offset)
{
    assert(offset % 16 == 0 && offset / 16 < 4096);
    a64_emit(e, 0x3D800000u | (offset / 16) << 10 | (uint32_t)n << 5 | (uint32_t)t);
}

/* Pairs of vector registers at [n + offset], offset a multiple of 16 from -1024 to 1008. */
static inline void a64_stp_q(a64_emitter_t *e, int t1, int t2, int n, int32_t offset)
{
    assert(offset % 16 == 0 && offset >= -1024 && offset <= 1008);
    a64_emit(e, 0xAD000000u | ((uint32_t)(offset / 16) & 0x7F) << 15 | (uint32_t)t2 << 10 |
                    (uint32_t)n << 5 | (uint32_t)t1);
}

static inline void a64_ldp_q(a64_emitter_t *e, int t1, int t2, int n, int32_t offset)
{
    assert(offset % 16 == 0 && offset >= -1024 && offset <= 1008);
    a64_emit(e, 0xAD400000u | ((uint32_t)(offset / 16) & 0x7F) << 15 | (uint32_t)t2 << 10 |
                    (uint32_t)n << 5 | (uint32_t)t1);
}

/* The FPCR (rounding mode in bits 22-23) to and from a general register. */
static inline void a64_mrs_fpcr(a64_emitter_t *e, int t)
{
    a64_emit(e, 0xD53B4400u | (uint32_t)t);
}

static inline void a64_msr_fpcr(a64_emitter_t *e, int t)
{
    a64_emit(e, 0xD51B4400u | (uint32_t)t);
}

/* blr n: calls the function at n. */
static inline void a64_blr(a64_emitter_t *e, int n)
{
    a64_emit(e, 0xD63F0000u | (uint32_t)n << 5);
}

static inline void a64_nop(a64_emitter_t *e)
{
    a64_emit(e, 0xD503201Fu);
}

/* Conditions of b.cond. */
enum { A64_EQ = 0, A64_NE = 1 };

/* b.cond to byte offset target of the buffer (within 1 MiB either way). */
static inline void a64_b_cond(a64_emitter_t *e, unsigned cond, size_t target)
{
    int64_t words = ((int64_t)target - (int64_t)e->used) / 4;
    assert(words >= -(1 << 18) && words < (1 << 18));
    a64_emit(e, 0x54000000u | ((uint32_t)words & 0x7FFFF) << 5 | cond);
}

/* Points the b.cond at byte offset at of the buffer to target (a forward branch, once known). */
static inline void a64_patch_b_cond(a64_emitter_t *e, size_t at, size_t target)
{
    int64_t words = ((int64_t)target - (int64_t)at) / 4;
    assert(words >= -(1 << 18) && words < (1 << 18));
    uint32_t word = 0;
    for (int i = 0; i < 4; i++)
        word |= (uint32_t)e->p[at + (size_t)i] << (8 * i);
    word = (word & ~(0x7FFFFu << 5)) | ((uint32_t)words & 0x7FFFF) << 5;
    for (int i = 0; i < 4; i++)
        e->p[at + (size_t)i] = (uint8_t)(word >> (8 * i));
}

/* Vector forms on two 64-bit lanes (.2d) or 16 bytes (.16b): op | m << 16 | n << 5 | d. */
#define A64_FADD_2D  0x4E60D400u
#define A64_FSUB_2D  0x4EE0D400u
#define A64_FMUL_2D  0x6E60DC00u
#define A64_FDIV_2D  0x6E60FC00u
#define A64_VEOR     0x6E201C00u
#define A64_VAND     0x4E201C00u
#define A64_VORR     0x4EA01C00u
#define A64_FSQRT_2D 0x6EE1F800u /* one operand: op | n << 5 | d */
#define A64_SCVTF_2D 0x4E61D800u /* int64 lanes to doubles */
#define A64_SXTL     0x0F20A400u /* the low two int32 lanes of n, sign-extended to .2d */
#define A64_SXTL2    0x4F20A400u /* the high two */
#define A64_AESE     0x4E284800u /* d = SubBytes(ShiftRows(d ^ n)) */
#define A64_AESD     0x4E285800u /* d = InvSubBytes(InvShiftRows(d ^ n)) */
#define A64_AESMC    0x4E286800u /* d = MixColumns(n) */
#define A64_AESIMC   0x4E287800u /* d = InvMixColumns(n) */

static inline void a64_vec2(a64_emitter_t *e, uint32_t op, int d, int n)
{
    a64_emit(e, op | (uint32_t)n << 5 | (uint32_t)d);
}

/* d = the two 64-bit halves of n swapped (ext d, n, n, #8). */
static inline void a64_swap_halves(a64_emitter_t *e, int d, int n)
{
    a64_emit(e, 0x6E004000u | (uint32_t)n << 16 | (uint32_t)n << 5 | (uint32_t)d);
}

/* Both 64-bit lanes of d = general register n (dup d.2d, n). */
static inline void a64_dup_2d(a64_emitter_t *e, int d, int n)
{
    a64_emit(e, 0x4E080C00u | (uint32_t)n << 5 | (uint32_t)d);
}

/* d = 0 in all 128 bits (movi d.2d, #0). */
static inline void a64_vzero(a64_emitter_t *e, int d)
{
    a64_emit(e, 0x6F00E400u | (uint32_t)d);
}

#endif
