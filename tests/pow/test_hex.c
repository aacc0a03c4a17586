/* pow/hex.c: decoding with every kind of error, and encoding. */
#include <criterion/criterion.h>
#include <string.h>

#include "pow/hex.h"

Test(hex, decodes_both_cases_and_round_trips)
{
    uint8_t out[4];
    char text[9];
    cr_assert_eq(pow_hex_decode("00aBcDfF", 8, out, sizeof(out), NULL), 4);
    cr_expect_eq(out[0], 0x00);
    cr_expect_eq(out[1], 0xab);
    cr_expect_eq(out[2], 0xcd);
    cr_expect_eq(out[3], 0xff);
    pow_hex_encode(out, 4, text);
    cr_expect_str_eq(text, "00abcdff");
    cr_expect_eq(pow_hex_decode("", 0, out, sizeof(out), NULL), 0);
}

Test(hex, reports_odd_length_bad_digits_and_overflow)
{
    uint8_t out[2];
    size_t at = 99;
    cr_expect_eq(pow_hex_decode("abc", 3, out, sizeof(out), NULL), POW_HEX_ODD_LENGTH);
    cr_expect_eq(pow_hex_decode("a g", 3, out, sizeof(out), &at), POW_HEX_BAD_DIGIT);
    cr_expect_eq(at, 1);
    cr_expect_eq(pow_hex_decode("0x00", 4, out, sizeof(out), &at), POW_HEX_BAD_DIGIT);
    cr_expect_eq(at, 1);
    cr_expect_eq(pow_hex_decode("001122", 6, out, sizeof(out), NULL), POW_HEX_TOO_LONG);
}
