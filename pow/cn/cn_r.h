/*
 * CryptonightR (Monero's PoW variant 4, "cn/r"): the random-math program
 * that is generated from the block height and run once per main-loop
 * iteration on nine 32-bit registers.
 */
#ifndef MINEMETER_POW_CN_CN_R_H
#define MINEMETER_POW_CN_CN_R_H

#include <stdint.h>

/* Bounds the generator guarantees (RET not counted). */
#define CN_R_MIN_INSTRUCTIONS 60
#define CN_R_MAX_INSTRUCTIONS 70

/*
 * Opcodes. The numbering is part of the algorithm: the generator's
 * "same operation on the same value" rule compares opcode numbers.
 */
typedef enum {
    CN_R_MUL = 0, /* dst *= src */
    CN_R_ADD = 1, /* dst += src + c */
    CN_R_SUB = 2, /* dst -= src */
    CN_R_ROR = 3, /* dst = dst rotated right by src % 32 */
    CN_R_ROL = 4, /* dst = dst rotated left by src % 32 */
    CN_R_XOR = 5, /* dst ^= src */
    CN_R_RET = 6, /* end of program */
} cn_r_opcode_t;

typedef struct {
    uint8_t op;  /* cn_r_opcode_t */
    uint8_t dst; /* 0-3: the variable registers */
    uint8_t src; /* 0-8: r4-r8 are reloaded from the main loop each iteration */
    uint32_t c;  /* ADD's constant */
} cn_r_instruction_t;

typedef struct {
    uint64_t height;
    unsigned size; /* Instructions before the RET. */
    cn_r_instruction_t code[CN_R_MAX_INSTRUCTIONS + 1];
} cn_r_program_t;

/* Generates the program for a block height (deterministic, about 10 us). */
void pow_cn_r_generate(cn_r_program_t *program, uint64_t height);

static inline uint32_t cn_r_rotr(uint32_t x, uint32_t n)
{
    n &= 31;
    return n == 0 ? x : (x >> n) | (x << (32 - n));
}

/* Runs the program on r[0..8]; r[0..3] carry over between iterations. */
static inline void pow_cn_r_execute(const cn_r_program_t *program, uint32_t r[9])
{
    for (const cn_r_instruction_t *ins = program->code;; ins++) {
        uint32_t src = r[ins->src];
        uint32_t *dst = &r[ins->dst];
        switch (ins->op) {
        case CN_R_MUL:
            *dst *= src;
            break;
        case CN_R_ADD:
            *dst += src + ins->c;
            break;
        case CN_R_SUB:
            *dst -= src;
            break;
        case CN_R_ROR:
            *dst = cn_r_rotr(*dst, src);
            break;
        case CN_R_ROL:
            *dst = cn_r_rotr(*dst, 32 - (src & 31));
            break;
        case CN_R_XOR:
            *dst ^= src;
            break;
        default:
            return;
        }
    }
}

#endif
