/*
 * A small x86-64 encoder for the RandomX VM JIT: a byte buffer with a hard
 * bound, and one general form for instructions with a ModRM operand
 * (optional legacy prefix, REX, opcode bytes, ModRM, SIB, displacement).
 * Registers are numbered as the CPU numbers them: 0 rax ... 15 r15, and
 * 0 xmm0 ... 15 xmm15 where the opcode takes an xmm register.
 */
#ifndef MINEMETER_POW_RX_X86_EMIT_H
#define MINEMETER_POW_RX_X86_EMIT_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum {
    X86_RAX = 0,
    X86_RCX = 1,
    X86_RDX = 2,
    X86_RBX = 3,
    X86_RSP = 4,
    X86_RBP = 5,
    X86_RSI = 6,
    X86_RDI = 7,
    X86_R8 = 8,
};

typedef struct {
    uint8_t *p;
    size_t used;
    size_t capacity;
} x86_emitter_t;

/* A register, or memory at [base + index * 2^scale + disp] (index -1: none). */
typedef struct {
    int is_reg;
    int base;
    int index;
    unsigned scale;
    int32_t disp;
} x86_operand_t;

static inline x86_operand_t x86_reg(int reg)
{
    return (x86_operand_t){.is_reg = 1, .base = reg, .index = -1};
}

static inline x86_operand_t x86_mem(int base, int32_t disp)
{
    return (x86_operand_t){.base = base, .index = -1, .disp = disp};
}

static inline x86_operand_t x86_mem_index(int base, int index, unsigned scale, int32_t disp)
{
    return (x86_operand_t){.base = base, .index = index, .scale = scale, .disp = disp};
}

/*
 * Bytes go out a whole instruction at a time: built in a local array, then
 * copied once. (Byte stores through e->p may alias e->used, so storing them
 * one by one makes the compiler reload and store the counter each time.)
 */
static inline __attribute__((always_inline)) void x86_bytes(x86_emitter_t *e, const uint8_t *bytes,
                                                            size_t n)
{
    assert(n <= e->capacity - e->used);
    memcpy(e->p + e->used, bytes, n);
    e->used += n;
}

static inline void x86_byte(x86_emitter_t *e, uint8_t byte)
{
    x86_bytes(e, &byte, 1);
}

static inline void x86_u32(x86_emitter_t *e, uint32_t v)
{
    const uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    x86_bytes(e, b, 4);
}

static inline void x86_u64(x86_emitter_t *e, uint64_t v)
{
    x86_u32(e, (uint32_t)v);
    x86_u32(e, (uint32_t)(v >> 32));
}

/*
 * prefix (0: none), REX (W when wide, and whatever the registers need),
 * opcode, then the ModRM operand pair: reg is a register number or the
 * digit of a /digit form. Immediates, if any, follow from the caller.
 */
static inline __attribute__((always_inline)) void
x86_op(x86_emitter_t *e, uint8_t prefix, int wide, const char *opcode, int reg, x86_operand_t rm)
{
    uint8_t b[16];
    size_t n = 0;
    if (prefix != 0)
        b[n++] = prefix;
    int index = rm.is_reg || rm.index < 0 ? 0 : rm.index;
    uint8_t rex =
        (uint8_t)(0x40 | (wide ? 8 : 0) | (reg & 8) >> 1 | (index & 8) >> 2 | (rm.base & 8) >> 3);
    if (rex != 0x40)
        b[n++] = rex;
    /* Opcodes are 1-3 bytes: with a prefix and a REX, at most 5 bytes so far. */
    for (const char *c = opcode; *c != '\0' && n < 5; c++)
        b[n++] = (uint8_t)*c;
    if (rm.is_reg) {
        b[n++] = (uint8_t)(0xC0 | (reg & 7) << 3 | (rm.base & 7));
        x86_bytes(e, b, n);
        return;
    }
    /* rbp and r13 as base have no displacement-free form; mod 01 with 0 stands in. */
    unsigned mod = rm.disp == 0 && (rm.base & 7) != X86_RBP ? 0
                   : rm.disp >= -128 && rm.disp <= 127      ? 1
                                                            : 2;
    int sib = rm.index >= 0 || (rm.base & 7) == X86_RSP;
    b[n++] = (uint8_t)(mod << 6 | (unsigned)(reg & 7) << 3 | (sib ? 4u : (unsigned)(rm.base & 7)));
    if (sib) {
        unsigned idx = rm.index >= 0 ? (unsigned)(rm.index & 7) : 4u; /* 100: no index */
        b[n++] = (uint8_t)(rm.scale << 6 | idx << 3 | (unsigned)(rm.base & 7));
    }
    if (mod == 1) {
        b[n++] = (uint8_t)(int8_t)rm.disp;
    } else if (mod == 2) {
        uint32_t d = (uint32_t)rm.disp;
        for (int i = 0; i < 4; i++)
            b[n++] = (uint8_t)(d >> (8 * i));
    }
    x86_bytes(e, b, n);
}

/* mov reg, imm64 */
static inline void x86_mov_imm64(x86_emitter_t *e, int reg, uint64_t imm)
{
    x86_byte(e, (uint8_t)(0x48 | (reg & 8) >> 3));
    x86_byte(e, (uint8_t)(0xB8 | (reg & 7)));
    x86_u64(e, imm);
}

/* push/pop of a 64-bit register. */
static inline void x86_push(x86_emitter_t *e, int reg)
{
    if (reg & 8)
        x86_byte(e, 0x41);
    x86_byte(e, (uint8_t)(0x50 | (reg & 7)));
}

static inline void x86_pop(x86_emitter_t *e, int reg)
{
    if (reg & 8)
        x86_byte(e, 0x41);
    x86_byte(e, (uint8_t)(0x58 | (reg & 7)));
}

/*
 * A conditional jump (condition code cc: 0x4 z, 0x5 nz) or, with cc < 0, an
 * unconditional one, written at p to an earlier position target: short when
 * it reaches. Returns the end; at most 6 bytes. The form for code written
 * through a byte cursor; x86_jump_back is the same for an emitter.
 */
static inline uint8_t *x86_put_jump_back(uint8_t *p, int cc, const uint8_t *target)
{
    long short_rel = (long)(target - (p + 2));
    if (short_rel >= -128) {
        p[0] = cc < 0 ? 0xEB : (uint8_t)(0x70 | cc);
        p[1] = (uint8_t)(int8_t)short_rel;
        return p + 2;
    }
    if (cc < 0) {
        *p++ = 0xE9;
    } else {
        *p++ = 0x0F;
        *p++ = (uint8_t)(0x80 | cc);
    }
    uint32_t rel = (uint32_t)(int32_t)(target - (p + 4));
    memcpy(p, &rel, 4); /* x86-64: little-endian, as the encoding */
    return p + 4;
}

static inline void x86_jump_back(x86_emitter_t *e, int cc, size_t target)
{
    assert(e->capacity - e->used >= 6);
    e->used = (size_t)(x86_put_jump_back(e->p + e->used, cc, e->p + target) - e->p);
}

#endif
