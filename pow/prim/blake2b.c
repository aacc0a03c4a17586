/*
 * BLAKE2b per RFC 7693: 12 rounds of the G function over a 16-word state,
 * 128-byte blocks, a 128-bit byte counter and a final-block flag.
 */
#include "pow/prim/blake2b.h"
#include "pow/prim/blake_sigma.h"

#include <string.h>

static const uint64_t blake2b_iv[8] = {
    0x6a09e667f3bcc908u, 0xbb67ae8584caa73bu, 0x3c6ef372fe94f82bu, 0xa54ff53a5f1d36f1u,
    0x510e527fade682d1u, 0x9b05688c2b3e6c1fu, 0x1f83d9abfb41bd6bu, 0x5be0cd19137e2179u,
};


static uint64_t load64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static uint64_t rotr64(uint64_t x, unsigned n)
{
    return (x >> n) | (x << (64 - n));
}

#define G(a, b, c, d, x, y)                                                                    \
    do {                                                                                       \
        v[a] = v[a] + v[b] + (x);                                                              \
        v[d] = rotr64(v[d] ^ v[a], 32);                                                        \
        v[c] = v[c] + v[d];                                                                    \
        v[b] = rotr64(v[b] ^ v[c], 24);                                                        \
        v[a] = v[a] + v[b] + (y);                                                              \
        v[d] = rotr64(v[d] ^ v[a], 16);                                                        \
        v[c] = v[c] + v[d];                                                                    \
        v[b] = rotr64(v[b] ^ v[c], 63);                                                        \
    } while (0)

static void compress(pow_blake2b_t *s, const uint8_t block[POW_BLAKE2B_BLOCK], int last)
{
    uint64_t m[16], v[16];
    for (int i = 0; i < 16; i++)
        m[i] = load64(block + 8 * i);
    for (int i = 0; i < 8; i++) {
        v[i] = s->h[i];
        v[i + 8] = blake2b_iv[i];
    }
    v[12] ^= s->t[0];
    v[13] ^= s->t[1];
    if (last)
        v[14] = ~v[14];
    for (int r = 0; r < 12; r++) {
        const uint8_t *z = POW_BLAKE_SIGMA[r % 10];
        G(0, 4, 8, 12, m[z[0]], m[z[1]]);
        G(1, 5, 9, 13, m[z[2]], m[z[3]]);
        G(2, 6, 10, 14, m[z[4]], m[z[5]]);
        G(3, 7, 11, 15, m[z[6]], m[z[7]]);
        G(0, 5, 10, 15, m[z[8]], m[z[9]]);
        G(1, 6, 11, 12, m[z[10]], m[z[11]]);
        G(2, 7, 8, 13, m[z[12]], m[z[13]]);
        G(3, 4, 9, 14, m[z[14]], m[z[15]]);
    }
    for (int i = 0; i < 8; i++)
        s->h[i] ^= v[i] ^ v[i + 8];
}

static void add_counter(pow_blake2b_t *s, size_t n)
{
    s->t[0] += n;
    if (s->t[0] < n)
        s->t[1]++;
}

void pow_blake2b_init(pow_blake2b_t *s, size_t out_len)
{
    memset(s, 0, sizeof(*s));
    memcpy(s->h, blake2b_iv, sizeof(s->h));
    /* Parameter block word 0: digest length, key length 0, fanout 1, depth 1. */
    s->h[0] ^= 0x01010000u ^ (uint64_t)out_len;
    s->out_len = out_len;
}

void pow_blake2b_update(pow_blake2b_t *s, const void *in, size_t len)
{
    const uint8_t *p = in;
    while (len > 0) {
        /* The last block must be compressed with the final flag, so keep a full one back. */
        if (s->buf_len == POW_BLAKE2B_BLOCK) {
            add_counter(s, POW_BLAKE2B_BLOCK);
            compress(s, s->buf, 0);
            s->buf_len = 0;
        }
        size_t take = POW_BLAKE2B_BLOCK - s->buf_len;
        if (take > len)
            take = len;
        memcpy(s->buf + s->buf_len, p, take);
        s->buf_len += take;
        p += take;
        len -= take;
    }
}

void pow_blake2b_final(pow_blake2b_t *s, uint8_t *out)
{
    add_counter(s, s->buf_len);
    memset(s->buf + s->buf_len, 0, POW_BLAKE2B_BLOCK - s->buf_len);
    compress(s, s->buf, 1);
    uint8_t full[64];
    for (int i = 0; i < 8; i++) {
        for (int k = 0; k < 8; k++)
            full[8 * i + k] = (uint8_t)(s->h[i] >> (8 * k));
    }
    memcpy(out, full, s->out_len);
}

void pow_blake2b(uint8_t *out, size_t out_len, const void *in, size_t len)
{
    pow_blake2b_t s;
    pow_blake2b_init(&s, out_len);
    pow_blake2b_update(&s, in, len);
    pow_blake2b_final(&s, out);
}

void pow_blake2b_long(uint8_t *out, size_t out_len, const void *in, size_t len)
{
    uint8_t prefix[4] = {(uint8_t)out_len, (uint8_t)(out_len >> 8), (uint8_t)(out_len >> 16),
                         (uint8_t)(out_len >> 24)};
    pow_blake2b_t s;
    if (out_len <= 64) {
        pow_blake2b_init(&s, out_len);
        pow_blake2b_update(&s, prefix, sizeof(prefix));
        pow_blake2b_update(&s, in, len);
        pow_blake2b_final(&s, out);
        return;
    }
    /* V1 = H^64(len || in); each next V = H^64(V); emit 32 bytes of each, all of the last. */
    uint8_t v[64];
    pow_blake2b_init(&s, 64);
    pow_blake2b_update(&s, prefix, sizeof(prefix));
    pow_blake2b_update(&s, in, len);
    pow_blake2b_final(&s, v);
    memcpy(out, v, 32);
    out += 32;
    out_len -= 32;
    while (out_len > 64) {
        pow_blake2b(v, 64, v, 64);
        memcpy(out, v, 32);
        out += 32;
        out_len -= 32;
    }
    pow_blake2b(v, out_len, v, 64);
    memcpy(out, v, out_len);
}
