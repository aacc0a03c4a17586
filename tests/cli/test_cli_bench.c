/*
 * minemeter bench from the outside: a short verified run with JSON output,
 * and bad plans refused with one sentence and exit 2. (Speed is measured by
 * the benchmark itself, never asserted in a test.)
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <sched.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests/support/fake_tree.h"
#include "tests/support/machine.h"
#include "tests/support/run_command.h"
#include "tests/support/sanitizers.h"
#include "tests/support/spawn.h"

/* Creates a file from a mkstemp template, for the command to write. */
static void make_temp_file(char *path_template)
{
    int fd = mkstemp(path_template);
    cr_assert_geq(fd, 0);
    close(fd);
}

/*
 * Runs minemeter with args, allowing it 280 s: a run that times the
 * RandomX reference takes minutes under qemu (the aarch64 check).
 */
static run_result_t *run_with_the_reference(const char *const args[])
{
    const char *argv[32] = {MINEMETER_BIN};
    size_t n = 1;
    for (size_t i = 0; args[i] != NULL && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    return run_command(argv, NULL, 280);
}

Test(cli_bench, short_run_verifies_measures_and_writes_json, .timeout = 300)
{
    char json_path[] = "/tmp/minemeter-bench-XXXXXX";
    make_temp_file(json_path);
    char csv_path[64], svg_path[64];
    snprintf(csv_path, sizeof(csv_path), "%s.csv", json_path);
    snprintf(svg_path, sizeof(svg_path), "%s.svg", json_path);
    run_result_t *r = run_minemeter(ARGS("bench", "--algo", "cn/upx2,cn-pico", "--threads", "1,2",
                                         "--repeat", "2", "--duration", "1", "--json", json_path,
                                         "--csv", csv_path, "--svg", svg_path));
    cr_expect_eq(r->exit_code, 0, "stdout: %s\nstderr: %s", r->out, r->err);
    cr_expect_not_null(strstr(r->out, "cn/upx2"));
    cr_expect_not_null(strstr(r->out, "reference: no reference implementation"), "%s", r->out);
    run_result_free(r);

    /* The CSV has a header and one row per (algorithm, threads); the SVG is a whole document. */
    FILE *csv = fopen(csv_path, "r");
    cr_assert_not_null(csv, "no CSV written");
    char line[1024];
    int rows = 0;
    while (fgets(line, sizeof(line), csv) != NULL)
        rows++;
    fclose(csv);
    cr_expect_eq(rows, 1 + 2 * 2);
    FILE *svg = fopen(svg_path, "r");
    cr_assert_not_null(svg, "no SVG written");
    static char doc[1 << 16];
    size_t n = fread(doc, 1, sizeof(doc) - 1, svg);
    doc[n] = '\0';
    fclose(svg);
    cr_expect_not_null(strstr(doc, "<svg"));
    cr_expect_not_null(strstr(doc, "</svg>"));
    cr_expect_not_null(strstr(doc, "cn/upx2"));
    unlink(csv_path);
    unlink(svg_path);

    json_error_t error;
    json_t *root = json_load_file(json_path, 0, &error);
    unlink(json_path);
    cr_assert_not_null(root, "bad JSON: %s", error.text);
    json_t *algos = json_object_get(root, "algorithms");
    cr_assert_eq(json_array_size(algos), 2);
    json_t *first = json_array_get(algos, 0);
    cr_expect_str_eq(json_string_value(json_object_get(first, "algo")), "cn/upx2");
    cr_expect(json_is_true(json_object_get(first, "verified")));
    json_t *runs = json_object_get(first, "runs");
    cr_assert_eq(json_array_size(runs), 2);
    for (size_t i = 0; i < 2; i++) {
        json_t *run = json_array_get(runs, i);
        cr_expect_eq(json_integer_value(json_object_get(run, "threads")), (json_int_t)(i + 1));
        json_t *hps = json_object_get(run, "hashes_per_second");
        double median = json_real_value(json_object_get(hps, "median"));
        cr_expect_gt(median, 0.0);
        cr_expect_leq(json_real_value(json_object_get(hps, "min")), median);
        cr_expect_geq(json_real_value(json_object_get(hps, "max")), median);
        cr_expect_eq(json_integer_value(json_object_get(hps, "n")), 2);
    }
    json_decref(root);
}

Test(cli_bench, bad_plans_exit_2_with_one_sentence)
{
    expect_usage_error(ARGS("bench", "--algo", "cn/9"), "unknown algorithm 'cn/9'");
    expect_usage_error(ARGS("bench", "--algo", ","), "at least one algorithm");
    expect_usage_error(ARGS("bench", "--threads", "0"), "from 1 to 256, not '0'");
    expect_usage_error(ARGS("bench", "--threads", "1,x"), "not 'x'");
    expect_usage_error(ARGS("bench", "--duration", "0"), "between 1 and 3600");
    expect_usage_error(ARGS("bench", "--isa", "neon9"), "unknown --isa");
    expect_usage_error(ARGS("bench", "--algo", "cn/r:fast"), "only RandomX has modes");
    expect_usage_error(ARGS("bench", "--algo", "rx/0:turbo"), "only RandomX has modes");
    expect_usage_error(ARGS("bench", "--algo", "rx/0", "--mode", "slow"), "--mode takes");
    expect_usage_error(ARGS("bench", "--bench-size", "5K"), "from 10K to");
    expect_usage_error(ARGS("bench", "--bench-size", "250X"), "from 10K to");
    expect_usage_error(ARGS("bench", "--bench-size", "-1M"), "from 10K to");
    expect_usage_error(ARGS("bench", "--bench-size", "4294967297"), "every 32-bit nonce once");
    expect_usage_error(ARGS("bench", "--mode", "fastlight"),
                       "--mode takes fast, light, both or auto");
    expect_usage_error(ARGS("bench", "--bench-size", "250K", "--algo", "cn/r"),
                       "one RandomX algorithm");
    expect_usage_error(ARGS("bench", "--bench-size", "250K", "--threads", "0"), "between 1 and");
    expect_usage_error(ARGS("bench", "--price", "cheap"), "--price needs a price");
    expect_usage_error(ARGS("bench", "--pin", "socket"), "--pin takes core, pu or none");
    expect_usage_error(ARGS("bench", "--affinity", "0-99999"), "not a list of this machine's PUs");
}

/* A wrong implementation (injected through the test hook) is refused before any figure. */
Test(cli_bench, a_wrong_algorithm_is_never_measured, .timeout = 120)
{
    setenv("MINEMETER_TEST_BREAK_ALGO", "cn-pico", 1);
    run_result_t *r = run_minemeter(ARGS("bench", "--algo", "cn-pico,cn/upx2", "--threads", "1",
                                         "--repeat", "1", "--duration", "1", "--no-reference"));
    unsetenv("MINEMETER_TEST_BREAK_ALGO");
    cr_expect_eq(r->exit_code, 1, "stdout: %s", r->out);
    cr_expect_not_null(strstr(r->out, "cn-pico: verification FAILED"), "%s", r->out);
    cr_expect_null(strstr(r->out, "cn-pico            1"), "a figure for cn-pico: %s", r->out);
    cr_expect_not_null(strstr(r->out, "cn/upx2"), "the correct algorithm is still measured");
    /* The footer speaks of the measured entry, not of the first one, which was not measured. */
    cr_expect_not_null(strstr(r->out, "(not measured);"), "%s", r->out);
    cr_expect_not_null(strstr(r->out, "scratchpads on "), "%s", r->out);
    cr_expect_null(strstr(r->out, "scratchpads on no pages"), "%s", r->out);
    run_result_free(r);

    setenv("MINEMETER_TEST_BREAK_ALGO", "cn/upx2", 1);
    r = run_minemeter(ARGS("selftest", "--algo", "cn/upx2"));
    unsetenv("MINEMETER_TEST_BREAK_ALGO");
    cr_expect_eq(r->exit_code, 1);
    cr_expect_not_null(strstr(r->out, "FAIL"), "%s", r->out);
    run_result_free(r);
}

/*
 * CryptoNight and RandomX in one plan, in either order: a RandomX entry
 * after a CryptoNight one used to compare its cache with the first entry's
 * RandomX variant, which a CryptoNight entry has not (a crash, exit 139).
 */
Test(cli_bench, a_plan_mixing_cryptonight_and_randomx_measures_both, .timeout = 300)
{
    const char *plans[] = {"cn-pico,rx/0:light", "rx/0:light,cn-pico"};
    for (size_t p = 0; p < 2; p++) {
        run_result_t *r = run_minemeter(ARGS("bench", "--algo", plans[p], "--threads", "1",
                                             "--repeat", "1", "--duration", "1", "--no-reference"));
        cr_expect_eq(r->exit_code, 0, "--algo %s: stdout: %s\nstderr: %s", plans[p], r->out,
                     r->err);
        cr_expect_not_null(strstr(r->out, "cn-pico            1"), "%s: %s", plans[p], r->out);
        cr_expect_not_null(strstr(r->out, "rx/0 light         1"), "%s: %s", plans[p], r->out);
        run_result_free(r);
    }
}

/*
 * Our hash and librandomx's differ on the path about to be measured (the
 * test hook flips a bit of ours there): the published vectors passed on
 * another path, so the suspect is ours, and the entry is not measured.
 */
Test(cli_bench, a_hash_that_disagrees_with_the_reference_is_never_measured, .timeout = 300)
{
    setenv("MINEMETER_TEST_BREAK_MEASURED_PATH", "1", 1);
    run_result_t *r =
        run_with_the_reference(ARGS("bench", "--algo", "rx/0:light,cn-pico", "--threads", "1",
                                    "--repeat", "1", "--duration", "1"));
    unsetenv("MINEMETER_TEST_BREAK_MEASURED_PATH");
    if (strstr(r->out, "RandomX reference") != NULL && strstr(r->out, "not installed") != NULL) {
        run_result_free(r);
        cr_skip_test("librandomx is not installed: nothing to disagree with");
    }
    cr_expect_eq(r->exit_code, 1, "stdout: %s\nstderr: %s", r->out, r->err);
    cr_expect_not_null(strstr(r->out, "rx/0 light: our hash disagrees with the reference's"), "%s",
                       r->out);
    cr_expect_null(strstr(r->out, "rx/0 light         1"), "a figure for rx/0: %s", r->out);
    cr_expect_not_null(strstr(r->out, "cn-pico            1"), "cn-pico is still measured");
    run_result_free(r);
}

/*
 * rx/0 measured after rx/2 shares rx/2's cache: the reference (rx/0 only)
 * must be checked against our rx/0 hash, not rx/2's, and compared.
 */
Test(cli_bench, the_reference_is_checked_with_the_entry_s_own_variant, .timeout = 300)
{
    run_result_t *r =
        run_with_the_reference(ARGS("bench", "--algo", "rx/2:light,rx/0:light", "--threads", "1",
                                    "--repeat", "1", "--duration", "1"));
    if (strstr(r->out, "RandomX reference library is not installed") != NULL) {
        run_result_free(r);
        cr_skip_test("librandomx is not installed: no reference to compare with");
    }
    cr_expect_eq(r->exit_code, 0, "stdout: %s\nstderr: %s", r->out, r->err);
    cr_expect_not_null(strstr(r->out, "rx/0 light reference (librandomx"), "%s", r->out);
    cr_expect_not_null(strstr(r->out, "1 thread(s): reference "), "%s", r->out);
    cr_expect_null(strstr(r->out, "disagrees"), "%s", r->out);
    /* Our cache on THP against the reference's default pages is no like-for-like ratio. */
    if (strstr(r->out, "default pages; ours: the same on THP") != NULL)
        cr_expect_not_null(strstr(r->out, "NOT like for like: the pages differ"), "%s", r->out);
    if (strstr(r->out, "2MB pages; ours: the same on 2MB pages") != NULL)
        cr_expect_null(strstr(r->out, "NOT like for like"), "%s", r->out);
    run_result_free(r);
}

/*
 * Each thread's last hash of a window is hashed again on the verified path
 * (light mode, plain VM): a measured path that hashes wrong (the test hook
 * flips a bit of what it hashed) gives no figure, reference or not.
 */
Test(cli_bench, a_window_whose_hashes_are_wrong_gives_no_figure, .timeout = 300)
{
    setenv("MINEMETER_TEST_BREAK_MEASURED_PATH", "1", 1);
    run_result_t *r = run_minemeter(ARGS("bench", "--algo", "rx/0:light,cn-pico", "--threads", "1",
                                         "--repeat", "1", "--duration", "1", "--no-reference"));
    unsetenv("MINEMETER_TEST_BREAK_MEASURED_PATH");
    cr_expect_eq(r->exit_code, 1, "stdout: %s\nstderr: %s", r->out, r->err);
    cr_expect_not_null(strstr(r->out, "rx/0 light: a hash from the measured path (1 threads) "
                                      "differs from the verified path's"),
                       "%s", r->out);
    cr_expect_null(strstr(r->out, "rx/0 light         1"), "a figure for rx/0: %s", r->out);
    cr_expect_not_null(strstr(r->out, "cn-pico            1"), "cn-pico is still measured");
    run_result_free(r);
}

/*
 * Fast mode's dataset is checked against the cache's items before it is
 * measured: a correct one passes, one with its last item wrong (the test
 * hook, as a split that loses the tail would leave it) is never measured.
 */
Test(slow_cli_bench, a_wrong_dataset_item_is_never_measured, .timeout = 900)
{
#ifdef UNDER_SANITIZERS
    cr_skip_test("run in the optimised build only (two 2080 MiB dataset builds)");
#endif
    test_need_memory(TEST_RX_FAST_BYTES, "bench in fast mode");
    run_result_t *r = run_minemeter(ARGS("bench", "--algo", "rx/0:fast", "--threads", "1",
                                         "--repeat", "1", "--duration", "1", "--no-reference"));
    cr_expect_eq(r->exit_code, 0, "stdout: %s\nstderr: %s", r->out, r->err);
    cr_expect_not_null(strstr(r->out, "rx/0 fast          1"), "%s", r->out);
    /* stderr is a pipe here: the build's progress in plain lines, and the sweep's rows. */
    const char *lines[] = {"building the RandomX dataset (2080 MiB) with ",
                           ": 25% (",
                           ": 50% (",
                           ": 75% (",
                           ": done in ",
                           "bench: 1 of 1 rows measured ("};
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
        cr_expect_not_null(strstr(r->err, lines[i]), "no \"%s\" in:\n%s", lines[i], r->err);
    run_result_free(r);

    setenv("MINEMETER_TEST_CORRUPT_DATASET_ITEM", "last", 1);
    r = run_minemeter(ARGS("bench", "--algo", "rx/0:fast,rx/2:fast", "--threads", "1", "--repeat",
                           "1", "--duration", "1", "--no-reference"));
    unsetenv("MINEMETER_TEST_CORRUPT_DATASET_ITEM");
    cr_expect_eq(r->exit_code, 1, "stdout: %s\nstderr: %s", r->out, r->err);
    cr_expect_not_null(strstr(r->out, "rx/0 fast: dataset item 34078718 differs"), "%s", r->out);
    cr_expect_not_null(strstr(r->out, "rx/2 fast: dataset item 34078718 differs"), "%s", r->out);
    cr_expect_null(strstr(r->out, " fast          1"), "a fast-mode figure: %s", r->out);
    run_result_free(r);
}

/*
 * Too little room for the dataset (a made-up machine with 1 GiB available,
 * through the test hook): fast mode is refused with the reason instead of
 * being killed by the kernel half way, and --mode auto measures light mode.
 */
Test(cli_bench, fast_mode_without_the_memory_for_its_dataset_is_refused_with_the_reason,
     .timeout = 300)
{
    test_low_memory_begin(1024);
    run_result_t *r = run_minemeter(ARGS("bench", "--algo", "rx/0:fast,cn-pico", "--threads", "1",
                                         "--repeat", "1", "--duration", "1", "--no-reference"));
    run_result_t *a =
        run_minemeter(ARGS("bench", "--algo", "rx/0", "--mode", "auto", "--threads", "1",
                           "--repeat", "1", "--duration", "1", "--no-reference"));
    test_low_memory_end();
    cr_expect_eq(r->exit_code, 1, "stdout: %s\nstderr: %s", r->out, r->err);
    cr_expect_not_null(strstr(r->out, "rx/0 fast: the RandomX dataset (2080 MiB) with a 64 MiB "
                                      "margin needs 2144 MiB, and the "
                                      "kernel has 1024 MiB available; not measured"),
                       "%s", r->out);
    cr_expect_not_null(strstr(r->out, "cn-pico            1"), "%s", r->out);
    cr_expect_eq(a->exit_code, 0, "stdout: %s\nstderr: %s", a->out, a->err);
    cr_expect_not_null(strstr(a->out, "rx/0 light         1"), "auto chose light: %s", a->out);
    run_result_free(r);
    run_result_free(a);
}

/*
 * A package energy counter that never moves (a made-up powercap tree,
 * through the test hook) measured nothing: J/hash is n/a and null, never
 * 0.000.
 */
Test(cli_bench, an_energy_counter_that_never_advances_gives_no_joules, .timeout = 120)
{
    fake_tree_make();
    fake_tree_write("sys/class/powercap/intel-rapl:0/name", "package-0\n");
    fake_tree_write("sys/class/powercap/intel-rapl:0/energy_uj", "1000\n");
    fake_tree_write("sys/class/powercap/intel-rapl:0/max_energy_range_uj", "262143328850\n");
    char json_path[] = "/tmp/minemeter-bench-XXXXXX";
    make_temp_file(json_path);
    setenv("MINEMETER_TEST_ROOT", fake_tree_root, 1);
    run_result_t *r =
        run_minemeter(ARGS("bench", "--algo", "cn-pico", "--threads", "1", "--repeat", "1",
                           "--duration", "2", "--no-reference", "--json", json_path));
    unsetenv("MINEMETER_TEST_ROOT");
    fake_tree_remove();
    cr_expect_eq(r->exit_code, 0, "stdout: %s\nstderr: %s", r->out, r->err);
    const char *row = strstr(r->out, "cn-pico            1");
    cr_assert_not_null(row, "%s", r->out);
    size_t len = strcspn(row, "\n");
    cr_expect(len > 3 && strncmp(row + len - 3, "n/a", 3) == 0,
              "J/hash must be n/a from a still counter: %.*s", (int)len, row);
    json_error_t error;
    json_t *doc = json_load_file(json_path, 0, &error);
    unlink(json_path);
    cr_assert_not_null(doc, "%s", error.text);
    json_t *run = json_array_get(
        json_object_get(json_array_get(json_object_get(doc, "algorithms"), 0), "runs"), 0);
    cr_expect(json_is_null(json_object_get(run, "joules_per_hash")));
    cr_expect(json_is_null(json_object_get(run, "watts")));
    cr_expect(json_is_null(json_object_get(run, "power_source")));
    cr_expect(json_is_string(json_object_get(run, "power_reason")), "null with the reason");
    json_decref(doc);
    run_result_free(r);
}

static json_t *first_run(const char *json_path)
{
    json_error_t error;
    json_t *doc = json_load_file(json_path, 0, &error);
    cr_assert_not_null(doc, "%s", error.text);
    return doc;
}

#define RUN_OF(doc, t)                                                                             \
    json_array_get(                                                                                \
        json_object_get(json_array_get(json_object_get((doc), "algorithms"), 0), "runs"), (t))

/*
 * THP is only asked for: a 2 MiB scratchpad on THP says how much of it the
 * kernel backed with huge pages, as a share in the JSON and a percentage
 * in the table; any other pages have no share.
 */
Test(cli_bench, thp_scratchpads_report_the_share_really_on_huge_pages, .timeout = 120)
{
    char json_path[] = "/tmp/minemeter-bench-XXXXXX";
    make_temp_file(json_path);
    run_result_t *r =
        run_minemeter(ARGS("bench", "--algo", "cn/2", "--threads", "1", "--repeat", "1",
                           "--duration", "1", "--no-reference", "--json", json_path));
    cr_assert_eq(r->exit_code, 0, "stdout: %s\nstderr: %s", r->out, r->err);
    json_t *doc = first_run(json_path);
    unlink(json_path);
    json_t *run = RUN_OF(doc, 0);
    cr_assert_not_null(run);
    const char *pages = json_string_value(json_object_get(run, "pages"));
    json_t *share = json_object_get(run, "pages_huge_share");
    cr_assert_not_null(pages);
    if (strcmp(pages, "THP") == 0) {
        cr_assert(json_is_number(share), "pages THP and no share");
        double v = json_number_value(share);
        cr_expect(v >= 0 && v <= 1, "share %f", v);
        char expected[64];
        snprintf(expected, sizeof(expected), "THP pages (%.0f%% backed by huge pages)", 100 * v);
        cr_expect_not_null(strstr(r->out, expected), "%s in %s", expected, r->out);
    } else {
        cr_expect(json_is_null(share), "pages %s with a share", pages);
        cr_expect_null(strstr(r->out, "backed by huge pages"), "%s", r->out);
    }
    json_decref(doc);
    run_result_free(r);
}

/*
 * An external meter that always says 40 W: every run's watts are 40, and
 * J/hash is watts over H/s within 2%, labelled as measured by the meter.
 * The meter reads at SCHED_IDLE, so with one CPU (a one-CPU cpuset) two
 * hashing threads beside the rest of the suite can starve its reading
 * past its timeout: there, one thread only.
 */
Test(cli_bench, a_power_command_is_the_measured_source_and_its_watts_give_joules_per_hash,
     .timeout = 120)
{
    cpu_set_t allowed;
    cr_assert_eq(sched_getaffinity(0, sizeof(allowed), &allowed), 0);
    size_t rows = CPU_COUNT(&allowed) >= 2 ? 2 : 1;
    char json_path[] = "/tmp/minemeter-bench-XXXXXX";
    make_temp_file(json_path);
    run_result_t *r = run_minemeter(
        ARGS("bench", "--algo", "cn-pico", "--threads", rows == 2 ? "1,2" : "1", "--repeat", "2",
             "--duration", "2", "--no-reference", "--power-cmd", "echo 40", "--json", json_path));
    cr_expect_eq(r->exit_code, 0, "stdout: %s\nstderr: %s", r->out, r->err);
    cr_expect_not_null(strstr(r->out, "power: measured: --power-cmd meter"), "%s", r->out);
    cr_expect_null(strstr(r->out, "~"), "nothing is marked as an estimate: %s", r->out);
    json_t *doc = first_run(json_path);
    unlink(json_path);
    json_t *power = json_object_get(json_object_get(doc, "run"), "power");
    /* Within what reading the meter's integral between two clock reads can skew (0.1%). */
    cr_expect_float_eq(json_real_value(json_object_get(power, "idle_watts")), 40.0, 0.04);
    for (size_t t = 0; t < rows; t++) {
        json_t *run = RUN_OF(doc, t);
        cr_assert_not_null(run);
        double watts = json_real_value(json_object_get(run, "watts"));
        double jph = json_real_value(json_object_get(run, "joules_per_hash"));
        double hps =
            json_real_value(json_object_get(json_object_get(run, "hashes_per_second"), "median"));
        cr_expect_float_eq(watts, 40.0, 0.04, "run %zu: %.4f W", t, watts);
        cr_expect(hps > 0 && fabs(jph - watts / hps) <= 0.02 * watts / hps,
                  "run %zu: %.6f J/hash, %.4f W / %.2f H/s = %.6f", t, jph, watts, hps,
                  watts / hps);
        cr_expect_str_eq(json_string_value(json_object_get(run, "power_source")),
                         "measured: --power-cmd meter");
        /* A constant meter: nothing above idle. */
        cr_expect_float_eq(json_real_value(json_object_get(run, "marginal_watts")), 0.0, 0.08);
    }
    json_decref(doc);
    run_result_free(r);
}

/* A meter that fails is an error before anything is measured: one sentence, exit 2, at once. */
Test(cli_bench, a_power_command_that_fails_stops_before_measuring, .timeout = 60)
{
    static const char *const commands[] = {"exit 1", "echo no watts here"};
    for (size_t i = 0; i < 2; i++) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        run_result_t *r = run_minemeter(
            ARGS("bench", "--algo", "cn-pico", "--threads", "1", "--power-cmd", commands[i]));
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double took = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        cr_expect_eq(r->exit_code, 2, "'%s': %s", commands[i], r->err);
        cr_expect_lt(took, 5.0, "'%s' took %.1f s", commands[i], took);
        cr_expect_not_null(strstr(r->err, "--power-cmd gave no watts"), "%s", r->err);
        cr_expect_eq(strchr(r->err, '\n'), r->err + strlen(r->err) - 1, "one line: %s", r->err);
        cr_expect_null(strstr(r->out, "H/s"), "nothing measured: %s", r->out);
        run_result_free(r);
    }
    run_result_t *r = run_minemeter(ARGS("bench", "--power-model", "3,1"));
    cr_expect_eq(r->exit_code, 2);
    cr_expect_not_null(strstr(r->err, "--power-model needs IDLE_W,MAX_W"), "%s", r->err);
    run_result_free(r);
}

