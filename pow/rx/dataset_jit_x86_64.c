/*
 * The dataset item JIT for x86-64 (System V ABI: cache in rdi, item number
 * in rsi, out in rdx). Two functions share the buffer: one item, and a
 * batch of items (described above emit_batch_function).
 *
 * r0-r7 live in r8-r15, so every register operand needs a REX prefix and
 * no program register is ever rax or rdx, which the one-operand mul and
 * imul overwrite. rdi keeps the cache base; rsi holds the number of the
 * next cache line and then its address, and is untouched by the programs,
 * so the line can be prefetched before a program and XORed in after it;
 * rcx holds 64-bit constants. The out pointer waits on the stack, below
 * the saved r12-r15.
 */
#include "config.h"
#include "pow/rx/dataset_item.h"
#include "pow/rx/dataset_jit.h"

#if defined(__x86_64__)

#include <assert.h>

#define PROGRAMS   8
#define LINE_BYTES 64

/* x86 register numbers. */
#define REG_RAX 0
#define REG_RCX 1
#define REG_RDX 2
#define REG_RBX 3
#define REG_RSP 4
#define REG_RBP 5
#define REG_RSI 6
#define REG_RDI 7
#define REG_R8  8

/*
 * Code size bounds. The longest instruction is IMUL_RCP (a 10-byte
 * mov r64, imm64 and a 4-byte imul); a program's cache access takes at most
 * 3 + 13 + 4 + 3 bytes to find the line, 3 to prefetch it and 8 * 4 to XOR
 * it in (61); the prologue (121 bytes) and the epilogue (42) fit in the
 * rest. The emitter asserts the bound as well.
 */
#define MAX_INSTRUCTION_BYTES 14
#define MAX_ACCESS_BYTES      64
#define MAX_FRAME_BYTES       256
#define MAX_CODE_BYTES                                                                             \
    (PROGRAMS * (POW_RX_SUPERSCALAR_MAX_SIZE * MAX_INSTRUCTION_BYTES + MAX_ACCESS_BYTES) +         \
     MAX_FRAME_BYTES)
/* The batch function adds per program a loop of loads, stores and a jump (at most 128 bytes). */
#define MAX_BATCH_CODE_BYTES (MAX_CODE_BYTES + PROGRAMS * 128)
#define FUNCTION_ALIGN       64

_Static_assert(MAX_CODE_BYTES + FUNCTION_ALIGN + MAX_BATCH_CODE_BYTES <=
                   POW_RX_DATASET_JIT_BUFFER_SIZE,
               "the longest code of both functions fits the buffer");

typedef struct {
    uint8_t *p;
    size_t used;
    size_t capacity;
} emitter_t;

static void emit(emitter_t *e, uint8_t byte)
{
    assert(e->used < e->capacity);
    e->p[e->used++] = byte;
}

static void emit_bytes(emitter_t *e, const uint8_t *bytes, size_t len)
{
    for (size_t i = 0; i < len; i++)
        emit(e, bytes[i]);
}

static void emit_u32(emitter_t *e, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        emit(e, (uint8_t)(v >> (8 * i)));
}

static void emit_u64(emitter_t *e, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        emit(e, (uint8_t)(v >> (8 * i)));
}

/* A REX prefix with W set: every operation here is 64-bit. */
static void emit_rex_w(emitter_t *e, int reg, int index, int base)
{
    emit(e, (uint8_t)(0x48 | (reg & 8) >> 1 | (index & 8) >> 2 | (base & 8) >> 3));
}

/* op reg, rm with both operands registers (for /digit forms, reg is the digit). */
static void emit_rr(emitter_t *e, const uint8_t *opcode, size_t len, int reg, int rm)
{
    emit_rex_w(e, reg, 0, rm);
    emit_bytes(e, opcode, len);
    emit(e, (uint8_t)(0xC0 | (reg & 7) << 3 | (rm & 7)));
}

/* op reg, [base + disp8]; base must not be rsp or r12, which would need a SIB byte. */
static void emit_rm_disp8(emitter_t *e, const uint8_t *opcode, size_t len, int reg, int base,
                          uint8_t disp)
{
    emit_rex_w(e, reg, 0, base);
    emit_bytes(e, opcode, len);
    emit(e, (uint8_t)(0x40 | (reg & 7) << 3 | (base & 7)));
    emit(e, disp);
}

