/*
 * stratum/printable.c: what a pool says reaches the terminal as text, never
 * as terminal commands.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "stratum/printable.h"

static const char *printable(const char *in)
{
    static char out[256];
    stratum_printable(in, out, sizeof(out));
    return out;
}

Test(stratum_printable, plain_text_and_utf8_pass_unchanged)
{
    cr_expect_str_eq(printable("Low difficulty share"), "Low difficulty share");
    cr_expect_str_eq(printable("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
                     "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
}

Test(stratum_printable, escape_sequences_become_visible_text)
{
    /* A window-title change, an OSC 52 clipboard write, a forged log line. */
    cr_expect_str_eq(printable("\x1b]0;pwned\x07"), "\\x1b]0;pwned\\x07");
    cr_expect_str_eq(printable("\x1b]52;c;ZWNobyBoaQ==\x1b\\"), "\\x1b]52;c;ZWNobyBoaQ==\\x1b\\\\");
    cr_expect_str_eq(printable("ok\r\n[2026-12-06 10:00:00] accepted"),
                     "ok\\x0d\\x0a[2026-12-06 10:00:00] accepted");
    cr_expect_str_eq(printable("\x7f"), "\\x7f");
}

Test(stratum_printable, c1_controls_and_stray_bytes_are_escaped)
{
    /* CSI as a C1 code point (U+009B) and as a lone byte. */
    cr_expect_str_eq(printable("\xc2\x9b"
                               "31m"),
                     "\\xc2\\x9b31m");
    cr_expect_str_eq(printable("\x9b"
                               "31m"),
                     "\\x9b31m");
    cr_expect_str_eq(printable("\xff\xc3"), "\\xff\\xc3", "not UTF-8");
}

Test(stratum_printable, a_backslash_is_doubled_so_an_escape_cannot_be_forged)
{
    cr_expect_str_eq(printable("a\\x1b"), "a\\\\x1b");
}

Test(stratum_printable, output_is_cut_at_a_whole_escape)
{
    char out[6];
    cr_expect_eq(stratum_printable("ab\x1b"
                                   "cd",
                                   out, sizeof(out)),
                 2);
    cr_expect_str_eq(out, "ab", "no half escape");
}
