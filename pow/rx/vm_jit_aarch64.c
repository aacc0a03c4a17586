/*
 * The RandomX VM JIT for AArch64 (AAPCS64: the rx_vm_t pointer arrives in
 * x0). The same function as on x86-64 (vm_jit_x86_64.c): one program and
 * the whole loop around it.
 *
 * Register conventions of the generated function:
 *   r0-r7   in x19-x26, x27 the scratchpad, x28 ma (low half) and mx (high
 *           half): callee-saved, so they survive dataset_read
 *   x9      the VM, x10 the iterations left, x11 and x12 this iteration's
 *           spAddr0 and spAddr1 as addresses, x13 the dataset (fast mode),
 *           x14 the caller's FPCR with the rounding field cleared: saved
 *           around dataset_read in light mode
 *   x15     at the top of the loop, the scratchpad mix of the iteration
 *   x16, x17, x1-x3  scratch
 *   f0-f3   in v16-v19, e0-e3 in v20-v23, a0-a3 in v24-v27
 *   v28     scratch for memory operands
 *   v29     the E-register AND mask (2^56 - 1 in both halves)
 *   v30     the E-register OR mask (vm->emask)
 *   v31     the FSCAL_R XOR mask
 *   v0      zero, the key of the first AES round of v2's F/E mix
 * No vector register a call preserves (v8-v15) is used. The stack frame
 * holds the callee-saved registers and, in light mode, the dataset item and
 * the registers the call to vm->dataset_read may clobber.
 *
 * RandomX's rounding modes (0 nearest, 1 down, 2 up, 3 toward zero) and
 * FPCR's RMode (0 nearest, 1 up, 2 down, 3 toward zero) differ by the order
 * of their two bits: reversing a value's bits and shifting puts them in
 * each other's place.
 */
#include "config.h"
#include "pow/rx/vm_jit.h"

#include <stddef.h>

#include "arch/cpu.h"

#if defined(__aarch64__)

#include "pow/rx/a64_emit.h"
#include "pow/rx/reciprocal.h"

/*
 * Code size bounds, in bytes. The longest instruction is FDIV_M (ten
 * instructions: the address, the load and conversion, the E masks, the
 * divide); the emitter asserts every instruction against the bound. The
 * loop around the program, the light mode call with its spills, the
 * prologue and the epilogue take well under MAX_FRAME_BYTES; that is
 * asserted too.
 */
#define MAX_INSTRUCTION_BYTES 48
#define MAX_FRAME_BYTES       2048
#define MAX_CODE_BYTES        (RX_PROGRAM_MAX_SIZE * MAX_INSTRUCTION_BYTES + MAX_FRAME_BYTES)

_Static_assert(MAX_CODE_BYTES <= POW_RX_VM_JIT_BUFFER_SIZE, "the longest code fits the buffer");

#define REG_R(i)    (19 + (int)(i))
#define REG_SP      27
#define REG_MA_MX   28
#define REG_VM      9
#define REG_COUNTER 10
#define REG_SPADDR0 11
#define REG_SPADDR1 12
#define REG_DATASET 13
#define REG_FPCR    14
#define REG_MIX     15
#define REG_TMP     16
#define REG_TMP2    17
#define V_F(i)      (16 + (int)(i))
#define V_E(i)      (20 + (int)(i))
#define V_A(i)      (24 + (int)(i))
#define V_TMP       28
#define V_E_AND     29
#define V_E_OR      30
#define V_FSCAL     31
#define V_ZERO      0

/* The stack frame, from sp (a multiple of 16, as sp must stay). */
#define FRAME_SAVED  0   /* x19-x30 */
#define FRAME_ITEM   96  /* light mode: the dataset item, 64 bytes */
#define FRAME_GPR    160 /* light mode: x9-x14 */
#define FRAME_VECTOR 208 /* light mode: v16-v31 */
#define FRAME_BYTES  464

_Static_assert(FRAME_GPR + 6 * 8 <= FRAME_VECTOR && FRAME_VECTOR % 16 == 0, "the spills fit");
_Static_assert(FRAME_VECTOR + 16 * 16 == FRAME_BYTES && FRAME_BYTES % 16 == 0, "the frame");