/*
 * On this machine, with no option: every figure has its source; where the
 * source is the model, the table marks J/hash with "~" and names the model.
 */
Test(cli_bench, power_figures_say_measured_or_estimated_and_the_table_marks_estimates,
     .timeout = 120)
{
    char json_path[] = "/tmp/minemeter-bench-XXXXXX";
    make_temp_file(json_path);
    run_result_t *r =
        run_minemeter(ARGS("bench", "--algo", "cn-pico", "--threads", "1", "--repeat", "1",
                           "--duration", "1", "--no-reference", "--json", json_path));
    cr_expect_eq(r->exit_code, 0, "stdout: %s\nstderr: %s", r->out, r->err);
    json_t *doc = first_run(json_path);
    unlink(json_path);
    json_t *run = RUN_OF(doc, 0);
    const char *source = json_string_value(json_object_get(run, "power_source"));
    cr_assert_not_null(source, "a figure on every machine: %s", r->out);
    int estimated = strncmp(source, "estimated: ", 11) == 0;
    cr_expect(estimated || strncmp(source, "measured: ", 10) == 0, "%s", source);
    cr_expect(json_is_number(json_object_get(run, "watts")));
    cr_expect(json_is_number(json_object_get(run, "joules_per_hash")));
    cr_expect(json_is_number(json_object_get(run, "marginal_watts")));
    cr_expect(json_is_number(json_object_get(run, "marginal_joules_per_hash")));
    const char *row = strstr(r->out, "cn-pico            1");
    cr_assert_not_null(row, "%s", r->out);
    size_t len = strcspn(row, "\n");
    const char *mark = memchr(row, '~', len);
    cr_expect(estimated ? mark != NULL : mark == NULL, "J/hash %s marked: %.*s",
              estimated ? "must be" : "must not be", (int)len, row);
    if (estimated) {
        char line[256];
        snprintf(line, sizeof(line), "power: %s (\"~\" marks its figures)", source);
        cr_expect_not_null(strstr(r->out, line), "%s", r->out);
    }
    json_decref(doc);
    run_result_free(r);
}

