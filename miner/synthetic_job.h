/*
 * A job no pool sent, for load and impact: random bytes in Monero's
 * hashing-blob shape (76 bytes, the nonce at byte 39), a target nothing
 * meets (so no result is ever queued), a fixed cn/r height and RandomX seed.
 */
#ifndef MINEMETER_MINER_SYNTHETIC_JOB_H
#define MINEMETER_MINER_SYNTHETIC_JOB_H

#include "miner/miner.h"

/* Fills job for algo; seed_text names the RandomX key ("minemeter load"), at most 60 bytes. */
void miner_synthetic_job(const pow_algo_t *algo, const char *seed_text, miner_job_t *job);

#endif
