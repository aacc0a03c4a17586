/*
 * The wide dataset item functions for x86-64 with AVX-512 F, DQ and VL: eight
 * items at once, one in each 64-bit lane of a zmm register, and the same
 * code on ymm registers for four (light mode's batches).
 *
 * SuperscalarHash is a chain of 64-bit multiplies: an item of rx/0 runs
 * about 1,250 of them, and a core has one scalar multiplier, so the scalar
 * function (dataset_jit_x86_64.c) is bound by it. VPMULLQ multiplies eight
 * lanes in one operation; on Zen 4, measured, a core retires one VPMULLQ
 * on zmm per cycle, as many lane products as eight scalar IMULs. The high
 * halves (IMULH_R, ISMULH_R) have no vector instruction and are built from
 * four 32x32 VPMULUDQs (described at emit_mulh).
 *
 * Registers (System V: cache in rdi, item numbers in rsi, out in rdx):
 *   zmm0-7    r0-r7, lane k holding item k's register
 *   zmm8-23   the eight cache lines and the transposes, temporaries
 *   zmm29     the cache base in every lane
 *   zmm30     the line mask in every lane
 *   zmm31     0x00000000FFFFFFFF in every lane
 *   rbx       the constant pool, at the start of the buffer
 *   [rsp]     the eight line addresses of the next cache access
 *
 * With four lanes the registers are ymm, [rsp] holds four addresses and
 * each line is loaded as two halves, transposed 4x4 each.
 *
 * A cache access needs lane k's 64-byte line XORed into lane k of r0-r7:
 * the eight lines are loaded whole and transposed (8x8 words, 24 shuffles)
 * so that word j of every line lands in one register. The items are
 * transposed back the same way at the end and stored whole.
 *
 * Every operand is encoded with a 32-bit displacement or none: EVEX
 * scales 8-bit displacements by the operand size, a trap avoided rather
 * than handled.
 */
#include "config.h"
#include "pow/rx/dataset_jit_wide.h"

#include <errno.h>
#include <string.h>

#include "arch/jit_memory.h"
#include "pow/rx/dataset_item.h"

#if defined(__x86_64__)

#include "arch/cpu.h"
#include "pow/rx/x86_emit.h"

#define PROGRAMS   8
#define LINE_BYTES 64

/* Fixed constants at the start of the pool, in 8-byte slots. */
enum {
    POOL_ONE = 0,
    POOL_ITEM_MULTIPLIER = 1,
    POOL_ITEM_XOR = 2, /* seven slots */
    POOL_LINE_MASK = 9,
    POOL_LOW_32 = 10,
    POOL_FIXED = 11,
};
/* Then one slot per IADD_C, IXOR_C and IMUL_RCP, at most one per instruction of each function. */
#define POOL_SLOTS (POOL_FIXED + 2 * PROGRAMS * POW_RX_SUPERSCALAR_MAX_SIZE)
#define POOL_BYTES (((POOL_SLOTS * 8) + 63) / 64 * 64)

/*
 * Code size bounds: ISMULH_R is the longest instruction (19 operations of
 * at most 7 bytes); a cache access (addresses, prefetches, loads, the
 * transpose and the XORs) takes under 512 bytes; the frame, the first and
 * the last transposes under 1024. The emitter asserts its capacity as well.
 */
#define MAX_INSTRUCTION_BYTES 140
#define MAX_ACCESS_BYTES      512
#define MAX_FRAME_BYTES       1024
#define FUNCTION_ALIGN        64
#define MAX_FUNCTION_BYTES                                                                         \
    (MAX_FRAME_BYTES +                                                                             \
     PROGRAMS * (POW_RX_SUPERSCALAR_MAX_SIZE * MAX_INSTRUCTION_BYTES + MAX_ACCESS_BYTES))
/* The eight-lane function, alignment, the four-lane function. */
#define WIDE_BUFFER_SIZE (POOL_BYTES + 2 * MAX_FUNCTION_BYTES + FUNCTION_ALIGN)

/* zmm registers by role. */
enum {
    ZLINE = 8,   /* zmm8-15: lines, then the middle stage of a transpose */
    ZT = 16,     /* zmm16-23: temporaries; a transpose's result, word j in ZT + j */
    ZBASE = 29,  /* the cache base */
    ZMASK = 30,  /* the line mask */
    ZLOW32 = 31, /* 0x00000000FFFFFFFF */
};

