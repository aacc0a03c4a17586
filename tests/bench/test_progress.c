/*
 * Progress on long work: plain lines when stderr is a file or a pipe (the
 * start, each quarter once, the end), a bar rewritten in place when it is
 * a terminal (a pseudo-terminal here), and durations a reader can take in.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/progress.h"
#include "tests/support/run_command.h"

static int saved_stderr = -1;
static char captured_path[64];

/* Sends stderr to a file until take_stderr. */
static void capture_stderr_to_file(void)
{
    snprintf(captured_path, sizeof(captured_path), "/tmp/minemeter-progress-%d", (int)getpid());
    int fd = open(captured_path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
    cr_assert_geq(fd, 0);
    fflush(stderr);
    saved_stderr = dup(2);
    dup2(fd, 2);
    close(fd);
}

/* Gives stderr back; returns what it got (malloc'ed). */
static char *take_stderr(void)
{
    fflush(stderr);
    dup2(saved_stderr, 2);
    close(saved_stderr);
    FILE *f = fopen(captured_path, "r");
    cr_assert_not_null(f);
    char *text = calloc(1, 8192);
    size_t n = fread(text, 1, 8191, f);
    text[n] = '\0';
    fclose(f);
    unlink(captured_path);
    return text;
}

Test(bench_progress, a_log_gets_the_start_each_quarter_once_and_the_end)
{
    capture_stderr_to_file();
    bench_meter_t m;
    bench_meter_begin(&m, "building", 1000);
    for (uint64_t done = 0; done <= 1000; done += 50)
        bench_meter_update(&m, done);
    bench_meter_update(&m, 1000);
    bench_meter_end(&m);
    char *text = take_stderr();
    cr_expect_eq(strncmp(text, "building...\n", 12), 0, "%s", text);
    cr_expect_eq(count_occurrences(text, "building: 25% ("), 1, "%s", text);
    cr_expect_eq(count_occurrences(text, "building: 50% ("), 1, "%s", text);
    cr_expect_eq(count_occurrences(text, "building: 75% ("), 1, "%s", text);
    cr_expect_eq(count_occurrences(text, "building: 100%"), 0, "the end says done instead: %s",
                 text);
    cr_expect_eq(count_occurrences(text, "building: done in "), 1, "%s", text);
    cr_expect(strstr(text, "25%") < strstr(text, "50%") &&
                  strstr(text, "50%") < strstr(text, "75%"),
              "%s", text);
    cr_expect_null(strchr(text, '\r'), "no bar in a log: %s", text);
    cr_expect_null(strchr(text, '\033'), "no terminal codes in a log: %s", text);
    free(text);
}

Test(bench_progress, a_jump_past_several_quarters_says_the_last_one_and_a_stop_short_says_so)
{
    capture_stderr_to_file();
    bench_meter_t m;
    bench_meter_begin(&m, "hashing", 400);
    bench_meter_update(&m, 320);
    bench_meter_end(&m);
    char *text = take_stderr();
    cr_expect_eq(count_occurrences(text, "hashing: 75% ("), 1, "%s", text);
    cr_expect_eq(count_occurrences(text, "hashing: 25%"), 0, "%s", text);
    cr_expect_eq(count_occurrences(text, "hashing: stopped at 80% after "), 1, "%s", text);
    cr_expect_eq(count_occurrences(text, "done"), 0, "%s", text);
    free(text);
}

Test(bench_progress, a_sweep_in_a_log_says_each_row_done_out_of_all)
{
    capture_stderr_to_file();
    bench_sweep_begin(3);
    bench_progress("measuring something"); /* a terminal's status only */
    bench_sweep_row_done();
    bench_sweep_row_done();
    bench_sweep_row_done();
    bench_sweep_end();
    char *text = take_stderr();
    cr_expect_eq(count_occurrences(text, "bench: 1 of 3 rows measured ("), 1, "%s", text);
    cr_expect_eq(count_occurrences(text, "bench: 2 of 3 rows measured ("), 1, "%s", text);
    cr_expect_eq(count_occurrences(text, "bench: 3 of 3 rows measured ("), 1, "%s", text);
    cr_expect_null(strstr(text, "measuring something"), "%s", text);
    free(text);
}

Test(bench_progress, a_terminal_gets_one_bar_rewritten_in_place_and_cleared)
{
    int master, slave;
    if (openpty(&master, &slave, NULL, NULL, NULL) != 0)
        cr_skip_test("no pseudo-terminal here");
    fflush(stderr);
    int saved = dup(2);
    dup2(slave, 2);
    bench_meter_t m;
    bench_meter_begin(&m, "building", 100);
    bench_meter_update(&m, 100);
    bench_meter_end(&m);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(slave);
    char text[4096] = "";
    ssize_t got = read(master, text, sizeof(text) - 1);
    close(master);
    cr_assert_gt(got, 0);
    text[got] = '\0';
    cr_expect_not_null(strstr(text, "\r\033[Kbuilding [------------------------]   0%"), "%s",
                       text);
    cr_expect_not_null(strstr(text, "\r\033[Kbuilding [########################] 100%"), "%s",
                       text);
    cr_expect_eq(strcmp(text + strlen(text) - 4, "\r\033[K"), 0, "the bar is cleared at the end");
    cr_expect_null(strchr(text, '\n'), "a bar, not lines: %s", text);
}

Test(bench_progress, durations_read_as_seconds_minutes_or_hours)
{
    char out[32];
    bench_format_duration(7.94, out, sizeof(out));
    cr_expect_str_eq(out, "7.9 s");
    bench_format_duration(125, out, sizeof(out));
    cr_expect_str_eq(out, "2 min 05 s");
    bench_format_duration(3780, out, sizeof(out));
    cr_expect_str_eq(out, "1 h 03 min");
    bench_format_duration(-3, out, sizeof(out));
    cr_expect_str_eq(out, "0.0 s");
}
