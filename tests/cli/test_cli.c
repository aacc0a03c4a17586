/*
 * The minemeter command line: help, version, and every kind of bad
 * argument gives one sentence on stderr and exit code 2, never a crash.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <jansson.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "tests/support/run_command.h"

Test(cli, no_arguments_prints_usage_and_exits_2)
{
    run_result_t *r = run_minemeter((const char *const[]){NULL});
    cr_expect_eq(r->exit_code, 2);
    cr_expect_not_null(strstr(r->err, "Usage: minemeter"));
    run_result_free(r);
}

Test(cli, help_lists_every_command)
{
    run_result_t *r = run_minemeter(ARGS("--help"));
    cr_expect_eq(r->exit_code, 0);
    const char *names[] = {"bench", "hash", "selftest", "info", "mine", "load", "impact", "pool"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        cr_expect_not_null(strstr(r->out, names[i]), "--help does not mention %s", names[i]);
    run_result_free(r);
}

Test(cli, version_prints_the_package_version)
{
    run_result_t *r = run_minemeter(ARGS("--version"));
    cr_expect_eq(r->exit_code, 0);
    cr_expect_str_eq(r->out, "minemeter " PACKAGE_VERSION "\n");
    run_result_free(r);
}

Test(cli, every_subcommand_has_help)
{
    const char *names[] = {"bench", "hash", "selftest", "info", "mine", "load", "impact", "pool"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        run_result_t *r = run_minemeter(ARGS(names[i], "--help"));
        cr_expect_eq(r->exit_code, 0, "%s --help exit %d", names[i], r->exit_code);
        char want[64];
        snprintf(want, sizeof(want), "Usage: minemeter %s", names[i]);
        cr_expect_not_null(strstr(r->out, want), "%s --help: %s", names[i], r->out);
        run_result_free(r);

        r = run_minemeter(ARGS("help", names[i]));
        cr_expect_eq(r->exit_code, 0);
        cr_expect_not_null(strstr(r->out, want));
        /* Help keeps up with what is built. */
        cr_expect_null(strstr(r->out, "is not built yet"), "%s --help: %s", names[i], r->out);
        run_result_free(r);
    }
}

/* Output paths are checked before any measuring, not after the whole run. */
Test(cli, bench_and_impact_refuse_an_output_they_could_not_write_before_measuring)
{
    const char *commands[] = {"bench", "impact"};
    for (size_t i = 0; i < 2; i++) {
        expect_usage_error(ARGS(commands[i], "--json", "/no/such/dir/x.json"),
                           "--json /no/such/dir/x.json: the directory /no/such/dir does not exist");
        expect_usage_error(ARGS(commands[i], "--csv", "/tmp"),
                           "--csv /tmp: give a file name to write, not a directory");
        expect_usage_error(ARGS(commands[i], "--svg", "/proc/x.svg"),
                           "--svg /proc/x.svg: cannot create a file in /proc");
    }
}

Test(cli, selftest_list_names_every_algorithm_and_its_aliases)
{
    run_result_t *r = run_minemeter(ARGS("selftest", "--list"));
    cr_assert_eq(r->exit_code, 0, "%s", r->err);
    cr_expect_eq(count_lines(r->out), 25, "a header and 24 algorithms:\n%s", r->out);
    cr_expect_not_null(strstr(r->out, "cryptonight/r"), "%s", r->out);
    cr_expect_not_null(strstr(r->out, "rx/0           RandomX      portable"), "%s", r->out);
    cr_expect_not_null(strstr(r->out, "randomx, randomx/0, rx, rx/monero"), "%s", r->out);
    cr_expect_not_null(strstr(r->out, "randomx/wow, randomwow"), "%s", r->out);
    cr_expect_not_null(strstr(r->out, "cryptonight-heavy/tube, cryptonight-bittube2"), "%s",
                       r->out);
    run_result_free(r);
    expect_usage_error(ARGS("selftest", "--list", "--algo", "cn/0"), "--list takes no --algo");
}

