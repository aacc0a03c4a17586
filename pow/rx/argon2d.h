/*
 * The RandomX cache: Argon2d's memory fill (RFC 9106, version 0x13) with
 * the finalization left out, so that the filled block array itself is the
 * cache (RandomX specification, 7.1).
 *
 * The key is Argon2's password; there is no secret and no associated data,
 * and the tag length hashed into H0 is 0. Blocks are 1024 bytes, stored as
 * 128 little-endian 64-bit words.
 */
#ifndef MINEMETER_POW_RX_ARGON2D_H
#define MINEMETER_POW_RX_ARGON2D_H

#include <stddef.h>
#include <stdint.h>

#define POW_RX_ARGON2D_BLOCK 1024
#define POW_RX_ARGON2D_WORDS 128 /* 64-bit words in a block */

typedef struct {
    const uint8_t *salt;
    size_t salt_len;
    uint32_t memory_kib; /* m: blocks of 1 KiB; at least 8 per lane */
    uint32_t passes;     /* t: at least 1 */
    uint32_t lanes;      /* p: 1 to 2^24 - 1; lanes are filled one after another */
} pow_rx_argon2d_params_t;

/*
 * Fills memory (memory_kib * 1024 bytes, 64-byte aligned, owned by the
 * caller) from key. Returns 0, or -EINVAL when a parameter is out of the
 * ranges above, the memory is misaligned or a length does not fit Argon2's
 * 32-bit length fields. When memory_kib is not a multiple of 4 * lanes,
 * Argon2 uses (and this fills) only the largest such multiple.
 */
int pow_rx_argon2d_fill(void *memory, const pow_rx_argon2d_params_t *params, const void *key,
                        size_t key_len);

/*
 * The same with the compression function in AVX2; identical output. Only
 * in builds with MM_BUILD_AVX2, and only to be called when the CPU has AVX2.
 */
int pow_rx_argon2d_fill_avx2(void *memory, const pow_rx_argon2d_params_t *params, const void *key,
                             size_t key_len);

/*
 * The same with the compression function in aarch64 NEON; identical output.
 * Only in builds with MM_BUILD_NEON, and only when the CPU has Advanced SIMD.
 */
int pow_rx_argon2d_fill_neon(void *memory, const pow_rx_argon2d_params_t *params, const void *key,
                             size_t key_len);

/*
 * Internal to pow/rx/argon2d*.c and their tests: the pieces behind the two
 * functions above, general enough to reproduce RFC 9106's Argon2d vectors.
 */

/*
 * Argon2's compression G (RFC 9106, 3.5) of prev and ref into next; with
 * xor_into_next (every pass after the first, version 0x13) the result is
 * XORed into next's old contents instead of replacing them. Blocks are
 * 64-byte aligned and next is distinct from prev and ref.
 */
typedef void (*pow_rx_argon2d__compress_fn)(uint64_t *restrict next, const uint64_t *prev,
                                            const uint64_t *ref, int xor_into_next);

void pow_rx_argon2d__compress_portable(uint64_t *restrict next, const uint64_t *prev,
                                       const uint64_t *ref, int xor_into_next);
void pow_rx_argon2d__compress_avx2(uint64_t *restrict next, const uint64_t *prev,
                                   const uint64_t *ref, int xor_into_next);
void pow_rx_argon2d__compress_neon(uint64_t *restrict next, const uint64_t *prev,
                                   const uint64_t *ref, int xor_into_next);

/*
 * H0 (RFC 9106, 3.2 step 1) for Argon2d version 0x13. RandomX passes
 * tag_len 0 and no secret or associated data.
 */
void pow_rx_argon2d__initial_hash(uint8_t h0[64], const pow_rx_argon2d_params_t *params,
                                  uint32_t tag_len, const void *password, size_t password_len,
                                  const void *secret, size_t secret_len, const void *ad,
                                  size_t ad_len);

/*
 * Steps 2 to 6 of RFC 9106, 3.2 (the first two blocks of each lane, then
 * every pass) from a given H0, with the compression function given.
 * Returns 0 or -EINVAL as pow_rx_argon2d_fill() does.
 */
int pow_rx_argon2d__fill_from_h0(void *memory, const pow_rx_argon2d_params_t *params,
                                 const uint8_t h0[64], pow_rx_argon2d__compress_fn compress);

/* pow_rx_argon2d_fill() with the compression function given. */
int pow_rx_argon2d__fill_key(void *memory, const pow_rx_argon2d_params_t *params, const void *key,
                             size_t key_len, pow_rx_argon2d__compress_fn compress);

#endif
