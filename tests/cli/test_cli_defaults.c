/*
 * What mine and load choose when not told, and that they say it: RandomX
 * in auto mode (fast when the dataset fits in the memory this process may
 * use, light otherwise, with the reason) and one thread per core with the
 * algorithm's scratchpad to spare in L3. A mine with no pool to reach
 * prints its start lines and ends, so no dataset is ever built here.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/topology.h"
#include "miner/placement.h"
#include "miner/rx_dataset_build.h"
#include "tests/support/fake_tree.h"
#include "tests/support/machine.h"
#include "tests/support/run_command.h"
#include "tests/support/sanitizers.h"
#include "tests/support/spawn.h"
#include "tests/support/test_pool.h"

/* A mine that reaches no pool: its start lines, then exit 1 after a second. */
static run_result_t *mine_unreachable(const char *extra_name, const char *extra_value)
{
    if (extra_name == NULL)
        return run_minemeter(ARGS("mine", "--url", "127.0.0.1:1", "--user", "w", "--duration", "1",
                                  "--retry-pause", "100"));
    return run_minemeter(ARGS("mine", "--url", "127.0.0.1:1", "--user", "w", "--duration", "1",
                              "--retry-pause", "100", extra_name, extra_value));
}

static const char *line_with(const char *text, const char *needle)
{
    const char *at = strstr(text, needle);
    cr_assert_not_null(at, "no \"%s\" in:\n%s", needle, text);
    return at;
}

Test(cli_defaults, mine_without_mode_takes_fast_mode_when_the_dataset_fits_and_says_why)
{
    test_lock_memory(); /* no other test's big allocation changes the room while this one looks */
    char why[256];
    int fits = miner_dataset_fits(why, sizeof(why));
    run_result_t *r = mine_unreachable(NULL, NULL);
    cr_expect_eq(r->exit_code, 1, "no pool answered: %s", r->err);
    char expected[400];
    snprintf(expected, sizeof(expected), "randomx: %s mode (default auto: %s",
             fits ? "fast" : "light",
             "the RandomX dataset (2080 MiB) with a 64 MiB margin needs 2144 MiB");
    line_with(r->out, expected);
    if (!fits)
        line_with(r->out, "; --mode fast would run out of memory)");
    run_result_free(r);
}

Test(cli_defaults, mine_without_mode_takes_light_mode_when_memory_is_short_and_names_the_limit)
{
    test_low_memory_begin(1024); /* a made-up machine with 1 GiB available, for the child too */
    run_result_t *r = mine_unreachable(NULL, NULL);
    test_low_memory_end();
    line_with(r->out, "randomx: light mode");
    line_with(r->out, "(default auto: the RandomX dataset (2080 MiB) with a 64 MiB margin needs "
                      "2144 MiB, and the kernel has 1024 MiB available; --mode fast would run out "
                      "of memory)");
    run_result_free(r);
}

Test(cli_defaults, an_asked_mode_is_kept_and_said_as_asked)
{
    run_result_t *r = mine_unreachable("--mode", "light");
    line_with(r->out, "randomx: light mode");
    line_with(r->out, "(as asked)");
    cr_expect_null(strstr(r->out, "auto"), "%s", r->out);
    run_result_free(r);
    r = mine_unreachable("--algo", "rx/0:fast");
    line_with(r->out, "randomx: fast mode (as asked)");
    run_result_free(r);
}

Test(cli_defaults, the_default_thread_count_is_the_l3_rule_and_the_start_line_says_so)
{
    arch_topology_t *topo = NULL;
    cr_assert_eq(arch_topology_load(&topo), 0);
    char rule[128], expected[200];
    unsigned threads = miner_default_threads_why(topo, (size_t)2 << 20, rule, sizeof(rule));
    arch_topology_free(topo);
    cr_expect(strncmp(rule, "one per core", 12) == 0, "%s", rule);
    run_result_t *r = mine_unreachable(NULL, NULL);
    snprintf(expected, sizeof(expected), "mining with %u thread(s) (%s)", threads, rule);
    line_with(r->out, expected);
    run_result_free(r);
    r = mine_unreachable("--threads", "1");
    line_with(r->out, "mining with 1 thread(s) (as --threads asked)");
    run_result_free(r);
}

Test(cli_defaults, load_counts_threads_by_its_own_algorithms_scratchpad)
{
    /* cn-pico's scratchpad is 256 KiB: the rule names it, and a cn algorithm has no mode line. */
    run_result_t *r = run_minemeter(ARGS("load", "--duration", "1", "--algo", "cn-pico"));
    cr_expect_eq(r->exit_code, 0, "%s", r->err);
    line_with(r->out, "256 KiB of L3 to spare");
    cr_expect_null(strstr(r->err, "mode"), "%s", r->err);
    run_result_free(r);
}

Test(cli_defaults, the_dataset_room_is_said_when_it_fits_too, .init = fake_tree_make,
     .fini = fake_tree_remove)
{
    fake_tree_write("proc/meminfo", "MemTotal:       16000000 kB\n"
                                    "MemFree:         9000000 kB\n"
                                    "MemAvailable:    8388608 kB\n");
    setenv("MINEMETER_TEST_MEMORY_ROOT", fake_tree_root, 1);
    char why[256] = "";
    cr_expect_eq(miner_dataset_fits(why, sizeof(why)), 1);
    unsetenv("MINEMETER_TEST_MEMORY_ROOT");
    cr_expect_str_eq(why, "the RandomX dataset (2080 MiB) with a 64 MiB margin needs 2144 MiB, and "
                          "the kernel has 8192 MiB available");
}

/*
 * mine left to choose, with room for the dataset: fast mode, and the
 * build's progress in its log by quarters, then the state ready.
 */
Test(slow_cli_defaults, mine_in_fast_mode_logs_the_dataset_build_by_quarters, .timeout = 600)
{
#ifdef UNDER_SANITIZERS
    cr_skip_test("run in the optimised build only (a 2080 MiB dataset build)");
#endif
    test_need_memory(TEST_RX_FAST_BYTES, "mine in fast mode");
    test_pool_config_t config = {.algo = "rx/0", .difficulty = 100000, .advertise_algo = 1};
    test_pool_t *pool = test_pool_start(&config);
    cr_assert_not_null(pool);
    char url[64];
    snprintf(url, sizeof(url), "stratum+tcp://127.0.0.1:%d", test_pool_port(pool));
    spawned_t m;
    spawn_minemeter(&m, ARGS("mine", "--url", url, "--user", "w", "--threads", test_threads_arg()));
    int ready = spawn_wait_output(&m, "RandomX state for the new seed ready in", 300);
    spawn_stop(&m, SIGINT, 60);
    char *out = spawn_output(&m);
    test_pool_stop(pool);
    cr_expect_eq(ready, 0, "%s", out);
    cr_expect_not_null(strstr(out, "randomx: fast mode (default auto: "), "%s", out);
    const char *q1 = strstr(out, "RandomX dataset 25% built in "),
               *q2 = strstr(out, "RandomX dataset 50% built in "),
               *q3 = strstr(out, "RandomX dataset 75% built in "),
               *done = strstr(out, "RandomX state for the new seed ready in");
    cr_expect(q1 != NULL && q2 > q1 && q3 > q2 && done > q3, "the quarters in order:\n%s", out);
    free(out);
    spawn_cleanup(&m);
}