/* XMRig's short options and --rig-id parse as ours, shown in help; an unknown letter is refused. */
Test(cli, xmrig_short_options_are_accepted)
{
    run_result_t *r = run_minemeter(ARGS("mine", "--help"));
    cr_expect_not_null(strstr(r->out, "-o, --url URL"), "%s", r->out);
    cr_expect_not_null(strstr(r->out, "-t, --threads N"), "%s", r->out);
    cr_expect_not_null(strstr(r->out, "(also --rig-id)"), "%s", r->out);
    run_result_free(r);
    /* Parsed far enough to reach the checks after parsing: the values were taken. */
    expect_usage_error(ARGS("mine", "-o", "127.0.0.1:3333", "-t", "0", "-u", "w"),
                       "--threads must be between 1");
    expect_usage_error(
        ARGS("mine", "-o127.0.0.1:3333", "-u", "w", "-p", "x", "--rig-id", "r", "-k", "-a", "cn/9"),
        "unknown algorithm 'cn/9'");
    expect_usage_error(ARGS("mine", "-o", "127.0.0.1:3333"), "--user is required");
    expect_usage_error(ARGS("mine", "-z", "1"), "unknown option '-z'");
}

/* One --algo/--mode grammar: ALGO[:MODE] where there is a mode, fast, light or auto everywhere. */
Test(cli, algo_and_mode_take_one_grammar_in_every_command)
{
    expect_usage_error(
        ARGS("hash", "--algo", "rx/0:fast", "--mode", "light", "--key", "k", "--input", "x"),
        "--algo names one mode and --mode another: give it once");
    expect_usage_error(ARGS("hash", "--algo", "cn/r:fast", "--height", "1", "--input", "x"),
                       "--algo cn/r:fast: only RandomX has modes (fast, light or auto)");
    expect_usage_error(ARGS("load", "--duration", "1", "--algo", "rx/0:turbo"),
                       "--algo rx/0:turbo: the mode is fast, light or auto, not 'turbo'");
    expect_usage_error(ARGS("mine", "-o", "127.0.0.1:1", "-u", "w", "--mode", "turbo"),
                       "--mode is fast, light or auto, not 'turbo'");
    expect_usage_error(ARGS("load", "--duration", "1", "--algo", "cn/r", "--mode", "fast"),
                       "--mode is for RandomX; cn/r has no dataset");
    expect_usage_error(ARGS("bench", "--mode", "turbo"), "--mode takes fast, light, both or auto");
    run_result_t *r = run_minemeter(ARGS("selftest", "--algo", "cryptonight/r,CN/0"));
    cr_expect_eq(r->exit_code, 0, "%s", r->err);
    cr_expect_eq(count_lines(r->out), 4, "a header, cn/0, cn/r and the summary:\n%s", r->out);
    run_result_free(r);
}

Test(cli, unknown_command_exits_2)
{
    expect_usage_error(ARGS("frobnicate"), "unknown command 'frobnicate'");
    expect_usage_error(ARGS("help", "frobnicate"), "unknown command 'frobnicate'");
}

Test(cli, unknown_global_option_exits_2)
{
    expect_usage_error(ARGS("--frobnicate"), "unknown option '--frobnicate'");
}

Test(cli, unknown_subcommand_option_exits_2)
{
    expect_usage_error(ARGS("info", "--frobnicate"), "unknown option '--frobnicate'");
    expect_usage_error(ARGS("info", "--frobnicate=3"), "unknown option '--frobnicate'");
    expect_usage_error(ARGS("info", "stray"), "unexpected argument 'stray'");
}

Test(cli, missing_value_exits_2)
{
    expect_usage_error(ARGS("bench", "--repeat"), "--repeat needs a value");
    expect_usage_error(ARGS("mine", "--url"), "--url needs a value");
}

Test(cli, flag_with_a_value_exits_2)
{
    expect_usage_error(ARGS("info", "--json=yes"), "--json takes no value");
}

Test(cli, numbers_out_of_range_or_malformed_exit_2)
{
    expect_usage_error(ARGS("bench", "--repeat", "0"), "between 1 and 64");
    expect_usage_error(ARGS("bench", "--repeat=65"), "between 1 and 64");
    expect_usage_error(ARGS("bench", "--repeat", "99999999999999999999999999"), "between");
    expect_usage_error(ARGS("bench", "--repeat", "-1"), "whole number");
    expect_usage_error(ARGS("bench", "--repeat", "3x"), "whole number");
    expect_usage_error(ARGS("bench", "--repeat", ""), "whole number");
    expect_usage_error(ARGS("load", "--intensity", "101"), "between 1 and 100");
}

