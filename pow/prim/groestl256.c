/*
 * Grøstl-256 written from "Grøstl – a SHA-3 candidate", version 2.0.1 (March 2011), the
 * final-round specification: the compression function f(h, m) = P(h ^ m) ^ Q(m) ^ h, the
 * output transformation trunc_256(P(x) ^ x), the padding with a 64-bit block counter, and
 * the 512-bit permutations P and Q (10 rounds of AddRoundConstant, SubBytes, ShiftBytes,
 * MixBytes) with the tweaked constants of the final round.
 *
 * The specification arranges 64 bytes as an 8x8 matrix filled column by column: byte
 * 8j + i of a block is row i, column j. Here each row is one 64-bit word whose byte lane j
 * (bits 8j..8j+7) is column j. That turns ShiftBytes into a rotation per row and lets
 * MixBytes multiply all eight columns at once. Blocks are gathered into rows byte by byte,
 * so the code does not depend on the host's byte order.
 */
#include "pow/prim/groestl256.h"

#include <string.h>

#define GROESTL256_ROUNDS 10
#define GROESTL256_BLOCK 64

/* Where the 64-bit block counter starts in the last padded block. */
#define GROESTL256_COUNTER_OFFSET (GROESTL256_BLOCK - 8)

/* Byte lane j holds j << 4: the column-dependent part of both permutations' constants. */
#define GROESTL_COLUMN_CONSTANT 0x7060504030201000u

/* Repeats a byte into all eight lanes. */
#define GROESTL_LANES(x) ((uint64_t)(x) * 0x0101010101010101u)

/* The AES S-box (FIPS-197, figure 7), which SubBytes uses unchanged. */
static const uint8_t GROESTL_SBOX[256] = {
    0x63, 0x7c, 0x77, 0x7b, 0xf2, 0x6b, 0x6f, 0xc5, 0x30, 0x01, 0x67, 0x2b, 0xfe, 0xd7, 0xab, 0x76,
    0xca, 0x82, 0xc9, 0x7d, 0xfa, 0x59, 0x47, 0xf0, 0xad, 0xd4, 0xa2, 0xaf, 0x9c, 0xa4, 0x72, 0xc0,
    0xb7, 0xfd, 0x93, 0x26, 0x36, 0x3f, 0xf7, 0xcc, 0x34, 0xa5, 0xe5, 0xf1, 0x71, 0xd8, 0x31, 0x15,
    0x04, 0xc7, 0x23, 0xc3, 0x18, 0x96, 0x05, 0x9a, 0x07, 0x12, 0x80, 0xe2, 0xeb, 0x27, 0xb2, 0x75,
    0x09, 0x83, 0x2c, 0x1a, 0x1b, 0x6e, 0x5a, 0xa0, 0x52, 0x3b, 0xd6, 0xb3, 0x29, 0xe3, 0x2f, 0x84,
    0x53, 0xd1, 0x00, 0xed, 0x20, 0xfc, 0xb1, 0x5b, 0x6a, 0xcb, 0xbe, 0x39, 0x4a, 0x4c, 0x58, 0xcf,
    0xd0, 0xef, 0xaa, 0xfb, 0x43, 0x4d, 0x33, 0x85, 0x45, 0xf9, 0x02, 0x7f, 0x50, 0x3c, 0x9f, 0xa8,
    0x51, 0xa3, 0x40, 0x8f, 0x92, 0x9d, 0x38, 0xf5, 0xbc, 0xb6, 0xda, 0x21, 0x10, 0xff, 0xf3, 0xd2,
    0xcd, 0x0c, 0x13, 0xec, 0x5f, 0x97, 0x44, 0x17, 0xc4, 0xa7, 0x7e, 0x3d, 0x64, 0x5d, 0x19, 0x73,
    0x60, 0x81, 0x4f, 0xdc, 0x22, 0x2a, 0x90, 0x88, 0x46, 0xee, 0xb8, 0x14, 0xde, 0x5e, 0x0b, 0xdb,
    0xe0, 0x32, 0x3a, 0x0a, 0x49, 0x06, 0x24, 0x5c, 0xc2, 0xd3, 0xac, 0x62, 0x91, 0x95, 0xe4, 0x79,
    0xe7, 0xc8, 0x37, 0x6d, 0x8d, 0xd5, 0x4e, 0xa9, 0x6c, 0x56, 0xf4, 0xea, 0x65, 0x7a, 0xae, 0x08,
    0xba, 0x78, 0x25, 0x2e, 0x1c, 0xa6, 0xb4, 0xc6, 0xe8, 0xdd, 0x74, 0x1f, 0x4b, 0xbd, 0x8b, 0x8a,
    0x70, 0x3e, 0xb5, 0x66, 0x48, 0x03, 0xf6, 0x0e, 0x61, 0x35, 0x57, 0xb9, 0x86, 0xc1, 0x1d, 0x9e,
    0xe1, 0xf8, 0x98, 0x11, 0x69, 0xd9, 0x8e, 0x94, 0x9b, 0x1e, 0x87, 0xe9, 0xce, 0x55, 0x28, 0xdf,
    0x8c, 0xa1, 0x89, 0x0d, 0xbf, 0xe6, 0x42, 0x68, 0x41, 0x99, 0x2d, 0x0f, 0xb0, 0x54, 0xbb, 0x16,
};