/* mov reg, imm64 */
static void emit_mov_imm64(emitter_t *e, int reg, uint64_t imm)
{
    emit_rex_w(e, 0, 0, reg);
    emit(e, (uint8_t)(0xB8 | (reg & 7)));
    emit_u64(e, imm);
}

static const uint8_t OP_MOV[] = {0x8B}, OP_STORE[] = {0x89}, OP_SUB[] = {0x2B}, OP_XOR[] = {0x33},
                     OP_ADD[] = {0x03}, OP_AND[] = {0x23}, OP_IMUL[] = {0x0F, 0xAF},
                     OP_GROUP1_IMM32[] = {0x81}, OP_SHIFT_IMM8[] = {0xC1}, OP_GROUP3[] = {0xF7},
                     OP_LEA[] = {0x8D}, OP_CMP[] = {0x3B};

/* Digits of the /digit opcode forms. */
enum { DIGIT_ADD = 0, DIGIT_ROR = 1, DIGIT_AND = 4, DIGIT_SHL = 4, DIGIT_SUB = 5, DIGIT_XOR = 6 };
enum { DIGIT_MUL = 4, DIGIT_IMUL = 5 };

/* lea dst, [dst + src * 2^shift]: dst += src << shift in one operation. */
static void emit_add_shifted(emitter_t *e, int dst, int src, unsigned shift)
{
    emit_rex_w(e, dst, src, dst);
    emit_bytes(e, OP_LEA, sizeof(OP_LEA));
    /* Base rbp or r13 has no mod 00 form (it means RIP- or disp32-only):
       use mod 01 with a zero displacement. */
    int needs_disp = (dst & 7) == 5;
    emit(e, (uint8_t)((needs_disp ? 0x44 : 0x04) | (dst & 7) << 3)); /* rm 100: SIB follows */
    emit(e, (uint8_t)(shift << 6 | (unsigned)(src & 7) << 3 | (unsigned)(dst & 7)));
    if (needs_disp)
        emit(e, 0);
}

/* One SuperscalarHash instruction; rcp is its reciprocal when it is an IMUL_RCP. */
static void emit_instruction(emitter_t *e, const pow_rx_ss_instruction_t *in, uint64_t rcp)
{
    int dst = REG_R8 + in->dst, src = REG_R8 + in->src;
    switch (in->opcode) {
    case POW_RX_SS_ISUB_R:
        emit_rr(e, OP_SUB, sizeof(OP_SUB), dst, src);
        break;
    case POW_RX_SS_IXOR_R:
        emit_rr(e, OP_XOR, sizeof(OP_XOR), dst, src);
        break;
    case POW_RX_SS_IADD_RS:
        emit_add_shifted(e, dst, src, (unsigned)(in->mod >> 2) & 3);
        break;
    case POW_RX_SS_IMUL_R:
        emit_rr(e, OP_IMUL, sizeof(OP_IMUL), dst, src);
        break;
    case POW_RX_SS_IROR_C:
        /* A rotation by 0 changes nothing and needs no code. */
        if ((in->imm32 & 63) != 0) {
            emit_rr(e, OP_SHIFT_IMM8, sizeof(OP_SHIFT_IMM8), DIGIT_ROR, dst);
            emit(e, (uint8_t)(in->imm32 & 63));
        }
        break;
    case POW_RX_SS_IADD_C7:
    case POW_RX_SS_IADD_C8:
    case POW_RX_SS_IADD_C9:
        /* The CPU sign-extends the 32-bit immediate, as the instruction wants. */
        emit_rr(e, OP_GROUP1_IMM32, sizeof(OP_GROUP1_IMM32), DIGIT_ADD, dst);
        emit_u32(e, in->imm32);
        break;
    case POW_RX_SS_IXOR_C7:
    case POW_RX_SS_IXOR_C8:
    case POW_RX_SS_IXOR_C9:
        emit_rr(e, OP_GROUP1_IMM32, sizeof(OP_GROUP1_IMM32), DIGIT_XOR, dst);
        emit_u32(e, in->imm32);
        break;
    case POW_RX_SS_IMULH_R:
    case POW_RX_SS_ISMULH_R:
        /* mov rax, dst; mul/imul src (rdx:rax = rax * src); mov dst, rdx */
        emit_rr(e, OP_MOV, sizeof(OP_MOV), REG_RAX, dst);
        emit_rr(e, OP_GROUP3, sizeof(OP_GROUP3),
                in->opcode == POW_RX_SS_IMULH_R ? DIGIT_MUL : DIGIT_IMUL, src);
        emit_rr(e, OP_MOV, sizeof(OP_MOV), dst, 2 /* rdx */);
        break;
    case POW_RX_SS_IMUL_RCP:
        emit_mov_imm64(e, REG_RCX, rcp);
        emit_rr(e, OP_IMUL, sizeof(OP_IMUL), dst, REG_RCX);
        break;
    default:
        break;
    }
}