Test(cli, mine_refuses_mixing_a_daemon_with_pools)
{
    expect_usage_error(ARGS("mine", "--url", "daemon+http://127.0.0.1:18081", "--url",
                            "stratum+tcp://127.0.0.1:3333", "--user", "w"),
                       "solo mining uses one monerod");
    expect_usage_error(ARGS("mine", "--url", "stratum+tcp://127.0.0.1:3333", "--url",
                            "daemon+http://127.0.0.1:18081", "--user", "w"),
                       "solo mining uses one monerod");
}

Test(cli, mine_refuses_bad_arguments_with_one_line)
{
    expect_usage_error(ARGS("mine", "--user", "w"), "--url is required");
    expect_usage_error(ARGS("mine", "--url", "stratum+tcp://127.0.0.1:3333"), "--user is required");
    expect_usage_error(ARGS("mine", "--url", "http://pool", "--user", "w"), "must start with");
    expect_usage_error(ARGS("mine", "--url", "stratum+tcp://pool:99999", "--user", "w"),
                       "port must be");
    expect_usage_error(
        ARGS("mine", "--url", "stratum+tcp://pool:1", "--user", "w", "--algo", "rx/nope"),
        "unknown algorithm");
    expect_usage_error(
        ARGS("mine", "--url", "stratum+tcp://pool:1", "--user", "w", "--mode", "turbo"),
        "--mode is fast, light or auto, not 'turbo'");
    expect_usage_error(ARGS("mine", "--url", "stratum+ssl://pool:1", "--user", "w",
                            "--tls-insecure", "--tls-fingerprint", "ab"),
                       "contradict");
    /* TLS options are checked before anything starts, not at the first connection. */
    expect_usage_error(
        ARGS("mine", "--url", "stratum+ssl://pool:1", "--user", "w", "--tls-fingerprint", "ab:cd"),
        "64 hex digits");
    expect_usage_error(ARGS("mine", "--url", "stratum+ssl://pool:1", "--user", "w", "--tls-ca",
                            "/nonexistent/ca.pem"),
                       "cannot load the CA certificates from /nonexistent/ca.pem");
    expect_usage_error(
        ARGS("mine", "--url", "stratum+tcp://pool:1", "--user", "w", "--tls-fingerprint", "ab"),
        "--tls-fingerprint is for stratum+ssl:// pools and daemon+https://, and no --url is one");
    /* One pin for every TLS pool, or one per TLS pool: nothing in between. */
    expect_usage_error(ARGS("mine", "--url", "stratum+ssl://a:1", "--url", "stratum+ssl://b:1",
                            "--url", "stratum+ssl://c:1", "--user", "w", "--tls-fingerprint", "ab",
                            "--tls-fingerprint", "cd"),
                       "--tls-fingerprint was given 2 times for 3 stratum+ssl:// pools");
}

Test(cli, info_prints_the_machine)
{
    run_result_t *r = run_minemeter(ARGS("info"));
    cr_expect_eq(r->exit_code, 0, "stderr: %s", r->err);
    const char *fields[] = {
        "CPU:", "Features:", "Topology:", "Caches:", "Huge pages:", "Power:", "RandomX:"};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        cr_expect_not_null(strstr(r->out, fields[i]), "no '%s' in: %s", fields[i], r->out);
    run_result_free(r);
}

Test(cli, info_json_parses_and_counts_pus)
{
    run_result_t *r = run_minemeter(ARGS("info", "--json"));
    cr_assert_eq(r->exit_code, 0, "stderr: %s", r->err);
    json_error_t error;
    json_t *root = json_loads(r->out, 0, &error);
    cr_assert_not_null(root, "not JSON: %s at line %d", error.text, error.line);
    /* A cpuset (a container's --cpuset-cpus) hides CPUs; taskset does not. */
    json_int_t pus = json_integer_value(json_object_get(json_object_get(root, "topology"), "pus"));
    cpu_set_t allowed;
    cr_assert_eq(sched_getaffinity(0, sizeof(allowed), &allowed), 0);
    cr_expect_leq(pus, sysconf(_SC_NPROCESSORS_ONLN));
    cr_expect_geq(pus, CPU_COUNT(&allowed));
    cr_expect(json_is_array(json_object_get(json_object_get(root, "cpu"), "features")));
    cr_expect(json_is_boolean(json_object_get(json_object_get(root, "energy"), "readable")));
    json_decref(root);
    run_result_free(r);
}

