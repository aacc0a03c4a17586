/*
 * The RandomX VM JIT for x86-64 (System V ABI: the rx_vm_t pointer arrives
 * in rdi and stays there).
 *
 * Register conventions of the generated function:
 *   r0-r7   in r8-r15 (so no program register is rax or rdx, which the
 *           one-operand mul and imul overwrite, or rcx, the shift count)
 *   f0-f3   in xmm0-xmm3, e0-e3 in xmm4-xmm7, a0-a3 in xmm8-xmm11
 *   xmm12   scratch for memory operands
 *   xmm13   the E-register AND mask (2^56 - 1 in both halves)
 *   xmm14   the E-register OR mask (vm->emask)
 *   xmm15   the FSCAL_R XOR mask
 *   rsi     the scratchpad; rdi the VM
 *   rbx     the iterations left, rbp ma (low half) and mx (high half): both
 *           callee-saved, so they survive dataset_read
 *   rax     at the top of the loop, the scratchpad mix of the iteration
 *           (spAddr0 in the low half, spAddr1 in the high half, unmasked)
 *   rax, rcx, rdx  otherwise scratch (rcx: addresses and rotation counts)
 * The stack frame holds the MXCSR with its rounding field cleared, the
 * iteration's two scratchpad offsets, and in light mode the dataset item
 * and the registers the call to vm->dataset_read may clobber.
 */
#include "config.h"
#include "pow/rx/vm_jit.h"

#include <stddef.h>
#include <string.h>

#include "arch/cpu.h"

#if defined(__x86_64__)

#include "pow/rx/reciprocal.h"
#include "pow/rx/x86_emit.h"

/*
 * Code size bounds. The longest instruction is FDIV_M (33 bytes: the
 * address, the load, the E masks and the divide; CFROUND takes 30); the
 * emitter asserts every instruction against the bound. The loop around the
 * program, the light mode call with its spills, the prologue and the
 * epilogue take well under MAX_FRAME_BYTES; that is asserted too.
 */
#define MAX_INSTRUCTION_BYTES 48
#define MAX_FRAME_BYTES       3072
#define MAX_CODE_BYTES        (RX_PROGRAM_MAX_SIZE * MAX_INSTRUCTION_BYTES + MAX_FRAME_BYTES)

_Static_assert(MAX_CODE_BYTES <= POW_RX_VM_JIT_BUFFER_SIZE, "the longest code fits the buffer");

/* The VM's program registers and the fixed ones (see the top of the file). */
#define REG_R(i)    (X86_R8 + (int)(i))
#define XMM_F(i)    ((int)(i))
#define XMM_E(i)    (4 + (int)(i))
#define XMM_A(i)    (8 + (int)(i))
#define XMM_TMP     12
#define XMM_E_AND   13
#define XMM_E_OR    14
#define XMM_FSCAL   15
#define REG_SP      X86_RSI
#define REG_VM      X86_RDI
#define REG_COUNTER X86_RBX
#define REG_MA_MX   X86_RBP
#define REG_ADDR    X86_RCX

/* The stack frame, from rsp. Its size keeps rsp 16-byte aligned for the call. */
#define FRAME_MXCSR_BASE 0 /* the caller's MXCSR, rounding field cleared */
#define FRAME_MXCSR_TMP  4 /* an MXCSR value on its way in or out */
#define FRAME_SPADDR0    8 /* this iteration's scratchpad offsets */
#define FRAME_SPADDR1    384
#define FRAME_ITEM       16  /* light mode: the dataset item, 64 bytes */
#define FRAME_GPR        80  /* light mode: r8-r11, rsi, rdi */
#define FRAME_XMM        128 /* light mode: xmm0-xmm15 */
#define FRAME_MXCSR_MODE 392 /* the caller's MXCSR with each rounding mode 0-3, 4 bytes each */
#define FRAME_RCP        408 /* the program's first RCP_SLOTS reciprocals, 8 bytes each */
#define RCP_SLOTS        32
#define FRAME_BYTES      664

_Static_assert(FRAME_XMM + 16 * 16 <= FRAME_SPADDR1, "the spills fit the frame");
_Static_assert(FRAME_SPADDR1 + 8 <= FRAME_MXCSR_MODE, "the offsets fit the frame");
_Static_assert(FRAME_MXCSR_MODE + 16 <= FRAME_RCP && FRAME_RCP + 8 * RCP_SLOTS <= FRAME_BYTES,
               "the tables fit the frame");
_Static_assert((FRAME_BYTES + 6 * 8 + 8) % 16 == 0, "rsp is 16-byte aligned at the call");

#define MXCSR_ROUNDING_SHIFT  13
#define MXCSR_ROUNDING_MASK   (3u << MXCSR_ROUNDING_SHIFT)
#define DYNAMIC_MANTISSA_MASK ((1ull << 56) - 1)
#define FSCAL_MASK            0x80F0000000000000ull
#define DISPLACEMENT_REGISTER 5 /* IADD_RS adds its immediate only for r5 */

