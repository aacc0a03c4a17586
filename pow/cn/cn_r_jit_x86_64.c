/*
 * The CryptonightR JIT for x86-64.
 *
 * All nine registers live in CPU registers: r0-r3 in eax, edx, esi and
 * r8d, r4-r8 (read only: the program never writes them) in r9d, r10d,
 * r11d, edi and ebx; ecx holds rotation counts. Every instruction works on
 * registers alone (ADD is one LEA: dst + src + c). Two ways in: a System
 * V function of r (the program as a body it calls, r0-r8 loaded and r0-r3
 * stored around it), and, where the AES-NI kernels are built, the whole
 * main loop with the program inline in other registers (loop_reg), built
 * around a template from cn_loop_x86_64.S.
 */
#include "config.h"
#include "arch/jit_memory.h"
#include "pow/cn/cn_r_jit.h"

#include <errno.h>
#include <string.h>

#if defined(__x86_64__)

#define JIT_BUFFER_SIZE 4096
#define REG_RCX         1
#define REG_RDI         7

/* x86 register numbers of r0..r8 (cn_r_jit.h documents them for callers). */
static const int variable_reg[9] = {0 /* eax */,   2 /* edx */, 6 /* esi */,
                                    8 /* r8d */,   9 /* r9d */, 10 /* r10d */,
                                    11 /* r11d */, 7 /* edi */, 3 /* ebx */};

#if defined(MM_BUILD_AESNI) && defined(__ELF__)
/*
 * The whole loop (cn_loop_x86_64.S): its template's bytes around the
 * program, whose registers there are r0-r3 in ebx, ebp, r12d, r13d, r4 and
 * r5 in r10d and r11d, r6-r8 in eax, edx and r15d.
 */
#define CN_R_WHOLE_LOOP 1
static const int loop_reg[9] = {3 /* ebx */,   5 /* ebp */,   12 /* r12d */,
                                13 /* r13d */, 10 /* r10d */, 11 /* r11d */,
                                0 /* eax */,   2 /* edx */,   15 /* r15d */};
extern const uint8_t pow__cn_r_loop_template[], pow__cn_r_loop_template_loop[],
    pow__cn_r_loop_template_program[], pow__cn_r_loop_template_iteration_end[],
    pow__cn_r_loop_template_end[];
#endif

typedef struct {
    uint8_t *p;
    size_t used, cap;
    int overflow; /* set when a write would pass cap; nothing is written past it */
} emitter_t;

static void emit(emitter_t *e, uint8_t byte)
{
    if (e->used >= e->cap) {
        e->overflow = 1;
        return;
    }
    e->p[e->used++] = byte;
}

static void emit_bytes(emitter_t *e, const uint8_t *from, const uint8_t *to)
{
    for (const uint8_t *b = from; b < to; b++)
        emit(e, *b);
}

/*
 * Emits opcode with a ModRM operand pair: reg is a register number, and
 * the other operand is register rm_reg, or the 32-bit word r[slot] at
 * [rcx + 4 * slot] when rm_reg < 0 (the C entry's loads and stores).
 */
static void emit_op(emitter_t *e, const uint8_t *opcode, size_t opcode_len, int reg, int rm_reg,
                    unsigned slot)
{
    uint8_t rex = 0x40;
    if (reg & 8)
        rex |= 4; /* REX.R */
    if (rm_reg >= 0 && (rm_reg & 8))
        rex |= 1; /* REX.B */
    if (rex != 0x40)
        emit(e, rex);
    for (size_t i = 0; i < opcode_len; i++)
        emit(e, opcode[i]);
    if (rm_reg >= 0) {
        emit(e, (uint8_t)(0xC0 | (reg & 7) << 3 | (rm_reg & 7)));
    } else {
        emit(e, (uint8_t)(0x40 | (reg & 7) << 3 | REG_RCX)); /* [rcx + disp8] */
        emit(e, (uint8_t)(4 * slot));
    }
}

/* One instruction of the program, with r0..r8 in the registers reg names. */
static void emit_instruction(emitter_t *e, const cn_r_instruction_t *ins, const int reg[9])
{
    static const uint8_t IMUL[] = {0x0F, 0xAF}, SUB[] = {0x2B}, XOR[] = {0x33}, MOV_LOAD[] = {0x8B},
                         ROTATE_CL[] = {0xD3};
    int dst = reg[ins->dst], src = reg[ins->src];
    switch (ins->op) {
    case CN_R_MUL:
        emit_op(e, IMUL, 2, dst, src, 0);
        break;
    case CN_R_ADD:
        /* lea dst32, [dst + src + c]: the sum's low 32 bits, whatever the upper halves hold. */
        emit(e, (uint8_t)(0x40 | (dst & 8) >> 1 | (src & 8) >> 2 | (dst & 8) >> 3));
        emit(e, 0x8D);
        emit(e, (uint8_t)(0x80 | (dst & 7) << 3 | 4)); /* [SIB + disp32] */
        emit(e, (uint8_t)((src & 7) << 3 | (dst & 7)));
        for (int i = 0; i < 4; i++)
            emit(e, (uint8_t)(ins->c >> (8 * i)));
        break;
    case CN_R_SUB:
        emit_op(e, SUB, 1, dst, src, 0);
        break;
    case CN_R_XOR:
        emit_op(e, XOR, 1, dst, src, 0);
        break;
    case CN_R_ROR:
    case CN_R_ROL:
        /* The hardware takes the count modulo 32, as the algorithm does. */
        emit_op(e, MOV_LOAD, 1, REG_RCX, src, 0);
        emit_op(e, ROTATE_CL, 1, ins->op == CN_R_ROR ? 1 : 0, dst, 0);
        break;
    default:
        break;
    }
}