/* Opcode maps and prefixes of the EVEX forms used here. */
enum { MAP_0F = 1, MAP_0F38 = 2, MAP_0F3A = 3 };
enum { PP_66 = 1, PP_F3 = 2 };

/* The opcodes (all W1: 64-bit lanes). */
enum {
    OP_PADDQ = 0xD4,          /* 66 0F */
    OP_PSUBQ = 0xFB,          /* 66 0F */
    OP_PXORQ = 0xEF,          /* 66 0F */
    OP_PANDQ = 0xDB,          /* 66 0F */
    OP_PMULUDQ = 0xF4,        /* 66 0F */
    OP_PUNPCKLQDQ = 0x6C,     /* 66 0F */
    OP_PUNPCKHQDQ = 0x6D,     /* 66 0F */
    OP_SHIFT_Q = 0x73,        /* 66 0F /2 srlq, /6 sllq, imm8 */
    OP_SHIFT_D = 0x72,        /* 66 0F /4 sraq, /0 rorq (W1), imm8 */
    OP_PMULLQ = 0x40,         /* 66 0F38 */
    OP_BROADCASTQ = 0x59,     /* 66 0F38, from xmm/m64 */
    OP_BROADCASTQ_GPR = 0x7C, /* 66 0F38, from r64 */
    OP_SHUFI64X2 = 0x43,      /* 66 0F3A, imm8 */
    OP_MOVDQU_LOAD = 0x6F,    /* F3 0F */
    OP_MOVDQU_STORE = 0x7F,   /* F3 0F */
};
enum { DIGIT_SRLQ = 2, DIGIT_SLLQ = 6, DIGIT_SRAQ = 4, DIGIT_RORQ = 0 };

typedef struct {
    x86_emitter_t code;
    int lanes; /* 8: zmm, 512 bits; 4: ymm, 256 bits */
    uint64_t *pool;
    unsigned pool_used;
} wide_t;

/*
 * One EVEX-encoded instruction on w->lanes 64-bit lanes (zmm or ymm), W1: reg (a zmm or a /digit),
 * vvvv (a zmm; 0 when unused, which encodes as the required 1111), and rm (a zmm, or memory [base +
 * index * 2^scale + disp] with general registers). broadcast reads one 64-bit element for all eight
 * lanes.
 */
static void evex(wide_t *w, int map, int pp, uint8_t opcode, int reg, int vvvv, x86_operand_t rm,
                 int broadcast)
{
    uint8_t b[16];
    size_t n = 0;
    int x_bit, b_bit;
    if (rm.is_reg) {
        b_bit = rm.base & 8;
        x_bit = rm.base & 16;
    } else {
        b_bit = rm.base & 8;
        x_bit = rm.index >= 0 ? rm.index & 8 : 0;
    }
    b[n++] = 0x62;
    b[n++] = (uint8_t)((reg & 8 ? 0 : 0x80) | (x_bit ? 0 : 0x40) | (b_bit ? 0 : 0x20) |
                       (reg & 16 ? 0 : 0x10) | map);
    b[n++] = (uint8_t)(0x80 | (~vvvv & 15) << 3 | 0x04 | pp);
    b[n++] =
        (uint8_t)((w->lanes == 8 ? 2 : 1) << 5 | (broadcast ? 0x10 : 0) | (vvvv & 16 ? 0 : 0x08));
    b[n++] = opcode;
    if (rm.is_reg) {
        b[n++] = (uint8_t)(0xC0 | (reg & 7) << 3 | (rm.base & 7));
    } else {
        unsigned mod = rm.disp == 0 && (rm.base & 7) != X86_RBP ? 0 : 2;
        int sib = rm.index >= 0 || (rm.base & 7) == X86_RSP;
        b[n++] =
            (uint8_t)(mod << 6 | (unsigned)(reg & 7) << 3 | (sib ? 4u : (unsigned)(rm.base & 7)));
        if (sib) {
            unsigned idx = rm.index >= 0 ? (unsigned)(rm.index & 7) : 4u;
            b[n++] = (uint8_t)(rm.scale << 6 | idx << 3 | (unsigned)(rm.base & 7));
        }
        if (mod == 2) {
            uint32_t d = (uint32_t)rm.disp;
            for (int i = 0; i < 4; i++)
                b[n++] = (uint8_t)(d >> (8 * i));
        }
    }
    x86_bytes(&w->code, b, n);
}

/* dst = a op b, all zmm. */
static void vop(wide_t *w, int map, uint8_t opcode, int dst, int a, int b)
{
    evex(w, map, PP_66, opcode, dst, a, x86_reg(b), 0);
}

