/*
 * CryptonightR programs compiled to machine code. The generated function
 * takes the nine registers in memory, runs the program with all nine in
 * CPU registers, and writes r0-r3 back: a few dozen cycles per main-loop
 * iteration instead of an interpreter's few hundred.
 *
 * The code buffer is never writable and executable at once: it is written
 * while read-write, then switched to read-execute (W^X).
 */
#ifndef MINEMETER_POW_CN_CN_R_JIT_H
#define MINEMETER_POW_CN_CN_R_JIT_H

#include <stddef.h>
#include <stdint.h>

#include "pow/cn/cn_r.h"
#include "pow/cn/cn_loop.h"

typedef void (*cn_r_jit_fn)(uint32_t r[9]);
typedef void (*cn_r_loop_fn)(const cn_loop_input_t *in, uint8_t *pad);

typedef struct {
    uint8_t *code; /* mmap'ed buffer, NULL when none */
    size_t size;
    cn_r_jit_fn fn; /* NULL when this machine has no JIT */
    /*
     * x86-64 with AES-NI: the whole main loop with the program inline,
     * called as pow__cn_v2_loop_x86_64 is (cn_loop.h) with r0-r3 in
     * division_result and sqrt_result and at least one iteration; only
     * for CPUs with AES-NI. NULL when there is none.
     */
    cn_r_loop_fn loop;
} cn_r_jit_t;

/* Nonzero when this build can compile programs for this machine. */
int pow_cn_r_jit_supported(void);

/*
 * Compiles program into jit (reusing its buffer). Returns 0, -ENOTSUP
 * without a JIT for this machine, or the negative errno of mmap/mprotect.
 */
int pow_cn_r_jit_compile(cn_r_jit_t *jit, const cn_r_program_t *program);

/* Unmaps the buffer; safe on a zeroed struct. */
void pow_cn_r_jit_release(cn_r_jit_t *jit);

#endif