/*
 * reg = cache + (reg & mask) * 64, then prefetch it: the program that runs
 * next does not touch reg, so the line arrives while it runs. reg is rax or
 * rsi (below r8, so the prefetch needs no REX prefix).
 */
static void emit_line_address(emitter_t *e, int reg, uint64_t mask)
{
    if (mask <= 0x7FFFFFFF) {
        emit_rr(e, OP_GROUP1_IMM32, sizeof(OP_GROUP1_IMM32), DIGIT_AND, reg);
        emit_u32(e, (uint32_t)mask);
    } else {
        /* Only caches of 128 GiB and more get here: and has no imm64 form. */
        emit_mov_imm64(e, REG_RCX, mask);
        emit_rr(e, OP_AND, sizeof(OP_AND), reg, REG_RCX);
    }
    emit_rr(e, OP_SHIFT_IMM8, sizeof(OP_SHIFT_IMM8), DIGIT_SHL, reg);
    emit(e, 6); /* log2(LINE_BYTES) */
    emit_rr(e, OP_ADD, sizeof(OP_ADD), reg, REG_RDI);
    emit(e, 0x0F);
    emit(e, 0x18);
    emit(e, (uint8_t)reg); /* prefetchnta [reg]: mod 00, digit 0 */
}

static void visit_instruction(void *e, const pow_rx_ss_instruction_t *in, uint64_t rcp)
{
    emit_instruction(e, in, rcp);
}

/* A program's instructions, each IMUL_RCP with its reciprocal. */
static void emit_program(emitter_t *e, const pow_rx_superscalar_t *prog)
{
    pow_rx_superscalar_each(prog, visit_instruction, e);
}

/* r8..r15 ^= the line at [base]. */
static void emit_xor_line(emitter_t *e, int base)
{
    for (int k = 0; k < 8; k++)
        emit_rm_disp8(e, OP_XOR, sizeof(OP_XOR), REG_R8 + k, base, (uint8_t)(8 * k));
}

static void emit_function(emitter_t *e, const pow_rx_superscalar_t programs[PROGRAMS],
                          uint64_t mask)
{
    static const uint8_t PROLOGUE[] = {
        0x41, 0x54,             /* push r12 */
        0x41, 0x55,             /* push r13 */
        0x41, 0x56,             /* push r14 */
        0x41, 0x57,             /* push r15 */
        0x52,                   /* push rdx: the out pointer */
        0x48, 0x8D, 0x46, 0x01, /* lea rax, [rsi + 1] */
    };
    static const uint8_t EPILOGUE[] = {
        0x41, 0x5F, /* pop r15 */
        0x41, 0x5E, /* pop r14 */
        0x41, 0x5D, /* pop r13 */
        0x41, 0x5C, /* pop r12 */
        0xC3,       /* ret */
    };

    /* r0 = (item_number + 1) * POW_RX_ITEM_MULTIPLIER, r1..r7 = r0 ^ pow_rx_item_xor[]; rsi is
       the
       item number, the first line number. */
    emit_bytes(e, PROLOGUE, sizeof(PROLOGUE));
    emit_mov_imm64(e, REG_RCX, POW_RX_ITEM_MULTIPLIER);
    emit_rr(e, OP_IMUL, sizeof(OP_IMUL), REG_RAX, REG_RCX);
    emit_rr(e, OP_MOV, sizeof(OP_MOV), REG_R8, REG_RAX);
    for (int k = 1; k < 8; k++) {
        emit_mov_imm64(e, REG_R8 + k, pow_rx_item_xor[k - 1]);
        emit_rr(e, OP_XOR, sizeof(OP_XOR), REG_R8 + k, REG_RAX);
    }

    for (int i = 0; i < PROGRAMS; i++) {
        const pow_rx_superscalar_t *prog = &programs[i];
        emit_line_address(e, REG_RSI, mask);
        emit_program(e, prog);
        emit_xor_line(e, REG_RSI);
        emit_rr(e, OP_MOV, sizeof(OP_MOV), REG_RSI, REG_R8 + prog->address_register);
    }

    emit(e, 0x58); /* pop rax: the out pointer */
    for (int k = 0; k < 8; k++)
        emit_rm_disp8(e, OP_STORE, sizeof(OP_STORE), REG_R8 + k, REG_RAX, (uint8_t)(8 * k));
    emit_bytes(e, EPILOGUE, sizeof(EPILOGUE));
}