#define FPCR_RMODE_SHIFT      22
#define DYNAMIC_MANTISSA_MASK ((1ull << 56) - 1)
#define FSCAL_MASK            0x80F0000000000000ull
#define DISPLACEMENT_REGISTER 5 /* IADD_RS adds its immediate only for r5 */

#define VM_FIELD(field) ((uint32_t)offsetof(rx_vm_t, field))

/* What one program compiles against: the masks of its variant, as bit runs. */
typedef struct {
    unsigned l1_bits, l2_bits, l3_bits; /* the scratchpad levels' sizes, log2 */
    int v2;
} jit_masks_t;

static uint32_t imm32_of(const uint8_t *b)
{
    return (uint32_t)b[4] | (uint32_t)b[5] << 8 | (uint32_t)b[6] << 16 | (uint32_t)b[7] << 24;
}

static unsigned log2_of(uint32_t power_of_two)
{
    return (unsigned)__builtin_ctz(power_of_two);
}

/* x16 = (r[src] + imm) & (2^bits - 8): a scratchpad offset of an 8-byte word. */
static void emit_address(a64_emitter_t *e, unsigned src, uint32_t imm, unsigned bits)
{
    if (imm < 4096) {
        a64_add_w_imm(e, REG_TMP, REG_R(src), imm);
    } else {
        a64_mov_imm32(e, REG_TMP, imm);
        a64_rrr(e, A64_ADD_W, REG_TMP, REG_R(src), REG_TMP);
    }
    a64_and_w_imm(e, REG_TMP, REG_TMP, 3, bits - 3);
}

/*
 * x17 = the word an integer _M instruction reads: at r[src] + imm in L1 or
 * L2, or with src == dst at the immediate alone in L3.
 */
static void emit_integer_operand(a64_emitter_t *e, const jit_masks_t *m, const uint8_t *b)
{
    unsigned dst = b[1] % 8, src = b[2] % 8;
    uint32_t imm = imm32_of(b);
    if (src == dst) {
        uint32_t offset = imm & ((1u << m->l3_bits) - 8);
        if (offset / 8 < 4096) {
            a64_ldr(e, REG_TMP2, REG_SP, offset);
            return;
        }
        a64_mov_imm32(e, REG_TMP, offset);
    } else {
        emit_address(e, src, imm, (b[3] & 3) ? m->l1_bits : m->l2_bits);
    }
    a64_ldr_indexed(e, REG_TMP2, REG_SP, REG_TMP);
}

/* An integer _M instruction: dst op= its memory word. */
static void emit_integer_m(a64_emitter_t *e, const jit_masks_t *m, const uint8_t *b, uint32_t op)
{
    int rd = REG_R(b[1] % 8);
    emit_integer_operand(e, m, b);
    a64_rrr(e, op, rd, rd, REG_TMP2);
}

/* dst op= the sign-extended imm32; an add or subtract of an imm12 takes one instruction. */
static void emit_with_constant(a64_emitter_t *e, uint32_t op, int dst, uint32_t imm32)
{
    int64_t value = (int32_t)imm32;
    if (op == A64_SUB) {
        op = A64_ADD;
        value = -value; /* within 64 bits even for -2^31 */
    }
    if (op == A64_ADD && value >= 0 && value < 4096) {
        a64_add_imm(e, dst, dst, (uint32_t)value);
    } else if (op == A64_ADD && value < 0 && value > -4096) {
        a64_sub_imm(e, dst, dst, (uint32_t)-value);
    } else {
        a64_mov_imm(e, REG_TMP, (uint64_t)value);
        a64_rrr(e, op, dst, dst, REG_TMP);
    }
}

/* A binary integer instruction: op rd, rs, or with src == dst op rd, the sign-extended imm32. */
static void emit_integer_r(a64_emitter_t *e, const uint8_t *b, uint32_t op)
{
    unsigned dst = b[1] % 8, src = b[2] % 8;
    if (src != dst)
        a64_rrr(e, op, REG_R(dst), REG_R(dst), REG_R(src));
    else
        emit_with_constant(e, op, REG_R(dst), imm32_of(b));
}