/*
 * Ctrl-C keeps what was measured: the rows measured whole go to the table
 * and the files, the JSON says it was interrupted, and the exit status is
 * 130 (128 + SIGINT) as a shell reports it.
 */
Test(cli_bench, ctrl_c_keeps_the_rows_measured_and_writes_them, .timeout = 180)
{
    char json_path[] = "/tmp/minemeter-bench-XXXXXX";
    make_temp_file(json_path);
    spawned_t b;
    spawn_minemeter(&b, ARGS("bench", "--algo", "cn/upx2,cn-pico", "--threads", "1,2", "--repeat",
                             "3", "--duration", "1", "--no-reference", "--json", json_path));
    cr_assert_eq(spawn_wait_output(&b, "cn/upx2            1 ", 150), 0, "no first row");
    int code = spawn_stop(&b, SIGINT, 60);
    char *out = spawn_output(&b);
    spawn_cleanup(&b);
    cr_expect_eq(code, 130, "%s", out);
    cr_expect_not_null(strstr(out, "interrupted by SIGINT: the figures above are the rows "
                                   "measured whole before it, and so are the files"),
                       "%s", out);
    cr_expect_not_null(strstr(out, "cost of a miner"), "the report goes on: %s", out);
    free(out);

    json_error_t error;
    json_t *root = json_load_file(json_path, 0, &error);
    unlink(json_path);
    cr_assert_not_null(root, "no JSON: %s", error.text);
    cr_expect_str_eq(
        json_string_value(json_object_get(json_object_get(root, "run"), "interrupted")), "SIGINT");
    json_t *first = json_array_get(json_object_get(root, "algorithms"), 0);
    json_t *second = json_array_get(json_object_get(root, "algorithms"), 1);
    size_t rows = json_array_size(json_object_get(first, "runs"));
    cr_expect(rows >= 1 && rows <= 2, "%zu rows of cn/upx2", rows);
    cr_expect_eq(json_array_size(json_object_get(second, "runs")), 0, "cn-pico was not reached");
    json_decref(root);
}