/* Opcodes and /digit forms. */
#define OP_XOR       "\x33"
#define OP_OR        "\x0B"
#define OP_LOAD      "\x8B"
#define OP_STORE     "\x89"
#define OP_LEA       "\x8D"
#define OP_GROUP1    "\x81" /* imm32 */
#define OP_GROUP1_I8 "\x83" /* imm8, sign-extended */
#define OP_GROUP2_I8 "\xC1"
#define OP_MOV_IMM32 "\xC7"
#define OP_MXCSR     "\x0F\xAE"
#define OP_PREFETCH  "\x0F\x18"
#define OP_CVTDQ2PD  "\x0F\xE6" /* F3 */
#define OP_ANDPS     "\x0F\x54"
#define OP_ORPS      "\x0F\x56"
#define OP_XORPS     "\x0F\x57"
#define OP_MOVUPS_LD "\x0F\x10"
#define OP_MOVUPS_ST "\x0F\x11"
#define OP_MOVQ_TO_X "\x0F\x6E"     /* 66, REX.W */
#define OP_PSHUFD    "\x0F\x70"     /* 66, imm8 */
#define OP_AESENC    "\x0F\x38\xDC" /* 66 */
#define OP_AESDEC    "\x0F\x38\xDE" /* 66 */

enum { GROUP1_ADD = 0, GROUP1_OR_DIGIT = 1, GROUP1_AND = 4, GROUP1_SUB = 5, GROUP1_XOR = 6 };
enum { GROUP2_ROL = 0, GROUP2_ROR = 1, GROUP2_SHL = 4, GROUP2_SHR = 5 };
enum { GROUP3_TEST = 0, GROUP3_NEG = 3, GROUP3_MUL = 4, GROUP3_IMUL = 5 };
enum { MXCSR_LOAD = 2, MXCSR_STORE = 3 };
/* The next item is read once, in the next iteration: no need to keep it in every cache level. */
enum { PREFETCH_NTA = 0 };
enum { CC_Z = 0x4, CC_NZ = 0x5 };

#define P66 0x66
#define PF3 0xF3

#define VM_FIELD(field) ((int32_t)offsetof(rx_vm_t, field))

/* What one program compiles against: the masks and constants of its variant and VM. */
typedef struct {
    uint32_t mask_l1, mask_l2, mask_l3;
    int v2;
} jit_masks_t;

static uint32_t imm32_of(const uint8_t *b)
{
    return (uint32_t)b[4] | (uint32_t)b[5] << 8 | (uint32_t)b[6] << 16 | (uint32_t)b[7] << 24;
}

/* op reg, imm32 with a /digit form (the CPU sign-extends the immediate to 64 bits). */
static void emit_group1_imm(x86_emitter_t *e, int wide, int digit, x86_operand_t rm, uint32_t imm)
{
    x86_op(e, 0, wide, OP_GROUP1, digit, rm);
    x86_u32(e, imm);
}

/*
 * The program body is encoded straight into the code buffer through a byte
 * cursor: each VM instruction is a few machine instructions whose operands
 * are fixed registers (r8-r15, xmm0-xmm15, rsi, rcx), so their encodings
 * are written out byte by byte rather than composed by the general
 * x86_op. (A program is compiled eight times per hash: this is most of
 * the compile time.) The buffer is sized for the longest program, so the
 * cursor needs no bound checks; emit_function asserts the sizes.
 *
 * In the comments below rd, rs are r8+dst, r8+src (REX.R/X/B always set for
 * them) and ModRM/SIB fields are written as mod|reg<<3|rm.
 */
#define PUT(...)                                                                                   \
    do {                                                                                           \
        const uint8_t bytes_[] = {__VA_ARGS__};                                                    \
        memcpy(p, bytes_, sizeof(bytes_));                                                         \
        p += sizeof(bytes_);                                                                       \
    } while (0)

#define REX_W              0x48
#define REX_WR             0x4C /* reg is r8-r15 */
#define REX_WB             0x49 /* rm or base is r8-r15 */
#define REX_B              0x41
#define REX_R              0x44
#define REX_RB             0x45
#define MODRM_REG(reg, rm) ((uint8_t)(0xC0 | ((reg)&7) << 3 | ((rm)&7)))
#define SIB_RSI_RCX        0x0E /* [rsi + rcx] */

static inline uint8_t *put_u32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4); /* x86-64: little-endian, as the encoding */
    return p + 4;
}

/* ecx = (r[src] + imm) & mask: a scratchpad offset (lea ecx, [rs + disp32]; and ecx, mask). */
static inline uint8_t *put_address(uint8_t *p, unsigned src, uint32_t imm, uint32_t mask)
{
    if (src == 4) { /* r12 as a base needs a SIB byte */
        PUT(REX_B, 0x8D, 0x8C, 0x24);
    } else {
        PUT(REX_B, 0x8D, (uint8_t)(0x88 | src));
    }
    p = put_u32(p, imm);
    PUT(0x81, 0xE1);
    return put_u32(p, mask);
}

/*
 * An integer _M instruction reads [rsi + rcx] after computing rcx, or, with
 * src == dst, [rsi + disp32], the constant L3 address of the immediate
 * alone. put_integer_address computes rcx when needed; put_integer_operand
 * writes the ModRM operand after REX and opcode (reg: dst or a /digit).
 */
static inline uint8_t *put_integer_address(uint8_t *p, const jit_masks_t *m, unsigned dst,
                                           unsigned src, unsigned mod, uint32_t imm)
{
    if (src == dst)
        return p;
    return put_address(p, src, imm, (mod & 3) ? m->mask_l1 : m->mask_l2);
}

static inline uint8_t *put_integer_operand(uint8_t *p, const jit_masks_t *m, unsigned reg,
                                           unsigned dst, unsigned src, uint32_t imm)
{
    if (src == dst) {
        PUT((uint8_t)(0x86 | (reg & 7) << 3)); /* mod 10, rm rsi: [rsi + disp32] */
        return put_u32(p, imm & m->mask_l3);
    }
    PUT((uint8_t)(0x04 | (reg & 7) << 3), SIB_RSI_RCX);
    return p;
}

