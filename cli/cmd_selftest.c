/*
 * minemeter selftest: every shipped vector on every code path this binary
 * has and this CPU runs; a pass/fail table, exit 1 on any failure.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "arch/clock.h"
#include "cli/args.h"
#include "cli/algo_option.h"
#include "cli/commands.h"
#include "cli/isa_option.h"
#include "pow/algo.h"

enum { OPT_ISA, OPT_ALGO, OPT_LIST, OPT_COUNT };

#define MAX_SELFTEST_ALGOS 64

static const cli_option_t selftest_options[OPT_COUNT] = {
    [OPT_ISA] = {"isa", CLI_OPT_STRING, "PATH", 0, 0, "test only this code path"},
    [OPT_ALGO] = {"algo", CLI_OPT_STRING, "LIST", 0, 0,
                  "test only these algorithms (comma-separated, any names selftest --list shows)"},
    [OPT_LIST] = {"list", CLI_OPT_FLAG, NULL, 0, 0,
                  "list the algorithms, their other names and paths, and exit"},
};

static const cli_command_spec_t selftest_spec = {
    "selftest",
    "check every published vector on every code path",
    "[--isa PATH] [--algo LIST] | --list",
    "Runs each shipped test vector (pow/cn/cn_vectors.txt: Monero's tests/hash\n"
    "files and XMRig's self-test values; pow/rx/rx_vectors.txt: the tests of the\n"
    "RandomX reference, RandomARQ's and RandomWOW's) through every\n"
    "instruction-set path compiled in that this\n"
    "CPU runs, and prints one row per algorithm. RandomX vectors also run through\n"
    "light mode's lockstep groups where the path has them (two checks each).\n"
    "Exit status 1 if any hash is wrong. RandomX builds a 256 MiB cache per key:\n"
    "its rows take seconds. --list names every algorithm --algo takes (in any\n"
    "command), with the other names it accepts (XMRig's among them, any case).",
    selftest_options,
    OPT_COUNT,
};

/* --list: each algorithm, its family, the paths this CPU runs, its other names. */
static void list_algorithms(void)
{
    printf("%-14s %-12s %-18s %s\n", "algorithm", "family", "paths here", "also accepted as");
    for (size_t i = 0; pow_algo_at(i) != NULL; i++) {
        const pow_algo_t *algo = pow_algo_at(i);
        char paths[64] = "";
        size_t used = 0;
        for (int isa = 0; isa < POW_ISA_COUNT; isa++)
            if (pow_algo_isa_available(algo, (pow_isa_t)isa) && used < sizeof(paths))
                used += (size_t)snprintf(paths + used, sizeof(paths) - used, "%s%s",
                                         used ? "," : "", pow_isa_name((pow_isa_t)isa));
        const char *aliases[16];
        size_t n = pow_algo_aliases(algo, aliases, 16);
        printf("%-14s %-12s %-18s", pow_algo_name(algo),
               pow_algo_rx(algo) != NULL ? "RandomX" : "CryptoNight", paths);
        for (size_t k = 0; k < n && k < 16; k++)
            printf("%s%s", k ? ", " : " ", aliases[k]);
        printf("\n");
    }
}

/* Verifies one algorithm on one path; prints any failure and returns the failures. */
static unsigned check_path(const pow_algo_t *algo, pow_isa_t isa, unsigned *vectors,
                           unsigned *checked)
{
    pow_verify_result_t result;
    int rc = pow_algo_verify(algo, isa, &result);
    *vectors = result.vectors;
    *checked = result.checked;
    if (rc == -ENOENT) {
        printf("  FAIL %s has no vector\n", pow_algo_name(algo));
        return 1;
    }
    if (rc != 0 && rc != -EIO) {
        printf("  FAIL %s on %s: %s\n", pow_algo_name(algo), pow_isa_name(isa), strerror(-rc));
        return 1;
    }
    if (result.failed > 0)
        printf("  FAIL %s on %s: %u of %u wrong; first: %s line %u expected %s, got %s\n",
               pow_algo_name(algo), pow_isa_name(isa), result.failed, result.checked,
               result.vector_file, result.first_failure_line, result.expected_hex, result.got_hex);
    return result.failed;
}