/* dst = a op (the pool's 64-bit slot, in every lane). */
static void vop_pool(wide_t *w, int map, uint8_t opcode, int dst, int a, unsigned slot)
{
    evex(w, map, PP_66, opcode, dst, a, x86_mem(X86_RBX, (int32_t)(8 * slot)), 1);
}

/* dst = src shifted or rotated by imm (digit picks which). */
static void vshift(wide_t *w, uint8_t opcode, int digit, int dst, int src, unsigned imm)
{
    evex(w, MAP_0F, PP_66, opcode, digit, dst, x86_reg(src), 0);
    x86_byte(&w->code, (uint8_t)imm);
}

static void vshuf(wide_t *w, int dst, int a, int b, uint8_t imm)
{
    vop(w, MAP_0F3A, OP_SHUFI64X2, dst, a, b);
    x86_byte(&w->code, imm);
}

/* zmm <-> memory, 64 bytes. */
static void vload(wide_t *w, int dst, x86_operand_t mem)
{
    evex(w, MAP_0F, PP_F3, OP_MOVDQU_LOAD, dst, 0, mem, 0);
}

static void vstore(wide_t *w, x86_operand_t mem, int src)
{
    evex(w, MAP_0F, PP_F3, OP_MOVDQU_STORE, src, 0, mem, 0);
}

static unsigned pool_add(wide_t *w, uint64_t value)
{
    assert(w->pool_used < POOL_SLOTS);
    w->pool[w->pool_used] = value;
    return w->pool_used++;
}

/*
 * The high 64 bits of d * s, lane by lane, into d: signed when is_signed.
 * With a = ah:al and b = bh:bl in 32-bit halves,
 *   t = al*bh + (al*bl >> 32)          (no overflow: below 2^64)
 *   u = ah*bl + (t & 0xFFFFFFFF)       (likewise)
 *   high = ah*bh + (t >> 32) + (u >> 32).
 * Signed: a negative a takes b off the high half, a negative b takes a off
 * (the 2^128 term vanishes modulo 2^128).
 */
static void emit_mulh(wide_t *w, int d, int s, int is_signed)
{
    enum { AH = ZT, BH, LL, LH, HL, HH };
    vshift(w, OP_SHIFT_Q, DIGIT_SRLQ, AH, d, 32);
    vshift(w, OP_SHIFT_Q, DIGIT_SRLQ, BH, s, 32);
    vop(w, MAP_0F, OP_PMULUDQ, LL, d, s);
    vop(w, MAP_0F, OP_PMULUDQ, LH, d, BH);
    vop(w, MAP_0F, OP_PMULUDQ, HL, AH, s);
    vop(w, MAP_0F, OP_PMULUDQ, HH, AH, BH);
    vshift(w, OP_SHIFT_Q, DIGIT_SRLQ, LL, LL, 32);
    vop(w, MAP_0F, OP_PADDQ, LH, LH, LL); /* t */
    vop(w, MAP_0F, OP_PANDQ, LL, LH, ZLOW32);
    vop(w, MAP_0F, OP_PADDQ, HL, HL, LL); /* u */
    vshift(w, OP_SHIFT_Q, DIGIT_SRLQ, LH, LH, 32);
    vshift(w, OP_SHIFT_Q, DIGIT_SRLQ, HL, HL, 32);
    vop(w, MAP_0F, OP_PADDQ, HH, HH, LH);
    if (!is_signed) {
        vop(w, MAP_0F, OP_PADDQ, d, HH, HL);
        return;
    }
    vop(w, MAP_0F, OP_PADDQ, HH, HH, HL);
    vshift(w, OP_SHIFT_D, DIGIT_SRAQ, AH, d, 63);
    vop(w, MAP_0F, OP_PANDQ, AH, AH, s);
    vshift(w, OP_SHIFT_D, DIGIT_SRAQ, BH, s, 63);
    vop(w, MAP_0F, OP_PANDQ, BH, BH, d);
    vop(w, MAP_0F, OP_PSUBQ, HH, HH, AH);
    vop(w, MAP_0F, OP_PSUBQ, d, HH, BH);
}