/* FPCR = its base with the rounding mode of the RandomX mode in w16's low two bits. */
static void emit_set_rounding_from_tmp(a64_emitter_t *e)
{
    a64_and_w_imm(e, REG_TMP, REG_TMP, 0, 2);
    a64_rbit_w(e, REG_TMP, REG_TMP); /* bit 0 to bit 31, bit 1 to bit 30 */
    a64_lsr_w_imm(e, REG_TMP, REG_TMP, 31 - (FPCR_RMODE_SHIFT + 1));
    a64_rrr(e, A64_ORR, REG_TMP, REG_FPCR, REG_TMP);
    a64_msr_fpcr(e, REG_TMP);
}

static void emit_cfround(a64_emitter_t *e, const jit_masks_t *m, unsigned src, uint32_t imm)
{
    if ((imm & 63) != 0)
        a64_ror_imm(e, REG_TMP, REG_R(src), imm & 63);
    else
        a64_mov(e, REG_TMP, REG_R(src));
    size_t skip = 0;
    if (m->v2) {
        /* v2 changes the mode only when bits 2-5 of the rotated value are clear. */
        a64_tst_imm(e, REG_TMP, 2, 4);
        skip = e->used;
        a64_b_cond(e, A64_NE, e->used);
    }
    emit_set_rounding_from_tmp(e);
    if (m->v2)
        a64_patch_b_cond(e, skip, e->used);
}

/* v28 = the two int32 at [scratchpad + x16] as doubles. */
static void emit_load_pair(a64_emitter_t *e)
{
    a64_ldr_d_indexed(e, V_TMP, REG_SP, REG_TMP);
    a64_vec2(e, A64_SXTL, V_TMP, V_TMP);
    a64_vec2(e, A64_SCVTF_2D, V_TMP, V_TMP);
}

