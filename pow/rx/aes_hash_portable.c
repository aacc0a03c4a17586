/*
 * AesGenerator1R, AesGenerator4R and AesHash1R (RandomX spec 3.2-3.4) with
 * the T-table AES rounds of pow/prim/aes.h, and the constants every path
 * shares.
 */
#include "pow/rx/aes_hash.h"

#include "pow/prim/aes.h"

/* The constants below are Blake2b digests of the strings named in aes_hash.h. */
/* Each 16-byte key as two rows of eight bytes. */
// clang-format off
const uint8_t pow_rx__aes1r_keys[4][16] = {
    {0x53, 0xa5, 0xac, 0x6d, 0x09, 0x66, 0x71, 0x62,
     0x2b, 0x55, 0xb5, 0xdb, 0x17, 0x49, 0xf4, 0xb4},
    {0x07, 0xaf, 0x7c, 0x6d, 0x0d, 0x71, 0x6a, 0x84,
     0x78, 0xd3, 0x25, 0x17, 0x4e, 0xdc, 0xa1, 0x0d},
    {0xf1, 0x62, 0x12, 0x3f, 0xc6, 0x7e, 0x94, 0x9f,
     0x4f, 0x79, 0xc0, 0xf4, 0x45, 0xe3, 0x20, 0x3e},
    {0x35, 0x81, 0xef, 0x6a, 0x7c, 0x31, 0xba, 0xb1,
     0x88, 0x4c, 0x31, 0x16, 0x54, 0x91, 0x16, 0x49},
};

const uint8_t pow_rx_aes4r_keys_rx0[8][16] = {
    {0xdd, 0xaa, 0x21, 0x64, 0xdb, 0x3d, 0x83, 0xd1,
     0x2b, 0x6d, 0x54, 0x2f, 0x3f, 0xd2, 0xe5, 0x99},
    {0x50, 0x34, 0x0e, 0xb2, 0x55, 0x3f, 0x91, 0xb6,
     0x53, 0x9d, 0xf7, 0x06, 0xe5, 0xcd, 0xdf, 0xa5},
    {0x04, 0xd9, 0x3e, 0x5c, 0xaf, 0x7b, 0x5e, 0x51,
     0x9f, 0x67, 0xa4, 0x0a, 0xbf, 0x02, 0x1c, 0x17},
    {0x63, 0x37, 0x62, 0x85, 0x08, 0x5d, 0x8f, 0xe7,
     0x85, 0x37, 0x67, 0xcd, 0x91, 0xd2, 0xde, 0xd8},
    {0x73, 0x6f, 0x82, 0xb5, 0xa6, 0xa7, 0xd6, 0xe3,
     0x6d, 0x8b, 0x51, 0x3d, 0xb4, 0xff, 0x9e, 0x22},
    {0xf3, 0x6b, 0x56, 0xc7, 0xd9, 0xb3, 0x10, 0x9c,
     0x4e, 0x4d, 0x02, 0xe9, 0xd2, 0xb7, 0x72, 0xb2},
    {0xe7, 0xc9, 0x73, 0xf2, 0x8b, 0xa3, 0x65, 0xf7,
     0x0a, 0x66, 0xa9, 0x2b, 0xa7, 0xef, 0x3b, 0xf6},
    {0x09, 0xd6, 0x7c, 0x7a, 0xde, 0x39, 0x58, 0x91,
     0xfd, 0xd1, 0x06, 0x0c, 0x2d, 0x76, 0xb0, 0xc0},
};

const uint8_t pow_rx__aes_hash_state[4][16] = {
    {0x0d, 0x2c, 0xb5, 0x92, 0xde, 0x56, 0xa8, 0x9f,
     0x47, 0xdb, 0x82, 0xcc, 0xad, 0x3a, 0x98, 0xd7},
    {0x6e, 0x99, 0x8d, 0x33, 0x98, 0xb7, 0xc7, 0x15,
     0x5a, 0x12, 0x9e, 0xf5, 0x57, 0x80, 0xe7, 0xac},
    {0x17, 0x00, 0x77, 0x6a, 0xd0, 0xc7, 0x62, 0xae,
     0x6b, 0x50, 0x79, 0x50, 0xe4, 0x7c, 0xa0, 0xe8},
    {0x0c, 0x24, 0x0a, 0x63, 0x8d, 0x82, 0xad, 0x07,
     0x05, 0x00, 0xa1, 0x79, 0x48, 0x49, 0x99, 0x7e},
};