static void emit_instruction(wide_t *w, const pow_rx_ss_instruction_t *in, uint64_t rcp)
{
    int d = in->dst, s = in->src;
    /* The 32-bit immediate, sign-extended as the instruction wants. */
    uint64_t imm = (uint64_t)(int64_t)(int32_t)in->imm32;
    switch (in->opcode) {
    case POW_RX_SS_ISUB_R:
        vop(w, MAP_0F, OP_PSUBQ, d, d, s);
        break;
    case POW_RX_SS_IXOR_R:
        vop(w, MAP_0F, OP_PXORQ, d, d, s);
        break;
    case POW_RX_SS_IADD_RS: {
        unsigned shift = (unsigned)(in->mod >> 2) & 3;
        if (shift == 0) {
            vop(w, MAP_0F, OP_PADDQ, d, d, s);
        } else {
            vshift(w, OP_SHIFT_Q, DIGIT_SLLQ, ZLINE, s, shift);
            vop(w, MAP_0F, OP_PADDQ, d, d, ZLINE);
        }
        break;
    }
    case POW_RX_SS_IMUL_R:
        vop(w, MAP_0F38, OP_PMULLQ, d, d, s);
        break;
    case POW_RX_SS_IROR_C:
        if ((in->imm32 & 63) != 0)
            vshift(w, OP_SHIFT_D, DIGIT_RORQ, d, d, in->imm32 & 63);
        break;
    case POW_RX_SS_IADD_C7:
    case POW_RX_SS_IADD_C8:
    case POW_RX_SS_IADD_C9:
        vop_pool(w, MAP_0F, OP_PADDQ, d, d, pool_add(w, imm));
        break;
    case POW_RX_SS_IXOR_C7:
    case POW_RX_SS_IXOR_C8:
    case POW_RX_SS_IXOR_C9:
        vop_pool(w, MAP_0F, OP_PXORQ, d, d, pool_add(w, imm));
        break;
    case POW_RX_SS_IMULH_R:
        emit_mulh(w, d, s, 0);
        break;
    case POW_RX_SS_ISMULH_R:
        emit_mulh(w, d, s, 1);
        break;
    case POW_RX_SS_IMUL_RCP:
        vop_pool(w, MAP_0F38, OP_PMULLQ, d, d, pool_add(w, rcp));
        break;
    default:
        break;
    }
}

static void visit_instruction(void *w, const pow_rx_ss_instruction_t *in, uint64_t rcp)
{
    emit_instruction(w, in, rcp);
}

/*
 * Transposes the 8x8 words in zmm in..in+7 (row k in zmm in+k) so that
 * word j of every row lands in zmm ZT + j, lane k. Three stages of eight
 * shuffles: pairs of 64-bit words, then 128-bit pairs, then halves.
 * vshufi64x2 imm 0x88 takes 128-bit blocks 0 and 2 of each source, 0xDD
 * blocks 1 and 3. in must be 0 (the registers) or ZLINE.
 */
static void emit_transpose(wide_t *w, int in)
{
    for (int p = 0; p < 4; p++) {
        vop(w, MAP_0F, OP_PUNPCKLQDQ, ZT + 2 * p, in + 2 * p, in + 2 * p + 1);
        vop(w, MAP_0F, OP_PUNPCKHQDQ, ZT + 2 * p + 1, in + 2 * p, in + 2 * p + 1);
    }
    /* zmm8 + m: rows 0-3 (m < 4) or 4-7, words {0,4}, {2,6}, {1,5}, {3,7}. */
    for (int h = 0; h < 2; h++) {
        int a = ZT + 4 * h, out = ZLINE + 4 * h;
        vshuf(w, out + 0, a + 0, a + 2, 0x88);
        vshuf(w, out + 1, a + 0, a + 2, 0xDD);
        vshuf(w, out + 2, a + 1, a + 3, 0x88);
        vshuf(w, out + 3, a + 1, a + 3, 0xDD);
    }
    static const int low_word[4] = {0, 2, 1, 3};
    for (int m = 0; m < 4; m++) {
        vshuf(w, ZT + low_word[m], ZLINE + m, ZLINE + 4 + m, 0x88);
        vshuf(w, ZT + low_word[m] + 4, ZLINE + m, ZLINE + 4 + m, 0xDD);
    }
}

/*
 * The 4x4 form, for ymm: the four rows in in..in+3 (words 0-3 of each)
 * into ZT + 4 + j (word j of every row), through ZT..ZT+3. vshufi64x2 on
 * ymm takes the low (imm bit 0) or high 128 bits of each source.
 */