/* One VM instruction; branch_target is the buffer offset a taken CBRANCH continues at. */
static void emit_instruction(a64_emitter_t *e, const jit_masks_t *m, const uint8_t *b,
                             rx_instruction_kind_t kind, size_t branch_target)
{
    unsigned dst = b[1] % 8, src = b[2] % 8, mod = b[3];
    uint32_t imm = imm32_of(b);
    unsigned mem_bits = (mod & 3) ? m->l1_bits : m->l2_bits;
    int rd = REG_R(dst), rs = REG_R(src);

    switch (kind) {
    case RX_IADD_RS:
        a64_add_shifted(e, rd, rd, rs, (mod >> 2) & 3);
        if (dst == DISPLACEMENT_REGISTER)
            emit_with_constant(e, A64_ADD, rd, imm);
        return;
    case RX_IADD_M:
        emit_integer_m(e, m, b, A64_ADD);
        return;
    case RX_ISUB_M:
        emit_integer_m(e, m, b, A64_SUB);
        return;
    case RX_IMUL_M:
        emit_integer_m(e, m, b, A64_MUL);
        return;
    case RX_IXOR_M:
        emit_integer_m(e, m, b, A64_EOR);
        return;
    case RX_IMULH_M:
        emit_integer_m(e, m, b, A64_UMULH);
        return;
    case RX_ISMULH_M:
        emit_integer_m(e, m, b, A64_SMULH);
        return;
    case RX_IMULH_R:
        a64_rrr(e, A64_UMULH, rd, rd, rs);
        return;
    case RX_ISMULH_R:
        a64_rrr(e, A64_SMULH, rd, rd, rs);
        return;
    case RX_ISUB_R:
        emit_integer_r(e, b, A64_SUB);
        return;
    case RX_IXOR_R:
        emit_integer_r(e, b, A64_EOR);
        return;
    case RX_IMUL_R:
        emit_integer_r(e, b, A64_MUL);
        return;
    case RX_IMUL_RCP:
        /* Zero and powers of two have no useful reciprocal: the instruction is a NOP. */
        if (imm == 0 || (imm & (imm - 1)) == 0)
            return;
        a64_mov_imm(e, REG_TMP, pow_rx_reciprocal(imm));
        a64_rrr(e, A64_MUL, rd, rd, REG_TMP);
        return;
    case RX_INEG_R:
        a64_rrr(e, A64_SUB, rd, A64_XZR, rd);
        return;
    case RX_IROR_R:
        if (src != dst)
            a64_rrr(e, A64_RORV, rd, rd, rs); /* the count is taken mod 64, as the instruction */
        else if ((imm & 63) != 0)
            a64_ror_imm(e, rd, rd, imm & 63);
        return;
    case RX_IROL_R:
        /* A left rotation by n is a right rotation by 64 - n (mod 64). */
        if (src != dst) {
            a64_rrr(e, A64_SUB, REG_TMP, A64_XZR, rs);
            a64_rrr(e, A64_RORV, rd, rd, REG_TMP);
        } else if ((imm & 63) != 0) {
            a64_ror_imm(e, rd, rd, 64 - (imm & 63));
        }
        return;
    case RX_ISWAP_R:
        if (src != dst) {
            a64_mov(e, REG_TMP, rd);
            a64_mov(e, rd, rs);
            a64_mov(e, rs, REG_TMP);
        }
        return;
    case RX_FSWAP_R: {
        int v = dst < 4 ? V_F(dst) : V_E(dst - 4);
        a64_swap_halves(e, v, v);
        return;
    }
    case RX_FADD_R:
        a64_rrr(e, A64_FADD_2D, V_F(dst % 4), V_F(dst % 4), V_A(src % 4));
        return;
    case RX_FSUB_R:
        a64_rrr(e, A64_FSUB_2D, V_F(dst % 4), V_F(dst % 4), V_A(src % 4));
        return;
    case RX_FMUL_R:
        a64_rrr(e, A64_FMUL_2D, V_E(dst % 4), V_E(dst % 4), V_A(src % 4));
        return;
    case RX_FADD_M:
    case RX_FSUB_M:
        /* The F forms read at register + immediate even when src == dst. */
        emit_address(e, src, imm, mem_bits);
        emit_load_pair(e);
        a64_rrr(e, kind == RX_FADD_M ? A64_FADD_2D : A64_FSUB_2D, V_F(dst % 4), V_F(dst % 4),
                V_TMP);
        return;
    case RX_FSCAL_R:
        a64_rrr(e, A64_VEOR, V_F(dst % 4), V_F(dst % 4), V_FSCAL);
        return;
    case RX_FDIV_M:
        emit_address(e, src, imm, mem_bits);
        emit_load_pair(e);
        a64_rrr(e, A64_VAND, V_TMP, V_TMP, V_E_AND);
        a64_rrr(e, A64_VORR, V_TMP, V_TMP, V_E_OR);
        a64_rrr(e, A64_FDIV_2D, V_E(dst % 4), V_E(dst % 4), V_TMP);
        return;
    case RX_FSQRT_R:
        a64_vec2(e, A64_FSQRT_2D, V_E(dst % 4), V_E(dst % 4));
        return;
    case RX_CBRANCH: {
        unsigned shift = (mod >> 4) + RX_JUMP_OFFSET;
        uint32_t cimm = (imm | 1u << shift) & ~(1u << (shift - 1));
        /* Bits 8-23 change, bit 31 does not: cimm sign-extends as the spec's 64-bit constant. */
        emit_with_constant(e, A64_ADD, rd, cimm);
        a64_tst_imm(e, rd, shift, RX_JUMP_BITS);
        a64_b_cond(e, A64_EQ, branch_target);
        return;
    }
    case RX_CFROUND:
        emit_cfround(e, m, src, imm);
        return;
    case RX_ISTORE:
        emit_address(e, dst, imm, (mod >> 4) >= RX_STORE_L3_CONDITION ? m->l3_bits : mem_bits);
        a64_str_indexed(e, rs, REG_SP, REG_TMP);
        return;
    default:
        return;
    }
}