/*
 * ShiftBytes moves row i left by this many columns. P uses 0..7; Q uses the final-round
 * values 1, 3, 5, 7, 0, 2, 4, 6, so that P and Q differ in more than their constants.
 */
static const unsigned GROESTL_SHIFT_P[8] = {0, 1, 2, 3, 4, 5, 6, 7};
static const unsigned GROESTL_SHIFT_Q[8] = {1, 3, 5, 7, 0, 2, 4, 6};

static inline uint64_t rotr64(uint64_t x, unsigned n)
{
    /* Masking the left shift keeps n == 0 defined. */
    return (x >> n) | (x << ((64u - n) & 63u));
}

/* Multiplies every byte lane by 2 in GF(2^8) modulo the AES polynomial x^8+x^4+x^3+x+1. */
static inline uint64_t gf_double_lanes(uint64_t x)
{
    const uint64_t high = x & GROESTL_LANES(0x80);

    /* Each lane of (high >> 7) is 0 or 1, so the product cannot carry into the next lane. */
    return ((x ^ high) << 1) ^ ((high >> 7) * 0x1bu);
}

static void load_rows(const uint8_t block[GROESTL256_BLOCK], uint64_t rows[8])
{
    for (unsigned i = 0; i < 8; i++) {
        uint64_t row = 0;

        for (unsigned j = 0; j < 8; j++)
            row |= (uint64_t)block[8 * j + i] << (8 * j);
        rows[i] = row;
    }
}

static uint64_t sub_bytes_row(uint64_t row)
{
    uint64_t out = 0;

    for (unsigned j = 0; j < 64; j += 8)
        out |= (uint64_t)GROESTL_SBOX[(row >> j) & 0xffu] << j;
    return out;
}

/*
 * SubBytes, ShiftBytes and MixBytes, the part of a round that P and Q share once their
 * constants are added.
 */
static void round_core(uint64_t s[8], const unsigned shift[8])
{
    uint64_t x1[8];
    uint64_t x2[8];
    uint64_t x4[8];

    /* Shifting left by k columns brings column j + k into lane j, i.e. a right rotation. */
    for (unsigned i = 0; i < 8; i++) {
        x1[i] = rotr64(sub_bytes_row(s[i]), 8 * shift[i]);
        x2[i] = gf_double_lanes(x1[i]);
        x4[i] = gf_double_lanes(x2[i]);
    }

    /*
     * MixBytes multiplies each column by the circulant matrix B whose first row is
     * 02 02 03 04 05 03 05 07 and whose row i is that row rotated right by i, so output
     * row i takes coefficient k from input row i + k (mod 8). The odd coefficients are
     * sums of the doubles: 3 = 2 + 1, 5 = 4 + 1, 7 = 4 + 2 + 1.
     */
    for (unsigned i = 0; i < 8; i++) {
        const unsigned r0 = i;
        const unsigned r1 = (i + 1) & 7u;
        const unsigned r2 = (i + 2) & 7u;
        const unsigned r3 = (i + 3) & 7u;
        const unsigned r4 = (i + 4) & 7u;
        const unsigned r5 = (i + 5) & 7u;
        const unsigned r6 = (i + 6) & 7u;
        const unsigned r7 = (i + 7) & 7u;

        s[i] = x2[r0] ^ x2[r1] ^ (x2[r2] ^ x1[r2]) ^ x4[r3] ^ (x4[r4] ^ x1[r4]) ^
               (x2[r5] ^ x1[r5]) ^ (x4[r6] ^ x1[r6]) ^ (x4[r7] ^ x2[r7] ^ x1[r7]);
    }
}

