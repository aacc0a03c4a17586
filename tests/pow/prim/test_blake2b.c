/*
 * pow/prim/blake2b.c against RFC 7693's example and OpenSSL's BLAKE2b-512
 * on every input length across several block boundaries.
 */
#include <criterion/criterion.h>
#include <openssl/evp.h>
#include <string.h>

#include "pow/hex.h"
#include "pow/prim/blake2b.h"

/* RFC 7693 appendix A: BLAKE2b-512("abc"). */
Test(blake2b, matches_rfc7693_abc_example)
{
    uint8_t out[64];
    char hex[129];
    pow_blake2b(out, 64, "abc", 3);
    pow_hex_encode(out, 64, hex);
    cr_expect_str_eq(hex, "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
                          "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923");
}

Test(blake2b, matches_openssl_on_every_length_to_600)
{
    uint8_t buf[600], ours[64], ref[64];
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)(i * 7 + 1);
    for (size_t len = 0; len <= sizeof(buf); len++) {
        unsigned ref_len = 0;
        cr_assert(EVP_Digest(buf, len, ref, &ref_len, EVP_blake2b512(), NULL));
        pow_blake2b(ours, 64, buf, len);
        cr_assert_arr_eq(ours, ref, 64, "length %zu", len);
    }
}

Test(blake2b, streaming_in_pieces_equals_one_shot)
{
    uint8_t buf[300], once[32], pieces[32];
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)(i * 13);
    pow_blake2b(once, 32, buf, sizeof(buf));
    pow_blake2b_t s;
    pow_blake2b_init(&s, 32);
    for (size_t off = 0, step = 1; off < sizeof(buf); off += step, step = step * 2 + 1)
        pow_blake2b_update(&s, buf + off, off + step > sizeof(buf) ? sizeof(buf) - off : step);
    pow_blake2b_final(&s, pieces);
    cr_expect_arr_eq(once, pieces, 32);
}

Test(blake2b, digest_length_changes_the_whole_digest)
{
    /* The length is in the parameter block: a 32-byte digest is not a prefix of the 64-byte one. */
    uint8_t d32[32], d64[64];
    pow_blake2b(d32, 32, "RandomX", 7);
    pow_blake2b(d64, 64, "RandomX", 7);
    cr_expect(memcmp(d32, d64, 32) != 0);
}

Test(blake2b, long_hash_of_64_bytes_or_less_is_prefixed_blake2b)
{
    uint8_t out[64], ref[64];
    uint8_t prefixed[4 + 5] = {64, 0, 0, 0, 'h', 'e', 'l', 'l', 'o'};
    pow_blake2b_long(out, 64, "hello", 5);
    pow_blake2b(ref, 64, prefixed, sizeof(prefixed));
    cr_expect_arr_eq(out, ref, 64);
}
