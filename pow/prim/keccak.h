/*
 * Keccak-f[1600] and the original (pre-SHA-3) Keccak sponge that CryptoNight calls
 * keccak1600, following "The Keccak reference, version 3.0" (Bertoni, Daemen, Peeters,
 * Van Assche, 2011) and the Keccak-p[1600, 24] description in FIPS 202, section 3.
 *
 * Lanes are 64-bit words; a byte string maps onto the state as little-endian lanes,
 * lane i = x + 5y holding bytes 8i .. 8i+7, exactly as both specifications define it.
 */
#ifndef MINEMETER_POW_PRIM_KECCAK_H
#define MINEMETER_POW_PRIM_KECCAK_H

#include <stddef.h>
#include <stdint.h>

/* Bytes absorbed per permutation: 1600 - 2 * 256 bits of capacity, as Monero uses. */
#define POW_KECCAK_RATE 136

/* Size of the whole Keccak-f[1600] state in bytes. */
#define POW_KECCAK_STATE_SIZE 200

/*
 * Applies the 24-round Keccak-f[1600] permutation in place. state[x + 5y] is the lane
 * A[x, y] of the specification, as a native integer (no byte order is involved here).
 */
void pow_keccakf(uint64_t state[25]);

/*
 * Absorbs len bytes of in with rate 136 and the original Keccak padding (0x01 after the
 * message, 0x80 OR-ed into the last byte of the rate block; not SHA-3's 0x06) and writes
 * the full 200-byte state, lanes serialised little-endian. in may be NULL when len is 0.
 * The output is written only at the end, so it may overlap the input.
 */
void pow_keccak1600(const uint8_t *in, size_t len, uint8_t state[POW_KECCAK_STATE_SIZE]);

/*
 * Monero's cn_fast_hash: the first 32 bytes of pow_keccak1600(in, len). The output may
 * overlap the input.
 */
void pow_keccak256(const uint8_t *in, size_t len, uint8_t out[32]);

#endif