/* op rd, qword [memory] with a one- or two-byte opcode (0x0F first). */
static inline uint8_t *put_integer_m(uint8_t *p, const jit_masks_t *m, const uint8_t *b,
                                     uint8_t op0, uint8_t op1)
{
    unsigned dst = b[1] % 8, src = b[2] % 8;
    uint32_t imm = imm32_of(b);
    p = put_integer_address(p, m, dst, src, b[3], imm);
    if (op1 != 0)
        PUT(REX_WR, op0, op1);
    else
        PUT(REX_WR, op0);
    return put_integer_operand(p, m, dst, dst, src, imm);
}

/* rdx:rax = rd * operand (mul or imul by digit), then rd = rdx. */
static inline uint8_t *put_high_multiply(uint8_t *p, const jit_masks_t *m, const uint8_t *b,
                                         int digit, int memory)
{
    unsigned dst = b[1] % 8, src = b[2] % 8;
    uint32_t imm = imm32_of(b);
    if (memory)
        p = put_integer_address(p, m, dst, src, b[3], imm);
    PUT(REX_WB, 0x8B, MODRM_REG(0, dst)); /* mov rax, rd */
    if (memory) {
        PUT(REX_W, 0xF7);
        p = put_integer_operand(p, m, (unsigned)digit, dst, src, imm);
    } else {
        PUT(REX_WB, 0xF7, MODRM_REG(digit, src));
    }
    PUT(REX_WR, 0x8B, MODRM_REG(dst, 2)); /* mov rd, rdx */
    return p;
}

/* A binary integer instruction: op rd, rs (opcode /r), or with src == dst op rd, imm32 (/digit). */
static inline uint8_t *put_integer_r(uint8_t *p, const uint8_t *b, uint8_t op, int digit)
{
    unsigned dst = b[1] % 8, src = b[2] % 8;
    if (src != dst) {
        PUT(0x4D, op, MODRM_REG(dst, src));
        return p;
    }
    PUT(REX_WB, 0x81, MODRM_REG(digit, dst));
    return put_u32(p, imm32_of(b));
}

/*
 * MXCSR = the caller's with the rounding mode in eax's low two bits, read
 * from the frame's table of the four (one load, where building the value
 * took a shift, an or and a store the load then waited for).
 */
static inline uint8_t *put_set_rounding_from_eax(uint8_t *p)
{
    /* and eax, 3; ldmxcsr [rsp + rax * 4 + FRAME_MXCSR_MODE] */
    PUT(0x83, 0xE0, 3, 0x0F, 0xAE, 0x94, 0x84);
    return put_u32(p, FRAME_MXCSR_MODE);
}

static void emit_set_rounding_from_eax(x86_emitter_t *e)
{
    assert(e->capacity - e->used >= 32);
    e->used = (size_t)(put_set_rounding_from_eax(e->p + e->used) - e->p);
}

static inline uint8_t *put_cfround(uint8_t *p, const jit_masks_t *m, unsigned src, uint32_t imm)
{
    PUT(REX_WB, 0x8B, MODRM_REG(0, src)); /* mov rax, rs */
    if ((imm & 63) != 0)
        PUT(REX_W, 0xC1, MODRM_REG(GROUP2_ROR, 0), (uint8_t)(imm & 63));
    uint8_t *skip = NULL;
    if (m->v2) {
        /* v2 changes the mode only when bits 2-5 of the rotated value are clear. */
        PUT(0xA8, 60, 0x70 | CC_NZ, 0); /* test al, 60; jnz over the rest */
        skip = p;
    }
    p = put_set_rounding_from_eax(p);
    if (skip != NULL)
        skip[-1] = (uint8_t)(p - skip);
    return p;
}

/* add rd, cimm; test rd, mask; jz target (short when it reaches). */
static inline uint8_t *put_cbranch(uint8_t *p, unsigned dst, unsigned mod, uint32_t imm,
                                   const uint8_t *target)
{
    unsigned shift = (mod >> 4) + RX_JUMP_OFFSET;
    uint32_t cimm = (imm | 1u << shift) & ~(1u << (shift - 1));
    /* Bits 8-23 change, bit 31 does not: cimm sign-extends as the spec's 64-bit constant. */
    PUT(REX_WB, 0x81, MODRM_REG(GROUP1_ADD, dst));
    p = put_u32(p, cimm);
    PUT(REX_WB, 0xF7, MODRM_REG(GROUP3_TEST, dst));
    p = put_u32(p, ((1u << RX_JUMP_BITS) - 1) << shift);
    return x86_put_jump_back(p, CC_Z, target);
}

/* op f/e register x, a register (66 REX.B 0F op). */
static inline uint8_t *put_float_a(uint8_t *p, uint8_t op, int x, unsigned src)
{
    PUT(P66, REX_B, 0x0F, op, MODRM_REG(x, XMM_A(src % 4)));
    return p;
}

/* xmm12 = the two int32 at [rsi + rcx] as doubles (cvtdq2pd xmm12, [rsi + rcx]). */
static inline uint8_t *put_load_tmp(uint8_t *p)
{
    PUT(PF3, REX_R, 0x0F, 0xE6, 0x04 | (XMM_TMP & 7) << 3, SIB_RSI_RCX);
    return p;
}