/* Threads that must share a PU are said to, and where each goes is printed. */
Test(cli_bench, threads_sharing_a_pu_are_warned_of, .timeout = 120)
{
    /* The first CPU this test may use, twice: in a cpuset it need not be cpu0. */
    cpu_set_t allowed;
    cr_assert_eq(sched_getaffinity(0, sizeof(allowed), &allowed), 0);
    unsigned cpu = 0;
    while (!CPU_ISSET(cpu, &allowed))
        cpu++;
    char twice[32], pinned[64];
    snprintf(twice, sizeof(twice), "%u,%u", cpu, cpu);
    snprintf(pinned, sizeof(pinned), "threads pinned to PUs: %u,%u\n", cpu, cpu);
    run_result_t *r =
        run_minemeter(ARGS("bench", "--algo", "cn/upx2", "--threads", "2", "--affinity", twice,
                           "--repeat", "1", "--duration", "1", "--no-reference"));
    cr_expect_eq(r->exit_code, 0, "%s%s", r->out, r->err);
    cr_expect_not_null(strstr(r->out, pinned), "%s", r->out);
    cr_expect_not_null(strstr(r->out, "warning: 2 threads on 1 PU(s): threads share PUs"), "%s",
                       r->out);
    run_result_free(r);
}

/*
 * Runs bench at cn/0, repeat times 2 s, with a stand-in XMRig sending shares
 * as FAKE_XMRIG_SHARES says and counting its pauses into pauses_path.
 */
