/*
 * CryptoNight: one implementation, parameterised by a table of variants
 * (cn/0, cn/1, cn/2, cn/r and the sub-variants XMRig knows), on every
 * instruction-set path compiled in.
 *
 * A hash is a pure function of its input and a caller-owned context: the
 * context holds the scratchpad (which the caller allocates, preferably on
 * huge pages from arch/pages.c) and the cached cn/r program.
 */
#ifndef MINEMETER_POW_CN_CN_H
#define MINEMETER_POW_CN_CN_H

#include <stddef.h>
#include <stdint.h>

#include "pow/cn/cn_r.h"
#include "pow/cn/cn_r_jit.h"
#include "pow/isa.h"

typedef struct pow_cn_algo pow_cn_algo_t;

/* The variant called name ("cn/2", "cn-lite/1" ...), or NULL. */
const pow_cn_algo_t *pow_cn_algo_find(const char *name);

/* The i-th variant in the table, or NULL past the end: for listing them all. */
const pow_cn_algo_t *pow_cn_algo_at(size_t i);

const char *pow_cn_algo_name(const pow_cn_algo_t *algo);

/* Scratchpad bytes the variant needs. */
size_t pow_cn_algo_memory(const pow_cn_algo_t *algo);

/* Nonzero when the variant needs a block height (cn/r). */
int pow_cn_algo_needs_height(const pow_cn_algo_t *algo);

/* The shortest input the variant accepts (43 bytes for the cn/1 family). */
size_t pow_cn_algo_min_input(const pow_cn_algo_t *algo);

/* Whether CryptoNight has a kernel for isa and this CPU runs it. */
int pow_cn_isa_available(pow_isa_t isa);

/* The fastest available path. */
pow_isa_t pow_cn_isa_best(void);

typedef struct {
    const pow_cn_algo_t *algo;
    pow_isa_t isa;
    uint8_t *scratchpad;
    cn_r_program_t program; /* cn/r: the program of program.height */
    int program_valid;
    cn_r_jit_t jit; /* cn/r on a non-portable path: the program compiled */
    int jit_failed; /* The JIT was tried and refused; the program is interpreted. */
} pow_cn_ctx_t;

/*
 * Prepares ctx to hash algo on isa with a caller-owned scratchpad of size
 * bytes (at least pow_cn_algo_memory, 64-byte aligned). Returns 0, -ENOTSUP
 * when isa is not available, or -ENOBUFS / -EINVAL for a bad scratchpad.
 * A context that was set up must be released before it is set up again.
 */
int pow_cn_ctx_init(pow_cn_ctx_t *ctx, const pow_cn_algo_t *algo, pow_isa_t isa, void *scratchpad,
                    size_t size);

/* Frees what the context holds besides the caller's scratchpad (the JIT buffer). */
void pow_cn_ctx_release(pow_cn_ctx_t *ctx);

/*
 * Whether cn/r programs run compiled (1) or interpreted (0) in this context:
 * the portable path always interprets, the others compile where they can.
 */
int pow_cn_ctx_uses_jit(const pow_cn_ctx_t *ctx);

/*
 * Hashes len bytes of input into out. height is used by cn/r only. Returns
 * 0, or -EINVAL when the input is shorter than the variant accepts.
 */
int pow_cn_hash(pow_cn_ctx_t *ctx, const void *input, size_t len, uint64_t height, uint8_t out[32]);

#endif
