/*
 * CryptoNight's public face: the variant table, path selection, and the
 * parts of a hash around the kernel (Keccak in, one of four finalizers out).
 */
#include "config.h"
#include "pow/cn/cn.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "pow/cn/cn_kernel.h"
#include "pow/prim/blake256.h"
#include "pow/prim/groestl256.h"
#include "pow/prim/jh256.h"
#include "pow/prim/keccak.h"
#include "pow/prim/skein512_256.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the CryptoNight kernels assume a little-endian host"
#endif

#define KIB(n)  ((uint32_t)(n) << 10)
#define MIB(n)  ((uint32_t)(n) << 20)
#define CN_ITER 0x80000u

/*
 * The variants (XMRig's CnAlgo.h names and parameters). Only variants with
 * a published vector in tests/pow/cn are listed: a variant nobody can check
 * is not shipped.
 */
static const struct pow_cn_algo algos[] = {
    {"cn/0", MIB(2), CN_ITER, 0x1FFFF0, CN_KERNEL_V0},
    {"cn/1", MIB(2), CN_ITER, 0x1FFFF0, CN_KERNEL_V1},
    {"cn/2", MIB(2), CN_ITER, 0x1FFFF0, CN_KERNEL_V2},
    {"cn/r", MIB(2), CN_ITER, 0x1FFFF0, CN_KERNEL_R},
    {"cn/fast", MIB(2), CN_ITER / 2, 0x1FFFF0, CN_KERNEL_V1},
    {"cn/half", MIB(2), CN_ITER / 2, 0x1FFFF0, CN_KERNEL_V2},
    {"cn/rwz", MIB(2), CN_ITER * 3 / 4, 0x1FFFF0, CN_KERNEL_V2_REVERSE},
    {"cn/zls", MIB(2), CN_ITER * 3 / 4, 0x1FFFF0, CN_KERNEL_V2},
    {"cn/double", MIB(2), CN_ITER * 2, 0x1FFFF0, CN_KERNEL_V2},
    {"cn/xao", MIB(2), CN_ITER * 2, 0x1FFFF0, CN_KERNEL_V0},
    {"cn/rto", MIB(2), CN_ITER, 0x1FFFF0, CN_KERNEL_V1_RTO},
    {"cn/ccx", MIB(2), CN_ITER / 2, 0x1FFFF0, CN_KERNEL_CCX},
    {"cn-lite/0", MIB(1), CN_ITER / 2, 0xFFFF0, CN_KERNEL_V0},
    {"cn-lite/1", MIB(1), CN_ITER / 2, 0xFFFF0, CN_KERNEL_V1},
    {"cn-heavy/0", MIB(4), CN_ITER / 2, 0x3FFFF0, CN_KERNEL_HEAVY},
    {"cn-heavy/xhv", MIB(4), CN_ITER / 2, 0x3FFFF0, CN_KERNEL_HEAVY_XHV},
    {"cn-heavy/tube", MIB(4), CN_ITER / 2, 0x3FFFF0, CN_KERNEL_HEAVY_TUBE},
    {"cn-pico", KIB(256), CN_ITER / 8, 0x1FFF0, CN_KERNEL_V2},
    {"cn-pico/tlo", KIB(256), CN_ITER / 8, 0x3FFF0, CN_KERNEL_V2},
    {"cn/upx2", KIB(128), CN_ITER / 32, 0x1FFF0, CN_KERNEL_V2_REVERSE},
};

#define ALGO_COUNT (sizeof(algos) / sizeof(algos[0]))

const pow_cn_algo_t *pow_cn_algo_find(const char *name)
{
    for (size_t i = 0; i < ALGO_COUNT; i++) {
        if (strcmp(algos[i].name, name) == 0)
            return &algos[i];
    }
    return NULL;
}

const pow_cn_algo_t *pow_cn_algo_at(size_t i)
{
    return i < ALGO_COUNT ? &algos[i] : NULL;
}

const char *pow_cn_algo_name(const pow_cn_algo_t *algo)
{
    return algo->name;
}

size_t pow_cn_algo_memory(const pow_cn_algo_t *algo)
{
    return algo->memory;
}

int pow_cn_algo_needs_height(const pow_cn_algo_t *algo)
{
    return algo->kernel == CN_KERNEL_R;
}

