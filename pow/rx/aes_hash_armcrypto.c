/*
 * AesGenerator1R, AesGenerator4R and AesHash1R with the ARMv8 crypto
 * extensions (compiled with -march=armv8-a+crypto).
 *
 * RandomX's rounds are x86's: AESENC is ShiftRows, SubBytes, MixColumns,
 * then XOR of the key; AESDEC the inverse steps, then XOR of the key.
 * ARMv8's AESE XORs its key first, then SubBytes and ShiftRows, and AESMC
 * is MixColumns on its own (AESD and AESIMC likewise). So one x86 round is
 * AESMC(AESE(x, 0)) ^ key, and in a chain of rounds the XOR of one round's
 * key can ride in the next AESE: round(round(x, k0), k1) =
 * AESMC(AESE(AESMC(AESE(x, 0)), k0)) ^ k1. Where no one reads a round's
 * finished value (AesGenerator4R's inner rounds, AesHash1R), the loops
 * keep each column before its last key XOR and save one EOR per round.
 */
#include <arm_neon.h>

#include "pow/rx/aes_hash.h"
#include "pow/rx/aes_hash_armcrypto.h"

static inline uint8x16_t load(const void *p)
{
    return vld1q_u8((const uint8_t *)p);
}

static inline void store(void *p, uint8x16_t v)
{
    vst1q_u8((uint8_t *)p, v);
}

static void fill_1r(uint8_t state[64], void *out, size_t len)
{
    const uint8x16_t k0 = load(pow_rx__aes1r_keys[0]), k1 = load(pow_rx__aes1r_keys[1]);
    const uint8x16_t k2 = load(pow_rx__aes1r_keys[2]), k3 = load(pow_rx__aes1r_keys[3]);
    uint8x16_t s0 = load(state), s1 = load(state + 16), s2 = load(state + 32);
    uint8x16_t s3 = load(state + 48);
    uint8_t *dst = out;
    /* Every round's result is written out, so each takes its key XOR here. */
    for (size_t off = 0; off < len; off += 64) {
        s0 = pow_rx__arm_aesdec(s0, k0);
        s1 = pow_rx__arm_aesenc(s1, k1);
        s2 = pow_rx__arm_aesdec(s2, k2);
        s3 = pow_rx__arm_aesenc(s3, k3);
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
    const uint8x16_t k0 = load(keys[0]), k1 = load(keys[1]), k2 = load(keys[2]);
    const uint8x16_t k3 = load(keys[3]), k4 = load(keys[4]), k5 = load(keys[5]);
    const uint8x16_t k6 = load(keys[6]), k7 = load(keys[7]);
    const uint8x16_t zero = vdupq_n_u8(0);
    uint8x16_t s0 = load(state), s1 = load(state + 16), s2 = load(state + 32);
    uint8x16_t s3 = load(state + 48);
    uint8_t *dst = out;
    for (size_t off = 0; off < len; off += 64) {
        /* Four rounds per column; the first three keys ride in the next AESE/AESD. */
        s0 = vaesimcq_u8(vaesdq_u8(s0, zero));
        s1 = vaesmcq_u8(vaeseq_u8(s1, zero));
        s2 = vaesimcq_u8(vaesdq_u8(s2, zero));
        s3 = vaesmcq_u8(vaeseq_u8(s3, zero));
        s0 = vaesimcq_u8(vaesdq_u8(s0, k0));
        s1 = vaesmcq_u8(vaeseq_u8(s1, k0));
        s2 = vaesimcq_u8(vaesdq_u8(s2, k4));
        s3 = vaesmcq_u8(vaeseq_u8(s3, k4));
        s0 = vaesimcq_u8(vaesdq_u8(s0, k1));
        s1 = vaesmcq_u8(vaeseq_u8(s1, k1));
        s2 = vaesimcq_u8(vaesdq_u8(s2, k5));
        s3 = vaesmcq_u8(vaeseq_u8(s3, k5));
        s0 = veorq_u8(vaesimcq_u8(vaesdq_u8(s0, k2)), k3);
        s1 = veorq_u8(vaesmcq_u8(vaeseq_u8(s1, k2)), k3);
        s2 = veorq_u8(vaesimcq_u8(vaesdq_u8(s2, k6)), k7);
        s3 = veorq_u8(vaesmcq_u8(vaeseq_u8(s3, k6)), k7);
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

static void hash_1r(const void *in, size_t len, uint8_t out[64])
{
    /*
     * p0-p3 are the columns before their last key XOR and key0-key3 the
     * keys they still owe; the first round owes nothing, hence zero.
     */
    uint8x16_t p0 = load(pow_rx__aes_hash_state[0]), p1 = load(pow_rx__aes_hash_state[1]);
    uint8x16_t p2 = load(pow_rx__aes_hash_state[2]), p3 = load(pow_rx__aes_hash_state[3]);
    uint8x16_t key0 = vdupq_n_u8(0), key1 = key0, key2 = key0, key3 = key0;
    const uint8_t *src = in;
    for (size_t off = 0; off < len; off += 64) {
        /* Each input block is the four round keys. */
        p0 = vaesmcq_u8(vaeseq_u8(p0, key0));
        p1 = vaesimcq_u8(vaesdq_u8(p1, key1));
        p2 = vaesmcq_u8(vaeseq_u8(p2, key2));
        p3 = vaesimcq_u8(vaesdq_u8(p3, key3));
        key0 = load(src + off);
        key1 = load(src + off + 16);
        key2 = load(src + off + 32);
        key3 = load(src + off + 48);
    }
    for (int x = 0; x < 2; x++) {
        p0 = vaesmcq_u8(vaeseq_u8(p0, key0));
        p1 = vaesimcq_u8(vaesdq_u8(p1, key1));
        p2 = vaesmcq_u8(vaeseq_u8(p2, key2));
        p3 = vaesimcq_u8(vaesdq_u8(p3, key3));
        key0 = key1 = key2 = key3 = load(pow_rx__aes_hash_xkeys[x]);
    }
    store(out, veorq_u8(p0, key0));
    store(out + 16, veorq_u8(p1, key1));
    store(out + 32, veorq_u8(p2, key2));
    store(out + 48, veorq_u8(p3, key3));
}

/* Two passes for now; a fused loop like the AES-NI one is left for real arm64 hardware to time. */
static void hash_and_fill(void *scratchpad, size_t len, uint8_t out[64], uint8_t fill_state[64])
{
    hash_1r(scratchpad, len, out);
    fill_1r(fill_state, scratchpad, len);
}

const pow_rx_aes_t pow_rx_aes_armcrypto = {
    .fill_1r = fill_1r,
    .fill_4r = fill_4r,
    .hash_1r = hash_1r,
    .hash_and_fill = hash_and_fill,
};
