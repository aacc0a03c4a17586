/*
 * AesGenerator1R, AesGenerator4R and AesHash1R with AES-NI (compiled with
 * -maes -msse4.1). The four columns and all keys stay in registers; the
 * columns are independent, so the four rounds of a block overlap and the
 * loops run at about one block per AESENC latency.
 */
#include <wmmintrin.h>

#include "pow/rx/aes_hash.h"

static inline __m128i load(const void *p)
{
    return _mm_loadu_si128((const __m128i *)p);
}

static inline void store(void *p, __m128i v)
{
    _mm_storeu_si128((__m128i *)p, v);
}

static void fill_1r(uint8_t state[64], void *out, size_t len)
{
    const __m128i k0 = load(pow_rx__aes1r_keys[0]), k1 = load(pow_rx__aes1r_keys[1]);
    const __m128i k2 = load(pow_rx__aes1r_keys[2]), k3 = load(pow_rx__aes1r_keys[3]);
    __m128i s0 = load(state), s1 = load(state + 16), s2 = load(state + 32), s3 = load(state + 48);
    uint8_t *dst = out;
    for (size_t off = 0; off < len; off += 64) {
        s0 = _mm_aesdec_si128(s0, k0);
        s1 = _mm_aesenc_si128(s1, k1);
        s2 = _mm_aesdec_si128(s2, k2);
        s3 = _mm_aesenc_si128(s3, k3);
        store(dst + off, s0);
        store(dst + off + 16, s1);
        store(dst + off + 32, s2);
        store(dst + off + 48, s3);
    }
    store(state, s0);
    store(state + 16, s1);
    store(state + 32, s2);
    store(state + 48, s3);
}

static void fill_4r(uint8_t state[64], void *out, size_t len, const uint8_t keys[8][16])
{
    /* Columns 0 and 1 take keys 0-3, columns 2 and 3 keys 4-7. */
    const __m128i k0 = load(keys[0]), k1 = load(keys[1]), k2 = load(keys[2]), k3 = load(keys[3]);
    const __m128i k4 = load(keys[4]), k5 = load(keys[5]), k6 = load(keys[6]), k7 = load(keys[7]);
    __m128i s0 = load(state), s1 = load(state + 16), s2 = load(state + 32), s3 = load(state + 48);
    uint8_t *dst = out;
    for (size_t off = 0; off < len; off += 64) {
        s0 = _mm_aesdec_si128(s0, k0);
        s1 = _mm_aesenc_si128(s1, k0);
        s2 = _mm_aesdec_si128(s2, k4);
        s3 = _mm_aesenc_si128(s3, k4);
        s0 = _mm_aesdec_si128(s0, k1);
        s1 = _mm_aesenc_si128(s1, k1);
        s2 = _mm_aesdec_si128(s2, k5);
        s3 = _mm_aesenc_si128(s3, k5);
        s0 = _mm_aesdec_si128(s0, k2);
        s1 = _mm_aesenc_si128(s1, k2);
        s2 = _mm_aesdec_si128(s2, k6);
        s3 = _mm_aesenc_si128(s3, k6);
        s0 = _mm_aesdec_si128(s0, k3);
        s1 = _mm_aesenc_si128(s1, k3);
        s2 = _mm_aesdec_si128(s2, k7);
        s3 = _mm_aesenc_si128(s3, k7);
        store(dst + off, s0);
        store(dst + off + 16, s1);
        store(dst + off + 32, s2);
        store(dst + off + 48, s3);
    }
    store(state, s0);
    store(state + 16, s1);
    store(state + 32, s2);
    store(state + 48, s3);
}

/* AesHash1R's two closing rounds and the output. */
static void hash_finish(__m128i s0, __m128i s1, __m128i s2, __m128i s3, uint8_t out[64])
{
    for (int x = 0; x < 2; x++) {
        const __m128i xk = load(pow_rx__aes_hash_xkeys[x]);
        s0 = _mm_aesenc_si128(s0, xk);
        s1 = _mm_aesdec_si128(s1, xk);
        s2 = _mm_aesenc_si128(s2, xk);
        s3 = _mm_aesdec_si128(s3, xk);
    }
    store(out, s0);
    store(out + 16, s1);
    store(out + 32, s2);
    store(out + 48, s3);
}

static void hash_1r(const void *in, size_t len, uint8_t out[64])
{
    __m128i s0 = load(pow_rx__aes_hash_state[0]), s1 = load(pow_rx__aes_hash_state[1]);
    __m128i s2 = load(pow_rx__aes_hash_state[2]), s3 = load(pow_rx__aes_hash_state[3]);
    const uint8_t *src = in;
    for (size_t off = 0; off < len; off += 64) {
        /* Each input block is the four round keys. */
        s0 = _mm_aesenc_si128(s0, load(src + off));
        s1 = _mm_aesdec_si128(s1, load(src + off + 16));
        s2 = _mm_aesenc_si128(s2, load(src + off + 32));
        s3 = _mm_aesdec_si128(s3, load(src + off + 48));
    }
    hash_finish(s0, s1, s2, s3, out);
}

static void hash_and_fill(void *scratchpad, size_t len, uint8_t out[64], uint8_t fill_state[64])
{
    __m128i h0 = load(pow_rx__aes_hash_state[0]), h1 = load(pow_rx__aes_hash_state[1]);
    __m128i h2 = load(pow_rx__aes_hash_state[2]), h3 = load(pow_rx__aes_hash_state[3]);
    const __m128i k0 = load(pow_rx__aes1r_keys[0]), k1 = load(pow_rx__aes1r_keys[1]);
    const __m128i k2 = load(pow_rx__aes1r_keys[2]), k3 = load(pow_rx__aes1r_keys[3]);
    __m128i f0 = load(fill_state), f1 = load(fill_state + 16);
    __m128i f2 = load(fill_state + 32), f3 = load(fill_state + 48);
    uint8_t *line = scratchpad;
    for (size_t off = 0; off < len; off += 64) {
        h0 = _mm_aesenc_si128(h0, load(line + off));
        h1 = _mm_aesdec_si128(h1, load(line + off + 16));
        h2 = _mm_aesenc_si128(h2, load(line + off + 32));
        h3 = _mm_aesdec_si128(h3, load(line + off + 48));
        f0 = _mm_aesdec_si128(f0, k0);
        f1 = _mm_aesenc_si128(f1, k1);
        f2 = _mm_aesdec_si128(f2, k2);
        f3 = _mm_aesenc_si128(f3, k3);
        store(line + off, f0);
        store(line + off + 16, f1);
        store(line + off + 32, f2);
        store(line + off + 48, f3);
    }
    store(fill_state, f0);
    store(fill_state + 16, f1);
    store(fill_state + 32, f2);
    store(fill_state + 48, f3);
    hash_finish(h0, h1, h2, h3, out);
}

const pow_rx_aes_t pow_rx_aes_aesni = {
    .fill_1r = fill_1r,
    .fill_4r = fill_4r,
    .hash_1r = hash_1r,
    .hash_and_fill = hash_and_fill,
};