size_t pow_cn_algo_min_input(const pow_cn_algo_t *algo)
{
    /* The v1 tweak reads 8 bytes at offset 35. */
    return algo->kernel == CN_KERNEL_V1 || algo->kernel == CN_KERNEL_V1_RTO ||
                   algo->kernel == CN_KERNEL_HEAVY_TUBE
               ? 43
               : 0;
}

static const cn_kernel_fn *kernels_for(pow_isa_t isa)
{
    switch (isa) {
    case POW_ISA_PORTABLE:
        return pow__cn_kernels_portable;
#ifdef MM_BUILD_AESNI
    case POW_ISA_AESNI:
        return pow__cn_kernels_aesni;
#endif
#ifdef MM_BUILD_ARMCRYPTO
    case POW_ISA_ARMCRYPTO:
        return pow__cn_kernels_armcrypto;
#endif
    default:
        return NULL;
    }
}

int pow_cn_isa_available(pow_isa_t isa)
{
    return kernels_for(isa) != NULL && pow_isa_runnable(isa);
}

pow_isa_t pow_cn_isa_best(void)
{
    static const pow_isa_t preference[] = {POW_ISA_AESNI, POW_ISA_ARMCRYPTO};
    for (size_t i = 0; i < sizeof(preference) / sizeof(preference[0]); i++) {
        if (pow_cn_isa_available(preference[i]))
            return preference[i];
    }
    return POW_ISA_PORTABLE;
}

int pow_cn_ctx_init(pow_cn_ctx_t *ctx, const pow_cn_algo_t *algo, pow_isa_t isa, void *scratchpad,
                    size_t size)
{
    memset(ctx, 0, sizeof(*ctx));
    if (!pow_cn_isa_available(isa))
        return -ENOTSUP;
    if (scratchpad == NULL || (uintptr_t)scratchpad % 64 != 0)
        return -EINVAL;
    if (size < algo->memory)
        return -ENOBUFS;
    ctx->algo = algo;
    ctx->isa = isa;
    ctx->scratchpad = scratchpad;
    return 0;
}

void pow_cn_ctx_release(pow_cn_ctx_t *ctx)
{
    pow_cn_r_jit_release(&ctx->jit);
    ctx->program_valid = 0;
}

int pow_cn_ctx_uses_jit(const pow_cn_ctx_t *ctx)
{
    return ctx->isa != POW_ISA_PORTABLE && pow_cn_r_jit_supported() && !ctx->jit_failed;
}

typedef void (*finalizer_fn)(const uint8_t *in, size_t len, uint8_t out[32]);

int pow_cn_hash(pow_cn_ctx_t *ctx, const void *input, size_t len, uint64_t height, uint8_t out[32])
{
    static const finalizer_fn finalizers[4] = {pow_blake256, pow_groestl256, pow_jh256,
                                               pow_skein512_256};
    const pow_cn_algo_t *algo = ctx->algo;
    if (len < pow_cn_algo_min_input(algo))
        return -EINVAL;

    uint64_t state[25];
    pow_keccak1600(input, len, (uint8_t *)state);

    uint64_t tweak = 0;
    if (pow_cn_algo_min_input(algo) > 0) {
        uint64_t nonce_word;
        memcpy(&nonce_word, (const uint8_t *)input + 35, sizeof(nonce_word));
        tweak = state[24] ^ nonce_word;
    }
    const cn_r_program_t *program = NULL;
    if (algo->kernel == CN_KERNEL_R) {
        if (!ctx->program_valid || ctx->program.height != height) {
            pow_cn_r_generate(&ctx->program, height);
            ctx->program_valid = 1;
            if (pow_cn_ctx_uses_jit(ctx) && pow_cn_r_jit_compile(&ctx->jit, &ctx->program) != 0)
                ctx->jit_failed = 1;
        }
        program = &ctx->program;
    }
    const cn_r_jit_t *jit = pow_cn_ctx_uses_jit(ctx) && ctx->jit.fn != NULL ? &ctx->jit : NULL;

    kernels_for(ctx->isa)[algo->kernel](state, ctx->scratchpad, algo, tweak, program, jit);

    pow_keccakf(state);
    const uint8_t *bytes = (const uint8_t *)state;
    finalizers[bytes[0] & 3](bytes, sizeof(state), out);
    return 0;
}