/* P: round r XORs (j << 4) ^ r into row 0, column j. */
static void permute_p(uint64_t s[8])
{
    for (unsigned r = 0; r < GROESTL256_ROUNDS; r++) {
        s[0] ^= GROESTL_COLUMN_CONSTANT ^ GROESTL_LANES(r);
        round_core(s, GROESTL_SHIFT_P);
    }
}

/* Q: round r complements every byte and also XORs (j << 4) ^ r into row 7, column j. */
static void permute_q(uint64_t s[8])
{
    for (unsigned r = 0; r < GROESTL256_ROUNDS; r++) {
        for (unsigned i = 0; i < 7; i++)
            s[i] = ~s[i];
        s[7] ^= ~(GROESTL_COLUMN_CONSTANT ^ GROESTL_LANES(r));
        round_core(s, GROESTL_SHIFT_Q);
    }
}

static void compress(uint64_t h[8], const uint8_t block[GROESTL256_BLOCK])
{
    uint64_t m[8];
    uint64_t hm[8];

    load_rows(block, m);
    for (unsigned i = 0; i < 8; i++)
        hm[i] = h[i] ^ m[i];
    permute_p(hm);
    permute_q(m);
    for (unsigned i = 0; i < 8; i++)
        h[i] ^= hm[i] ^ m[i];
}

static void store64_be(uint8_t *p, uint64_t v)
{
    for (unsigned k = 0; k < 8; k++)
        p[k] = (uint8_t)(v >> (56 - 8 * k));
}

void pow_groestl256(const uint8_t *in, size_t len, uint8_t out[32])
{
    /*
     * The initial value is the 512-bit big-endian encoding of the digest size 256: byte
     * 62 is 0x01, which is row 6, column 7.
     */
    uint64_t h[8] = {0, 0, 0, 0, 0, 0, (uint64_t)0x01 << 56, 0};
    uint64_t p[8];
    uint8_t tail[2 * GROESTL256_BLOCK];
    uint64_t blocks = 0;

    while (len >= GROESTL256_BLOCK) {
        compress(h, in);
        blocks++;
        in += GROESTL256_BLOCK;
        len -= GROESTL256_BLOCK;
    }

    /*
     * Padding: a 1 bit right after the message, zeros, then the total number of blocks,
     * padding blocks included, as a 64-bit big-endian number. It needs one block when the
     * rest of the message leaves room for the 0x80 byte and the counter, else two.
     */
    memset(tail, 0, sizeof(tail));
    if (len > 0)
        memcpy(tail, in, len);
    tail[len] = 0x80;
    const size_t tail_len =
        len < GROESTL256_COUNTER_OFFSET ? GROESTL256_BLOCK : 2 * GROESTL256_BLOCK;
    blocks += tail_len / GROESTL256_BLOCK;
    store64_be(tail + tail_len - 8, blocks);
    for (size_t off = 0; off < tail_len; off += GROESTL256_BLOCK)
        compress(h, tail + off);

    /* Output transformation: P(h) ^ h, of which the digest is the last 32 bytes. */
    memcpy(p, h, sizeof(p));
    permute_p(p);
    for (unsigned i = 0; i < 8; i++)
        p[i] ^= h[i];
    for (unsigned j = 4; j < 8; j++) {
        for (unsigned i = 0; i < 8; i++)
            out[8 * (j - 4) + i] = (uint8_t)(p[i] >> (8 * j));
    }
}