static run_result_t *bench_with_fake_xmrig(const char *shares, const char *repeat,
                                           const char *json_path, const char *pauses_path)
{
    setenv("FAKE_XMRIG_SHARES", shares, 1);
    setenv("FAKE_XMRIG_PAUSES", pauses_path, 1);
    run_result_t *r =
        run_minemeter(ARGS("bench", "--algo", "cn/0", "--threads", "1", "--repeat", repeat,
                           "--duration", "2", "--no-reference", "--xmrig",
                           MINEMETER_SRCDIR "/tests/interop/fake_xmrig.py", "--json", json_path));
    unsetenv("FAKE_XMRIG_SHARES");
    unsetenv("FAKE_XMRIG_PAUSES");
    return r;
}

/* What the stand-in wrote to its pause file: how often it was stopped; -1 when nothing. */
static int pauses_counted(const char *path)
{
    FILE *f = fopen(path, "r");
    int n = -1;
    if (f != NULL) {
        if (fscanf(f, "%d", &n) != 1)
            n = -1;
        fclose(f);
    }
    return n;
}

/*
 * XMRig's figure counts only when the lab pool, hashing every share again,
 * accepted some and rejected none: a stand-in that reports 123 H/s from its
 * API but sends wrong shares, or none, gets no figure, with the reason.
 */
