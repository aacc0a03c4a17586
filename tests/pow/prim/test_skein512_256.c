/*
 * Tests for pow/prim/skein512_256.c: Skein-512 with a 256-bit output, checked
 * against the vectors Monero uses for its CryptoNight finalizer.
 */
#include <criterion/criterion.h>
#include <string.h>

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
#define SKEIN_VECTOR_MAX_INPUT 8192

Test(skein512_256, matches_monero_tests_extra_skein_every_line)
{
    static uint8_t input[SKEIN_VECTOR_MAX_INPUT];
    vector_file_t vf;
    size_t checked = 0;
    size_t failed = 0;

    vector_file_open(&vf, SKEIN_VECTOR_FILE);
    while (vector_file_next(&vf)) {
        uint8_t expected[32];
        uint8_t actual[32];
        char expected_hex[65];
        char actual_hex[65];

        cr_assert_eq(vector_field_hex(&vf, 0, expected, sizeof(expected)), sizeof(expected),
                     "line %zu: expected hash is not 32 bytes", vf.line_number);
        size_t len = vector_field_hex(&vf, 1, input, sizeof(input));
        pow_skein512_256(input, len, actual);
        checked++;

        /* Expect rather than assert, so that one run reports every failing line. */
        if (memcmp(expected, actual, sizeof(actual)) != 0) {
            failed++;
            vector_to_hex(expected, sizeof(expected), expected_hex);
            vector_to_hex(actual, sizeof(actual), actual_hex);
            cr_expect_fail("line %zu (%zu-byte input): expected %s, got %s", vf.line_number, len,
                           expected_hex, actual_hex);
        }
    }
    vector_file_close(&vf);

    cr_assert_eq(failed, 0, "%zu of %zu lines of %s failed", failed, checked, SKEIN_VECTOR_FILE);
    cr_assert_eq(checked, SKEIN_VECTOR_LINES, "checked %zu lines of %s, expected %d", checked,
                 SKEIN_VECTOR_FILE, SKEIN_VECTOR_LINES);
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
}

/*
 * CryptoNight hands the finalizer a 200-byte state that need not be 8-byte
 * aligned, so the hash must not depend on where the input sits in memory.
 */
Test(skein512_256, hash_does_not_depend_on_input_alignment)
{
    uint8_t buffer[200 + 8];
    uint8_t reference[32];

    for (size_t i = 0; i < sizeof(buffer); i++)
        buffer[i] = (uint8_t)(i * 7 + 3);
    for (size_t offset = 0; offset < 8; offset++) {
        uint8_t moved[200 + 8];
        uint8_t actual[32];

        memcpy(moved + offset, buffer, 200);
        pow_skein512_256(moved + offset, 200, actual);
        if (offset == 0)
            memcpy(reference, actual, sizeof(reference));
        else
            cr_assert_arr_eq(actual, reference, sizeof(reference), "offset %zu differs", offset);
    }
}