/* One VM instruction at p; branch_target is where a taken CBRANCH continues. Returns the end. */
static inline __attribute__((always_inline)) uint8_t *
put_instruction(uint8_t *p, const jit_masks_t *m, const uint8_t *b, rx_instruction_kind_t kind,
                const uint8_t *branch_target, int rcp_slot)
{
    unsigned dst = b[1] % 8, src = b[2] % 8, mod = b[3];
    uint32_t imm = imm32_of(b);
    uint32_t mem_mask = (mod & 3) ? m->mask_l1 : m->mask_l2;

    switch (kind) {
    case RX_IADD_RS: {
        /* lea rd, [rd + rs * 2^shift (+ disp32 for r5, whose base form needs one anyway)] */
        int disp = dst == DISPLACEMENT_REGISTER;
        PUT(0x4F, 0x8D, (uint8_t)((disp ? 0x80 : 0) | dst << 3 | 4),
            (uint8_t)(((mod >> 2) & 3) << 6 | src << 3 | dst));
        if (disp)
            p = put_u32(p, imm);
        return p;
    }
    case RX_IADD_M:
        return put_integer_m(p, m, b, 0x03, 0);
    case RX_ISUB_M:
        return put_integer_m(p, m, b, 0x2B, 0);
    case RX_IMUL_M:
        return put_integer_m(p, m, b, 0x0F, 0xAF);
    case RX_IXOR_M:
        return put_integer_m(p, m, b, 0x33, 0);
    case RX_IMULH_M:
        return put_high_multiply(p, m, b, GROUP3_MUL, 1);
    case RX_ISMULH_M:
        return put_high_multiply(p, m, b, GROUP3_IMUL, 1);
    case RX_IMULH_R:
        return put_high_multiply(p, m, b, GROUP3_MUL, 0);
    case RX_ISMULH_R:
        return put_high_multiply(p, m, b, GROUP3_IMUL, 0);
    case RX_ISUB_R:
        return put_integer_r(p, b, 0x2B, GROUP1_SUB);
    case RX_IXOR_R:
        return put_integer_r(p, b, 0x33, GROUP1_XOR);
    case RX_IMUL_R:
        if (src != dst) {
            PUT(0x4D, 0x0F, 0xAF, MODRM_REG(dst, src));
            return p;
        }
        PUT(0x4D, 0x69, MODRM_REG(dst, dst)); /* imul rd, rd, imm32 */
        return put_u32(p, imm);
    case RX_IMUL_RCP: {
        /* Zero and powers of two have no useful reciprocal: the instruction is a NOP. */
        if (imm == 0 || (imm & (imm - 1)) == 0)
            return p;
        if (rcp_slot >= 0) {
            /* imul rd, [rsp + FRAME_RCP + 8 * slot]: the prologue stored it there */
            PUT(REX_WR, 0x0F, 0xAF, (uint8_t)(0x84 | dst << 3), 0x24);
            return put_u32(p, FRAME_RCP + 8 * (uint32_t)rcp_slot);
        }
        uint64_t rcp = pow_rx_reciprocal(imm);
        PUT(REX_W, 0xB8); /* mov rax, imm64 */
        memcpy(p, &rcp, 8);
        p += 8;
        PUT(REX_WR, 0x0F, 0xAF, MODRM_REG(dst, 0));
        return p;
    }
    case RX_INEG_R:
        PUT(REX_WB, 0xF7, MODRM_REG(GROUP3_NEG, dst));
        return p;
    case RX_IROR_R:
    case RX_IROL_R: {
        int digit = kind == RX_IROR_R ? GROUP2_ROR : GROUP2_ROL;
        if (src != dst) {
            /* mov ecx, rs; ror/rol rd, cl (the CPU takes the count mod 64, as the instruction). */
            PUT(REX_B, 0x8B, MODRM_REG(X86_RCX, src), REX_WB, 0xD3, MODRM_REG(digit, dst));
        } else if ((imm & 63) != 0) {
            PUT(REX_WB, 0xC1, MODRM_REG(digit, dst), (uint8_t)(imm & 63));
        }
        return p;
    }
    case RX_ISWAP_R:
        if (src != dst)
            PUT(0x4D, 0x87, MODRM_REG(dst, src));
        return p;
    case RX_FSWAP_R: {
        int x = dst < 4 ? XMM_F(dst) : XMM_E(dst - 4);
        PUT(P66, 0x0F, 0xC6, MODRM_REG(x, x), 1); /* shufpd x, x, 1 */
        return p;
    }
    case RX_FADD_R:
        return put_float_a(p, 0x58, XMM_F(dst % 4), src);
    case RX_FSUB_R:
        return put_float_a(p, 0x5C, XMM_F(dst % 4), src);
    case RX_FMUL_R:
        return put_float_a(p, 0x59, XMM_E(dst % 4), src);
    case RX_FADD_M:
    case RX_FSUB_M:
        /* The F forms read at register + immediate even when src == dst. */
        p = put_load_tmp(put_address(p, src, imm, mem_mask));
        PUT(P66, REX_B, 0x0F, kind == RX_FADD_M ? 0x58 : 0x5C, MODRM_REG(XMM_F(dst % 4), XMM_TMP));
        return p;
    case RX_FSCAL_R:
        PUT(REX_B, 0x0F, 0x57, MODRM_REG(XMM_F(dst % 4), XMM_FSCAL)); /* xorps */
        return p;
    case RX_FDIV_M:
        p = put_load_tmp(put_address(p, src, imm, mem_mask));
        /* andps xmm12, xmm13; orps xmm12, xmm14; divpd e, xmm12 */
        PUT(REX_RB, 0x0F, 0x54, MODRM_REG(XMM_TMP, XMM_E_AND), REX_RB, 0x0F, 0x56,
            MODRM_REG(XMM_TMP, XMM_E_OR), P66, REX_B, 0x0F, 0x5E,
            MODRM_REG(XMM_E(dst % 4), XMM_TMP));
        return p;
    case RX_FSQRT_R:
        PUT(P66, 0x0F, 0x51, MODRM_REG(XMM_E(dst % 4), XMM_E(dst % 4)));
        return p;
    case RX_CBRANCH:
        return put_cbranch(p, dst, mod, imm, branch_target);
    case RX_CFROUND:
        return put_cfround(p, m, src, imm);
    case RX_ISTORE:
        p = put_address(p, dst, imm, (mod >> 4) >= RX_STORE_L3_CONDITION ? m->mask_l3 : mem_mask);
        PUT(REX_WR, 0x89, (uint8_t)(0x04 | src << 3), SIB_RSI_RCX); /* mov [rsi + rcx], rs */
        return p;
    default:
        return p;
    }
}

