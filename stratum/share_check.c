/*
 * Share verification by rehashing (stratum/share_check.h).
 */
#include "stratum/share_check.h"

#include <stdlib.h>
#include <string.h>

#include "miner/miner.h"
#include "pow/rx/randomx.h"

#define MAX_BLOB 256

struct stratum_share_checker {
    pow_hasher_t *hasher;
    const pow_algo_t *algo;
};

stratum_share_checker_t *stratum_share_checker_create(void)
{
    return calloc(1, sizeof(stratum_share_checker_t));
}

void stratum_share_checker_destroy(stratum_share_checker_t *checker)
{
    if (checker != NULL)
        pow_hasher_destroy(checker->hasher);
    free(checker);
}

static int hasher_for(stratum_share_checker_t *c, const stratum_share_work_t *work)
{
    if (c->hasher != NULL && c->algo != work->algo) {
        pow_hasher_destroy(c->hasher);
        c->hasher = NULL;
    }
    int keyed = pow_algo_needs_key(work->algo);
    if (keyed && work->seed == NULL)
        return -1;
    if (c->hasher == NULL) {
        c->algo = work->algo;
        return pow_hasher_create(&c->hasher, work->algo, pow_algo_isa_best(work->algo),
                                 keyed ? work->seed : NULL, keyed ? 32 : 0);
    }
    /* A no-op when the cache already holds this seed. */
    return keyed ? pow_hasher_set_key(c->hasher, work->seed, 32) : 0;
}

stratum_share_verdict_t stratum_share_check(stratum_share_checker_t *checker,
                                            const stratum_share_work_t *work, uint32_t nonce,
                                            const uint8_t result[32], const uint8_t *commitment,
                                            uint8_t hash[32])
{
    if (work->blob_len > MAX_BLOB || work->nonce_offset + 4 > work->blob_len)
        return STRATUM_SHARE_CANNOT_HASH;
    const struct pow_rx_variant *rx = pow_algo_rx(work->algo);
    if (rx != NULL && rx->v2 && commitment == NULL)
        return STRATUM_SHARE_NO_COMMITMENT;
    if (hasher_for(checker, work) != 0)
        return STRATUM_SHARE_CANNOT_HASH;
    uint8_t blob[MAX_BLOB], tested[32];
    memcpy(blob, work->blob, work->blob_len);
    for (int i = 0; i < 4; i++)
        blob[work->nonce_offset + (size_t)i] = (uint8_t)(nonce >> (8 * i));
    if (pow_hasher_hash(checker->hasher, blob, work->blob_len, work->height, tested) != 0)
        return STRATUM_SHARE_CANNOT_HASH;
    if (rx != NULL && rx->v2) {
        /* rx/2: the target is tested on the commitment, which the share's result carries. */
        if (memcmp(commitment, tested, 32) != 0)
            return STRATUM_SHARE_WRONG_RESULT;
        uint8_t c[32];
        pow_rx_commitment(blob, work->blob_len, tested, c);
        memcpy(tested, c, sizeof(c));
    }
    if (hash != NULL)
        memcpy(hash, tested, 32);
    if (memcmp(result, tested, 32) != 0)
        return STRATUM_SHARE_WRONG_RESULT;
    return miner_meets_target(tested, work->target) ? STRATUM_SHARE_GOOD
                                                    : STRATUM_SHARE_LOW_DIFFICULTY;
}