static void emit_transpose4(wide_t *w, int in)
{
    for (int p = 0; p < 2; p++) {
        vop(w, MAP_0F, OP_PUNPCKLQDQ, ZT + 2 * p, in + 2 * p, in + 2 * p + 1);
        vop(w, MAP_0F, OP_PUNPCKHQDQ, ZT + 2 * p + 1, in + 2 * p, in + 2 * p + 1);
    }
    vshuf(w, ZT + 4, ZT + 0, ZT + 2, 0x0);
    vshuf(w, ZT + 6, ZT + 0, ZT + 2, 0x3);
    vshuf(w, ZT + 5, ZT + 1, ZT + 3, 0x0);
    vshuf(w, ZT + 7, ZT + 1, ZT + 3, 0x3);
}

/* The next lines' addresses, from the words in zmm src, to [rsp], each prefetched. */
static void emit_line_addresses(wide_t *w, int src)
{
    static const char PREFETCHNTA[] = {0x0F, 0x18, 0};
    vop(w, MAP_0F, OP_PANDQ, ZLINE, src, ZMASK);
    vshift(w, OP_SHIFT_Q, DIGIT_SLLQ, ZLINE, ZLINE, 6); /* log2(LINE_BYTES) */
    vop(w, MAP_0F, OP_PADDQ, ZLINE, ZLINE, ZBASE);
    vstore(w, x86_mem(X86_RSP, 0), ZLINE);
    for (int k = 0; k < w->lanes; k++) {
        x86_op(&w->code, 0, 1, "\x8B", X86_RAX, x86_mem(X86_RSP, 8 * k)); /* mov rax, [rsp + 8k] */
        x86_op(&w->code, 0, 0, PREFETCHNTA, 0, x86_mem(X86_RAX, 0));
    }
}

/* r0..r7 ^= the lines at the addresses in [rsp], lane by lane. */
static void emit_xor_lines(wide_t *w)
{
    if (w->lanes == 8) {
        for (int k = 0; k < 8; k++) {
            x86_op(&w->code, 0, 1, "\x8B", X86_RAX, x86_mem(X86_RSP, 8 * k));
            vload(w, ZLINE + k, x86_mem(X86_RAX, 0));
        }
        emit_transpose(w, ZLINE);
        for (int j = 0; j < 8; j++)
            vop(w, MAP_0F, OP_PXORQ, j, j, ZT + j);
        return;
    }
    /* Four lanes: each line as two halves, words 0-3 in ZLINE + k, words 4-7 in ZLINE + 4 + k. */
    for (int k = 0; k < 4; k++) {
        x86_op(&w->code, 0, 1, "\x8B", X86_RAX, x86_mem(X86_RSP, 8 * k));
        vload(w, ZLINE + k, x86_mem(X86_RAX, 0));
        vload(w, ZLINE + 4 + k, x86_mem(X86_RAX, 32));
    }
    for (int h = 0; h < 2; h++) {
        emit_transpose4(w, ZLINE + 4 * h);
        for (int j = 0; j < 4; j++)
            vop(w, MAP_0F, OP_PXORQ, 4 * h + j, 4 * h + j, ZT + 4 + j);
    }
}