/* Loads the 64-bit constant into both halves of xmm register x (rax is clobbered). */
static void emit_broadcast(x86_emitter_t *e, int x, uint64_t value)
{
    x86_mov_imm64(e, X86_RAX, value);
    x86_op(e, P66, 1, OP_MOVQ_TO_X, x, x86_reg(X86_RAX));
    x86_op(e, P66, 0, OP_PSHUFD, x, x86_reg(x));
    x86_byte(e, 0x44); /* low quadword to both halves */
}

/* rax = r[a] ^ r[b]: the mix of the scratchpad addresses (spec 4.6.2 step 1). */
static void emit_mix(x86_emitter_t *e, const rx_vm_t *vm)
{
    x86_op(e, 0, 1, OP_LOAD, X86_RAX, x86_reg(REG_R(vm->read_reg[0])));
    x86_op(e, 0, 1, OP_XOR, X86_RAX, x86_reg(REG_R(vm->read_reg[1])));
}

/* IMUL_RCP with an immediate that has a reciprocal (the others are NOPs). */
static int has_reciprocal(rx_instruction_kind_t kind, const uint8_t *b)
{
    uint32_t imm = imm32_of(b);
    return kind == RX_IMUL_RCP && imm != 0 && (imm & (imm - 1)) != 0;
}

/*
 * The reciprocals of the program's first RCP_SLOTS such IMUL_RCPs into the
 * frame, in program order: each then multiplies from memory (8 bytes, one
 * fused micro-op) where it loaded a 64-bit immediate first (14 bytes, two).
 */
static void emit_reciprocal_table(x86_emitter_t *e, const rx_vm_t *vm, const uint8_t *program_bytes)
{
    int slot = 0;
    for (unsigned i = 0; i < vm->variant->program_size && slot < RCP_SLOTS; i++) {
        const uint8_t *b = program_bytes + 128 + 8 * i;
        if (!has_reciprocal((rx_instruction_kind_t)vm->kind_of_opcode[b[0]], b))
            continue;
        x86_mov_imm64(e, X86_RAX, pow_rx_reciprocal(imm32_of(b)));
        x86_op(e, 0, 1, OP_STORE, X86_RAX, x86_mem(X86_RSP, FRAME_RCP + 8 * slot++));
    }
}

