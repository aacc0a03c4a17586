/*
 * Tests for pow/prim/blake256.c: BLAKE-256 (14 rounds), CryptoNight's finaliser 0.
 */
#include "pow/prim/blake256.h"

#include <criterion/criterion.h>

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

Test(blake256, matches_monero_tests_extra_blake_every_line)
{
    vector_file_check_hash256(TESTS_BLAKE_PATH, pow_blake256, TESTS_BLAKE_CASES);
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
    vector_hash256_check_overlap(pow_blake256);
}
