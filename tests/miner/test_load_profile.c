/*
 * miner/load_profile.c: each profile's asked intensity over time, when its
 * phases change, and a clear refusal for every malformed profile.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "miner/load_profile.h"

static load_profile_t parse_ok(const char *text)
{
    load_profile_t p;
    char why[256] = "";
    cr_assert_eq(load_profile_parse(text, &p, why, sizeof(why)), 0, "%s: %s", text, why);
    return p;
}

Test(load_profile, constant_asks_the_base_intensity_throughout)
{
    load_profile_t p = parse_ok("constant");
    cr_expect_eq(load_profile_intensity(&p, 40, 0, 10), 40);
    cr_expect_eq(load_profile_intensity(&p, 40, 9.9, 10), 40);
    cr_expect_float_eq(load_profile_next_change(&p, 3, 10), 10, 1e-9);
}

Test(load_profile, square_alternates_base_and_idle_on_schedule)
{
    load_profile_t p = parse_ok("square:2/3");
    cr_expect_eq(load_profile_intensity(&p, 70, 0, 20), 70);
    cr_expect_eq(load_profile_intensity(&p, 70, 1.99, 20), 70);
    cr_expect_eq(load_profile_intensity(&p, 70, 2.0, 20), 0);
    cr_expect_eq(load_profile_intensity(&p, 70, 4.99, 20), 0);
    cr_expect_eq(load_profile_intensity(&p, 70, 5.0, 20), 70);
    cr_expect_float_eq(load_profile_next_change(&p, 0, 20), 2, 1e-9);
    cr_expect_float_eq(load_profile_next_change(&p, 2, 20), 5, 1e-9);
    cr_expect_float_eq(load_profile_next_change(&p, 5.5, 20), 7, 1e-9);
    cr_expect_float_eq(load_profile_next_change(&p, 19, 20), 20, 1e-9, "never past the end");
}

Test(load_profile, ramp_runs_from_its_first_second_at_from_to_its_last_at_to)
{
    load_profile_t p = parse_ok("ramp:10-90");
    cr_expect_eq(load_profile_intensity(&p, 100, 0, 101), 10);
    cr_expect_eq(load_profile_intensity(&p, 100, 0.99, 101), 10);
    cr_expect_eq(load_profile_intensity(&p, 100, 50.5, 101), 50);
    cr_expect_eq(load_profile_intensity(&p, 100, 100, 101), 90, "the last second");
    cr_expect_eq(load_profile_intensity(&p, 100, 100.99, 101), 90);
    cr_expect_float_eq(load_profile_next_change(&p, 50.5, 101), 51, 1e-9);
    /* Ten seconds: 10, 18.9 ... 90 in whole percents, the last second at TO. */
    cr_expect_eq(load_profile_intensity(&p, 100, 9.5, 10), 90);
    cr_expect_eq(load_profile_intensity(&p, 100, 1.5, 10), 19);
    load_profile_t down = parse_ok("ramp:80-20");
    cr_expect_eq(load_profile_intensity(&down, 100, 0, 4), 80);
    cr_expect_eq(load_profile_intensity(&down, 100, 3, 4), 20);
    load_profile_t square = parse_ok("square:1/1");
    cr_expect(load_profile_uses_base(&square));
    cr_expect(!load_profile_uses_base(&p), "a ramp names its own intensities");
}

Test(load_profile, sine_swings_between_idle_and_the_base)
{
    load_profile_t p = parse_ok("sine:8");
    cr_expect_eq(load_profile_intensity(&p, 80, 0, 100), 40);
    cr_expect_eq(load_profile_intensity(&p, 80, 2, 100), 80);
    cr_expect_eq(load_profile_intensity(&p, 80, 6, 100), 0);
}

Test(load_profile, a_file_gives_steps_in_time_order)
{
    char path[] = "/tmp/minemeter-profile-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs("# a comment first\nseconds,intensity\n0,20\n5,80\n\n12.5,0\n", f);
    fclose(f);
    char text[64];
    snprintf(text, sizeof(text), "file:%s", path);
    load_profile_t p = parse_ok(text);
    unlink(path);
    cr_expect_eq(load_profile_intensity(&p, 100, 0, 30), 20);
    cr_expect_eq(load_profile_intensity(&p, 100, 4.9, 30), 20);
    cr_expect_eq(load_profile_intensity(&p, 100, 5, 30), 80);
    cr_expect_eq(load_profile_intensity(&p, 100, 20, 30), 0);
    cr_expect_float_eq(load_profile_next_change(&p, 1, 30), 5, 1e-9);
    cr_expect_float_eq(load_profile_next_change(&p, 5, 30), 12.5, 1e-9);
    cr_expect(!load_profile_uses_base(&p), "a file names its own intensities");
    load_profile_free(&p);
}

static void expect_file_refused(const char *content, const char *reason)
{
    char path[] = "/tmp/minemeter-profile-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs(content, f);
    fclose(f);
    char text[64], why[256] = "";
    snprintf(text, sizeof(text), "file:%s", path);
    load_profile_t p;
    cr_expect_eq(load_profile_parse(text, &p, why, sizeof(why)), -1, "%s", content);
    unlink(path);
    cr_expect_not_null(strstr(why, reason), "%s: %s", content, why);
}

Test(load_profile, refuses_a_file_whose_rows_are_out_of_time_order)
{
    expect_file_refused("0,20\n5,80\n3,10\n", "line 3: 3 s is not after the row before it (5 s)");
    expect_file_refused("0,20\n5,80\n5,10\n", "line 3: 5 s is not after");
    expect_file_refused("0,20\nseconds,intensity\n", "line 2: want \"seconds,intensity\"");
}

Test(load_profile, refuses_malformed_profiles_with_a_reason)
{
    static const struct {
        const char *text, *reason;
    } bad[] = {
        {"flat", "not one of"},          {"square:5", "square:ON/OFF"},
        {"square:0/5", "square:ON/OFF"}, {"square:5/-1", "square:ON/OFF"},
        {"ramp:10", "ramp:FROM-TO"},     {"ramp:10-101", "ramp:FROM-TO"},
        {"sine:", "sine:PERIOD"},        {"sine:abc", "sine:PERIOD"},
        {"file:", "file:PATH"},          {"file:/nonexistent/profile.csv", "cannot open"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        load_profile_t p;
        char why[256] = "";
        cr_expect_eq(load_profile_parse(bad[i].text, &p, why, sizeof(why)), -1, "%s", bad[i].text);
        cr_expect_not_null(strstr(why, bad[i].reason), "%s: \"%s\"", bad[i].text, why);
    }
}

Test(load_profile, refuses_a_file_with_a_bad_row_naming_the_line)
{
    char path[] = "/tmp/minemeter-profile-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs("0,20\n5,180\n", f);
    fclose(f);
    char text[64], why[256] = "";
    snprintf(text, sizeof(text), "file:%s", path);
    load_profile_t p;
    cr_expect_eq(load_profile_parse(text, &p, why, sizeof(why)), -1);
    unlink(path);
    cr_expect_not_null(strstr(why, "line 2"), "%s", why);
}