static void emit_prologue(x86_emitter_t *e, const rx_vm_t *vm, const uint8_t *program_bytes,
                          uint32_t iterations)
{
    static const int saved[] = {X86_RBX, X86_RBP, 12, 13, 14, 15};
    for (size_t i = 0; i < sizeof(saved) / sizeof(saved[0]); i++)
        x86_push(e, saved[i]);
    emit_group1_imm(e, 1, GROUP1_SUB, x86_reg(X86_RSP), FRAME_BYTES);

    x86_op(e, 0, 1, OP_LOAD, REG_SP, x86_mem(REG_VM, VM_FIELD(scratchpad)));
    for (int i = 0; i < 8; i++)
        x86_op(e, 0, 1, OP_LOAD, REG_R(i), x86_mem(REG_VM, VM_FIELD(reg.r[i])));
    for (int i = 0; i < 4; i++) {
        x86_op(e, 0, 0, OP_MOVUPS_LD, XMM_F(i), x86_mem(REG_VM, VM_FIELD(reg.f[i])));
        x86_op(e, 0, 0, OP_MOVUPS_LD, XMM_E(i), x86_mem(REG_VM, VM_FIELD(reg.e[i])));
        x86_op(e, 0, 0, OP_MOVUPS_LD, XMM_A(i), x86_mem(REG_VM, VM_FIELD(reg.a[i])));
    }
    emit_broadcast(e, XMM_E_AND, DYNAMIC_MANTISSA_MASK);
    x86_op(e, 0, 0, OP_MOVUPS_LD, XMM_E_OR, x86_mem(REG_VM, VM_FIELD(emask)));
    emit_broadcast(e, XMM_FSCAL, FSCAL_MASK);

    /* Keep the caller's MXCSR but its rounding field, which comes from fprc: the four MXCSR
       values of the four modes into the frame's table, then the one of fprc. */
    x86_op(e, 0, 0, OP_MXCSR, MXCSR_STORE, x86_mem(X86_RSP, FRAME_MXCSR_BASE));
    emit_group1_imm(e, 0, GROUP1_AND, x86_mem(X86_RSP, FRAME_MXCSR_BASE), ~MXCSR_ROUNDING_MASK);
    for (uint32_t mode = 0; mode < 4; mode++) {
        x86_op(e, 0, 0, OP_LOAD, X86_RAX, x86_mem(X86_RSP, FRAME_MXCSR_BASE));
        emit_group1_imm(e, 0, GROUP1_OR_DIGIT, x86_reg(X86_RAX), mode << MXCSR_ROUNDING_SHIFT);
        x86_op(e, 0, 0, OP_STORE, X86_RAX, x86_mem(X86_RSP, FRAME_MXCSR_MODE + 4 * (int32_t)mode));
    }
    x86_op(e, 0, 0, OP_LOAD, X86_RAX, x86_mem(REG_VM, VM_FIELD(fprc)));
    emit_set_rounding_from_eax(e);
    emit_reciprocal_table(e, vm, program_bytes);

    /* rbp = mx << 32 | ma */
    x86_op(e, 0, 0, OP_LOAD, REG_MA_MX, x86_mem(REG_VM, VM_FIELD(ma)));
    x86_op(e, 0, 0, OP_LOAD, X86_RAX, x86_mem(REG_VM, VM_FIELD(mx)));
    x86_op(e, 0, 1, OP_GROUP2_I8, GROUP2_SHL, x86_reg(X86_RAX));
    x86_byte(e, 32);
    x86_op(e, 0, 1, OP_OR, REG_MA_MX, x86_reg(X86_RAX));
    x86_op(e, 0, 0, OP_MOV_IMM32, 0, x86_reg(REG_COUNTER));
    x86_u32(e, iterations);
    /* The first iteration starts from spAddr0 = mx, spAddr1 = ma; later ones from zero. */
    emit_mix(e, vm);
    x86_op(e, 0, 1, OP_LOAD, X86_RCX, x86_reg(REG_MA_MX));
    x86_op(e, 0, 1, OP_GROUP2_I8, GROUP2_ROR, x86_reg(X86_RCX));
    x86_byte(e, 32);
    x86_op(e, 0, 1, OP_XOR, X86_RAX, x86_reg(X86_RCX));
}

static void emit_epilogue(x86_emitter_t *e)
{
    static const int saved[] = {15, 14, 13, 12, X86_RBP, X86_RBX};
    for (int i = 0; i < 8; i++)
        x86_op(e, 0, 1, OP_STORE, REG_R(i), x86_mem(REG_VM, VM_FIELD(reg.r[i])));
    for (int i = 0; i < 4; i++) {
        x86_op(e, 0, 0, OP_MOVUPS_ST, XMM_F(i), x86_mem(REG_VM, VM_FIELD(reg.f[i])));
        x86_op(e, 0, 0, OP_MOVUPS_ST, XMM_E(i), x86_mem(REG_VM, VM_FIELD(reg.e[i])));
    }
    /* fprc = the MXCSR rounding field, which stays as the program left it. */
    x86_op(e, 0, 0, OP_MXCSR, MXCSR_STORE, x86_mem(X86_RSP, FRAME_MXCSR_TMP));
    x86_op(e, 0, 0, OP_LOAD, X86_RAX, x86_mem(X86_RSP, FRAME_MXCSR_TMP));
    x86_op(e, 0, 0, OP_GROUP2_I8, GROUP2_SHR, x86_reg(X86_RAX));
    x86_byte(e, MXCSR_ROUNDING_SHIFT);
    x86_op(e, 0, 0, OP_GROUP1_I8, GROUP1_AND, x86_reg(X86_RAX));
    x86_byte(e, 3);
    x86_op(e, 0, 0, OP_STORE, X86_RAX, x86_mem(REG_VM, VM_FIELD(fprc)));
    /* ma = the low half of rbp, mx the high half */
    x86_op(e, 0, 0, OP_STORE, REG_MA_MX, x86_mem(REG_VM, VM_FIELD(ma)));
    x86_op(e, 0, 1, OP_GROUP2_I8, GROUP2_SHR, x86_reg(REG_MA_MX));
    x86_byte(e, 32);
    x86_op(e, 0, 0, OP_STORE, REG_MA_MX, x86_mem(REG_VM, VM_FIELD(mx)));

    emit_group1_imm(e, 1, GROUP1_ADD, x86_reg(X86_RSP), FRAME_BYTES);
    for (size_t i = 0; i < sizeof(saved) / sizeof(saved[0]); i++)
        x86_pop(e, saved[i]);
    x86_byte(e, 0xC3); /* ret */
}

/*
 * Steps 1-3 of an iteration, from the mix in rax: the scratchpad offsets
 * (kept in the frame for the stores at the end), r from spAddr0, f and e
 * from spAddr1.
 */
