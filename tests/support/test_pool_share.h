/*
 * The test pool's jobs and its share check: what a job holds, its JSON,
 * and the verdict on a submitted nonce, recomputed with our hashing core.
 * Used by the pool thread only.
 */
#ifndef MINEMETER_TESTS_TEST_POOL_SHARE_H
#define MINEMETER_TESTS_TEST_POOL_SHARE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "pow/algo.h"

#define POOL_BLOB_LEN 76

typedef struct {
    uint64_t number; /* the job id, as decimal text on the wire */
    const char *algo_name;
    const pow_algo_t *algo; /* NULL for the unknown-algorithm fault */
    uint8_t blob[POOL_BLOB_LEN];
    uint64_t height;
    uint8_t seed[32];
    char target_hex[17];
    uint64_t target; /* the 64-bit target a client derives from target_hex */
} pool_job_t;

/* A job with a random blob; returns 0 or -1 when the randomness fails. */
int pool_job_make(pool_job_t *job, uint64_t number, const char *algo_name, uint64_t height,
                  const uint8_t seed[32], uint64_t difficulty);

/* The job object a client gets; nicehash_byte >= 0 goes into blob byte 42. NULL on ENOMEM. */
json_t *pool_job_json(const pool_job_t *job, int nicehash_byte);

/* Fills out with random bytes; returns 0 or -1. */
int pool_random(void *out, size_t len);

typedef struct pool_verifier pool_verifier_t;

pool_verifier_t *pool_verifier_create(void);
void pool_verifier_destroy(pool_verifier_t *verifier);

/*
 * Recomputes the share: nonce put into the job's blob, hashed with the
 * job's algorithm, height and seed (RandomX in light mode; the hasher is
 * built on first use and re-keyed when the seed changes). For rx/2, result
 * must be the commitment and commitment the raw hash. Returns NULL when the
 * share is good, else the pool's error message.
 */
const char *pool_verify_share(pool_verifier_t *verifier, const pool_job_t *job, uint32_t nonce,
                              const uint8_t result[32], const uint8_t *commitment);

#endif
