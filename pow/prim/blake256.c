/*
 * BLAKE-256 written from "SHA-3 proposal BLAKE", version 1.3, sections 2.1 (BLAKE-256)
 * and 2.1.1-2.1.3 (constants, compression function, hashing a message), with the salt
 * fixed to zero as CryptoNight uses it.
 *
 * The specification works on big-endian 32-bit words, so message words and the digest go
 * through explicit big-endian loads and stores, which keeps the code host-independent.
 */
#include "pow/prim/blake256.h"
#include "pow/prim/blake_sigma.h"

#include <string.h>

#define BLAKE256_ROUNDS 14
#define BLAKE256_BLOCK 64

/* Where the 64-bit message length starts in the last padded block. */
#define BLAKE256_LENGTH_OFFSET (BLAKE256_BLOCK - 8)

/* The initial value IV0..IV7 (the same as SHA-256's), from section 2.1.1. */
static const uint32_t BLAKE256_IV[8] = {
    0x6A09E667u, 0xBB67AE85u, 0x3C6EF372u, 0xA54FF53Au,
    0x510E527Fu, 0x9B05688Cu, 0x1F83D9ABu, 0x5BE0CD19u,
};

/* The constants c0..c15 (leading digits of pi), from section 2.1.1. */
static const uint32_t BLAKE256_C[16] = {
    0x243F6A88u, 0x85A308D3u, 0x13198A2Eu, 0x03707344u, 0xA4093822u, 0x299F31D0u,
    0x082EFA98u, 0xEC4E6C89u, 0x452821E6u, 0x38D01377u, 0xBE5466CFu, 0x34E90C6Cu,
    0xC0AC29B7u, 0xC97C50DDu, 0x3F84D5B5u, 0xB5470917u,
};


static inline uint32_t rotr32(uint32_t x, unsigned n)
{
    return (x >> n) | (x << (32u - n));
}

static inline uint32_t load32_be(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static inline void store32_be(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static inline void store64_be(uint8_t *p, uint64_t v)
{
    store32_be(p, (uint32_t)(v >> 32));
    store32_be(p + 4, (uint32_t)v);
}

/*
 * The G function of section 2.1.2, number i of a round using permutation s: it mixes
 * message words s[2i] and s[2i+1], each XOR-ed with the other one's constant.
 */
#define G(v, m, s, i, a, b, c, d)                                                              \
    do {                                                                                       \
        (v)[a] += (v)[b] + ((m)[(s)[2 * (i)]] ^ BLAKE256_C[(s)[2 * (i) + 1]]);                 \
        (v)[d] = rotr32((v)[d] ^ (v)[a], 16);                                                  \
        (v)[c] += (v)[d];                                                                      \
        (v)[b] = rotr32((v)[b] ^ (v)[c], 12);                                                  \
        (v)[a] += (v)[b] + ((m)[(s)[2 * (i) + 1]] ^ BLAKE256_C[(s)[2 * (i)]]);                 \
        (v)[d] = rotr32((v)[d] ^ (v)[a], 8);                                                   \
        (v)[c] += (v)[d];                                                                      \
        (v)[b] = rotr32((v)[b] ^ (v)[c], 7);                                                   \
    } while (0)

/*
 * Compresses one 64-byte block into h. counter is the number of message bits hashed up to
 * and including this block, or 0 for a block that carries no message bits at all.
 */
static void compress(uint32_t h[8], const uint8_t block[BLAKE256_BLOCK], uint64_t counter)
{
    uint32_t m[16];
    uint32_t v[16];
    const uint32_t t0 = (uint32_t)counter;
    const uint32_t t1 = (uint32_t)(counter >> 32);

    for (unsigned i = 0; i < 16; i++)
        m[i] = load32_be(block + 4 * i);

    /* The salt is zero, so the salt words drop out of the initialisation. */
    memcpy(v, h, 8 * sizeof(uint32_t));
    v[8] = BLAKE256_C[0];
    v[9] = BLAKE256_C[1];
    v[10] = BLAKE256_C[2];
    v[11] = BLAKE256_C[3];
    v[12] = t0 ^ BLAKE256_C[4];
    v[13] = t0 ^ BLAKE256_C[5];
    v[14] = t1 ^ BLAKE256_C[6];
    v[15] = t1 ^ BLAKE256_C[7];

    for (unsigned r = 0; r < BLAKE256_ROUNDS; r++) {
        const uint8_t *s = POW_BLAKE_SIGMA[r % 10];

        /* Columns first, then diagonals, as section 2.1.2 orders them. */
        G(v, m, s, 0, 0, 4, 8, 12);
        G(v, m, s, 1, 1, 5, 9, 13);
        G(v, m, s, 2, 2, 6, 10, 14);
        G(v, m, s, 3, 3, 7, 11, 15);
        G(v, m, s, 4, 0, 5, 10, 15);
        G(v, m, s, 5, 1, 6, 11, 12);
        G(v, m, s, 6, 2, 7, 8, 13);
        G(v, m, s, 7, 3, 4, 9, 14);
    }

    /* Finalisation folds both halves of v back into the chain value (salt again zero). */
    for (unsigned i = 0; i < 8; i++)
        h[i] ^= v[i] ^ v[i + 8];
}

void pow_blake256(const uint8_t *in, size_t len, uint8_t out[32])
{
    uint32_t h[8];
    uint8_t block[BLAKE256_BLOCK];
    const uint64_t bit_length = (uint64_t)len * 8u;
    uint64_t counter = 0;

    memcpy(h, BLAKE256_IV, sizeof(h));

    /*
     * Every whole block of message is compressed here, including the last one of a
     * message that ends exactly on a block boundary; its padding then goes into an extra
     * block of its own, which gets counter 0 below.
     */
    while (len >= BLAKE256_BLOCK) {
        counter += 8u * BLAKE256_BLOCK;
        compress(h, in, counter);
        in += BLAKE256_BLOCK;
        len -= BLAKE256_BLOCK;
    }

    /*
     * Padding (section 2.1.3): a 1 bit right after the message, zeros, a 1 bit just
     * before the length (this one marks the 256-bit digest), then the 64-bit big-endian
     * bit length. The counter of a block counts only message bits, so a block that holds
     * padding alone is compressed with counter 0.
     */
    memset(block, 0, sizeof(block));
    if (len > 0)
        memcpy(block, in, len);
    block[len] = 0x80;

    if (len >= BLAKE256_LENGTH_OFFSET) {
        /* The length does not fit after the message, so it goes into one more block. */
        compress(h, block, bit_length);
        memset(block, 0, sizeof(block));
        block[BLAKE256_LENGTH_OFFSET - 1] = 0x01;
        store64_be(block + BLAKE256_LENGTH_OFFSET, bit_length);
        compress(h, block, 0);
    } else {
        /* When the message ends just before the length both padding bits share a byte. */
        block[BLAKE256_LENGTH_OFFSET - 1] |= 0x01;
        store64_be(block + BLAKE256_LENGTH_OFFSET, bit_length);
        compress(h, block, len > 0 ? bit_length : 0);
    }

    for (unsigned i = 0; i < 8; i++)
        store32_be(out + 4 * i, h[i]);
}
