/*
 * Tests for pow/prim/jh256.c: JH-256 (round-3 version, 42 rounds), CryptoNight's
 * finaliser 2.
 */
#include "pow/prim/jh256.h"

#include <criterion/criterion.h>
#include <string.h>

#include "tests/support/vector_file.h"

/*
 * Monero's tests/hash/tests-extra-jh.txt, as installed by the Debian package
 * monero-tests. Each line is "<expected 32-byte hash hex> <input hex>", with "x" for the
 * empty input. The inputs run through every length from 0 to 256 bytes and then up to
 * 4288 in steps of 63, which covers messages that end exactly on a block boundary (the
 * padding block then starts with the 1 bit) and those that do not (the padding first fills
 * the message's last block, and the length gets a block of its own).
 */
#define TESTS_JH_PATH MONERO_HASH_VECTOR_DIR "/tests-extra-jh.txt"

/* The file's case count, checked so that a truncated or replaced file cannot pass quietly. */
#define TESTS_JH_CASES 321

Test(jh256, matches_monero_tests_extra_jh_every_line)
{
    vector_file_check_hash256(TESTS_JH_PATH, pow_jh256, TESTS_JH_CASES);
}

static void expect_digest(const char *text, const char *expected_hex)
{
    uint8_t digest[32];
    char actual_hex[65];

    pow_jh256((const uint8_t *)text, strlen(text), digest);
    vector_to_hex(digest, sizeof(digest), actual_hex);
    cr_expect_str_eq(actual_hex, expected_hex, "input \"%s\"", text);
}

/*
 * A second source, independent of Monero: the JH-256 examples of the Wikipedia article
 * "JH (hash function)": the empty string and the two fox sentences.
 */
Test(jh256, matches_published_examples)
{
    expect_digest("", "46e64619c18bb0a92a5e87185a47eef83ca747b8fcc8e1412921357e326df434");
    expect_digest("The quick brown fox jumps over the lazy dog",
                  "6a049fed5fc6874acfdc4a08b568a4f8cbac27de933496f031015b38961608a0");
    expect_digest("The quick brown fox jumps over the lazy dog.",
                  "d001ae2315421c5d3272bac4f4aa524bddd207530d5d26bbf51794f0da18fafc");
}

Test(jh256, accepts_null_input_of_length_zero)
{
    vector_hash256_check_null_input(pow_jh256);
}

/* The input is read byte by byte, so its alignment must not matter. */
Test(jh256, does_not_depend_on_input_alignment)
{
    vector_hash256_check_alignment(pow_jh256);
}

Test(jh256, allows_output_to_overlap_input)
{
    vector_hash256_check_overlap(pow_jh256);
}
