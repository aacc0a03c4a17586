/*
 * AES tables and key schedule (FIPS-197), written for CryptoNight and
 * RandomX.
 */
#include "pow/prim/aes.h"

#include <string.h>

#include "pow/prim/aes_inv_sbox.h"
#include "pow/prim/aes_sbox.h"

/* Multiplication by x (that is, 2) in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1. */
#define AES_XTIME(s) ((uint32_t)((((s) << 1) ^ (((s) >> 7) * 0x11b)) & 0xff))

/*
 * MixColumns multiplies a column by the rows (2 3 1 1), (1 2 3 1), (1 1 2 3),
 * (3 1 1 2). An S-box output s in row 0 thus adds (2s, s, s, 3s) to the
 * output column, which packed little-endian is the word below; rows 1-3 are
 * the same word rotated left by 8, 16 and 24 bits.
 */
#define AES_TE0(s)                                                                                 \
    (AES_XTIME(s) | ((uint32_t)(s) << 8) | ((uint32_t)(s) << 16) |                                 \
     ((AES_XTIME(s) ^ (uint32_t)(s)) << 24))
#define AES_ROTL(w, n)   ((uint32_t)(((w) << (n)) | ((w) >> (32 - (n)))))
#define AES_TE0_ENTRY(s) AES_TE0(s),
#define AES_TE1_ENTRY(s) AES_ROTL(AES_TE0(s), 8),
#define AES_TE2_ENTRY(s) AES_ROTL(AES_TE0(s), 16),
#define AES_TE3_ENTRY(s) AES_ROTL(AES_TE0(s), 24),

const uint32_t pow__aes_te[4][256] = {
    {POW_AES_SBOX_LIST(AES_TE0_ENTRY)},
    {POW_AES_SBOX_LIST(AES_TE1_ENTRY)},
    {POW_AES_SBOX_LIST(AES_TE2_ENTRY)},
    {POW_AES_SBOX_LIST(AES_TE3_ENTRY)},
};

/* Products of s with the InvMixColumns coefficients 9, 11, 13 and 14. */
#define AES_X4(s)    AES_XTIME(AES_XTIME(s))
#define AES_X8(s)    AES_XTIME(AES_X4(s))
#define AES_MUL9(s)  (AES_X8(s) ^ (uint32_t)(s))
#define AES_MUL11(s) (AES_X8(s) ^ AES_XTIME(s) ^ (uint32_t)(s))
#define AES_MUL13(s) (AES_X8(s) ^ AES_X4(s) ^ (uint32_t)(s))
#define AES_MUL14(s) (AES_X8(s) ^ AES_X4(s) ^ AES_XTIME(s))

/*
 * InvMixColumns multiplies a column by the rows (14 11 13 9), (9 14 11 13),
 * (13 9 14 11), (11 13 9 14), so an inverse S-box output s in row 0 adds
 * (14s, 9s, 13s, 11s); rows 1-3 again rotate that word by 8, 16, 24 bits.
 */
#define AES_TD0(s) (AES_MUL14(s) | (AES_MUL9(s) << 8) | (AES_MUL13(s) << 16) | (AES_MUL11(s) << 24))

#define AES_TD0_ENTRY(s) AES_TD0(s),
#define AES_TD1_ENTRY(s) AES_ROTL(AES_TD0(s), 8),
#define AES_TD2_ENTRY(s) AES_ROTL(AES_TD0(s), 16),
#define AES_TD3_ENTRY(s) AES_ROTL(AES_TD0(s), 24),

const uint32_t pow__aes_td[4][256] = {
    {POW_AES_INV_SBOX_LIST(AES_TD0_ENTRY)},
    {POW_AES_INV_SBOX_LIST(AES_TD1_ENTRY)},
    {POW_AES_INV_SBOX_LIST(AES_TD2_ENTRY)},
    {POW_AES_INV_SBOX_LIST(AES_TD3_ENTRY)},
};

#define AES_SBOX_ENTRY(s) s,
static const uint8_t aes_sbox[256] = {POW_AES_SBOX_LIST(AES_SBOX_ENTRY)};

void pow_aes256_key_schedule10(const uint8_t key[32], uint8_t round_keys[10][16])
{
    /* w holds the schedule as bytes: word i is w[4i .. 4i+3], FIPS-197 order. */
    uint8_t w[40 * 4];
    uint8_t rcon = 0x01;
    memcpy(w, key, 32);
    for (unsigned i = 8; i < 40; i++) {
        uint8_t t[4];
        memcpy(t, &w[4 * (i - 1)], 4);
        if (i % 8 == 0) {
            /* RotWord, SubWord, then the round constant on the first byte. */
            uint8_t first = t[0];
            t[0] = (uint8_t)(aes_sbox[t[1]] ^ rcon);
            t[1] = aes_sbox[t[2]];
            t[2] = aes_sbox[t[3]];
            t[3] = aes_sbox[first];
            rcon = (uint8_t)AES_XTIME(rcon);
        } else if (i % 8 == 4) {
            for (unsigned k = 0; k < 4; k++)
                t[k] = aes_sbox[t[k]];
        }
        for (unsigned k = 0; k < 4; k++)
            w[4 * i + k] = (uint8_t)(w[4 * (i - 8) + k] ^ t[k]);
    }
    memcpy(round_keys, w, sizeof(w));
}
