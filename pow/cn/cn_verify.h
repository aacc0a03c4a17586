/*
 * Checking a CryptoNight context against the shipped vectors: what
 * selftest reports and what bench and the miner require before they hash.
 */
#ifndef MINEMETER_POW_CN_CN_VERIFY_H
#define MINEMETER_POW_CN_CN_VERIFY_H

#include <stdint.h>

#include "pow/cn/cn.h"
#include "pow/vectors.h"

typedef struct {
    unsigned checked; /* Vectors of this variant that were run. */
    unsigned failed;  /* How many of them gave another hash. */
    const pow_vector_t *first_failure;
    uint8_t first_failure_hash[32]; /* What we computed for it. */
} pow_cn_verify_result_t;

/*
 * Runs every shipped vector of ctx's variant through ctx. Returns 0 when
 * all match, -ENOENT when the variant has no vector, -EIO when one differs
 * (result says which).
 */
int pow_cn_verify(pow_cn_ctx_t *ctx, pow_cn_verify_result_t *result);

#endif
