/*
 * RandomX's AES building blocks (spec chapter 3): AesGenerator1R fills the
 * scratchpad, AesGenerator4R fills each program, AesHash1R fingerprints the
 * scratchpad at the end of a hash.
 *
 * All three work on a 64-byte state seen as four 16-byte columns; each
 * column takes AES rounds in the x86 AESENC/AESDEC form. One vtable per
 * instruction set: the portable one (T-tables) always exists, the AES-NI and
 * ARMv8 crypto ones only when configure found the compiler able to build
 * them (MM_BUILD_AESNI, MM_BUILD_ARMCRYPTO).
 */
#ifndef MINEMETER_POW_RX_AES_HASH_H
#define MINEMETER_POW_RX_AES_HASH_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    /*
     * AesGenerator1R: writes len bytes (a multiple of 64) to out, one
     * 64-byte state per round, and leaves the final state in state.
     */
    void (*fill_1r)(uint8_t state[64], void *out, size_t len);
    /*
     * AesGenerator4R with the given eight keys (variants differ in them):
     * like fill_1r but four rounds per 64 bytes. The final state is written
     * back to state as well.
     */
    void (*fill_4r)(uint8_t state[64], void *out, size_t len, const uint8_t keys[8][16]);
    /* AesHash1R: the 64-byte fingerprint of len bytes (a multiple of 64). */
    void (*hash_1r)(const void *in, size_t len, uint8_t out[64]);
    /*
     * hash_1r of the len bytes at scratchpad into out, and fill_1r of the
     * next hash's scratchpad over them from fill_state, in one pass: each
     * 64-byte line is read into the fingerprint, then overwritten. What the
     * pipelined API (hash_next) does between two hashes.
     */
    void (*hash_and_fill)(void *scratchpad, size_t len, uint8_t out[64], uint8_t fill_state[64]);
} pow_rx_aes_t;

/* T-table rounds; runs anywhere. */
extern const pow_rx_aes_t pow_rx_aes_portable;

/* AESENC/AESDEC rounds (pow/rx/aes_hash_aesni.c); only built with MM_BUILD_AESNI. */
extern const pow_rx_aes_t pow_rx_aes_aesni;

/* AESE/AESMC, AESD/AESIMC rounds (pow/rx/aes_hash_armcrypto.c); only with MM_BUILD_ARMCRYPTO. */
extern const pow_rx_aes_t pow_rx_aes_armcrypto;

/* AesGenerator4R's keys for rx/0 (Hash512 of "RandomX AesGenerator4R keys 0-3", "... 4-7"). */
extern const uint8_t pow_rx_aes4r_keys_rx0[8][16];
extern const uint8_t pow_rx_aes4r_keys_wow[8][16];

/*
 * The fixed keys and initial state both paths share, defined in
 * pow/rx/aes_hash_portable.c; byte 0 of each is the lowest address.
 */
extern const uint8_t pow_rx__aes1r_keys[4][16];     /* Hash512("RandomX AesGenerator1R keys") */
extern const uint8_t pow_rx__aes_hash_state[4][16]; /* Hash512("RandomX AesHash1R state") */
extern const uint8_t pow_rx__aes_hash_xkeys[2][16]; /* Hash256("RandomX AesHash1R xkeys") */

#endif
