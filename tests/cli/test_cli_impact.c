/*
 * minemeter impact, end to end: a short run gives a table and a JSON with
 * the baseline apart and a configuration per miner thread count; bad input
 * (an unknown probe, more threads than PUs, a victim command that fails or
 * hangs) is one sentence and exit 2, and nothing is left running.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <jansson.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests/support/run_command.h"
#include "tests/support/spawn.h"

static unsigned allowed_pus(void)
{
    cpu_set_t set;
    cr_assert_eq(sched_getaffinity(0, sizeof(set), &set), 0);
    return (unsigned)CPU_COUNT(&set);
}

Test(cli_impact, a_short_run_reports_each_configuration_against_its_baseline, .timeout = 180)
{
    char json[] = "/tmp/minemeter-impact-XXXXXX";
    int fd = mkstemp(json);
    cr_assert_geq(fd, 0);
    close(fd);
    run_result_t *r =
        run_minemeter(ARGS("impact", "--probe", "cache", "--algo", "cn-pico", "--threads", "1",
                           "--intensity", "50,100", "--repeat", "2", "--duration", "1", "--seed",
                           "3", "--cpu-priority", "1", "--json", json));
    cr_expect_eq(r->exit_code, 0, "stdout: %s\nstderr: %s", r->out, r->err);
    /* XMRig's --cpu-priority 1 is nice 5, said in the start line and kept in the report. */
    cr_expect_not_null(strstr(r->out, " at nice 5; "), "%s", r->out);
    cr_expect_not_null(strstr(r->out, "cache (lookups/s, higher is better): alone"), "%s", r->out);
    cr_expect_not_null(strstr(r->out, "cn-pico            1  50%"), "%s", r->out);
    cr_expect_not_null(strstr(r->out, "cn-pico            1 100%"), "%s", r->out);
    json_error_t error;
    json_t *root = json_load_file(json, 0, &error);
    unlink(json);
    cr_assert_not_null(root, "%s", error.text);
    cr_expect_eq(json_integer_value(json_object_get(json_object_get(root, "run"), "nice")), 5,
                 "the report keeps the workers' nice value");
    json_t *base = json_object_get(json_object_get(root, "baseline"), "cache");
    cr_expect_eq(json_integer_value(json_object_get(json_object_get(base, "value"), "n")), 2);
    json_t *configs = json_object_get(root, "configurations");
    cr_assert_eq(json_array_size(configs), 2);
    for (size_t i = 0; i < 2; i++) {
        json_t *c = json_array_get(configs, i);
        cr_expect_str_eq(json_string_value(json_object_get(c, "algo")), "cn-pico");
        cr_expect_eq(json_integer_value(json_object_get(c, "intensity")), i == 0 ? 50 : 100);
        json_t *slow = json_object_get(c, "slowdown_percent");
        cr_expect(json_is_number(json_object_get(slow, "median")));
        cr_expect_eq(json_array_size(json_object_get(slow, "ci95")), 2);
        cr_expect_gt(json_real_value(
                         json_object_get(json_object_get(c, "miner_hashes_per_second"), "median")),
                     0, "the miner hashed while the victim ran");
    }
    json_decref(root);
    run_result_free(r);
}

Test(cli_impact, bad_input_is_one_sentence_and_exit_2, .timeout = 120)
{
    char threads[16];
    snprintf(threads, sizeof(threads), "%u", allowed_pus() + 1);
    const struct {
        const char *const *args;
        const char *says;
    } cases[] = {
        {ARGS("impact", "--probe", "disk"), "unknown probe 'disk'"},
        {ARGS("impact", "--threads", threads), "more than the"},
        {ARGS("impact", "--placement", "elsewhere"), "--placement is shared, separate or all"},
        {ARGS("impact", "--probe", "cache", "--victim-cmd", "true"), "give one"},
        {ARGS("impact", "--intensity", "0"), "--intensity"},
        {ARGS("impact", "--victim-cmd", "echo broken >&2; exit 4", "--algo", "cn-pico", "--threads",
              "1", "--repeat", "1"),
         "exited with status 4"},
        {ARGS("impact", "--victim-cmd", "sleep 30", "--victim-timeout", "1", "--algo", "cn-pico",
              "--threads", "1", "--repeat", "1"),
         "--victim-timeout"},
        {ARGS("impact", "--cpu-priority", "3"), "never does"},
        {ARGS("impact", "--nice", "5", "--cpu-priority", "1"), "give one"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        run_result_t *r = run_minemeter(cases[i].args);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        cr_expect_eq(r->exit_code, 2, "case %zu: %s", i, r->err);
        cr_expect_not_null(strstr(r->err, cases[i].says), "case %zu: %s", i, r->err);
        cr_expect_lt((double)(t1.tv_sec - t0.tv_sec), 20, "case %zu took too long", i);
        if (i == 5)
            cr_expect_not_null(strstr(r->err, "broken"), "the tail of its stderr: %s", r->err);
        run_result_free(r);
    }
}

/* Ctrl-C mid-run: the victim command and the miner stop at once, exit 130, nothing left over. */
Test(cli_impact, ctrl_c_stops_the_victim_and_the_miner_and_leaves_nothing_running, .timeout = 120)
{
    char marker[64];
    snprintf(marker, sizeof(marker), "sleep 3%d", (int)(getpid() % 1000));
    char command[96];
    snprintf(command, sizeof(command), "%s; true", marker);
    spawned_t s;
    spawn_minemeter(&s, ARGS("impact", "--victim-cmd", command, "--algo", "cn-pico", "--threads",
                             "1", "--repeat", "2"));
    cr_assert_eq(spawn_wait_output(&s, "round 1 of 2", 60), 0, "%s", spawn_output(&s));
    struct timespec settle = {1, 0};
    nanosleep(&settle, NULL);
    int code = spawn_stop(&s, SIGINT, 10);
    char *out = spawn_output(&s);
    cr_expect_eq(code, 130, "%s", out);
    cr_expect_not_null(strstr(out, "interrupted by SIGINT"), "%s", out);
    free(out);
    spawn_cleanup(&s);
    char check[160];
    snprintf(check, sizeof(check), "pgrep -f '^%s$' >/dev/null", marker);
    cr_expect_neq(system(check), 0, "the victim's '%s' still runs", marker);
}
