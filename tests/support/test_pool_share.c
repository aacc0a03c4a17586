/*
 * Jobs and share verification for the test pool.
 */
#include "tests/support/test_pool_share.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "pow/hex.h"
#include "pow/rx/randomx.h"
#include "stratum/job.h"

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
    if (difficulty == 0)
        difficulty = 1;
    uint32_t compact = difficulty > UINT32_MAX ? 1 : (uint32_t)(UINT32_MAX / difficulty);
    uint8_t le[4] = {(uint8_t)compact, (uint8_t)(compact >> 8), (uint8_t)(compact >> 16),
                     (uint8_t)(compact >> 24)};
    pow_hex_encode(le, sizeof(le), job->target_hex);
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
    pow_hasher_t *hasher;
    const pow_algo_t *algo;
};

pool_verifier_t *pool_verifier_create(void)
{
    return calloc(1, sizeof(pool_verifier_t));
}

void pool_verifier_destroy(pool_verifier_t *verifier)
{
    if (verifier != NULL)
        pow_hasher_destroy(verifier->hasher);
    free(verifier);
}

static int hasher_for(pool_verifier_t *v, const pool_job_t *job)
{
    if (v->hasher != NULL && v->algo != job->algo) {
        pow_hasher_destroy(v->hasher);
        v->hasher = NULL;
    }
    int key = pow_algo_needs_key(job->algo);
    if (v->hasher == NULL) {
        v->algo = job->algo;
        return pow_hasher_create(&v->hasher, job->algo, pow_algo_isa_best(job->algo),
                                 key ? job->seed : NULL, key ? sizeof(job->seed) : 0);
    }
    /* A no-op when the cache already holds this seed. */
    return key ? pow_hasher_set_key(v->hasher, job->seed, sizeof(job->seed)) : 0;
}

const char *pool_verify_share(pool_verifier_t *verifier, const pool_job_t *job, uint32_t nonce,
                              const uint8_t result[32], const uint8_t *commitment)
{
    if (job->algo == NULL)
        return "Unsupported algorithm";
    if (hasher_for(verifier, job) != 0)
        return "Internal error: the pool cannot hash this algorithm";
    uint8_t blob[POOL_BLOB_LEN], hash[32];
    memcpy(blob, job->blob, sizeof(blob));
    for (int i = 0; i < 4; i++)
        blob[STRATUM_NONCE_OFFSET + i] = (uint8_t)(nonce >> (8 * i));
    if (pow_hasher_hash(verifier->hasher, blob, sizeof(blob), job->height, hash) != 0)
        return "Internal error: hashing failed";
    const struct pow_rx_variant *rx = pow_algo_rx(job->algo);
    if (rx != NULL && rx->v2) {
        /* rx/2: the target is tested on the commitment, which the share's result carries. */
        if (commitment == NULL)
            return "Malformed share: rx/2 needs a commitment";
        if (memcmp(commitment, hash, 32) != 0)
            return "Invalid hash";
        uint8_t c[32];
        pow_rx_commitment(blob, sizeof(blob), hash, c);
        memcpy(hash, c, sizeof(c));
    }
    if (memcmp(result, hash, 32) != 0)
        return "Invalid hash";
    if (!miner_meets_target(hash, job->target))
        return "Low difficulty share";
    return NULL;
}
