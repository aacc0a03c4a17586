/*
 * What solo mining needs to understand of monerod's replies, with no I/O:
 * the block difficulty (up to 128 bits, "wide_difficulty") and Monero's
 * exact 256-bit test of a hash against it, the block header's varints (the
 * major version picks the algorithm, and they place the nonce), a block
 * template turned into a job the miner can hash, get_info's view of the
 * chain, and which JSON-RPC errors mean what.
 */
#ifndef MINEMETER_STRATUM_DAEMON_TEMPLATE_H
#define MINEMETER_STRATUM_DAEMON_TEMPLATE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "pow/algo.h"
#include "stratum/job.h"

/* A block difficulty: lo + hi * 2^64 (Monero's difficulty_type is 128 bits). */
typedef struct {
    uint64_t lo, hi;
} stratum_difficulty_t;

/*
 * Parses "0x..." (1 to 32 hex digits, as in wide_difficulty). Returns 0,
 * or -1 for anything else or zero.
 */
int stratum_difficulty_parse(const char *text, stratum_difficulty_t *out);

/*
 * Monero's check: the hash, read as a 256-bit little-endian number, times
 * the difficulty is below 2^256. Returns 1 when the hash makes a block.
 */
int stratum_block_meets_difficulty(const uint8_t hash[32], stratum_difficulty_t difficulty);

/*
 * The miner's 64-bit share target (LE64(hash[24..31]) < target) that every
 * hash meeting difficulty passes: the candidates, which then take the
 * exact test above. At difficulty 1 (every hash a block) the hashes whose
 * top 64 bits are all ones, one in 2^64, are missed.
 */
uint64_t stratum_block_candidate_target(stratum_difficulty_t difficulty);

typedef struct {
    unsigned major_version, minor_version;
    uint64_t timestamp;
    size_t nonce_offset; /* after the three varints and the 32-byte previous id */
} stratum_block_header_t;

/* Reads the header at the start of a block or hashing blob. Returns 0, or -1 when truncated. */
int stratum_block_header_parse(const uint8_t *blob, size_t len, stratum_block_header_t *out);

/*
 * Monero's proof of work for a block major version: 12 and later rx/0,
 * 10-11 cn/r, 8-9 cn/2, 7 cn/1, older cn/0. NULL when not registered.
 */
const pow_algo_t *stratum_block_algo(unsigned major_version);

/* A block template from get_block_template, and the job hashed for it. */
typedef struct {
    stratum_job_t job; /* id left empty for the caller; blob: blockhashing_blob */
    stratum_difficulty_t difficulty;
    unsigned major_version;
    uint8_t prev_hash[32];
    uint8_t *block; /* blocktemplate_blob, decoded; owned */
    size_t block_len;
    size_t block_nonce_offset;
} stratum_block_template_t;

/*
 * Checks and decodes a get_block_template result. Returns 0, or -1 with
 * one sentence in why; out owns memory after 0 (stratum_block_template_free).
 */
int stratum_block_template_parse(const json_t *result, stratum_block_template_t *out, char *why,
                                 size_t why_len);

/*
 * The same, hashing with algo instead of what the major version calls for
 * (mine --algo on a chain whose fork schedule is not Monero's); algo NULL:
 * the major version's.
 */
int stratum_block_template_parse_as(const json_t *result, const pow_algo_t *algo,
                                    stratum_block_template_t *out, char *why, size_t why_len);

/* The block with nonce in place, as hex for submit_block (malloc'ed), or NULL. */
char *stratum_block_template_fill(const stratum_block_template_t *tpl, uint32_t nonce);

void stratum_block_template_free(stratum_block_template_t *tpl);

/* The daemon's state from get_info. */
typedef struct {
    uint64_t height; /* blocks in the chain: the next block's height */
    uint64_t target_height;
    uint8_t top_hash[32];
    int busy;    /* status "BUSY" or busy_syncing */
    int syncing; /* synchronized false */
    char version[32];
    char nettype[16];
} stratum_daemon_info_t;

/* Checks and decodes a get_info result. Returns 0, or -1 with one sentence in why. */
int stratum_daemon_info_parse(const json_t *result, stratum_daemon_info_t *out, char *why,
                              size_t why_len);

typedef enum {
    STRATUM_DAEMON_ERROR_OTHER,
    STRATUM_DAEMON_ERROR_ADDRESS, /* the wallet address is refused: retrying cannot help */
    STRATUM_DAEMON_ERROR_BUSY,    /* the core is busy (syncing): wait */
} stratum_daemon_error_t;

/* What a JSON-RPC error code from monerod means for the miner. */
stratum_daemon_error_t stratum_daemon_error_classify(long long code);

#endif