/* x15 = r[a] ^ r[b]: the mix of the scratchpad addresses (spec 4.6.2 step 1). */
static void emit_mix(a64_emitter_t *e, const rx_vm_t *vm)
{
    a64_rrr(e, A64_EOR, REG_MIX, REG_R(vm->read_reg[0]), REG_R(vm->read_reg[1]));
}

/* A 128-bit register to or from the VM at offset, aligned or not. */
static void emit_vm_q(a64_emitter_t *e, int store, int v, uint32_t offset)
{
    int base = REG_VM;
    if (offset % 16 != 0) {
        a64_add_imm(e, REG_TMP, REG_VM, offset);
        base = REG_TMP;
        offset = 0;
    }
    if (store)
        a64_str_q(e, v, base, offset);
    else
        a64_ldr_q(e, v, base, offset);
}

/* The callee-saved x19-x30 in pairs, to or from the frame. */
static void emit_saved_registers(a64_emitter_t *e, int store)
{
    for (int k = 0; k < 12; k += 2) {
        if (store)
            a64_stp(e, 19 + k, 20 + k, A64_SP, FRAME_SAVED + 8 * k);
        else
            a64_ldp(e, 19 + k, 20 + k, A64_SP, FRAME_SAVED + 8 * k);
    }
}

static void emit_prologue(a64_emitter_t *e, const rx_vm_t *vm, uint32_t iterations)
{
    a64_sub_imm(e, A64_SP, A64_SP, FRAME_BYTES);
    emit_saved_registers(e, 1);
    a64_mov(e, REG_VM, 0);

    a64_ldr(e, REG_SP, REG_VM, VM_FIELD(scratchpad));
    for (int i = 0; i < 8; i += 2)
        a64_ldp(e, REG_R(i), REG_R(i + 1), REG_VM, (int32_t)VM_FIELD(reg.r[i]));
    for (int i = 0; i < 4; i++) {
        emit_vm_q(e, 0, V_F(i), VM_FIELD(reg.f[i]));
        emit_vm_q(e, 0, V_E(i), VM_FIELD(reg.e[i]));
        emit_vm_q(e, 0, V_A(i), VM_FIELD(reg.a[i]));
    }
    a64_mov_imm(e, REG_TMP, DYNAMIC_MANTISSA_MASK);
    a64_dup_2d(e, V_E_AND, REG_TMP);
    emit_vm_q(e, 0, V_E_OR, VM_FIELD(emask));
    a64_mov_imm(e, REG_TMP, FSCAL_MASK);
    a64_dup_2d(e, V_FSCAL, REG_TMP);
    if (vm->dataset != NULL)
        a64_mov_imm(e, REG_DATASET, (uint64_t)(uintptr_t)(vm->dataset + vm->dataset_offset));

    /* Keep the caller's FPCR but its rounding field, which comes from fprc. */
    a64_mrs_fpcr(e, REG_FPCR);
    a64_mov_imm(e, REG_TMP, 3ull << FPCR_RMODE_SHIFT);
    a64_rrr(e, A64_BIC, REG_FPCR, REG_FPCR, REG_TMP);
    a64_ldr_w(e, REG_TMP, REG_VM, VM_FIELD(fprc));
    emit_set_rounding_from_tmp(e);

    /* x28 = mx << 32 | ma */
    a64_ldr_w(e, REG_MA_MX, REG_VM, VM_FIELD(ma));
    a64_ldr_w(e, REG_TMP, REG_VM, VM_FIELD(mx));
    a64_rrr_shifted(e, A64_ORR, REG_MA_MX, REG_MA_MX, REG_TMP, A64_LSL, 32);
    a64_mov_imm(e, REG_COUNTER, iterations);
    /* The first iteration starts from spAddr0 = mx, spAddr1 = ma; later ones from zero. */
    emit_mix(e, vm);
    a64_rrr_shifted(e, A64_EOR, REG_MIX, REG_MIX, REG_MA_MX, A64_ROR, 32);
}

