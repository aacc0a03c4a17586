/*
 * The algorithm registry: every hash minemeter ships, CryptoNight and
 * RandomX, behind one name space ("cn/r", "rx/0") and one single-thread
 * hashing interface. The command line uses this; the miner and bench use
 * the family APIs (pow/cn/cn.h, pow/rx/randomx.h) to share big state
 * between threads.
 */
#ifndef MINEMETER_POW_ALGO_H
#define MINEMETER_POW_ALGO_H

#include <stddef.h>
#include <stdint.h>

#include "pow/isa.h"

typedef enum {
    POW_FAMILY_CN,
    POW_FAMILY_RX,
} pow_family_t;

typedef struct pow_algo pow_algo_t;
typedef struct pow_hasher pow_hasher_t;

/* The algorithm of a name or alias (XMRig's names too), any case; NULL if none. */
const pow_algo_t *pow_algo_find(const char *name);

/* Up to max of algo's other names into out; returns how many it has. */
size_t pow_algo_aliases(const pow_algo_t *algo, const char **out, size_t max);

/* One sentence for a name pow_algo_find does not know, listing the ones it does. */
void pow_algo_unknown(const char *name, char *why, size_t why_len);

/* The i-th algorithm, CryptoNight first, or NULL past the end. */
const pow_algo_t *pow_algo_at(size_t i);

const char *pow_algo_name(const pow_algo_t *algo);
pow_family_t pow_algo_family(const pow_algo_t *algo);
int pow_algo_needs_height(const pow_algo_t *algo);
int pow_algo_needs_key(const pow_algo_t *algo);
size_t pow_algo_min_input(const pow_algo_t *algo);

/* The family's own description: NULL when algo is of the other family. */
const struct pow_cn_algo *pow_algo_cn(const pow_algo_t *algo);
const struct pow_rx_variant *pow_algo_rx(const pow_algo_t *algo);

/* Whether the algorithm has a path for isa that this CPU runs, and the fastest one. */
int pow_algo_isa_available(const pow_algo_t *algo, pow_isa_t isa);
pow_isa_t pow_algo_isa_best(const pow_algo_t *algo);

/*
 * A hasher for one thread: scratchpad, and for RandomX a cache built for
 * key (which can take a few seconds). Returns 0, -ENOTSUP for an
 * unavailable path, -EINVAL for a bad key, -ENOMEM.
 */
int pow_hasher_create(pow_hasher_t **out, const pow_algo_t *algo, pow_isa_t isa, const void *key,
                      size_t key_len);

/* RandomX: switches to another key (rebuilding the cache). CryptoNight: -EINVAL. */
int pow_hasher_set_key(pow_hasher_t *h, const void *key, size_t key_len);

/* Hashes; -EINVAL when the input is shorter than the algorithm accepts. */
int pow_hasher_hash(pow_hasher_t *h, const void *in, size_t len, uint64_t height, uint8_t out[32]);

void pow_hasher_destroy(pow_hasher_t *h);

/*
 * A RandomX hasher's cache and VM, for callers that build a fast-mode
 * dataset (pow_rx_vm_set_dataset) or change how the VM runs; NULL for
 * other algorithms.
 */
struct pow_rx_cache *pow_hasher_rx_cache(pow_hasher_t *h);
struct pow_rx_vm *pow_hasher_rx_vm(pow_hasher_t *h);

typedef struct {
    unsigned vectors;            /* vectors of the algorithm run */
    unsigned checked, failed;    /* hashes compared (a vector may be checked twice) */
    unsigned first_failure_line; /* line in the algorithm's vector file */
    const char *vector_file;
    char expected_hex[65], got_hex[65];
} pow_verify_result_t;

/*
 * Runs every shipped vector of algo on isa; RandomX vectors also go
 * through a light-mode lockstep group where isa has one (each such vector
 * then counts as two checks). Returns 0 when all match, -ENOENT when there
 * is none, -EIO when one differs, or a setup error.
 */
int pow_algo_verify(const pow_algo_t *algo, pow_isa_t isa, pow_verify_result_t *result);

#endif
