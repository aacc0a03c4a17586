/*
 * What a lab pool hands out: a block template (one per chain height) and,
 * from it, each connection's own hashing blob, so that no two miners ever
 * hash the same blob and nonce. Synthetic templates need no daemon: a
 * hashing blob laid out as monerod's (major and minor version, a 5-byte
 * varint timestamp, the previous block's id, the nonce at byte 39, the
 * Merkle root, the transaction count), a height that grows by one per
 * template and a RandomX seed that changes every seed_interval templates.
 * A connection's blob has the Merkle root replaced by
 * keccak256(root || extra nonce), as a real pool's extra nonce in the
 * coinbase changes the root.
 *
 * A daemon's template (monerod's get_block_template, through
 * stratum/daemon_client.c) cannot be re-rooted without its transactions,
 * so its connections share the blob and split the nonce instead, as
 * NiceHash-style proxies do: each gets its own top nonce byte (blob byte
 * 42), and the pool refuses shares outside it.
 */
#ifndef MINEMETER_STRATUM_POOL_TEMPLATE_H
#define MINEMETER_STRATUM_POOL_TEMPLATE_H

#include <stddef.h>
#include <stdint.h>

#include "pow/algo.h"

#define STRATUM_POOL_BLOB_LEN 76  /* a synthetic blob */
#define STRATUM_POOL_MAX_BLOB 128 /* a daemon's hashing blob (Monero's is 76 or a few more) */

typedef struct {
    uint64_t generation; /* 1, 2, ...: a share for an older one is stale */
    const pow_algo_t *algo;
    uint64_t height;
    uint8_t seed[32]; /* RandomX only */
    uint8_t blob[STRATUM_POOL_MAX_BLOB];
    size_t blob_len;
    /* A daemon's: connections split the nonce's top byte; shares are capped at the block's
     * difficulty, and each accepted one is offered as a block under source_job_id. */
    int nicehash;
    uint64_t block_difficulty; /* 0: synthetic, no blocks */
    char source_job_id[128];
} stratum_pool_template_t;

typedef struct {
    const pow_algo_t *algo;
    uint64_t height;        /* of the next template */
    uint64_t generation;    /* of the last template made */
    unsigned seed_interval; /* templates per seed (0: never changes) */
    unsigned seed_age;      /* templates made on the current seed */
    uint8_t seed[32];
    uint8_t prev_id[32];
} stratum_pool_synthetic_t;

/* Starts a synthetic chain at height with a random seed. Returns 0 or -1 (no randomness). */
int stratum_pool_synthetic_init(stratum_pool_synthetic_t *chain, const pow_algo_t *algo,
                                uint64_t height, unsigned seed_interval);

/* The next template (the previous one's id chained in). Returns 0 or -1. */
int stratum_pool_synthetic_next(stratum_pool_synthetic_t *chain, stratum_pool_template_t *out);

/*
 * A connection's blob (tpl->blob_len bytes): the template's with
 * extra_nonce folded into the root, or, for a daemon's template, with the
 * low byte of extra_nonce as the nonce's top byte.
 */
void stratum_pool_template_blob(const stratum_pool_template_t *tpl, uint32_t extra_nonce,
                                uint8_t out[STRATUM_POOL_MAX_BLOB]);

#endif