static void emit_epilogue(a64_emitter_t *e)
{
    for (int i = 0; i < 8; i += 2)
        a64_stp(e, REG_R(i), REG_R(i + 1), REG_VM, (int32_t)VM_FIELD(reg.r[i]));
    for (int i = 0; i < 4; i++) {
        emit_vm_q(e, 1, V_F(i), VM_FIELD(reg.f[i]));
        emit_vm_q(e, 1, V_E(i), VM_FIELD(reg.e[i]));
    }
    /* fprc = the FPCR rounding field, which stays as the program left it, bits swapped back. */
    a64_mrs_fpcr(e, REG_TMP);
    a64_rbit_w(e, REG_TMP, REG_TMP); /* bits 22, 23 to 9, 8 */
    a64_lsr_w_imm(e, REG_TMP, REG_TMP, 31 - (FPCR_RMODE_SHIFT + 1));
    a64_and_w_imm(e, REG_TMP, REG_TMP, 0, 2);
    a64_str_w(e, REG_TMP, REG_VM, VM_FIELD(fprc));
    /* ma = the low half of x28, mx the high half */
    a64_str_w(e, REG_MA_MX, REG_VM, VM_FIELD(ma));
    a64_lsr_imm(e, REG_TMP, REG_MA_MX, 32);
    a64_str_w(e, REG_TMP, REG_VM, VM_FIELD(mx));

    emit_saved_registers(e, 0);
    a64_add_imm(e, A64_SP, A64_SP, FRAME_BYTES);
    a64_ret(e);
}

/* Four int32 pairs at [base + offset] as doubles into v first ... first + 3. */
static void emit_load_four_pairs(a64_emitter_t *e, int first, int base, uint32_t offset)
{
    for (int k = 0; k < 4; k += 2) {
        a64_ldr_q(e, V_TMP, base, offset + 8 * (uint32_t)k);
        a64_vec2(e, A64_SXTL, first + k, V_TMP);
        a64_vec2(e, A64_SXTL2, first + k + 1, V_TMP);
    }
    for (int k = 0; k < 4; k++)
        a64_vec2(e, A64_SCVTF_2D, first + k, first + k);
}

/*
 * Steps 1-3 of an iteration, from the mix in x15: the scratchpad addresses
 * (kept for the stores at the end), r from spAddr0, f and e from spAddr1.
 */
static void emit_iteration_start(a64_emitter_t *e, unsigned l3_bits)
{
    a64_and_w_imm(e, REG_TMP, REG_MIX, 6, l3_bits - 6);
    a64_lsr_imm(e, REG_TMP2, REG_MIX, 32);
    a64_and_w_imm(e, REG_TMP2, REG_TMP2, 6, l3_bits - 6);
    a64_rrr(e, A64_ADD, REG_SPADDR0, REG_SP, REG_TMP);
    a64_rrr(e, A64_ADD, REG_SPADDR1, REG_SP, REG_TMP2);
    for (int i = 0; i < 8; i += 2) {
        a64_ldp(e, REG_TMP, REG_TMP2, REG_SPADDR0, 8 * i);
        a64_rrr(e, A64_EOR, REG_R(i), REG_R(i), REG_TMP);
        a64_rrr(e, A64_EOR, REG_R(i + 1), REG_R(i + 1), REG_TMP2);
    }
    emit_load_four_pairs(e, V_F(0), REG_SPADDR1, 0);
    emit_load_four_pairs(e, V_E(0), REG_SPADDR1, 32);
    for (int i = 0; i < 4; i++) {
        a64_rrr(e, A64_VAND, V_E(i), V_E(i), V_E_AND);
        a64_rrr(e, A64_VORR, V_E(i), V_E(i), V_E_OR);
    }
}

/* r ^= the 64-byte item at [base + offset]. */
static void emit_xor_item(a64_emitter_t *e, int base, int32_t offset)
{
    for (int i = 0; i < 8; i += 2) {
        a64_ldp(e, 2, 3, base, offset + 8 * i);
        a64_rrr(e, A64_EOR, REG_R(i), REG_R(i), 2);
        a64_rrr(e, A64_EOR, REG_R(i + 1), REG_R(i + 1), 3);
    }
}