static void emit_iteration_start(x86_emitter_t *e, uint32_t mask64)
{
    x86_op(e, 0, 0, OP_LOAD, X86_RDX, x86_reg(X86_RAX));
    emit_group1_imm(e, 0, GROUP1_AND, x86_reg(X86_RDX), mask64);
    x86_op(e, 0, 1, OP_GROUP2_I8, GROUP2_SHR, x86_reg(X86_RAX));
    x86_byte(e, 32);
    emit_group1_imm(e, 0, GROUP1_AND, x86_reg(X86_RAX), mask64);
    x86_op(e, 0, 1, OP_STORE, X86_RDX, x86_mem(X86_RSP, FRAME_SPADDR0));
    x86_op(e, 0, 1, OP_STORE, X86_RAX, x86_mem(X86_RSP, FRAME_SPADDR1));
    for (int i = 0; i < 8; i++)
        x86_op(e, 0, 1, OP_XOR, REG_R(i), x86_mem_index(REG_SP, X86_RDX, 0, 8 * i));
    for (int i = 0; i < 4; i++)
        x86_op(e, PF3, 0, OP_CVTDQ2PD, XMM_F(i), x86_mem_index(REG_SP, X86_RAX, 0, 8 * i));
    for (int i = 0; i < 4; i++) {
        x86_op(e, PF3, 0, OP_CVTDQ2PD, XMM_E(i), x86_mem_index(REG_SP, X86_RAX, 0, 32 + 8 * i));
        x86_op(e, 0, 0, OP_ANDPS, XMM_E(i), x86_reg(XMM_E_AND));
        x86_op(e, 0, 0, OP_ORPS, XMM_E(i), x86_reg(XMM_E_OR));
    }
}

/* Light mode: out = vm->dataset_read(vm->dataset_source, item of rdx), saving what it may clobber.
 */
static void emit_dataset_call(x86_emitter_t *e, uint64_t dataset_offset)
{
    static const int spilled[] = {8, 9, 10, 11, X86_RSI, X86_RDI};
    for (int i = 0; i < 6; i++)
        x86_op(e, 0, 1, OP_STORE, spilled[i], x86_mem(X86_RSP, FRAME_GPR + 8 * i));
    for (int x = 0; x < 16; x++)
        x86_op(e, 0, 0, OP_MOVUPS_ST, x, x86_mem(X86_RSP, FRAME_XMM + 16 * x));
    /* rsi = (dataset_offset + read address) / 64, rdx = the item buffer, rdi = the source. */
    x86_op(e, 0, 1, OP_LEA, X86_RSI, x86_mem(X86_RDX, (int32_t)dataset_offset));
    x86_op(e, 0, 1, OP_GROUP2_I8, GROUP2_SHR, x86_reg(X86_RSI));
    x86_byte(e, 6);
    x86_op(e, 0, 1, OP_LEA, X86_RDX, x86_mem(X86_RSP, FRAME_ITEM));
    x86_op(e, 0, 1, OP_LOAD, X86_RAX, x86_mem(REG_VM, VM_FIELD(dataset_read)));
    x86_op(e, 0, 1, OP_LOAD, X86_RDI, x86_mem(REG_VM, VM_FIELD(dataset_source)));
    x86_op(e, 0, 0, "\xFF", 2, x86_reg(X86_RAX)); /* call rax */
    for (int i = 0; i < 6; i++)
        x86_op(e, 0, 1, OP_LOAD, spilled[i], x86_mem(X86_RSP, FRAME_GPR + 8 * i));
    for (int x = 0; x < 16; x++)
        x86_op(e, 0, 0, OP_MOVUPS_LD, x, x86_mem(X86_RSP, FRAME_XMM + 16 * x));
    for (int i = 0; i < 8; i++)
        x86_op(e, 0, 1, OP_XOR, REG_R(i), x86_mem(X86_RSP, FRAME_ITEM + 8 * i));
}

/*
 * Steps 5-12 of an iteration: the dataset item, ma/mx (in rbp), the stores
 * and the F/E mix, then the next iteration's mix into rax.
 */
