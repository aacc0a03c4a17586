/*
 * JH-256: the SHA-3 finalist with a 1024-bit state, 512-bit blocks and the 42-round
 * permutation E8, as specified in "The Hash Function JH" (Hongjun Wu, January 2011), the
 * round-3 version. CryptoNight uses it as finaliser 2 (Monero's hash-extra-jh).
 */
#ifndef MINEMETER_POW_PRIM_JH256_H
#define MINEMETER_POW_PRIM_JH256_H

#include <stddef.h>
#include <stdint.h>

/*
 * Hashes len bytes of in and writes the 32-byte digest. Any length is accepted, including
 * 0 (then in may be NULL). One-shot: nothing is allocated, no state outlives the call, and
 * the result does not depend on the host's byte order. The output is written only at the
 * end, so it may overlap the input.
 */
void pow_jh256(const uint8_t *in, size_t len, uint8_t out[32]);

#endif