/* x9-x14 and v16-v31 to or from the frame, around the light-mode call. */
static void emit_call_spills(a64_emitter_t *e, int store)
{
    for (int k = 0; k < 6; k += 2) {
        if (store)
            a64_stp(e, REG_VM + k, REG_VM + k + 1, A64_SP, FRAME_GPR + 8 * k);
        else
            a64_ldp(e, REG_VM + k, REG_VM + k + 1, A64_SP, FRAME_GPR + 8 * k);
    }
    for (int k = 0; k < 16; k += 2) {
        if (store)
            a64_stp_q(e, 16 + k, 17 + k, A64_SP, FRAME_VECTOR + 16 * k);
        else
            a64_ldp_q(e, 16 + k, 17 + k, A64_SP, FRAME_VECTOR + 16 * k);
    }
}

/* Light mode: r ^= vm->dataset_read(vm->dataset_source, item of x17), saving what it may clobber.
 */
static void emit_dataset_call(a64_emitter_t *e, uint64_t dataset_offset)
{
    emit_call_spills(e, 1);
    /* x1 = (dataset_offset + read address) / 64, x2 = the item buffer, x0 = the source. */
    a64_mov_imm(e, 1, dataset_offset);
    a64_rrr(e, A64_ADD, 1, 1, REG_TMP2);
    a64_lsr_imm(e, 1, 1, 6);
    a64_add_imm(e, 2, A64_SP, FRAME_ITEM);
    a64_ldr(e, 0, REG_VM, VM_FIELD(dataset_source));
    a64_ldr(e, REG_TMP, REG_VM, VM_FIELD(dataset_read));
    a64_blr(e, REG_TMP);
    emit_call_spills(e, 0);
    emit_xor_item(e, A64_SP, FRAME_ITEM);
}

/* v2's F/E mix: f0 and f2 take x86 AESENC rounds, f1 and f3 AESDEC rounds, keyed by e0..e3. */
static void emit_fe_mix_v2(a64_emitter_t *e)
{
    /*
     * AESENC(x, k) is AESMC(AESE(x, 0)) ^ k, and AESE xors its key first, so
     * four rounds are AESE with 0, then AESE with e0, e1, e2 (each after
     * AESMC), AESMC and a final xor with e3. The same holds for AESDEC with
     * AESD and AESIMC.
     */
    a64_vzero(e, V_ZERO);
    for (int i = 0; i < 4; i++) {
        int f = V_F(i), decrypt = i % 2;
        for (int k = 0; k < 4; k++) {
            a64_vec2(e, decrypt ? A64_AESD : A64_AESE, f, k == 0 ? V_ZERO : V_E(k - 1));
            a64_vec2(e, decrypt ? A64_AESIMC : A64_AESMC, f, f);
        }
        a64_rrr(e, A64_VEOR, f, f, V_E(3));
    }
}

/*
 * Steps 5-12 of an iteration: the dataset item, ma/mx (in x28), the stores
 * and the F/E mix, then the next iteration's mix into x15.
 */
