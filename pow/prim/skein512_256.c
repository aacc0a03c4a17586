/*
 * Skein-512-256, portable C: Threefish-512 (72 rounds) in UBI chaining mode,
 * written from "The Skein Hash Function Family", version 1.3. Only the
 * simple sequential hash is implemented (no key, no tree, no personalisation),
 * because that is all CryptoNight's finalizer needs.
 */
#include "pow/prim/skein512_256.h"

#include <string.h>

/* Threefish-512 works on 8 words of 64 bits; Skein-512 blocks are 64 bytes. */
#define SKEIN512_WORDS 8
#define SKEIN512_BLOCK_BYTES 64

/* 72 rounds, with a subkey added before every fourth round and after the last. */
#define THREEFISH512_ROUNDS 72
#define THREEFISH512_SUBKEYS (THREEFISH512_ROUNDS / 4 + 1)

/*
 * The key schedule's parity word starts from this constant so that even an
 * all-zero key, which the config UBI uses, extends to a key that is not all zero.
 */
#define THREEFISH_C240 UINT64_C(0x1BD11BDAA9FC1A22)

/*
 * Fields of the second tweak word (spec: the tweak, and the type values
 * table): the block type sits in bits 120..125 of the 128-bit tweak, First
 * and Final in bits 126 and 127. The position's bits 64..95 would also live
 * here, but a size_t message never reaches 2^64 bytes, so they stay zero.
 */
#define SKEIN_TWEAK_FIRST (UINT64_C(1) << 62)
#define SKEIN_TWEAK_FINAL (UINT64_C(1) << 63)
#define SKEIN_TWEAK_TYPE(t) ((uint64_t)(t) << 56)
#define SKEIN_TYPE_MSG 48
#define SKEIN_TYPE_OUT 63

/*
 * Rotation constants R(d mod 8, j) for Threefish-512 as revised in version
 * 1.2 and kept in 1.3; version 1.1 used different ones, so an outdated table
 * here is the most likely cause of a mismatch with Monero.
 */
static const unsigned THREEFISH512_ROTATION[8][4] = {
    {46, 36, 19, 37}, {33, 27, 14, 42}, {17, 49, 36, 39}, {44, 9, 54, 56},
    {39, 30, 34, 24}, {13, 50, 10, 17}, {25, 29, 39, 43}, {8, 35, 56, 22},
};

/*
 * The word permutation pi for eight words: after each round, word i of the
 * state takes the value of word pi(i). Some descriptions print the inverse
 * table (6, 1, 0, 7, 2, 5, 4, 3) because they scatter instead of gather.
 */
static const unsigned THREEFISH512_PERMUTATION[SKEIN512_WORDS] = {2, 1, 4, 7, 6, 5, 0, 3};

/*
 * The chaining value after the config UBI for a 256-bit output: UBI keyed
 * with zero over the 32-byte config block (schema "SHA3", version 1, output
 * length 256 bits, no tree) with tweak type Cfg (4), position 32, First and
 * Final. Precomputing it saves one Threefish call per hash; it was checked
 * by recomputing it with this file's own UBI, and every published vector
 * would fail if it were wrong.
 */
static const uint64_t SKEIN512_256_IV[SKEIN512_WORDS] = {
    UINT64_C(0xCCD044A12FDB3E13), UINT64_C(0xE83590301A79A9EB), UINT64_C(0x55AEA0614F816E6F),
    UINT64_C(0x2A2767A4AE9B94DB), UINT64_C(0xEC06025E74DD7683), UINT64_C(0xE7A436CDC4746251),
    UINT64_C(0xC36FBAF9393AD185), UINT64_C(0x3EEDBA1833EDFC13),
};

