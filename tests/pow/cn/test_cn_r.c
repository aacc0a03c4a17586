/*
 * The CryptonightR program generator: the bounds and rules every program
 * must satisfy; the JIT's code against the interpreter, program by
 * program. (Bit-exactness is proven by the cn/r hash vectors.)
 */
#include "config.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "pow/cn/cn_kernel.h"
#include "pow/cn/cn_r.h"
#include "pow/cn/cn_r_jit.h"
#include "pow/isa.h"

Test(cn_r, programs_respect_size_register_and_r8_rules)
{
    unsigned histogram[CN_R_MAX_INSTRUCTIONS + 1] = {0};
    for (uint64_t height = 1806000; height < 1806400; height++) {
        cn_r_program_t p;
        pow_cn_r_generate(&p, height);
        cr_assert_eq(p.height, height);
        cr_assert(p.size >= CN_R_MIN_INSTRUCTIONS && p.size <= CN_R_MAX_INSTRUCTIONS,
                  "height %llu: %u instructions", (unsigned long long)height, p.size);
        cr_assert_eq(p.code[p.size].op, CN_R_RET);
        int r8_read = 0;
        for (unsigned i = 0; i < p.size; i++) {
            const cn_r_instruction_t *ins = &p.code[i];
            cr_assert_lt(ins->op, CN_R_RET);
            cr_assert_lt(ins->dst, 4, "only r0-r3 are written");
            cr_assert_lt(ins->src, 9);
            if (ins->op != CN_R_ADD)
                cr_assert_eq(ins->c, 0);
            if (ins->op == CN_R_ADD || ins->op == CN_R_SUB || ins->op == CN_R_XOR)
                cr_assert_neq(ins->src, ins->dst, "x op x is never generated");
            r8_read |= ins->src == 8;
        }
        cr_assert(r8_read, "height %llu: r8 unused", (unsigned long long)height);
        histogram[p.size]++;
    }
    /* Monero's variant4_random_math.h: 62-63 instructions are by far the most common. */
    cr_expect_gt(histogram[62] + histogram[63], 200);
}

static int same_instruction(const cn_r_instruction_t *x, const cn_r_instruction_t *y)
{
    return x->op == y->op && x->dst == y->dst && x->src == y->src && x->c == y->c;
}

Test(cn_r, generation_is_deterministic_and_height_dependent)
{
    cn_r_program_t a, b, c;
    pow_cn_r_generate(&a, 1806260);
    pow_cn_r_generate(&b, 1806260);
    pow_cn_r_generate(&c, 1806261);
    cr_assert_eq(a.size, b.size);
    int same_as_next_height = a.size == c.size;
    for (unsigned i = 0; i <= a.size; i++) {
        cr_expect(same_instruction(&a.code[i], &b.code[i]), "instruction %u differs", i);
        same_as_next_height = same_as_next_height && same_instruction(&a.code[i], &c.code[i]);
    }
    cr_expect(!same_as_next_height, "heights 1806260 and 1806261 gave the same program");
}

Test(cn_r, interpreter_follows_the_opcode_semantics)
{
    cn_r_program_t p = {0};
    p.code[0] = (cn_r_instruction_t){CN_R_MUL, 0, 4, 0};
    p.code[1] = (cn_r_instruction_t){CN_R_ADD, 1, 5, 0x10};
    p.code[2] = (cn_r_instruction_t){CN_R_SUB, 2, 6, 0};
    p.code[3] = (cn_r_instruction_t){CN_R_ROR, 3, 7, 0};
    p.code[4] = (cn_r_instruction_t){CN_R_ROL, 0, 8, 0};
    p.code[5] = (cn_r_instruction_t){CN_R_XOR, 1, 0, 0};
    p.code[6] = (cn_r_instruction_t){CN_R_RET, 0, 0, 0};
    p.size = 6;
    uint32_t r[9] = {3, 5, 7, 0x80000001u, 0x40000000u, 11, 9, 33, 4};
    pow_cn_r_execute(&p, r);
    cr_expect_eq(r[0], 0x0000000Cu);               /* 3 * 2^30 = 0xC0000000, rotated left by 4 */
    cr_expect_eq(r[1], (5u + 11u + 0x10u) ^ 0xCu); /* then xor the new r0 */
    cr_expect_eq(r[2], (uint32_t)(7 - 9));
    cr_expect_eq(r[3], 0xC0000000u); /* ror by 33 % 32 = 1 */
}

Test(cn_r, jit_matches_the_interpreter_on_many_programs)
{
    if (!pow_cn_r_jit_supported())
        cr_skip_test("no CryptonightR JIT for this architecture");
    cn_r_jit_t jit = {0};
    uint64_t seed = 12345;
    for (uint64_t height = 1000000; height < 1000300; height++) {
        cn_r_program_t p;
        pow_cn_r_generate(&p, height);
        cr_assert_eq(pow_cn_r_jit_compile(&jit, &p), 0);
        cr_assert_not_null(jit.fn);
        for (int round = 0; round < 4; round++) {
            uint32_t a[9], b[9];
            for (int i = 0; i < 9; i++) {
                seed = seed * 6364136223846793005u + 1442695040888963407u;
                a[i] = b[i] = (uint32_t)(seed >> 32);
            }
            pow_cn_r_execute(&p, a);
            jit.fn(b);
            cr_assert_arr_eq(a, b, sizeof(a), "height %llu round %d", (unsigned long long)height,
                             round);
        }
    }
    pow_cn_r_jit_release(&jit);
    cr_expect_null(jit.code);
}

/*
 * The whole compiled main loop (x86-64 with AES-NI: the template with each
 * program inline, in registers of its own) against the portable kernel
 * interpreting the same program, over 200 programs, on a 16 KiB scratchpad
 * and 1024 iterations so that each program runs a thousand times in a few
 * milliseconds.
 */
Test(cn_r, compiled_whole_loop_matches_the_interpreted_kernel_on_many_programs)
{
#if defined(MM_BUILD_AESNI)
    if (!pow_isa_runnable(POW_ISA_AESNI))
        cr_skip_test("this CPU has no AES-NI");
    const pow_cn_algo_t small = {"cn/r-small", 16384, 1024, 16384 - 16, CN_KERNEL_R};
    uint8_t *pad = aligned_alloc(64, 16384);
    cr_assert_not_null(pad);
    cn_r_jit_t jit = {0};
    uint64_t seed = 777;
    for (uint64_t height = 2000000; height < 2000200; height++) {
        cn_r_program_t p;
        pow_cn_r_generate(&p, height);
        cr_assert_eq(pow_cn_r_jit_compile(&jit, &p), 0);
        cr_assert_not_null(jit.loop, "no whole loop where the AES-NI kernels are built");
        uint64_t compiled[25], interpreted[25];
        for (int i = 0; i < 25; i++) {
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            compiled[i] = interpreted[i] = seed;
        }
        pow__cn_kernels_aesni[CN_KERNEL_R](compiled, pad, &small, 0, &p, &jit);
        pow__cn_kernels_portable[CN_KERNEL_R](interpreted, pad, &small, 0, &p, NULL);
        cr_assert_arr_eq(compiled, interpreted, sizeof(compiled), "height %llu",
                         (unsigned long long)height);
    }
    pow_cn_r_jit_release(&jit);
    free(pad);
#else
    cr_skip_test("the AES-NI kernels are not built");
#endif
}
