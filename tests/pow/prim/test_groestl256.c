/*
 * Tests for pow/prim/groestl256.c: Grøstl-256 (final-round version), CryptoNight's
 * finaliser 1.
 */
#include "pow/prim/groestl256.h"

#include <criterion/criterion.h>
#include <string.h>

#include "tests/support/vector_file.h"

/*
 * Monero's tests/hash/tests-extra-groestl.txt, as installed by the Debian package
 * monero-tests. Each line is "<expected 32-byte hash hex> <input hex>", with "x" for the
 * empty input. The inputs run through every length from 0 to 256 bytes and then up to
 * 4288 in steps of 63, which covers both padding layouts (counter in the same block as the
 * message's end or in an extra one) and messages that end exactly on a block boundary.
 */
#define TESTS_GROESTL_PATH MONERO_HASH_VECTOR_DIR "/tests-extra-groestl.txt"

/* The file's case count, checked so that a truncated or replaced file cannot pass quietly. */
#define TESTS_GROESTL_CASES 321

/* Larger than the longest input in the file (4288 bytes). */
#define MAX_INPUT 8192

static uint8_t input[MAX_INPUT];

Test(groestl256, matches_monero_tests_extra_groestl_every_line)
{
    vector_file_t vf;
    size_t cases = 0;
    size_t failures = 0;

    vector_file_open(&vf, TESTS_GROESTL_PATH);
    while (vector_file_next(&vf)) {
        uint8_t expected[32];
        uint8_t actual[32];

        cr_assert_eq(vf.field_count, 2, "line %zu: expected 2 fields, found %zu",
                     vf.line_number, vf.field_count);
        cr_assert_eq(vector_field_hex(&vf, 0, expected, sizeof(expected)), sizeof(expected),
                     "line %zu: the expected hash is not 32 bytes", vf.line_number);
        size_t len = vector_field_hex(&vf, 1, input, sizeof(input));

        pow_groestl256(input, len, actual);
        cases++;
        if (memcmp(actual, expected, sizeof(expected)) != 0) {
            char expected_hex[2 * sizeof(expected) + 1];
            char actual_hex[2 * sizeof(actual) + 1];

            vector_to_hex(expected, sizeof(expected), expected_hex);
            vector_to_hex(actual, sizeof(actual), actual_hex);
            cr_expect_fail("%s line %zu (%zu-byte input): expected %s, got %s",
                           TESTS_GROESTL_PATH, vf.line_number, len, expected_hex, actual_hex);
            failures++;
        }
    }
    vector_file_close(&vf);

    cr_assert_eq(cases, TESTS_GROESTL_CASES, "read %zu cases, expected %d", cases,
                 TESTS_GROESTL_CASES);
    cr_log_info("tests-extra-groestl.txt: %zu of %zu lines passed", cases - failures, cases);
}

static void expect_digest(const char *text, const char *expected_hex)
{
    uint8_t digest[32];
    char actual_hex[65];

    pow_groestl256((const uint8_t *)text, strlen(text), digest);
    vector_to_hex(digest, sizeof(digest), actual_hex);
    cr_expect_str_eq(actual_hex, expected_hex, "input \"%s\"", text);
}

/*
 * A second source, independent of Monero: the examples of the Wikipedia article "Grøstl"
 * (the empty string and the two fox sentences) and of kryptografie.de's Grøstl page
 * ("Beispielklartext"), all for the final-round Grøstl-256.
 */
Test(groestl256, matches_published_examples)
{
    expect_digest("", "1a52d11d550039be16107f9c58db9ebcc417f16f736adb2502567119f0083467");
    expect_digest("The quick brown fox jumps over the lazy dog",
                  "8c7ad62eb26a21297bc39c2d7293b4bd4d3399fa8afab29e970471739e28b301");
    expect_digest("The quick brown fox jumps over the lazy dog.",
                  "f48290b1bcacee406a0429b993adb8fb3d065f4b09cbcdb464a631d4a0080aaf");
    expect_digest("Beispielklartext",
                  "f37fd08f5e21f77654aaf21361f0395ac65c925bd84f41ee017f81f8d6b85a54");
}

Test(groestl256, accepts_null_input_of_length_zero)
{
    uint8_t from_null[32];
    uint8_t from_empty[32];
    static const uint8_t empty[1] = {0};

    pow_groestl256(NULL, 0, from_null);
    pow_groestl256(empty, 0, from_empty);
    cr_expect_arr_eq(from_null, from_empty, sizeof(from_null));
}

/* The input is read byte by byte, so its alignment must not matter. */
Test(groestl256, does_not_depend_on_input_alignment)
{
    uint8_t buf[200 + 8];
    uint8_t expected[32];

    for (size_t i = 0; i < 200; i++)
        buf[i] = (uint8_t)(i * 7 + 3);
    pow_groestl256(buf, 200, expected);
    for (size_t shift = 1; shift < 8; shift++) {
        uint8_t actual[32];

        memmove(buf + shift, buf + shift - 1, 200);
        pow_groestl256(buf + shift, 200, actual);
        cr_expect_arr_eq(actual, expected, sizeof(actual), "input at offset %zu", shift);
    }
}

Test(groestl256, allows_output_to_overlap_input)
{
    uint8_t buf[32];
    uint8_t expected[32];

    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)(i * 5 + 1);
    pow_groestl256(buf, sizeof(buf), expected);
    pow_groestl256(buf, sizeof(buf), buf);
    cr_expect_arr_eq(buf, expected, sizeof(buf));
}