static void emit_iteration_end(x86_emitter_t *e, const rx_vm_t *vm, size_t loop_top)
{
    const pow_rx_variant_t *v = vm->variant;
    x86_op(e, 0, 0, OP_LOAD, X86_RAX, x86_reg(REG_R(vm->read_reg[2])));
    x86_op(e, 0, 0, OP_XOR, X86_RAX, x86_reg(REG_R(vm->read_reg[3])));
    /* edx = the address read now (ma); ecx = the address prepared: v1 mx ^ eax, v2 ma ^ eax. */
    x86_op(e, 0, 0, OP_LOAD, X86_RDX, x86_reg(REG_MA_MX));
    x86_op(e, 0, 1, OP_LOAD, X86_RCX, x86_reg(REG_MA_MX));
    if (!v->v2) {
        x86_op(e, 0, 1, OP_GROUP2_I8, GROUP2_SHR, x86_reg(X86_RCX));
        x86_byte(e, 32);
    }
    x86_op(e, 0, 0, OP_XOR, X86_RCX, x86_reg(X86_RAX));
    emit_group1_imm(e, 0, GROUP1_AND, x86_reg(X86_RCX), RX_CACHE_LINE_ALIGN_MASK);
    emit_group1_imm(e, 0, GROUP1_AND, x86_reg(X86_RDX), RX_CACHE_LINE_ALIGN_MASK);
    if (vm->dataset != NULL) {
        x86_mov_imm64(e, X86_RAX, (uint64_t)(uintptr_t)(vm->dataset + vm->dataset_offset));
        x86_op(e, 0, 0, OP_PREFETCH, PREFETCH_NTA, x86_mem_index(X86_RAX, X86_RCX, 0, 0));
    }
    /*
     * swap(mx, ma) with the prepared one in place: v1 ma' = mx (prepared),
     * mx' = ma; v2 ma' = mx, mx' = ma (prepared).
     */
    if (!v->v2) {
        x86_op(e, 0, 1, OP_GROUP2_I8, GROUP2_SHL, x86_reg(REG_MA_MX));
        x86_byte(e, 32);
    } else {
        x86_op(e, 0, 1, OP_GROUP2_I8, GROUP2_SHR, x86_reg(REG_MA_MX));
        x86_byte(e, 32);
        x86_op(e, 0, 1, OP_GROUP2_I8, GROUP2_SHL, x86_reg(X86_RCX));
        x86_byte(e, 32);
    }
    x86_op(e, 0, 1, OP_OR, REG_MA_MX, x86_reg(X86_RCX));
    if (vm->dataset != NULL) {
        for (int i = 0; i < 8; i++)
            x86_op(e, 0, 1, OP_XOR, REG_R(i), x86_mem_index(X86_RAX, X86_RDX, 0, 8 * i));
    } else {
        emit_dataset_call(e, vm->dataset_offset);
    }

    /* The registers are final: the next iteration's mix. */
    emit_mix(e, vm);

    x86_op(e, 0, 1, OP_LOAD, X86_RCX, x86_mem(X86_RSP, FRAME_SPADDR1));
    for (int i = 0; i < 8; i++)
        x86_op(e, 0, 1, OP_STORE, REG_R(i), x86_mem_index(REG_SP, X86_RCX, 0, 8 * i));
    if (v->v2) {
        /* f0 and f2 take encryption rounds, f1 and f3 decryption rounds, keyed by e0..e3. */
        for (int k = 0; k < 4; k++) {
            for (int i = 0; i < 4; i++)
                x86_op(e, P66, 0, i % 2 == 0 ? OP_AESENC : OP_AESDEC, XMM_F(i), x86_reg(XMM_E(k)));
        }
    } else {
        for (int i = 0; i < 4; i++)
            x86_op(e, 0, 0, OP_XORPS, XMM_F(i), x86_reg(XMM_E(i)));
    }
    x86_op(e, 0, 1, OP_LOAD, X86_RCX, x86_mem(X86_RSP, FRAME_SPADDR0));
    for (int i = 0; i < 4; i++)
        x86_op(e, 0, 0, OP_MOVUPS_ST, XMM_F(i), x86_mem_index(REG_SP, X86_RCX, 0, 16 * i));
    x86_op(e, 0, 0, OP_GROUP1_I8, GROUP1_SUB, x86_reg(REG_COUNTER));
    x86_byte(e, 1);
    x86_jump_back(e, CC_NZ, loop_top);
}

static void emit_function(x86_emitter_t *e, const rx_vm_t *vm, const uint8_t *program_bytes)
{
    const pow_rx_variant_t *v = vm->variant;
    const jit_masks_t m = {
        .mask_l1 = (v->scratchpad_l1 - 1) & ~7u,
        .mask_l2 = (v->scratchpad_l2 - 1) & ~7u,
        .mask_l3 = (v->scratchpad_l3 - 1) & ~7u,
        .v2 = v->v2,
    };
    uint8_t *labels[RX_PROGRAM_MAX_SIZE];
    int last_write[8] = {-1, -1, -1, -1, -1, -1, -1, -1};
    size_t instruction_bytes = 0;
    int rcp_slots = 0;

    uint32_t mask64 = (v->scratchpad_l3 - 1) & ~63u;
    emit_prologue(e, vm, program_bytes, v->program_iterations);
    if (v->program_iterations != 0) {
        /* The loop starts on a cache line (the NOPs run once per program). */
        while (e->used % 64 != 0)
            x86_byte(e, 0x90);
        size_t loop_top = e->used;
        emit_iteration_start(e, mask64);
        /* The buffer holds the longest program (MAX_CODE_BYTES): no checks per instruction. */
        uint8_t *p = e->p + e->used, *body = p;
        for (unsigned i = 0; i < v->program_size; i++) {
            const uint8_t *b = program_bytes + 128 + 8 * i;
            rx_instruction_kind_t kind = (rx_instruction_kind_t)vm->kind_of_opcode[b[0]];
            labels[i] = p;
            /* A taken branch continues after the last writer of dst (at 0 when none). */
            int target = kind == RX_CBRANCH ? last_write[b[1] % 8] + 1 : 0;
            int rcp_slot = -1;
            if (has_reciprocal(kind, b) && rcp_slots < RCP_SLOTS)
                rcp_slot = rcp_slots++;
            p = put_instruction(p, &m, b, kind, labels[target], rcp_slot);
            assert(p - labels[i] <= MAX_INSTRUCTION_BYTES);
            for (unsigned written = pow_rx__vm_jit_registers_written(kind, b); written != 0;
                 written &= written - 1)
                last_write[__builtin_ctz(written)] = (int)i;
        }
        instruction_bytes = (size_t)(p - body);
        e->used += instruction_bytes;
        emit_iteration_end(e, vm, loop_top);
    }
    emit_epilogue(e);
    assert(e->used - instruction_bytes <= MAX_FRAME_BYTES);
    (void)instruction_bytes;
}

int pow_rx_vm_jit_supported(void)
{
    return arch_cpu_has(ARCH_CPU_SSE2 | ARCH_CPU_AESNI);
}

size_t pow_rx__vm_jit_emit(uint8_t *code, size_t capacity, const rx_vm_t *vm,
                           const uint8_t *program_bytes)
{
    x86_emitter_t e = {code, 0, capacity};
    emit_function(&e, vm, program_bytes);
    return e.used;
}

#endif