static int run_selftest(const cli_command_spec_t *spec, int argc, char **argv)
{
    cli_value_t v[OPT_COUNT];
    int parsed = cli_parse(spec, argc, argv, v);
    if (parsed != CLI_CONTINUE)
        return parsed;
    if (v[OPT_LIST].set) {
        if (v[OPT_ALGO].set || v[OPT_ISA].set) {
            cli_usage_error(spec->name, "--list takes no --algo or --isa: it lists them all");
            return CLI_EXIT_USAGE;
        }
        list_algorithms();
        return CLI_EXIT_OK;
    }
    /* --algo ALGO[,ALGO...]: those only (a RandomX mode suffix is allowed: both modes are checked).
     */
    int chosen[MAX_SELFTEST_ALGOS] = {0};
    const pow_algo_t *only = NULL; /* one of the chosen, for --isa's check */
    if (v[OPT_ALGO].set) {
        char list[512];
        snprintf(list, sizeof(list), "%s", v[OPT_ALGO].text);
        char *save = NULL;
        for (char *name = strtok_r(list, ",", &save); name != NULL;
             name = strtok_r(NULL, ",", &save)) {
            cli_mode_t mode;
            if (cli_algo_parse(spec->name, name, &only, &mode) != 0)
                return CLI_EXIT_USAGE;
            for (size_t a = 0; pow_algo_at(a) != NULL && a < MAX_SELFTEST_ALGOS; a++)
                chosen[a] |= pow_algo_at(a) == only;
        }
    }
    pow_isa_t forced = POW_ISA_PORTABLE;
    int is_forced = 0;
    if (v[OPT_ISA].set) {
        /* Every algorithm has a portable path, so check the name against the first one. */
        is_forced = cli_isa_option(spec->name, &v[OPT_ISA], only ? only : pow_algo_at(0), &forced);
        if (is_forced < 0)
            return CLI_EXIT_USAGE;
    }

    /* Columns: every path that some algorithm offers here. */
    pow_isa_t paths[POW_ISA_COUNT];
    unsigned path_count = 0;
    for (unsigned i = 0; i < POW_ISA_COUNT; i++) {
        int offered = 0;
        for (size_t a = 0; pow_algo_at(a) != NULL; a++)
            offered |= pow_algo_isa_available(pow_algo_at(a), (pow_isa_t)i);
        if (offered && (!is_forced || (pow_isa_t)i == forced))
            paths[path_count++] = (pow_isa_t)i;
    }

    uint64_t start = arch_clock_ns();
    printf("%-14s %7s", "algorithm", "vectors");
    for (unsigned p = 0; p < path_count; p++)
        printf("  %-9s", pow_isa_name(paths[p]));
    printf("\n");
    unsigned failures = 0, checked = 0;
    for (size_t a = 0; pow_algo_at(a) != NULL; a++) {
        const pow_algo_t *algo = pow_algo_at(a);
        if (only != NULL && (a >= MAX_SELFTEST_ALGOS || !chosen[a]))
            continue;
        char cells[128] = "";
        size_t used = 0;
        unsigned vectors = 0;
        for (unsigned p = 0; p < path_count; p++) {
            const char *verdict = "-";
            if (pow_algo_isa_available(algo, paths[p])) {
                unsigned count = 0;
                unsigned failed = check_path(algo, paths[p], &vectors, &count);
                checked += count;
                failures += failed;
                verdict = failed == 0 ? "ok" : "FAIL";
            }
            used += (size_t)snprintf(cells + used, sizeof(cells) - used, "  %-9s", verdict);
        }
        printf("%-14s %7u%s\n", pow_algo_name(algo), vectors, cells);
        fflush(stdout);
    }
    double seconds = (double)(arch_clock_ns() - start) / 1e9;
    if (failures == 0) {
        printf("all %u vector checks passed on %u path(s) in %.1f s\n", checked, path_count,
               seconds);
        return CLI_EXIT_OK;
    }
    printf("%u of %u vector checks FAILED\n", failures, checked);
    return CLI_EXIT_FAILURE;
}

const cli_command_t cli_command_selftest = {&selftest_spec, run_selftest};