Test(slow_cli_bench, an_xmrig_whose_shares_are_wrong_or_missing_gives_no_figure, .timeout = 180)
{
    const struct {
        const char *shares, *repeat, *reason;
    } cases[] = {
        {"wrong", "2", "the lab pool rejected"},
        {"none", "1", "the lab pool accepted no share from XMRig"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char json_path[] = "/tmp/minemeter-bench-xmrig-XXXXXX";
        char pauses_path[] = "/tmp/minemeter-bench-pauses-XXXXXX";
        make_temp_file(json_path);
        make_temp_file(pauses_path);
        run_result_t *r =
            bench_with_fake_xmrig(cases[i].shares, cases[i].repeat, json_path, pauses_path);
        /* Two repetitions: the stand-in waits, stopped, while ours runs between its windows. */
        if (strcmp(cases[i].repeat, "2") == 0)
            cr_expect_geq(pauses_counted(pauses_path), 1,
                          "XMRig was not stopped while ours ran: %s", r->out);
        unlink(pauses_path);
        cr_expect_eq(r->exit_code, 0, "stdout: %s\nstderr: %s", r->out, r->err);
        cr_expect_not_null(strstr(r->out, "XMRig 6.26.0: 1 thread(s) n/a;"), "%s", r->out);
        cr_expect_not_null(strstr(r->out, cases[i].reason), "%s", r->out);
        cr_expect_null(strstr(r->out, "123.00 H/s"), "the stand-in's claim was printed: %s",
                       r->out);
        json_t *root = json_load_file(json_path, 0, NULL);
        json_t *run = json_array_get(
            json_object_get(json_array_get(json_object_get(root, "algorithms"), 0), "runs"), 0);
        cr_expect_str_eq(json_string_value(json_object_get(json_object_get(root, "run"), "xmrig")),
                         "6.26.0");
        cr_expect(json_is_null(json_object_get(run, "xmrig_hashes_per_second")));
        cr_expect_not_null(strstr(
            json_string_value(json_object_get(run, "xmrig_unavailable")) ?: "", cases[i].reason));
        json_decref(root);
        unlink(json_path);
        run_result_free(r);
    }
}

Test(cli_bench, an_xmrig_path_that_is_not_xmrig_exits_2)
{
    expect_usage_error(ARGS("bench", "--xmrig", "/no/such/xmrig"), "No such file or directory");
    expect_usage_error(ARGS("bench", "--xmrig", "/bin/true"), "did not print an XMRig version");
    expect_usage_error(ARGS("bench", "--bench-size", "250K", "--xmrig",
                            MINEMETER_SRCDIR "/tests/interop/fake_xmrig.py"),
                       "--xmrig measures by time");
}