/*
 * info --json carries what the text says: the RandomX engine, the paths
 * --isa can select, the cycle source, the huge pages fast mode needs (the
 * same number the text gives), and energy's reason when it is not readable.
 */
Test(cli, info_json_carries_everything_the_text_says)
{
    run_result_t *text = run_minemeter(ARGS("info"));
    run_result_t *r = run_minemeter(ARGS("info", "--json"));
    cr_assert_eq(r->exit_code, 0, "stderr: %s", r->err);
    json_t *root = json_loads(r->out, 0, NULL);
    cr_assert_not_null(root);
    json_t *randomx = json_object_get(root, "randomx");
    cr_expect(json_is_boolean(json_object_get(randomx, "programs_compiled")));
    cr_expect(json_is_boolean(json_object_get(randomx, "light_mode_lockstep")));
    cr_expect(json_is_integer(json_object_get(randomx, "light_mode_hashes_per_thread")));
    json_int_t build =
        json_integer_value(json_object_get(randomx, "dataset_build_items_at_a_time"));
    cr_expect(build == json_integer_value(json_object_get(randomx, "items_at_a_time")) ||
                  build == 8,
              "the build computes as many items at once as light mode, or eight with AVX-512");
    json_t *isas = json_object_get(root, "isa_selectable");
    cr_expect_str_eq(json_string_value(json_array_get(isas, 0)), "portable");
    char line[160] = "--isa:      portable";
    cr_expect_not_null(strstr(text->out, line), "%s", text->out);
    json_t *huge = json_object_get(root, "huge_pages");
    json_int_t needs = json_integer_value(json_object_get(huge, "fast_mode_needs"));
    cr_expect_gt(needs, 1168, "the dataset and cache alone take 1168 pages");
    cr_expect_gt(json_integer_value(json_object_get(huge, "bench_like_for_like_needs")), 2 * 1168);
    if (json_integer_value(json_object_get(json_object_get(huge, "2MiB"), "total")) < needs) {
        snprintf(line, sizeof(line), "sysctl -w vm.nr_hugepages=%lld", (long long)needs);
        cr_expect_not_null(strstr(text->out, line), "one number in both: %s", text->out);
    }
    cr_expect(json_is_string(json_object_get(json_object_get(root, "cycles"), "source")));
    json_t *energy = json_object_get(root, "energy");
    if (!json_is_true(json_object_get(energy, "readable")))
        cr_expect(json_is_string(json_object_get(energy, "reason")));
    /* Every source tried, each with why not or its label, and the same label in the text. */
    json_t *tried = json_object_get(energy, "tried");
    cr_expect_geq(json_array_size(tried), 5, "powercap, perf, msr, ipmi and the model");
    size_t i;
    json_t *attempt;
    json_array_foreach(tried, i, attempt)
    {
        const char *source = json_string_value(json_object_get(attempt, "source"));
        cr_expect_not_null(source);
        int available = json_is_true(json_object_get(attempt, "available"));
        const char *words =
            json_string_value(json_object_get(attempt, available ? "label" : "reason"));
        cr_expect(words != NULL && words[0] != '\0', "attempt %zu says nothing", i);
        char row[300];
        snprintf(row, sizeof(row), "%-10s %s%s", source ? source : "",
                 available ? "" : "no: ", words ? words : "");
        cr_expect_not_null(strstr(text->out, row), "no '%s' in: %s", row, text->out);
    }
    const char *label = json_string_value(json_object_get(energy, "power_source"));
    cr_assert_not_null(label, "this machine has at least the estimate");
    cr_expect(strncmp(label, "measured: ", 10) == 0 || strncmp(label, "estimated: ", 11) == 0, "%s",
              label);
    cr_expect_eq(json_is_true(json_object_get(energy, "estimated")),
                 strncmp(label, "estimated: ", 11) == 0);
    json_decref(root);
    run_result_free(r);
    run_result_free(text);
}
