/*
 * Skein-512-256: the Skein hash with a 512-bit internal state and a 256-bit
 * output, as CryptoNight's finalizer uses it (Monero's skein_hash(256, ...)).
 * Follows "The Skein Hash Function Family", version 1.3 (Ferguson, Lucks,
 * Schneier, Whiting, Bellare, Kohno, Callas, Walker, 2010).
 */
#ifndef MINEMETER_POW_PRIM_SKEIN512_256_H
#define MINEMETER_POW_PRIM_SKEIN512_256_H

#include <stddef.h>
#include <stdint.h>

/*
 * Hashes len bytes at in into a 32-byte digest. Any length is accepted,
 * including 0 (then in may be NULL). One-shot: no state outlives the call,
 * nothing is allocated, and the result is the same on any byte order.
 */
void pow_skein512_256(const uint8_t *in, size_t len, uint8_t out[32]);

#endif