const uint8_t pow_rx__aes_hash_xkeys[2][16] = {
    {0x89, 0x83, 0xfa, 0xf6, 0x9f, 0x94, 0x24, 0x8b,
     0xbf, 0x56, 0xdc, 0x90, 0x01, 0x02, 0x89, 0x06},
    {0xd1, 0x63, 0xb2, 0x61, 0x3c, 0xe0, 0xf4, 0x51,
     0xc6, 0x43, 0x10, 0xee, 0x9b, 0xf9, 0x18, 0xed},
};
// clang-format on

/*
 * The rounds take 16 bytes as four little-endian words; byte shifts (which
 * compilers fold into plain loads and stores) keep this right on any host.
 */
static inline void load_block(uint32_t w[4], const uint8_t *b)
{
    for (int i = 0; i < 4; i++, b += 4)
        w[i] = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static inline void store_block(uint8_t *b, const uint32_t w[4])
{
    for (int i = 0; i < 4; i++, b += 4) {
        b[0] = (uint8_t)w[i];
        b[1] = (uint8_t)(w[i] >> 8);
        b[2] = (uint8_t)(w[i] >> 16);
        b[3] = (uint8_t)(w[i] >> 24);
    }
}

static inline void load_state(uint32_t s[4][4], const uint8_t *b)
{
    for (int c = 0; c < 4; c++)
        load_block(s[c], b + 16 * c);
}

static inline void store_state(uint8_t *b, const uint32_t s[4][4])
{
    for (int c = 0; c < 4; c++)
        store_block(b + 16 * c, s[c]);
}

static void fill_1r(uint8_t state[64], void *out, size_t len)
{
    uint32_t s[4][4], k[4][4];
    uint8_t *dst = out;
    load_state(s, state);
    load_state(k, &pow_rx__aes1r_keys[0][0]);
    for (size_t off = 0; off < len; off += 64) {
        pow_aes_soft_dec_round(s[0], s[0], k[0]);
        pow_aes_soft_round(s[1], s[1], k[1]);
        pow_aes_soft_dec_round(s[2], s[2], k[2]);
        pow_aes_soft_round(s[3], s[3], k[3]);
        store_state(dst + off, s);
    }
    store_state(state, s);
}

static void fill_4r(uint8_t state[64], void *out, size_t len, const uint8_t keys[8][16])
{
    uint32_t s[4][4], k[8][4];
    uint8_t *dst = out;
    load_state(s, state);
    for (int i = 0; i < 8; i++)
        load_block(k[i], keys[i]);
    for (size_t off = 0; off < len; off += 64) {
        /* Columns 0 and 1 take keys 0-3, columns 2 and 3 keys 4-7. */
        for (int r = 0; r < 4; r++) {
            pow_aes_soft_dec_round(s[0], s[0], k[r]);
            pow_aes_soft_round(s[1], s[1], k[r]);
            pow_aes_soft_dec_round(s[2], s[2], k[4 + r]);
            pow_aes_soft_round(s[3], s[3], k[4 + r]);
        }
        store_state(dst + off, s);
    }
    store_state(state, s);
}

static void hash_1r(const void *in, size_t len, uint8_t out[64])
{
    uint32_t s[4][4], k[4][4];
    const uint8_t *src = in;
    load_state(s, &pow_rx__aes_hash_state[0][0]);
    for (size_t off = 0; off < len; off += 64) {
        /* Each input block is the four round keys. */
        load_state(k, src + off);
        pow_aes_soft_round(s[0], s[0], k[0]);
        pow_aes_soft_dec_round(s[1], s[1], k[1]);
        pow_aes_soft_round(s[2], s[2], k[2]);
        pow_aes_soft_dec_round(s[3], s[3], k[3]);
    }
    for (int x = 0; x < 2; x++) {
        uint32_t xk[4];
        load_block(xk, pow_rx__aes_hash_xkeys[x]);
        pow_aes_soft_round(s[0], s[0], xk);
        pow_aes_soft_dec_round(s[1], s[1], xk);
        pow_aes_soft_round(s[2], s[2], xk);
        pow_aes_soft_dec_round(s[3], s[3], xk);
    }
    store_state(out, s);
}

/* Two passes here: the portable path is the reference the fused one is checked against. */
static void hash_and_fill(void *scratchpad, size_t len, uint8_t out[64], uint8_t fill_state[64])
{
    hash_1r(scratchpad, len, out);
    fill_1r(fill_state, scratchpad, len);
}

const pow_rx_aes_t pow_rx_aes_portable = {
    .fill_1r = fill_1r,
    .fill_4r = fill_4r,
    .hash_1r = hash_1r,
    .hash_and_fill = hash_and_fill,
};
