/*
 * stratum/line.c: lines split anywhere across reads come out whole, "\r\n"
 * is tolerated, empty lines are skipped, a callback can stop the feed, and
 * a line one byte over STRATUM_MAX_LINE is refused for good.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "stratum/line.h"

typedef struct {
    char lines[8][64];
    size_t lens[8];
    size_t count;
    size_t stop_after; /* 0: never stop */
    size_t longest;
} collected_t;

static int collect(const char *line, size_t len, void *context)
{
    collected_t *c = context;
    cr_assert_eq(line[len], '\0', "a line must be NUL-terminated");
    if (len > c->longest)
        c->longest = len;
    if (c->count < 8 && len < 64) {
        memcpy(c->lines[c->count], line, len + 1);
        c->lens[c->count] = len;
    }
    c->count++;
    return c->stop_after != 0 && c->count == c->stop_after ? 7 : 0;
}

static stratum_line_buffer_t buffer;

static void setup(void)
{
    stratum_line_init(&buffer);
}

static void teardown(void)
{
    stratum_line_free(&buffer);
}

TestSuite(stratum_line, .init = setup, .fini = teardown);

static int feed(const char *text, collected_t *c)
{
    return stratum_line_feed(&buffer, text, strlen(text), collect, c);
}

Test(stratum_line, hands_out_complete_lines_in_order)
{
    collected_t c = {0};
    cr_assert_eq(feed("{\"a\":1}\n{\"b\":2}\n{\"c\"", &c), 0);
    cr_assert_eq(c.count, 2);
    cr_expect_str_eq(c.lines[0], "{\"a\":1}");
    cr_expect_str_eq(c.lines[1], "{\"b\":2}");
    cr_assert_eq(feed(":3}\n", &c), 0);
    cr_assert_eq(c.count, 3);
    cr_expect_str_eq(c.lines[2], "{\"c\":3}");
}

Test(stratum_line, joins_a_line_split_at_every_byte)
{
    const char *text = "{\"id\":1,\"result\":{\"status\":\"OK\"}}\r\n";
    collected_t c = {0};
    for (size_t i = 0; text[i] != '\0'; i++) {
        cr_assert_eq(stratum_line_feed(&buffer, text + i, 1, collect, &c), 0);
        cr_assert_eq(c.count, text[i + 1] == '\0' ? 1u : 0u, "at byte %zu", i);
    }
    cr_expect_str_eq(c.lines[0], "{\"id\":1,\"result\":{\"status\":\"OK\"}}");
}

Test(stratum_line, strips_crlf_and_a_carriage_return_split_from_its_newline)
{
    collected_t c = {0};
    cr_assert_eq(feed("one\r", &c), 0);
    cr_assert_eq(c.count, 0);
    cr_assert_eq(feed("\ntwo\r\n", &c), 0);
    cr_assert_eq(c.count, 2);
    cr_expect_str_eq(c.lines[0], "one");
    cr_expect_eq(c.lens[0], 3);
    cr_expect_str_eq(c.lines[1], "two");
}

Test(stratum_line, skips_empty_lines)
{
    collected_t c = {0};
    cr_assert_eq(feed("\n\r\n\nx\n\n", &c), 0);
    cr_assert_eq(c.count, 1);
    cr_expect_str_eq(c.lines[0], "x");
}

Test(stratum_line, keeps_a_nul_inside_a_line)
{
    collected_t c = {0};
    cr_assert_eq(stratum_line_feed(&buffer, "a\0b\n", 4, collect, &c), 0);
    cr_assert_eq(c.count, 1);
    cr_expect_eq(c.lens[0], 3);
}

Test(stratum_line, stops_when_the_callback_says_so)
{
    collected_t c = {.stop_after = 1};
    cr_expect_eq(feed("a\nb\nc\n", &c), 7);
    cr_expect_eq(c.count, 1);
}

static char *repeated(char ch, size_t n)
{
    char *s = malloc(n + 1);
    cr_assert_not_null(s);
    memset(s, ch, n);
    s[n] = '\0';
    return s;
}

Test(stratum_line, accepts_a_line_of_exactly_the_limit_with_crlf)
{
    char *line = repeated('x', STRATUM_MAX_LINE);
    collected_t c = {0};
    cr_assert_eq(feed(line, &c), 0);
    cr_assert_eq(feed("\r\n", &c), 0);
    cr_expect_eq(c.count, 1);
    cr_expect_eq(c.longest, STRATUM_MAX_LINE);
    cr_expect_eq(feed("next\n", &c), 0);
    cr_expect_eq(c.count, 2);
    free(line);
}

Test(stratum_line, refuses_a_line_one_byte_over_the_limit_before_its_newline)
{
    char *line = repeated('x', STRATUM_MAX_LINE + 1);
    collected_t c = {0};
    /* In pieces, as it would arrive: the error comes without waiting for a newline. */
    cr_assert_eq(stratum_line_feed(&buffer, line, 4096, collect, &c), 0);
    cr_expect_eq(stratum_line_feed(&buffer, line + 4096, STRATUM_MAX_LINE + 1 - 4096, collect, &c),
                 0, "the limit plus a possible '\\r' is still pending");
    cr_expect_eq(feed("y", &c), -E2BIG);
    cr_expect_eq(feed("\nok\n", &c), -E2BIG, "the stream stays refused");
    cr_expect_eq(c.count, 0);
    free(line);
}

Test(stratum_line, refuses_a_complete_line_one_byte_over_the_limit)
{
    /* limit + 1 bytes, the last one '\r'-less, then the newline in the same read */
    char *text = repeated('x', STRATUM_MAX_LINE + 2);
    text[STRATUM_MAX_LINE + 1] = '\n';
    collected_t c = {0};
    cr_expect_eq(feed(text, &c), -E2BIG);
    cr_expect_eq(c.count, 0);
    stratum_line_reset(&buffer);
    cr_expect_eq(feed("ok\n", &c), 0, "a reset buffer takes a new stream");
    cr_expect_eq(c.count, 1);
    free(text);
}

Test(stratum_line, never_holds_more_than_one_line)
{
    collected_t c = {0};
    char *chunk = repeated('z', 1000);
    for (int i = 0; i < 300; i++) {
        cr_assert_eq(feed(chunk, &c), 0);
        cr_assert_eq(feed("\n", &c), 0);
    }
    cr_expect_eq(c.count, 300);
    cr_expect_leq(buffer.cap, 2048);
    free(chunk);
}
