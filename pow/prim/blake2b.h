/*
 * BLAKE2b (RFC 7693), unkeyed, any digest length from 1 to 64 bytes, and
 * Argon2's variable-length hash H' (RFC 9106, 3.3) built on it. RandomX
 * uses both: Hash512/Hash256 of its inputs and register files, its
 * BlakeGenerator, and the Argon2d cache fill.
 */
#ifndef MINEMETER_POW_PRIM_BLAKE2B_H
#define MINEMETER_POW_PRIM_BLAKE2B_H

#include <stddef.h>
#include <stdint.h>

#define POW_BLAKE2B_BLOCK 128
#define POW_BLAKE2B_MAX_OUT 64

typedef struct {
    uint64_t h[8];
    uint64_t t[2];
    uint8_t buf[POW_BLAKE2B_BLOCK];
    size_t buf_len;
    size_t out_len;
} pow_blake2b_t;

/* Starts an unkeyed hash with a digest of out_len bytes (1..64). */
void pow_blake2b_init(pow_blake2b_t *s, size_t out_len);

void pow_blake2b_update(pow_blake2b_t *s, const void *in, size_t len);

/* Writes s->out_len bytes. The state is spent afterwards. */
void pow_blake2b_final(pow_blake2b_t *s, uint8_t *out);

/* One-shot: out_len bytes of BLAKE2b(in). out may alias in. */
void pow_blake2b(uint8_t *out, size_t out_len, const void *in, size_t len);

/*
 * Argon2's H'(in): out_len bytes (any length >= 1), BLAKE2b with the output
 * length prefixed and, past 64 bytes, chained 32 bytes at a time.
 */
void pow_blake2b_long(uint8_t *out, size_t out_len, const void *in, size_t len);

#endif
