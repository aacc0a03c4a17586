/*
 * One Stratum job, as a pool sends it in a login result or a "job"
 * notification, checked field by field and decoded into bytes the miner
 * can hash. Also the share target arithmetic both sides of the protocol
 * share: the 8- or 16-digit hex target, its difficulty, and the share test.
 */
#ifndef MINEMETER_STRATUM_JOB_H
#define MINEMETER_STRATUM_JOB_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "miner/miner.h"
#include "pow/algo.h"

/* Where Monero-style blobs keep their 4-byte little-endian nonce. */
#define STRATUM_NONCE_OFFSET 39

/* Longest job id kept, in characters (the pool's id is echoed in submits). */
#define STRATUM_MAX_JOB_ID 127

typedef struct {
    char id[STRATUM_MAX_JOB_ID + 1]; /* job_id as the pool sent it (1 .. 127 chars) */
    const pow_algo_t *algo;          /* from "algo", else the default the caller passes */
    uint8_t blob[MINER_MAX_BLOB];
    size_t blob_len;     /* at least nonce_offset + 4 bytes */
    size_t nonce_offset; /* STRATUM_NONCE_OFFSET */
    uint64_t target;     /* a share when LE64(hash[24..31]) < target */
    uint64_t difficulty; /* UINT64_MAX / target */
    uint64_t height;     /* 0 when absent */
    uint8_t seed[32];    /* seed_hash: required for RandomX */
    size_t seed_len;     /* 0 or 32 */
    int nicehash;        /* the pool fixed the nonce's top byte (blob byte 42): keep it */
} stratum_job_t;

/*
 * Checks and decodes one job object. default_algo (may be NULL) stands in
 * when the job has no "algo". Returns 0, or -1 with one sentence in why
 * (why may be NULL) saying what is wrong; out is then unspecified.
 */
int stratum_job_parse(const json_t *job, const pow_algo_t *default_algo, stratum_job_t *out,
                      char *why, size_t why_len);

/* The miner's form of job, named miner_job_id in the miner's results. */
void stratum_job_to_miner(const stratum_job_t *job, uint64_t miner_job_id, miner_job_t *out);

/*
 * The 64-bit target of a hex target: 8 digits are a 32-bit little-endian
 * compact target t, widened as 0xFFFFFFFFFFFFFFFF / (0xFFFFFFFF / t); 16
 * digits are the 64-bit little-endian target itself. Returns 0, or -1 for
 * another length, a non-hex digit or a zero target.
 */
int stratum_target_decode(const char *hex, uint64_t *target);

/*
 * The hex target a pool sends for a share difficulty (0 counts as 1): the
 * 8-digit compact form every miner reads while the difficulty fits in 32
 * bits, else the 16-digit 64-bit form. out holds 17 bytes.
 */
void stratum_target_encode(uint64_t difficulty, char out[17]);

/* The 64-bit target for a share difficulty (0 and 1 give every hash but the largest). */
uint64_t stratum_target_from_difficulty(uint64_t difficulty);

/* The difficulty of a 64-bit target: 0xFFFFFFFFFFFFFFFF / target (0 for a zero target). */
uint64_t stratum_difficulty_from_target(uint64_t target);

#endif
