/*
 * Keccak-f[1600] and the original Keccak sponge (CryptoNight's keccak1600), written from
 * "The Keccak reference, version 3.0" and FIPS 202, section 3 (Keccak-p[1600, 24]).
 *
 * The round is written out lane by lane on local arrays indexed only by constants, so the
 * compiler can keep the state in registers without any SIMD code. Byte order is handled
 * only at the sponge boundary with explicit little-endian loads and stores, which keeps
 * the code correct on big-endian hosts.
 */
#include "pow/prim/keccak.h"

#include <string.h>

#define KECCAK_ROUNDS 24
#define KECCAK_RATE_LANES (POW_KECCAK_RATE / 8)

_Static_assert(POW_KECCAK_RATE % 8 == 0, "the rate must be a whole number of lanes");
_Static_assert(POW_KECCAK_RATE < POW_KECCAK_STATE_SIZE, "the capacity must not be empty");

/* The iota round constants RC[0..23] from the Keccak reference, section 1.2. */
static const uint64_t KECCAK_RC[KECCAK_ROUNDS] = {
    0x0000000000000001u, 0x0000000000008082u, 0x800000000000808Au, 0x8000000080008000u,
    0x000000000000808Bu, 0x0000000080000001u, 0x8000000080008081u, 0x8000000000008009u,
    0x000000000000008Au, 0x0000000000000088u, 0x0000000080008009u, 0x000000008000000Au,
    0x000000008000808Bu, 0x800000000000008Bu, 0x8000000000008089u, 0x8000000000008003u,
    0x8000000000008002u, 0x8000000000000080u, 0x000000000000800Au, 0x800000008000000Au,
    0x8000000080008081u, 0x8000000000008080u, 0x0000000080000001u, 0x8000000080008008u,
};

/* Callers pass 1 <= n <= 63 only; lane 0's offset of 0 is handled without a rotation. */
static inline uint64_t rotl64(uint64_t x, unsigned n)
{
    return (x << n) | (x >> (64u - n));
}

