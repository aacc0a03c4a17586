/*
 * Tests for pow/prim/keccak.c: Keccak-f[1600], the original-padding sponge that
 * CryptoNight calls keccak1600, and cn_fast_hash.
 */
#include "pow/prim/keccak.h"

#include <criterion/criterion.h>

#include "tests/support/vector_file.h"

/*
 * Monero's tests/hash/tests-fast.txt (cn_fast_hash vectors), as installed by the Debian
 * package monero-tests. Each line is "<expected 32-byte hash hex> <input hex>", with "x"
 * for the empty input. The inputs run through every length from 0 to 256 bytes and then
 * up to 4288, so every padding position and the 136-byte block boundary are covered.
 */
#define TESTS_FAST_PATH MONERO_HASH_VECTOR_DIR "/tests-fast.txt"

/* The file's case count, checked so that a truncated or replaced file cannot pass quietly. */
#define TESTS_FAST_CASES 321

Test(keccak, matches_monero_tests_fast_every_line)
{
    vector_file_check_hash256(TESTS_FAST_PATH, pow_keccak256, TESTS_FAST_CASES);
}

/*
 * Keccak-f[1600] applied to the all-zero state, from the Keccak team's published
 * KeccakF-1600-IntermediateValues.txt (XKCP, tests/TestVectors), lanes in A[x + 5y] order.
 */
static const uint64_t ZERO_STATE_PERMUTED[25] = {
    0xF1258F7940E1DDE7u, 0x84D5CCF933C0478Au, 0xD598261EA65AA9EEu, 0xBD1547306F80494Du,
    0x8B284E056253D057u, 0xFF97A42D7F8E6FD4u, 0x90FEE5A0A44647C4u, 0x8C5BDA0CD6192E76u,
    0xAD30A6F71B19059Cu, 0x30935AB7D08FFC64u, 0xEB5AA93F2317D635u, 0xA9A6E6260D712103u,
    0x81A57C16DBCF555Fu, 0x43B831CD0347C826u, 0x01F22F1A11A5569Fu, 0x05E5635A21D9AE61u,
    0x64BEFEF28CC970F2u, 0x613670957BC46611u, 0xB87C5A554FD00ECBu, 0x8C3EE88A1CCF32C8u,
    0x940C7922AE3A2614u, 0x1841F924A2C509E4u, 0x16F53526E70465C2u, 0x75F644E97F30A13Bu,
    0xEAF1FF7B5CECA249u,
};

Test(keccak, permutes_zero_state_to_published_values)
{
    uint64_t state[25] = {0};

    pow_keccakf(state);
    for (unsigned i = 0; i < 25; i++) {
        cr_expect_eq(state[i], ZERO_STATE_PERMUTED[i], "lane %u: expected %016llx, got %016llx",
                     i, (unsigned long long)ZERO_STATE_PERMUTED[i],
                     (unsigned long long)state[i]);
    }

    /* The same file gives the first lane after a second permutation. */
    pow_keccakf(state);
    cr_expect_eq(state[0], 0x2D5C954DF96ECB3Cu, "lane 0 after two permutations: got %016llx",
                 (unsigned long long)state[0]);
}

static void lanes_to_bytes_le(const uint64_t lanes[25], uint8_t bytes[200])
{
    for (unsigned i = 0; i < 25; i++) {
        for (unsigned k = 0; k < 8; k++)
            bytes[8 * i + k] = (uint8_t)(lanes[i] >> (8 * k));
    }
}

/*
 * The sponge on empty input is one permutation of a state holding only the padding: 0x01
 * in byte 0 and 0x80 in byte 135, i.e. the top byte of lane 16. This pins down the
 * original Keccak padding and the little-endian serialisation independently of Monero's
 * vectors, which only see the first 32 bytes.
 */
Test(keccak, keccak1600_of_empty_input_is_one_permutation_of_the_padding)
{
    uint64_t lanes[25] = {0};
    uint8_t expected[200];
    uint8_t actual[200];

    lanes[0] = 0x01;
    lanes[16] = (uint64_t)0x80 << 56;
    pow_keccakf(lanes);
    lanes_to_bytes_le(lanes, expected);

    pow_keccak1600(NULL, 0, actual);
    cr_expect_arr_eq(actual, expected, sizeof(expected));
}

/* A message one byte short of the rate puts both padding bits into the same byte. */
Test(keccak, keccak1600_merges_padding_bits_when_one_byte_is_left)
{
    uint64_t lanes[25] = {0};
    uint8_t msg[POW_KECCAK_RATE - 1];
    uint8_t expected[200];
    uint8_t actual[200];

    for (size_t i = 0; i < sizeof(msg); i++)
        msg[i] = (uint8_t)(i * 7 + 3);
    for (size_t i = 0; i < sizeof(msg); i++)
        lanes[i / 8] ^= (uint64_t)msg[i] << (8 * (i % 8));
    lanes[16] ^= (uint64_t)0x81 << 56;
    pow_keccakf(lanes);
    lanes_to_bytes_le(lanes, expected);

    pow_keccak1600(msg, sizeof(msg), actual);
    cr_expect_arr_eq(actual, expected, sizeof(expected));
}

Test(keccak, keccak256_is_the_first_32_bytes_of_keccak1600)
{
    /* Lengths around the 136-byte rate and a few blocks in. */
    static const size_t lengths[] = {0, 1, 31, 32, 135, 136, 137, 271, 272, 273, 1000};
    static uint8_t input[1000];

    for (size_t i = 0; i < sizeof(input); i++)
        input[i] = (uint8_t)(i * 131 + 17);
    for (size_t n = 0; n < sizeof(lengths) / sizeof(lengths[0]); n++) {
        uint8_t state[POW_KECCAK_STATE_SIZE];
        uint8_t digest[32];

        pow_keccak1600(input, lengths[n], state);
        pow_keccak256(input, lengths[n], digest);
        cr_expect_arr_eq(digest, state, sizeof(digest), "length %zu", lengths[n]);
    }
}

Test(keccak, keccak256_allows_output_to_overlap_input)
{
    vector_hash256_check_overlap(pow_keccak256);
}
