/*
 * Grøstl-256: the SHA-3 finalist with a 512-bit state, its P and Q permutations of 10
 * rounds and the output transformation, as specified in "Grøstl – a SHA-3 candidate",
 * version 2.0.1 (Gauravaram, Knudsen, Matusiewicz, Mendel, Rechberger, Schläffer, Thomsen,
 * March 2011), the final-round version with the tweaked round constants and Q shifts.
 * CryptoNight uses it as finaliser 1 (Monero's hash-extra-groestl).
 */
#ifndef MINEMETER_POW_PRIM_GROESTL256_H
#define MINEMETER_POW_PRIM_GROESTL256_H

#include <stddef.h>
#include <stdint.h>

/*
 * Hashes len bytes of in and writes the 32-byte digest. Any length is accepted, including
 * 0 (then in may be NULL). One-shot: nothing is allocated, no state outlives the call, and
 * the result does not depend on the host's byte order. The output is written only at the
 * end, so it may overlap the input.
 */
void pow_groestl256(const uint8_t *in, size_t len, uint8_t out[32]);

#endif
