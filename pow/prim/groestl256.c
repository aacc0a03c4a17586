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
#include "pow/prim/aes_sbox.h"

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
#define GROESTL_SBOX_ENTRY(s) s,
    POW_AES_SBOX_LIST(GROESTL_SBOX_ENTRY)
#undef GROESTL_SBOX_ENTRY
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
