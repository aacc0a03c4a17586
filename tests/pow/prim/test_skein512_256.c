/*
 * Tests for pow/prim/skein512_256.c: Skein-512 with a 256-bit output, checked
 * against the vectors Monero uses for its CryptoNight finalizer.
 */
#include <criterion/criterion.h>

#include "pow/prim/skein512_256.h"
#include "tests/support/vector_file.h"

/*
 * Vector source: Monero's tests/hash/tests-extra-skein.txt, as installed by
 * the Debian package monero-tests. Each line is "<32-byte hash hex> <input
 * hex>", with "x" for the empty input.
 */
#define SKEIN_VECTOR_FILE MONERO_HASH_VECTOR_DIR "/tests-extra-skein.txt"

/*
 * The file has every length from 0 to 256 bytes and 64 longer inputs up to
 * 4288 bytes. Counting the lines catches a reader that stops early, which
 * would otherwise pass silently.
 */
#define SKEIN_VECTOR_LINES 321

Test(skein512_256, matches_monero_tests_extra_skein_every_line)
{
    vector_file_check_hash256(SKEIN_VECTOR_FILE, pow_skein512_256, SKEIN_VECTOR_LINES);
}

/* The empty message is a valid input, and callers need not find a buffer for it. */
Test(skein512_256, empty_input_accepts_null_pointer)
{
    /* First line of tests-extra-skein.txt: the hash of the empty input. */
    static const uint8_t expected[32] = {
        0x39, 0xcc, 0xc4, 0x55, 0x4a, 0x8b, 0x31, 0x85, 0x3b, 0x9d, 0xe7, 0xa1, 0xfe, 0x63, 0x8a,
        0x24, 0xcc, 0xe6, 0xb3, 0x5a, 0x55, 0xf2, 0x43, 0x10, 0x09, 0xe1, 0x87, 0x80, 0x33, 0x5d,
        0x26, 0x21,
    };
    uint8_t actual[32];

    pow_skein512_256(NULL, 0, actual);
    cr_assert_arr_eq(actual, expected, sizeof(expected));
    vector_hash256_check_null_input(pow_skein512_256);
}

/*
 * CryptoNight hands the finalizer a 200-byte state that need not be 8-byte
 * aligned, so the hash must not depend on where the input sits in memory.
 */
Test(skein512_256, hash_does_not_depend_on_input_alignment)
{
    vector_hash256_check_alignment(pow_skein512_256);
}