int pow_cn_r_jit_supported(void)
{
    return 1;
}

int pow_cn_r_jit_compile(cn_r_jit_t *jit, const cn_r_program_t *program)
{
    static const uint8_t MOV_LOAD[] = {0x8B}, MOV_STORE[] = {0x89};
    int rc = arch_jit_memory_writable(&jit->code, JIT_BUFFER_SIZE);
    if (rc != 0)
        return rc;
    jit->size = JIT_BUFFER_SIZE;
    jit->fn = NULL;
    jit->loop = NULL;

    /* The body: the program alone, r0-r8 in registers in, r0-r3 out. */
    emitter_t e = {jit->code, 0, JIT_BUFFER_SIZE, 0};
    for (unsigned i = 0; i < program->size; i++)
        emit_instruction(&e, &program->code[i], variable_reg);
    emit(&e, 0xC3); /* ret */

    /*
     * The C entry, 16-byte aligned: rbx saved, r's address kept in rcx and
     * then on the stack (rdi holds r7 and the body clobbers rcx), r0-r8
     * loaded, the body, r0-r3 stored.
     */
    while (e.used % 16 != 0)
        emit(&e, 0xCC); /* int3: never run */
    size_t entry = e.used;
    emit(&e, 0x53); /* push rbx */
    emit(&e, 0x48); /* mov rcx, rdi */
    emit(&e, 0x89);
    emit(&e, (uint8_t)(0xC0 | REG_RDI << 3 | REG_RCX));
    for (unsigned k = 0; k < 9; k++)
        emit_op(&e, MOV_LOAD, 1, variable_reg[k], -1, k);
    emit(&e, 0x51); /* push rcx */
    int32_t to_body = -(int32_t)(e.used + 5);
    emit(&e, 0xE8); /* call rel32 */
    for (int i = 0; i < 4; i++)
        emit(&e, (uint8_t)((uint32_t)to_body >> (8 * i)));
    emit(&e, 0x59); /* pop rcx */
    for (unsigned k = 0; k < 4; k++)
        emit_op(&e, MOV_STORE, 1, variable_reg[k], -1, k);
    emit(&e, 0x5B); /* pop rbx */
    emit(&e, 0xC3); /* ret */

#if defined(CN_R_WHOLE_LOOP)
    /*
     * The whole loop, 64-byte aligned as its template is (so its loop head
     * is too): the template to the program, the program, the rest of the
     * iteration, "dec qword ptr [rsp]; jnz" back to the loop head, the
     * epilogue.
     */
    while (e.used % 64 != 0 && !e.overflow)
        emit(&e, 0xCC);
    size_t loop_entry = e.used;
    size_t loop_head =
        loop_entry + (size_t)(pow__cn_r_loop_template_loop - pow__cn_r_loop_template);
    emit_bytes(&e, pow__cn_r_loop_template, pow__cn_r_loop_template_program);
    for (unsigned i = 0; i < program->size; i++)
        emit_instruction(&e, &program->code[i], loop_reg);
    emit_bytes(&e, pow__cn_r_loop_template_program, pow__cn_r_loop_template_iteration_end);
    static const uint8_t DEC_COUNT[] = {0x48, 0xFF, 0x0C, 0x24}; /* dec qword ptr [rsp] */
    emit_bytes(&e, DEC_COUNT, DEC_COUNT + sizeof(DEC_COUNT));
    int32_t to_head = (int32_t)((int64_t)loop_head - (int64_t)(e.used + 6));
    emit(&e, 0x0F); /* jnz rel32 */
    emit(&e, 0x85);
    for (int i = 0; i < 4; i++)
        emit(&e, (uint8_t)((uint32_t)to_head >> (8 * i)));
    emit_bytes(&e, pow__cn_r_loop_template_iteration_end, pow__cn_r_loop_template_end);
#endif
    if (e.overflow)
        return -E2BIG;

    rc = arch_jit_memory_executable(jit->code, jit->size, e.used);
    if (rc != 0)
        return rc;
    jit->fn = (cn_r_jit_fn)(void *)(jit->code + entry);
#if defined(CN_R_WHOLE_LOOP)
    jit->loop = (cn_r_loop_fn)(void *)(jit->code + loop_entry);
#endif
    return 0;
}

#else

int pow_cn_r_jit_supported(void)
{
    return 0;
}

int pow_cn_r_jit_compile(cn_r_jit_t *jit, const cn_r_program_t *program)
{
    (void)program;
    jit->fn = NULL;
    jit->loop = NULL;
    return -ENOTSUP;
}

#endif

void pow_cn_r_jit_release(cn_r_jit_t *jit)
{
    arch_jit_memory_free(jit->code, jit->size);
    memset(jit, 0, sizeof(*jit));
}
