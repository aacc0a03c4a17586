/*
 * Jobs and share verification for the test pool.
 */
#include "tests/support/test_pool_share.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "pow/hex.h"
#include "stratum/job.h"
#include "stratum/share_check.h"

int pool_random(void *out, size_t len)
{
    uint8_t *bytes = out;
    while (len > 0) {
        ssize_t n = getrandom(bytes, len, 0);
        if (n <= 0)
            return -1;
        bytes += n;
        len -= (size_t)n;
    }
    return 0;
}

int pool_job_make(pool_job_t *job, uint64_t number, const char *algo_name, uint64_t height,
                  const uint8_t seed[32], uint64_t difficulty)
{
    memset(job, 0, sizeof(*job));
    job->number = number;
    job->algo_name = algo_name;
    job->algo = pow_algo_find(algo_name);
    job->height = height;
    memcpy(job->seed, seed, 32);
    if (pool_random(job->blob, sizeof(job->blob)) != 0)
        return -1;
    /* Monero's layout: versions, a 5-byte varint timestamp, the previous
     * block's hash, the nonce, the Merkle root, a one-byte transaction count. */
    job->blob[0] = 16;
    job->blob[1] = 16;
    for (int i = 2; i < 6; i++)
        job->blob[i] |= 0x80;
    job->blob[6] &= 0x7f;
    memset(job->blob + STRATUM_NONCE_OFFSET, 0, 4);
    job->blob[POOL_BLOB_LEN - 1] = (uint8_t)(1 + job->blob[POOL_BLOB_LEN - 1] % 100);
    /* The test pool's difficulty is at most 0xFFFFFFFF: always the 8-digit compact target. */
    stratum_target_encode(difficulty, job->target_hex);
    return stratum_target_decode(job->target_hex, &job->target);
}

json_t *pool_job_json(const pool_job_t *job, int nicehash_byte)
{
    uint8_t blob[POOL_BLOB_LEN];
    memcpy(blob, job->blob, sizeof(blob));
    if (nicehash_byte >= 0)
        blob[STRATUM_NONCE_OFFSET + 3] = (uint8_t)nicehash_byte;
    char blob_hex[2 * POOL_BLOB_LEN + 1], seed_hex[65], id[24];
    pow_hex_encode(blob, sizeof(blob), blob_hex);
    pow_hex_encode(job->seed, sizeof(job->seed), seed_hex);
    snprintf(id, sizeof(id), "%llu", (unsigned long long)job->number);
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    int rc = json_object_set_new(o, "blob", json_string(blob_hex));
    rc |= json_object_set_new(o, "job_id", json_string(id));
    rc |= json_object_set_new(o, "target", json_string(job->target_hex));
    rc |= json_object_set_new(o, "algo", json_string(job->algo_name));
    rc |= json_object_set_new(o, "height", json_integer((json_int_t)job->height));
    if (job->algo == NULL || pow_algo_needs_key(job->algo))
        rc |= json_object_set_new(o, "seed_hash", json_string(seed_hex));
    if (rc != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

struct pool_verifier {
    stratum_share_checker_t *checker;
};

pool_verifier_t *pool_verifier_create(void)
{
    pool_verifier_t *v = calloc(1, sizeof(*v));
    if (v != NULL && (v->checker = stratum_share_checker_create()) == NULL) {
        free(v);
        v = NULL;
    }
    return v;
}

void pool_verifier_destroy(pool_verifier_t *verifier)
{
    if (verifier != NULL)
        stratum_share_checker_destroy(verifier->checker);
    free(verifier);
}

const char *pool_verify_share(pool_verifier_t *verifier, const pool_job_t *job, uint32_t nonce,
                              const uint8_t result[32], const uint8_t *commitment)
{
    if (job->algo == NULL)
        return "Unsupported algorithm";
    stratum_share_work_t work = {job->algo,   job->blob, sizeof(job->blob), STRATUM_NONCE_OFFSET,
                                 job->height, job->seed, job->target};
    switch (stratum_share_check(verifier->checker, &work, nonce, result, commitment, NULL)) {
    case STRATUM_SHARE_GOOD:
        return NULL;
    case STRATUM_SHARE_WRONG_RESULT:
        return "Invalid hash";
    case STRATUM_SHARE_LOW_DIFFICULTY:
        return "Low difficulty share";
    case STRATUM_SHARE_NO_COMMITMENT:
        return "Malformed share: rx/2 needs a commitment";
    case STRATUM_SHARE_CANNOT_HASH:
        break;
    }
    return "Internal error: the pool cannot hash this algorithm";
}
