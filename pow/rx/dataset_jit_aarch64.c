/*
 * The dataset item JIT for AArch64 (AAPCS64: cache in x0, item number or
 * items in x1, out in x2). The same two functions as on x86-64 (item, and
 * a batch that runs program i for every item before program i + 1), in
 * caller-saved registers only, so neither saves a register:
 *
 *   x4-x11  r0-r7                x12  the next cache line
 *   x13-x14 words of a line      x16  constants (reciprocals, the item's)
 *   x3, x15 the batch's item words and line slot, x17 its slots' end
 *
 * A64 has no 64-bit immediate operand: constants are built in x16 with
 * movz/movn and up to three movk. The line is found with one ubfiz (mask
 * and scale in one), added to the cache base and prefetched, so it arrives
 * while the next program runs.
 */
#include "config.h"
#include "pow/rx/dataset_item.h"
#include "pow/rx/dataset_jit.h"

#if defined(__aarch64__)

#include "pow/rx/a64_emit.h"

#define PROGRAMS   8
#define LINE_BYTES 64

enum {
    REG_CACHE = 0,
    REG_ITEMS = 1, /* the item number (item function), the items' array (batch) */
    REG_OUT = 2,
    REG_WORDS = 3, /* the batch item's out words */
    REG_R0 = 4,
    REG_LINE = 12,
    REG_LINE_WORD = 13, /* and 14 */
    REG_SLOT = 15,
    REG_CONST = 16,
    REG_SLOTS_END = 17,
};

/*
 * Code size bounds, in instructions: IMUL_RCP is the longest (four to
 * build the reciprocal, one multiply); a cache access takes 3 to find and
 * prefetch the line and 8 to mix it in; the batch function's loops add 40
 * a program, the frames and item setup under 64.
 */
#define MAX_INSTRUCTION_WORDS 5
#define MAX_ACCESS_WORDS      12
#define MAX_FUNCTION_BYTES                                                                         \
    (4 *                                                                                           \
     (PROGRAMS * (POW_RX_SUPERSCALAR_MAX_SIZE * MAX_INSTRUCTION_WORDS + MAX_ACCESS_WORDS + 40) +   \
      64))
#define FUNCTION_ALIGN 64

_Static_assert(2 * MAX_FUNCTION_BYTES + FUNCTION_ALIGN <= POW_RX_DATASET_JIT_BUFFER_SIZE,
               "the longest code of both functions fits the buffer");

static int program_register(int r)
{
    return REG_R0 + r;
}

/* dst += or ^= the sign-extended imm32. */
static void emit_with_constant(a64_emitter_t *e, uint32_t op, int dst, uint32_t imm32)
{
    int64_t value = (int32_t)imm32;
    if (op == A64_ADD && value >= 0 && value < 4096) {
        a64_add_imm(e, dst, dst, (uint32_t)value);
    } else if (op == A64_ADD && value < 0 && value > -4096) {
        a64_sub_imm(e, dst, dst, (uint32_t)-value);
    } else {
        a64_mov_imm(e, REG_CONST, (uint64_t)value);
        a64_rrr(e, op, dst, dst, REG_CONST);
    }
}

