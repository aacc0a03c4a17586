/*
 * BLAKE-256, the SHA-3 finalist (14 rounds, 512-bit blocks, 64-bit bit counter), as
 * specified in "SHA-3 proposal BLAKE", version 1.3 (Aumasson, Henzen, Meier, Phan,
 * 2010). CryptoNight uses it as one of its four finalisers and CryptonightR uses it to
 * expand the block height into the random-math program.
 */
#ifndef MINEMETER_POW_PRIM_BLAKE256_H
#define MINEMETER_POW_PRIM_BLAKE256_H

#include <stddef.h>
#include <stdint.h>

/*
 * Hashes len bytes of in with the zero salt and writes the 32-byte digest. in may be NULL
 * when len is 0. The output is written only at the end, so it may overlap the input.
 */
void pow_blake256(const uint8_t *in, size_t len, uint8_t out[32]);

#endif