/* Skein reads and writes every word little-endian, whatever the host's order. */
static uint64_t load64_le(const uint8_t *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
           (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
           (uint64_t)p[7] << 56;
}

static void store64_le(uint8_t *p, uint64_t x)
{
    for (unsigned i = 0; i < 8; i++)
        p[i] = (uint8_t)(x >> (8 * i));
}

/* Every rotation amount is between 1 and 63, so neither shift is undefined. */
static uint64_t rotl64(uint64_t x, unsigned n)
{
    return (x << n) | (x >> (64 - n));
}

/*
 * Threefish-512 encryption of one block. The subkeys are derived on the fly
 * from the extended key and tweak rather than stored, since each is used once.
 */
static void threefish512_encrypt(const uint64_t key[SKEIN512_WORDS], const uint64_t tweak[2],
                                 const uint64_t plain[SKEIN512_WORDS],
                                 uint64_t cipher[SKEIN512_WORDS])
{
    uint64_t k[SKEIN512_WORDS + 1];
    uint64_t t[3] = {tweak[0], tweak[1], tweak[0] ^ tweak[1]};
    uint64_t v[SKEIN512_WORDS];
    uint64_t f[SKEIN512_WORDS];

    k[SKEIN512_WORDS] = THREEFISH_C240;
    for (unsigned i = 0; i < SKEIN512_WORDS; i++) {
        k[i] = key[i];
        k[SKEIN512_WORDS] ^= key[i];
        v[i] = plain[i];
    }

    for (unsigned s = 0; s < THREEFISH512_SUBKEYS; s++) {
        /* Subkey s rotates through the 9 key words and the 3 tweak words. */
        for (unsigned i = 0; i < SKEIN512_WORDS; i++)
            v[i] += k[(s + i) % (SKEIN512_WORDS + 1)];
        v[5] += t[s % 3];
        v[6] += t[(s + 1) % 3];
        v[7] += s;

        /* The last subkey closes the cipher; no rounds follow it. */
        if (s == THREEFISH512_SUBKEYS - 1)
            break;

        for (unsigned r = 0; r < 4; r++) {
            const unsigned *rot = THREEFISH512_ROTATION[(4 * s + r) % 8];
            for (unsigned j = 0; j < SKEIN512_WORDS / 2; j++) {
                uint64_t x0 = v[2 * j];
                uint64_t x1 = v[2 * j + 1];
                x0 += x1;
                f[2 * j] = x0;
                f[2 * j + 1] = rotl64(x1, rot[j]) ^ x0;
            }
            for (unsigned i = 0; i < SKEIN512_WORDS; i++)
                v[i] = f[THREEFISH512_PERMUTATION[i]];
        }
    }

    for (unsigned i = 0; i < SKEIN512_WORDS; i++)
        cipher[i] = v[i];
}

/*
 * One UBI step: the chaining value keys Threefish, the tweak carries the byte
 * position reached after this block plus the type and flag bits, and the
 * message block is fed forward into the result.
 */
static void ubi512_block(uint64_t chain[SKEIN512_WORDS], const uint8_t block[SKEIN512_BLOCK_BYTES],
                         uint64_t position, uint64_t tweak_high)
{
    uint64_t m[SKEIN512_WORDS];
    uint64_t c[SKEIN512_WORDS];
    const uint64_t tweak[2] = {position, tweak_high};

    for (unsigned i = 0; i < SKEIN512_WORDS; i++)
        m[i] = load64_le(block + 8 * i);
    threefish512_encrypt(chain, tweak, m, c);
    for (unsigned i = 0; i < SKEIN512_WORDS; i++)
        chain[i] = c[i] ^ m[i];
}

void pow_skein512_256(const uint8_t *in, size_t len, uint8_t out[32])
{
    uint64_t chain[SKEIN512_WORDS];
    uint8_t last[SKEIN512_BLOCK_BYTES];
    uint64_t position = 0;
    uint64_t first = SKEIN_TWEAK_FIRST;

    memcpy(chain, SKEIN512_256_IV, sizeof(chain));

    /*
     * Message UBI. The loop stops while a block or less remains, because the
     * Final flag belongs on the last block even when that block is full;
     * the empty message is still one all-zero block at position 0.
     */
    while (len > SKEIN512_BLOCK_BYTES) {
        position += SKEIN512_BLOCK_BYTES;
        ubi512_block(chain, in, position, SKEIN_TWEAK_TYPE(SKEIN_TYPE_MSG) | first);
        first = 0;
        in += SKEIN512_BLOCK_BYTES;
        len -= SKEIN512_BLOCK_BYTES;
    }
    memset(last, 0, sizeof(last));
    /* memcpy from a null pointer is undefined even for zero bytes, and in may be null then. */
    if (len > 0)
        memcpy(last, in, len);
    position += (uint64_t)len;
    ubi512_block(chain, last, position,
                 SKEIN_TWEAK_TYPE(SKEIN_TYPE_MSG) | first | SKEIN_TWEAK_FINAL);

    /*
     * Output UBI: the message is an 8-byte counter, here only 0, since 256
     * bits fit in the first 512-bit output block; the digest is its first
     * 32 bytes.
     */
    memset(last, 0, sizeof(last));
    ubi512_block(chain, last, 8,
                 SKEIN_TWEAK_TYPE(SKEIN_TYPE_OUT) | SKEIN_TWEAK_FIRST | SKEIN_TWEAK_FINAL);

    for (unsigned i = 0; i < 4; i++)
        store64_le(out + 8 * i, chain[i]);
}