/* op reg, [rsp + disp32] (rsp as a base always needs a SIB byte). */
static void emit_rsp_disp32(emitter_t *e, uint8_t opcode, int reg, uint32_t disp)
{
    emit_rex_w(e, reg, 0, 0);
    emit(e, opcode);
    emit(e, (uint8_t)(0x84 | (reg & 7) << 3)); /* mod 10, rm 100: SIB, disp32 */
    emit(e, 0x24);                             /* SIB: base rsp, no index */
    emit_u32(e, disp);
}

/* rax = cache + (rax & mask) * 64, prefetched, then stored at [rbp]. */
static void emit_batch_line_address(emitter_t *e, uint64_t mask)
{
    emit_line_address(e, REG_RAX, mask);
    emit_rm_disp8(e, OP_STORE, sizeof(OP_STORE), REG_RAX, REG_RBP, 0);
}

/*
 * The end of a loop over the batch: rbx and rbp step to the next item's
 * words and line, and the loop goes back to top until rbp reaches the end
 * of the line array, rsp + lines_end.
 */
static void emit_batch_loop_end(emitter_t *e, size_t top, uint32_t lines_end)
{
    static const uint8_t ADD_RBX_64[] = {0x48, 0x83, 0xC3, 0x40},
                         ADD_RBP_8[] = {0x48, 0x83, 0xC5, 0x08};
    emit_bytes(e, ADD_RBX_64, sizeof(ADD_RBX_64));
    emit_bytes(e, ADD_RBP_8, sizeof(ADD_RBP_8));
    emit_rsp_disp32(e, OP_LEA[0], REG_RCX, lines_end); /* lea rcx, [rsp + lines_end] */
    emit_rr(e, OP_CMP, sizeof(OP_CMP), REG_RBP, REG_RCX);
    emit(e, 0x0F);
    emit(e, 0x85); /* jne rel32 */
    emit_u32(e, (uint32_t)(int32_t)((int64_t)top - (int64_t)(e->used + 4)));
}

/*
 * The batch function: the POW_RX_DATASET_JIT_BATCH items numbered in the
 * array at rsi into out (one 64-byte item after another). One item's eight
 * programs run in series, each waiting for a cache line that was only known
 * when the program before it ended; alone, a thread spends most of an item waiting
 * for those lines. Here program i runs for every item of the batch before
 * program i + 1 runs for any, so the line each item needs next has the
 * other items' programs to arrive in: several lines are on their way at
 * once. Between programs an item's registers wait in its out words and its
 * next line's address in a slot of a stack array:
 *
 *   [rsp + 8 * k]       item k's next line    rbx: the item's out words
 *   [rsp + 8 * BATCH]   out                   rbp: the item's line slot
 */