static void emit_iteration_end(a64_emitter_t *e, const rx_vm_t *vm, size_t loop_top)
{
    const pow_rx_variant_t *v = vm->variant;
    a64_rrr(e, A64_EOR_W, REG_TMP, REG_R(vm->read_reg[2]), REG_R(vm->read_reg[3]));
    /* w17 = the address read now (ma); w1 = the address prepared: v1 mx ^ mix, v2 ma ^ mix. */
    if (!v->v2)
        a64_lsr_imm(e, 1, REG_MA_MX, 32);
    else
        a64_mov(e, 1, REG_MA_MX);
    a64_rrr(e, A64_EOR_W, 1, 1, REG_TMP);
    a64_and_w_imm(e, 1, 1, 6, 25); /* RX_CACHE_LINE_ALIGN_MASK: bits 6-30 */
    a64_and_w_imm(e, REG_TMP2, REG_MA_MX, 6, 25);
    if (vm->dataset != NULL)
        a64_prefetch_indexed(e, REG_DATASET, 1);
    /*
     * swap(mx, ma) with the prepared one in place: v1 ma' = prepared,
     * mx' = ma; v2 ma' = mx, mx' = prepared.
     */
    if (!v->v2) {
        a64_rrr_shifted(e, A64_ORR, REG_MA_MX, 1, REG_MA_MX, A64_LSL, 32);
    } else {
        a64_lsr_imm(e, REG_MA_MX, REG_MA_MX, 32);
        a64_rrr_shifted(e, A64_ORR, REG_MA_MX, REG_MA_MX, 1, A64_LSL, 32);
    }
    if (vm->dataset != NULL) {
        a64_rrr(e, A64_ADD, REG_TMP, REG_DATASET, REG_TMP2);
        emit_xor_item(e, REG_TMP, 0);
    } else {
        emit_dataset_call(e, vm->dataset_offset);
    }

    /* The registers are final: the next iteration's mix. */
    emit_mix(e, vm);

    for (int i = 0; i < 8; i += 2)
        a64_stp(e, REG_R(i), REG_R(i + 1), REG_SPADDR1, 8 * i);
    if (v->v2) {
        emit_fe_mix_v2(e);
    } else {
        for (int i = 0; i < 4; i++)
            a64_rrr(e, A64_VEOR, V_F(i), V_F(i), V_E(i));
    }
    a64_stp_q(e, V_F(0), V_F(1), REG_SPADDR0, 0);
    a64_stp_q(e, V_F(2), V_F(3), REG_SPADDR0, 32);
    a64_subs_imm(e, REG_COUNTER, REG_COUNTER, 1);
    a64_b_cond(e, A64_NE, loop_top);
}

static void emit_function(a64_emitter_t *e, const rx_vm_t *vm, const uint8_t *program_bytes)
{
    const pow_rx_variant_t *v = vm->variant;
    const jit_masks_t m = {
        .l1_bits = log2_of(v->scratchpad_l1),
        .l2_bits = log2_of(v->scratchpad_l2),
        .l3_bits = log2_of(v->scratchpad_l3),
        .v2 = v->v2,
    };
    size_t labels[RX_PROGRAM_MAX_SIZE];
    int last_write[8] = {-1, -1, -1, -1, -1, -1, -1, -1};
    size_t instruction_bytes = 0;

    emit_prologue(e, vm, v->program_iterations);
    if (v->program_iterations != 0) {
        /* The loop starts on a cache line (the NOPs run once per program). */
        while (e->used % 64 != 0)
            a64_nop(e);
        size_t loop_top = e->used;
        emit_iteration_start(e, m.l3_bits);
        size_t body = e->used;
        for (unsigned i = 0; i < v->program_size; i++) {
            const uint8_t *b = program_bytes + 128 + 8 * i;
            rx_instruction_kind_t kind = (rx_instruction_kind_t)vm->kind_of_opcode[b[0]];
            labels[i] = e->used;
            /* A taken branch continues after the last writer of dst (at 0 when none). */
            int target = kind == RX_CBRANCH ? last_write[b[1] % 8] + 1 : 0;
            emit_instruction(e, &m, b, kind, labels[target]);
            assert(e->used - labels[i] <= MAX_INSTRUCTION_BYTES);
            for (unsigned written = pow_rx__vm_jit_registers_written(kind, b); written != 0;
                 written &= written - 1)
                last_write[__builtin_ctz(written)] = (int)i;
        }
        instruction_bytes = e->used - body;
        emit_iteration_end(e, vm, loop_top);
    }
    emit_epilogue(e);
    assert(e->used - instruction_bytes <= MAX_FRAME_BYTES);
    (void)instruction_bytes;
}

int pow_rx_vm_jit_supported(void)
{
    return arch_cpu_has(ARCH_CPU_ARM_AES);
}

size_t pow_rx__vm_jit_emit(uint8_t *code, size_t capacity, const rx_vm_t *vm,
                           const uint8_t *program_bytes)
{
    a64_emitter_t e = {code, 0, capacity};
    emit_function(&e, vm, program_bytes);
    return e.used;
}

#endif