/* One SuperscalarHash instruction; rcp is its reciprocal when it is an IMUL_RCP. */
static void emit_instruction(a64_emitter_t *e, const pow_rx_ss_instruction_t *in, uint64_t rcp)
{
    int dst = program_register(in->dst), src = program_register(in->src);
    switch (in->opcode) {
    case POW_RX_SS_ISUB_R:
        a64_rrr(e, A64_SUB, dst, dst, src);
        break;
    case POW_RX_SS_IXOR_R:
        a64_rrr(e, A64_EOR, dst, dst, src);
        break;
    case POW_RX_SS_IADD_RS:
        a64_add_shifted(e, dst, dst, src, (unsigned)(in->mod >> 2) & 3);
        break;
    case POW_RX_SS_IMUL_R:
        a64_rrr(e, A64_MUL, dst, dst, src);
        break;
    case POW_RX_SS_IROR_C:
        /* A rotation by 0 changes nothing and needs no code. */
        if ((in->imm32 & 63) != 0)
            a64_ror_imm(e, dst, dst, in->imm32 & 63);
        break;
    case POW_RX_SS_IADD_C7:
    case POW_RX_SS_IADD_C8:
    case POW_RX_SS_IADD_C9:
        emit_with_constant(e, A64_ADD, dst, in->imm32);
        break;
    case POW_RX_SS_IXOR_C7:
    case POW_RX_SS_IXOR_C8:
    case POW_RX_SS_IXOR_C9:
        emit_with_constant(e, A64_EOR, dst, in->imm32);
        break;
    case POW_RX_SS_IMULH_R:
        a64_rrr(e, A64_UMULH, dst, dst, src);
        break;
    case POW_RX_SS_ISMULH_R:
        a64_rrr(e, A64_SMULH, dst, dst, src);
        break;
    case POW_RX_SS_IMUL_RCP:
        a64_mov_imm(e, REG_CONST, rcp);
        a64_rrr(e, A64_MUL, dst, dst, REG_CONST);
        break;
    default:
        break;
    }
}

static void visit_instruction(void *e, const pow_rx_ss_instruction_t *in, uint64_t rcp)
{
    emit_instruction(e, in, rcp);
}

/* A program's instructions, each IMUL_RCP with its reciprocal. */
static void emit_program(a64_emitter_t *e, const pow_rx_superscalar_t *prog)
{
    pow_rx_superscalar_each(prog, visit_instruction, e);
}

/* line = cache + (line & (2^mask_bits - 1)) * 64, then prefetched. */
static void emit_line_address(a64_emitter_t *e, unsigned mask_bits)
{
    if (mask_bits == 0) {
        a64_mov(e, REG_LINE, REG_CACHE); /* a one-line cache */
    } else {
        a64_ubfiz(e, REG_LINE, REG_LINE, 6, mask_bits); /* 6: log2(LINE_BYTES) */
        a64_rrr(e, A64_ADD, REG_LINE, REG_CACHE, REG_LINE);
    }
    a64_prefetch(e, REG_LINE);
}

/* r0..r7 ^= the line at [REG_LINE]. */
static void emit_xor_line(a64_emitter_t *e)
{
    for (int k = 0; k < 8; k += 2) {
        a64_ldp(e, REG_LINE_WORD, REG_LINE_WORD + 1, REG_LINE, 8 * k);
        a64_rrr(e, A64_EOR, program_register(k), program_register(k), REG_LINE_WORD);
        a64_rrr(e, A64_EOR, program_register(k + 1), program_register(k + 1), REG_LINE_WORD + 1);
    }
}

/* r0 = (number + 1) * POW_RX_ITEM_MULTIPLIER, r1..r7 = r0 ^ pow_rx_item_xor[] (spec 7.3). */
static void emit_item_registers(a64_emitter_t *e, int number)
{
    a64_add_imm(e, REG_R0, number, 1);
    a64_mov_imm(e, REG_CONST, POW_RX_ITEM_MULTIPLIER);
    a64_rrr(e, A64_MUL, REG_R0, REG_R0, REG_CONST);
    for (int k = 1; k < 8; k++) {
        a64_mov_imm(e, REG_CONST, pow_rx_item_xor[k - 1]);
        a64_rrr(e, A64_EOR, program_register(k), REG_R0, REG_CONST);
    }
}

static void emit_registers_to(a64_emitter_t *e, int base, int load)
{
    for (int k = 0; k < 8; k += 2) {
        if (load)
            a64_ldp(e, program_register(k), program_register(k + 1), base, 8 * k);
        else
            a64_stp(e, program_register(k), program_register(k + 1), base, 8 * k);
    }
}

