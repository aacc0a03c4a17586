/*
 * The AES pieces CryptoNight and RandomX need, which no library exposes: the
 * AES-256 key schedule cut to its first ten round keys, single encryption
 * rounds (SubBytes, ShiftRows, MixColumns, AddRoundKey: what x86's AESENC
 * does) and single decryption rounds (InvShiftRows, InvSubBytes,
 * InvMixColumns, AddRoundKey: what x86's AESDEC does).
 *
 * The portable rounds use four 1 KiB T-tables each, built at compile time;
 * the AES-NI and ARMv8 rounds live next to the code that inlines them.
 */
#ifndef MINEMETER_POW_PRIM_AES_H
#define MINEMETER_POW_PRIM_AES_H

#include <stdint.h>

/* Round keys CryptoNight takes from an AES-256 key schedule. */
#define POW_AES_CN_ROUND_KEYS 10

/*
 * Expands a 256-bit key by the AES-256 key schedule (FIPS-197, 5.2) and
 * returns its first ten 16-byte round keys, in order.
 */
void pow_aes256_key_schedule10(const uint8_t key[32], uint8_t round_keys[10][16]);

/*
 * The rounds sit in hot loops that call them several times per iteration,
 * where GCC's -O2 heuristics otherwise leave them as calls.
 */
#if defined(__GNUC__)
#define POW_AES_ROUND_INLINE static inline __attribute__((always_inline))
#else
#define POW_AES_ROUND_INLINE static inline
#endif

/* T-tables: column contributions of S-box outputs, one per state row. */
extern const uint32_t pow__aes_te[4][256];

/*
 * One AES encryption round on a block held as four little-endian column
 * words (byte i of the block is byte i % 4 of word i / 4): out = AESENC(in,
 * key). out may alias in.
 */
POW_AES_ROUND_INLINE void pow_aes_soft_round(uint32_t out[4], const uint32_t in[4],
                                             const uint32_t key[4])
{
    uint32_t s0 = in[0], s1 = in[1], s2 = in[2], s3 = in[3];
    /* Row r of column c comes from column c + r after ShiftRows. */
    out[0] = pow__aes_te[0][s0 & 0xff] ^ pow__aes_te[1][(s1 >> 8) & 0xff] ^
             pow__aes_te[2][(s2 >> 16) & 0xff] ^ pow__aes_te[3][s3 >> 24] ^ key[0];
    out[1] = pow__aes_te[0][s1 & 0xff] ^ pow__aes_te[1][(s2 >> 8) & 0xff] ^
             pow__aes_te[2][(s3 >> 16) & 0xff] ^ pow__aes_te[3][s0 >> 24] ^ key[1];
    out[2] = pow__aes_te[0][s2 & 0xff] ^ pow__aes_te[1][(s3 >> 8) & 0xff] ^
             pow__aes_te[2][(s0 >> 16) & 0xff] ^ pow__aes_te[3][s1 >> 24] ^ key[2];
    out[3] = pow__aes_te[0][s3 & 0xff] ^ pow__aes_te[1][(s0 >> 8) & 0xff] ^
             pow__aes_te[2][(s1 >> 16) & 0xff] ^ pow__aes_te[3][s2 >> 24] ^ key[3];
}

/* Inverse T-tables: column contributions of inverse S-box outputs, one per row. */
extern const uint32_t pow__aes_td[4][256];

/*
 * One AES decryption round in the form x86's AESDEC computes it, on the same
 * column words as pow_aes_soft_round: out = AESDEC(in, key). This is not the
 * inverse of pow_aes_soft_round (the key is added after InvMixColumns, as in
 * FIPS-197's Equivalent Inverse Cipher). out may alias in.
 */
POW_AES_ROUND_INLINE void pow_aes_soft_dec_round(uint32_t out[4], const uint32_t in[4],
                                                 const uint32_t key[4])
{
    uint32_t s0 = in[0], s1 = in[1], s2 = in[2], s3 = in[3];
    /* Row r of column c comes from column c - r after InvShiftRows. */
    out[0] = pow__aes_td[0][s0 & 0xff] ^ pow__aes_td[1][(s3 >> 8) & 0xff] ^
             pow__aes_td[2][(s2 >> 16) & 0xff] ^ pow__aes_td[3][s1 >> 24] ^ key[0];
    out[1] = pow__aes_td[0][s1 & 0xff] ^ pow__aes_td[1][(s0 >> 8) & 0xff] ^
             pow__aes_td[2][(s3 >> 16) & 0xff] ^ pow__aes_td[3][s2 >> 24] ^ key[1];
    out[2] = pow__aes_td[0][s2 & 0xff] ^ pow__aes_td[1][(s1 >> 8) & 0xff] ^
             pow__aes_td[2][(s0 >> 16) & 0xff] ^ pow__aes_td[3][s3 >> 24] ^ key[2];
    out[3] = pow__aes_td[0][s3 & 0xff] ^ pow__aes_td[1][(s2 >> 8) & 0xff] ^
             pow__aes_td[2][(s1 >> 16) & 0xff] ^ pow__aes_td[3][s0 >> 24] ^ key[3];
}

#endif