static void emit_batch_function(emitter_t *e, const pow_rx_superscalar_t programs[PROGRAMS],
                                uint64_t mask)
{
    static const uint8_t PROLOGUE[] = {
        0x53,                   /* push rbx */
        0x55,                   /* push rbp */
        0x41, 0x54, 0x41, 0x55, /* push r12, r13 */
        0x41, 0x56, 0x41, 0x57, /* push r14, r15 */
    };
    static const uint8_t EPILOGUE[] = {
        0x41, 0x5F, 0x41, 0x5E, /* pop r15, r14 */
        0x41, 0x5D, 0x41, 0x5C, /* pop r13, r12 */
        0x5D,                   /* pop rbp */
        0x5B,                   /* pop rbx */
        0xC3,                   /* ret */
    };
    static const uint8_t MOV_RBX_RDX[] = {0x48, 0x89, 0xD3}, MOV_RBP_RSP[] = {0x48, 0x89, 0xE5},
                         ADD_RSI_8[] = {0x48, 0x83, 0xC6, 0x08};
    const uint32_t lines_end = 8 * POW_RX_DATASET_JIT_BATCH, frame = lines_end + 8;

    emit_bytes(e, PROLOGUE, sizeof(PROLOGUE));
    emit_rr(e, OP_GROUP1_IMM32, sizeof(OP_GROUP1_IMM32), DIGIT_SUB, REG_RSP);
    emit_u32(e, frame);
    emit_rsp_disp32(e, OP_STORE[0], REG_RDX, lines_end); /* mov [rsp + lines_end], rdx */

    /* Each item (its number in rdx): r0 = (item + 1) * POW_RX_ITEM_MULTIPLIER, r1..r7 = r0 ^
       pow_rx_item_xor[] into its words, its first line (the item number) found and prefetched. */
    emit_bytes(e, MOV_RBX_RDX, sizeof(MOV_RBX_RDX));
    emit_bytes(e, MOV_RBP_RSP, sizeof(MOV_RBP_RSP));
    size_t top = e->used;
    emit_rm_disp8(e, OP_MOV, sizeof(OP_MOV), REG_RDX, REG_RSI, 0); /* mov rdx, [rsi] */
    emit_rm_disp8(e, OP_LEA, sizeof(OP_LEA), REG_RAX, REG_RDX, 1); /* lea rax, [rdx + 1] */
    emit_mov_imm64(e, REG_RCX, POW_RX_ITEM_MULTIPLIER);
    emit_rr(e, OP_IMUL, sizeof(OP_IMUL), REG_RAX, REG_RCX);
    emit_rm_disp8(e, OP_STORE, sizeof(OP_STORE), REG_RAX, REG_RBX, 0);
    for (int k = 1; k < 8; k++) {
        emit_mov_imm64(e, REG_RCX, pow_rx_item_xor[k - 1]);
        emit_rr(e, OP_XOR, sizeof(OP_XOR), REG_RCX, REG_RAX);
        emit_rm_disp8(e, OP_STORE, sizeof(OP_STORE), REG_RCX, REG_RBX, (uint8_t)(8 * k));
    }
    emit_rr(e, OP_MOV, sizeof(OP_MOV), REG_RAX, REG_RDX);
    emit_batch_line_address(e, mask);
    emit_bytes(e, ADD_RSI_8, sizeof(ADD_RSI_8));
    emit_batch_loop_end(e, top, lines_end);

    for (int i = 0; i < PROGRAMS; i++) {
        const pow_rx_superscalar_t *prog = &programs[i];
        emit_rsp_disp32(e, OP_MOV[0], REG_RBX, lines_end); /* mov rbx, [rsp + lines_end] */
        emit_bytes(e, MOV_RBP_RSP, sizeof(MOV_RBP_RSP));
        top = e->used;
        for (int k = 0; k < 8; k++)
            emit_rm_disp8(e, OP_MOV, sizeof(OP_MOV), REG_R8 + k, REG_RBX, (uint8_t)(8 * k));
        emit_program(e, prog);
        emit_rm_disp8(e, OP_MOV, sizeof(OP_MOV), REG_RSI, REG_RBP, 0); /* mov rsi, [rbp] */
        emit_xor_line(e, REG_RSI);
        if (i + 1 < PROGRAMS) {
            emit_rr(e, OP_MOV, sizeof(OP_MOV), REG_RAX, REG_R8 + prog->address_register);
            emit_batch_line_address(e, mask);
        }
        for (int k = 0; k < 8; k++)
            emit_rm_disp8(e, OP_STORE, sizeof(OP_STORE), REG_R8 + k, REG_RBX, (uint8_t)(8 * k));
        emit_batch_loop_end(e, top, lines_end);
    }

    emit_rr(e, OP_GROUP1_IMM32, sizeof(OP_GROUP1_IMM32), DIGIT_ADD, REG_RSP);
    emit_u32(e, frame);
    emit_bytes(e, EPILOGUE, sizeof(EPILOGUE));
}

size_t pow_rx__dataset_jit_emit(uint8_t *code, size_t capacity,
                                const pow_rx_superscalar_t programs[8], size_t cache_bytes,
                                size_t *batch_offset)
{
    uint64_t mask = (uint64_t)(cache_bytes / LINE_BYTES) - 1;
    emitter_t e = {code, 0, capacity};
    emit_function(&e, programs, mask);
    while (e.used % FUNCTION_ALIGN != 0)
        emit(&e, 0xCC); /* int3: never run */
    *batch_offset = e.used;
    emit_batch_function(&e, programs, mask);
    return e.used;
}

#endif
