/*
 * A pool's check of a submitted share, never on the miner's word: the
 * nonce is put into the blob the pool handed out, the blob is hashed with
 * our own core (RandomX in light mode), and the hash is compared with the
 * result the miner sent and tested against the share's target. The hasher
 * is built on first use, kept, and re-keyed only when the seed changes.
 * Used by the lab pool (stratum/pool_server.c) and the test pool.
 */
#ifndef MINEMETER_STRATUM_SHARE_CHECK_H
#define MINEMETER_STRATUM_SHARE_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "pow/algo.h"

typedef struct {
    const pow_algo_t *algo;
    const uint8_t *blob; /* as handed out, nonce bytes ignored */
    size_t blob_len;
    size_t nonce_offset;
    uint64_t height;
    const uint8_t *seed; /* 32 bytes for RandomX, else NULL */
    uint64_t target;     /* a share when LE64(hash[24..31]) < target */
} stratum_share_work_t;

typedef enum {
    STRATUM_SHARE_GOOD,
    STRATUM_SHARE_WRONG_RESULT,   /* the result (or rx/2's commitment) is not the hash */
    STRATUM_SHARE_LOW_DIFFICULTY, /* the hash is right and above the target */
    STRATUM_SHARE_NO_COMMITMENT,  /* rx/2 without the raw hash beside the result */
    STRATUM_SHARE_CANNOT_HASH,    /* the pool's own failure: memory, an unbuilt path */
} stratum_share_verdict_t;

typedef struct stratum_share_checker stratum_share_checker_t;

/* NULL when out of memory. */
stratum_share_checker_t *stratum_share_checker_create(void);

void stratum_share_checker_destroy(stratum_share_checker_t *checker);

/*
 * Hashes work with nonce and judges result (32 bytes; for rx/2 the
 * commitment, with the raw hash in commitment). hash (may be NULL) gets
 * what the target was tested on, for a block check.
 */
stratum_share_verdict_t stratum_share_check(stratum_share_checker_t *checker,
                                            const stratum_share_work_t *work, uint32_t nonce,
                                            const uint8_t result[32], const uint8_t *commitment,
                                            uint8_t hash[32]);

#endif