static inline uint64_t load64_le(const uint8_t *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
           (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
           (uint64_t)p[7] << 56;
}

static inline void store64_le(uint8_t *p, uint64_t v)
{
    for (unsigned i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/*
 * Chi on one row y: each lane takes the non-linear combination of its two right-hand
 * neighbours in the same row of the rho-pi output.
 */
#define CHI_ROW(a, b, y)                                                                       \
    do {                                                                                       \
        (a)[5 * (y) + 0] = (b)[5 * (y) + 0] ^ (~(b)[5 * (y) + 1] & (b)[5 * (y) + 2]);          \
        (a)[5 * (y) + 1] = (b)[5 * (y) + 1] ^ (~(b)[5 * (y) + 2] & (b)[5 * (y) + 3]);          \
        (a)[5 * (y) + 2] = (b)[5 * (y) + 2] ^ (~(b)[5 * (y) + 3] & (b)[5 * (y) + 4]);          \
        (a)[5 * (y) + 3] = (b)[5 * (y) + 3] ^ (~(b)[5 * (y) + 4] & (b)[5 * (y) + 0]);          \
        (a)[5 * (y) + 4] = (b)[5 * (y) + 4] ^ (~(b)[5 * (y) + 0] & (b)[5 * (y) + 1]);          \
    } while (0)

void pow_keccakf(uint64_t state[25])
{
    uint64_t a[25];
    uint64_t b[25];
    uint64_t c[5];
    uint64_t d[5];

    memcpy(a, state, sizeof(a));

    for (unsigned round = 0; round < KECCAK_ROUNDS; round++) {
        /* Theta: every lane absorbs the parities of the two neighbouring columns. */
        for (unsigned x = 0; x < 5; x++)
            c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
        d[0] = c[4] ^ rotl64(c[1], 1);
        d[1] = c[0] ^ rotl64(c[2], 1);
        d[2] = c[1] ^ rotl64(c[3], 1);
        d[3] = c[2] ^ rotl64(c[4], 1);
        d[4] = c[3] ^ rotl64(c[0], 1);

        /*
         * Theta's final XOR, rho and pi in one pass: B[y, 2x + 3y] = ROT(A[x, y] ^ D[x],
         * r[x, y]). Each line reads lane x + 5y and writes its pi destination, with the
         * rho offset from the table in the Keccak reference, section 1.2.
         */
        b[0] = a[0] ^ d[0];
        b[1] = rotl64(a[6] ^ d[1], 44);
        b[2] = rotl64(a[12] ^ d[2], 43);
        b[3] = rotl64(a[18] ^ d[3], 21);
        b[4] = rotl64(a[24] ^ d[4], 14);
        b[5] = rotl64(a[3] ^ d[3], 28);
        b[6] = rotl64(a[9] ^ d[4], 20);
        b[7] = rotl64(a[10] ^ d[0], 3);
        b[8] = rotl64(a[16] ^ d[1], 45);
        b[9] = rotl64(a[22] ^ d[2], 61);
        b[10] = rotl64(a[1] ^ d[1], 1);
        b[11] = rotl64(a[7] ^ d[2], 6);
        b[12] = rotl64(a[13] ^ d[3], 25);
        b[13] = rotl64(a[19] ^ d[4], 8);
        b[14] = rotl64(a[20] ^ d[0], 18);
        b[15] = rotl64(a[4] ^ d[4], 27);
        b[16] = rotl64(a[5] ^ d[0], 36);
        b[17] = rotl64(a[11] ^ d[1], 10);
        b[18] = rotl64(a[17] ^ d[2], 15);
        b[19] = rotl64(a[23] ^ d[3], 56);
        b[20] = rotl64(a[2] ^ d[2], 62);
        b[21] = rotl64(a[8] ^ d[3], 55);
        b[22] = rotl64(a[14] ^ d[4], 39);
        b[23] = rotl64(a[15] ^ d[0], 41);
        b[24] = rotl64(a[21] ^ d[1], 2);

        CHI_ROW(a, b, 0);
        CHI_ROW(a, b, 1);
        CHI_ROW(a, b, 2);
        CHI_ROW(a, b, 3);
        CHI_ROW(a, b, 4);

        /* Iota breaks the symmetry between rounds and between lanes. */
        a[0] ^= KECCAK_RC[round];
    }

    memcpy(state, a, sizeof(a));
}

/* XORs one rate-sized block into the first 17 lanes, reading it as little-endian lanes. */
static void absorb_block(uint64_t lanes[25], const uint8_t *block)
{
    for (unsigned i = 0; i < KECCAK_RATE_LANES; i++)
        lanes[i] ^= load64_le(block + 8 * i);
}

void pow_keccak1600(const uint8_t *in, size_t len, uint8_t state[POW_KECCAK_STATE_SIZE])
{
    uint64_t lanes[25] = {0};
    uint8_t last[POW_KECCAK_RATE] = {0};

    while (len >= POW_KECCAK_RATE) {
        absorb_block(lanes, in);
        pow_keccakf(lanes);
        in += POW_KECCAK_RATE;
        len -= POW_KECCAK_RATE;
    }

    /*
     * The original Keccak submission pads with the multi-rate rule pad10*1 and no domain
     * bits, so the first padding byte is 0x01 rather than SHA-3's 0x06. When only one byte
     * of the block is left both bits land in it and it becomes 0x81. The final block
     * always exists, even for a message that fills whole blocks.
     */
    if (len > 0)
        memcpy(last, in, len);
    last[len] = 0x01;
    last[POW_KECCAK_RATE - 1] |= 0x80;
    absorb_block(lanes, last);
    pow_keccakf(lanes);

    for (unsigned i = 0; i < 25; i++)
        store64_le(state + 8 * i, lanes[i]);
}

void pow_keccak256(const uint8_t *in, size_t len, uint8_t out[32])
{
    uint8_t state[POW_KECCAK_STATE_SIZE];

    pow_keccak1600(in, len, state);
    memcpy(out, state, 32);
}