static void emit_function(wide_t *w, const pow_rx_superscalar_t programs[PROGRAMS])
{
    static const uint8_t PROLOGUE[] = {
        0x55,                   /* push rbp */
        0x48, 0x89, 0xE5,       /* mov rbp, rsp */
        0x53,                   /* push rbx */
        0x48, 0x83, 0xE4, 0xC0, /* and rsp, -64 */
        0x48, 0x83, 0xEC, 0x40, /* sub rsp, 64 */
    };
    static const uint8_t EPILOGUE[] = {
        0xC5, 0xF8, 0x77,       /* vzeroupper */
        0x48, 0x8D, 0x65, 0xF8, /* lea rsp, [rbp - 8] */
        0x5B,                   /* pop rbx */
        0x5D,                   /* pop rbp */
        0xC3,                   /* ret */
    };
    x86_bytes(&w->code, PROLOGUE, sizeof(PROLOGUE));
    x86_mov_imm64(&w->code, X86_RBX, (uint64_t)(uintptr_t)w->pool);
    evex(w, MAP_0F38, PP_66, OP_BROADCASTQ_GPR, ZBASE, 0, x86_reg(X86_RDI), 0);
    evex(w, MAP_0F38, PP_66, OP_BROADCASTQ, ZMASK, 0, x86_mem(X86_RBX, 8 * POOL_LINE_MASK), 0);
    evex(w, MAP_0F38, PP_66, OP_BROADCASTQ, ZLOW32, 0, x86_mem(X86_RBX, 8 * POOL_LOW_32), 0);

    /* r0 = (item + 1) * POW_RX_ITEM_MULTIPLIER, r1..r7 = r0 ^ pow_rx_item_xor[]; the first line is
       the item number's. */
    vload(w, ZT, x86_mem(X86_RSI, 0));
    vop_pool(w, MAP_0F, OP_PADDQ, 0, ZT, POOL_ONE);
    vop_pool(w, MAP_0F38, OP_PMULLQ, 0, 0, POOL_ITEM_MULTIPLIER);
    for (int k = 1; k < 8; k++)
        vop_pool(w, MAP_0F, OP_PXORQ, k, 0, POOL_ITEM_XOR + (unsigned)k - 1);
    emit_line_addresses(w, ZT);

    for (int i = 0; i < PROGRAMS; i++) {
        const pow_rx_superscalar_t *prog = &programs[i];
        pow_rx_superscalar_each(prog, visit_instruction, w);
        emit_xor_lines(w);
        if (i + 1 < PROGRAMS)
            emit_line_addresses(w, prog->address_register);
    }

    /* Lane k of r0..r7 is item k: transposed, item k is zmm ZT + k (with four lanes, the
       halves of item k, words 0-3 and 4-7, are ymm ZT + 4 + k from r0-r3 and from r4-r7). */
    if (w->lanes == 8) {
        emit_transpose(w, 0);
        for (int k = 0; k < 8; k++)
            vstore(w, x86_mem(X86_RDX, LINE_BYTES * k), ZT + k);
    } else {
        for (int h = 0; h < 2; h++) {
            emit_transpose4(w, 4 * h);
            for (int k = 0; k < 4; k++)
                vstore(w, x86_mem(X86_RDX, LINE_BYTES * k + 32 * h), ZT + 4 + k);
        }
    }
    x86_bytes(&w->code, EPILOGUE, sizeof(EPILOGUE));
}

int pow_rx_dataset_jit_wide_supported(void)
{
    /* VL: the four-lane function's EVEX encoding on ymm registers. */
    return arch_cpu_has(ARCH_CPU_AVX512F | ARCH_CPU_AVX512DQ | ARCH_CPU_AVX512VL);
}

int pow_rx__dataset_wide_compile(pow_rx_dataset_wide_t *wide,
                                 const pow_rx_superscalar_t programs[PROGRAMS], uint64_t line_mask)
{
    wide->eight = NULL;
    wide->four = NULL;
    if (!pow_rx_dataset_jit_wide_supported())
        return -ENOTSUP;
    int rc = arch_jit_memory_writable(&wide->code, WIDE_BUFFER_SIZE);
    if (rc != 0)
        return rc;
    wide->size = WIDE_BUFFER_SIZE;

    wide_t w = {
        .code = {wide->code + POOL_BYTES, 0, wide->size - POOL_BYTES},
        .lanes = 8,
        .pool = (uint64_t *)(void *)wide->code,
    };
    pool_add(&w, 1);
    pool_add(&w, POW_RX_ITEM_MULTIPLIER);
    for (int k = 0; k < 7; k++)
        pool_add(&w, pow_rx_item_xor[k]);
    pool_add(&w, line_mask);
    pool_add(&w, 0xFFFFFFFFu);
    emit_function(&w, programs);
    while (w.code.used % FUNCTION_ALIGN != 0)
        x86_byte(&w.code, 0xCC); /* int3: never run */
    size_t four_offset = w.code.used;
    w.lanes = 4;
    emit_function(&w, programs);

    rc = arch_jit_memory_executable(wide->code, wide->size, POOL_BYTES + w.code.used);
    if (rc != 0)
        return rc;
    wide->eight = (pow_rx_dataset_wide_fn)(void *)(wide->code + POOL_BYTES);
    wide->four = (pow_rx_dataset_batch4_fn)(void *)(wide->code + POOL_BYTES + four_offset);
    return 0;
}

#else

int pow_rx_dataset_jit_wide_supported(void)
{
    return 0;
}

int pow_rx__dataset_wide_compile(pow_rx_dataset_wide_t *wide,
                                 const pow_rx_superscalar_t programs[8], uint64_t line_mask)
{
    (void)programs;
    (void)line_mask;
    wide->eight = NULL;
    wide->four = NULL;
    return -ENOTSUP;
}

#endif

void pow_rx__dataset_wide_release(pow_rx_dataset_wide_t *wide)
{
    arch_jit_memory_free(wide->code, wide->size);
    memset(wide, 0, sizeof(*wide));
}
