/*
 * Tests for pow/prim/blake256.c: BLAKE-256 (14 rounds), CryptoNight's finaliser 0.
 */
#include "pow/prim/blake256.h"

#include <criterion/criterion.h>
#include <string.h>

#include "tests/support/vector_file.h"

/*
 * Monero's tests/hash/tests-extra-blake.txt, as installed by the Debian package
 * monero-tests. Each line is "<expected 32-byte hash hex> <input hex>", with "x" for the
 * empty input. The inputs run through every length from 0 to 256 bytes and then up to
 * 4288, which covers both padding layouts (length in the same block or in an extra one)
 * and messages that end exactly on a block boundary, where the final block has counter 0.
 */
#define TESTS_BLAKE_PATH MONERO_HASH_VECTOR_DIR "/tests-extra-blake.txt"

/* The file's case count, checked so that a truncated or replaced file cannot pass quietly. */
#define TESTS_BLAKE_CASES 321

/* Larger than the longest input in the file (4288 bytes). */
#define MAX_INPUT 8192

static uint8_t input[MAX_INPUT];

Test(blake256, matches_monero_tests_extra_blake_every_line)
{
    vector_file_t vf;
    size_t cases = 0;
    size_t failures = 0;

    vector_file_open(&vf, TESTS_BLAKE_PATH);
    while (vector_file_next(&vf)) {
        uint8_t expected[32];
        uint8_t actual[32];

        cr_assert_eq(vf.field_count, 2, "line %zu: expected 2 fields, found %zu",
                     vf.line_number, vf.field_count);
        cr_assert_eq(vector_field_hex(&vf, 0, expected, sizeof(expected)), sizeof(expected),
                     "line %zu: the expected hash is not 32 bytes", vf.line_number);
        size_t len = vector_field_hex(&vf, 1, input, sizeof(input));

        pow_blake256(input, len, actual);
        cases++;
        if (memcmp(actual, expected, sizeof(expected)) != 0) {
            char expected_hex[2 * sizeof(expected) + 1];
            char actual_hex[2 * sizeof(actual) + 1];

            vector_to_hex(expected, sizeof(expected), expected_hex);
            vector_to_hex(actual, sizeof(actual), actual_hex);
            cr_expect_fail("%s line %zu (%zu-byte input): expected %s, got %s",
                           TESTS_BLAKE_PATH, vf.line_number, len, expected_hex, actual_hex);
            failures++;
        }
    }
    vector_file_close(&vf);

    cr_assert_eq(cases, TESTS_BLAKE_CASES, "read %zu cases, expected %d", cases,
                 TESTS_BLAKE_CASES);
    cr_log_info("tests-extra-blake.txt: %zu of %zu lines passed", cases - failures, cases);
}

static void expect_digest(const uint8_t *in, size_t len, const char *expected_hex)
{
    uint8_t digest[32];
    char actual_hex[65];

    pow_blake256(in, len, digest);
    vector_to_hex(digest, sizeof(digest), actual_hex);
    cr_expect_str_eq(actual_hex, expected_hex, "%zu-byte input", len);
}

/*
 * The two examples worked through in appendix A of "SHA-3 proposal BLAKE" (v1.3): one zero
 * byte, and 72 zero bytes, which needs a second block that holds 8 message bytes.
 */
Test(blake256, matches_specification_appendix_examples)
{
    static const uint8_t zeros[72] = {0};

    expect_digest(zeros, 1, "0ce8d4ef4dd7cd8d62dfded9d4edb0a774ae6a41929a74da23109e8f11139c87");
    expect_digest(zeros, 72, "d419bad32d504fb7d44d460c42c5593fe544fa4c135dec31e21bd9abdcc22d41");
}

Test(blake256, allows_output_to_overlap_input)
{
    uint8_t buf[32];
    uint8_t expected[32];

    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)(i * 5 + 1);
    pow_blake256(buf, sizeof(buf), expected);
    pow_blake256(buf, sizeof(buf), buf);
    cr_expect_arr_eq(buf, expected, sizeof(buf));
}