static void emit_function(a64_emitter_t *e, const pow_rx_superscalar_t programs[PROGRAMS],
                          unsigned mask_bits)
{
    emit_item_registers(e, REG_ITEMS);
    a64_mov(e, REG_LINE, REG_ITEMS); /* the first line is the item number's */
    for (int i = 0; i < PROGRAMS; i++) {
        emit_line_address(e, mask_bits);
        emit_program(e, &programs[i]);
        emit_xor_line(e);
        a64_mov(e, REG_LINE, program_register(programs[i].address_register));
    }
    emit_registers_to(e, REG_OUT, 0);
    a64_ret(e);
}

/*
 * The end of a loop over the batch: the item's words and line slot step
 * to the next, and the loop goes back to top until the slot reaches the
 * end of the slots on the stack.
 */
static void emit_batch_loop_end(a64_emitter_t *e, size_t top)
{
    a64_add_imm(e, REG_WORDS, REG_WORDS, LINE_BYTES);
    a64_add_imm(e, REG_SLOT, REG_SLOT, 8);
    a64_rrr(e, A64_SUBS, A64_XZR, REG_SLOT, REG_SLOTS_END);
    a64_b_ne(e, top);
}

/*
 * The batch function (dataset_jit_x86_64.c says why it is faster): between
 * programs an item's registers wait in its out words and its next line's
 * address in a slot of an array on the stack.
 */
static void emit_batch_function(a64_emitter_t *e, const pow_rx_superscalar_t programs[PROGRAMS],
                                unsigned mask_bits)
{
    /* The slots, rounded up to the 16 bytes sp must stay aligned to. */
    const uint32_t frame = (8 * POW_RX_DATASET_JIT_BATCH + 15) / 16 * 16;
    a64_sub_imm(e, A64_SP, A64_SP, frame);
    a64_add_imm(e, REG_SLOTS_END, A64_SP, 8 * POW_RX_DATASET_JIT_BATCH);

    /* Each item: its registers into its words, its first line found and prefetched. */
    a64_mov(e, REG_WORDS, REG_OUT);
    a64_add_imm(e, REG_SLOT, A64_SP, 0);
    size_t top = e->used;
    a64_ldr(e, REG_LINE, REG_ITEMS, 0);
    a64_add_imm(e, REG_ITEMS, REG_ITEMS, 8);
    emit_item_registers(e, REG_LINE);
    emit_registers_to(e, REG_WORDS, 0);
    emit_line_address(e, mask_bits);
    a64_str(e, REG_LINE, REG_SLOT, 0);
    emit_batch_loop_end(e, top);

    for (int i = 0; i < PROGRAMS; i++) {
        a64_mov(e, REG_WORDS, REG_OUT);
        a64_add_imm(e, REG_SLOT, A64_SP, 0);
        top = e->used;
        emit_registers_to(e, REG_WORDS, 1);
        emit_program(e, &programs[i]);
        a64_ldr(e, REG_LINE, REG_SLOT, 0);
        emit_xor_line(e);
        if (i + 1 < PROGRAMS) {
            a64_mov(e, REG_LINE, program_register(programs[i].address_register));
            emit_line_address(e, mask_bits);
            a64_str(e, REG_LINE, REG_SLOT, 0);
        }
        emit_registers_to(e, REG_WORDS, 0);
        emit_batch_loop_end(e, top);
    }

    a64_add_imm(e, A64_SP, A64_SP, frame);
    a64_ret(e);
}

size_t pow_rx__dataset_jit_emit(uint8_t *code, size_t capacity,
                                const pow_rx_superscalar_t programs[8], size_t cache_bytes,
                                size_t *batch_offset)
{
    unsigned mask_bits = 0;
    while (((size_t)LINE_BYTES << mask_bits) < cache_bytes)
        mask_bits++;
    a64_emitter_t e = {code, 0, capacity};
    emit_function(&e, programs, mask_bits);
    while (e.used % FUNCTION_ALIGN != 0)
        a64_emit(&e, 0); /* udf #0: never run */
    *batch_offset = e.used;
    emit_batch_function(&e, programs, mask_bits);
    return e.used;
}

#endif
