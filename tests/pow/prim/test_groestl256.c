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

Test(groestl256, matches_monero_tests_extra_groestl_every_line)
{
    vector_file_check_hash256(TESTS_GROESTL_PATH, pow_groestl256, TESTS_GROESTL_CASES);
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
    vector_hash256_check_null_input(pow_groestl256);
}

/* The input is read byte by byte, so its alignment must not matter. */
Test(groestl256, does_not_depend_on_input_alignment)
{
    vector_hash256_check_alignment(pow_groestl256);
}

Test(groestl256, allows_output_to_overlap_input)
{
    vector_hash256_check_overlap(pow_groestl256);
}
