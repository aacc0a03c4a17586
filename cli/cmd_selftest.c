/*
 * minemeter selftest: every shipped vector on every code path this binary
 * has and this CPU runs; a pass/fail table, exit 1 on any failure.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>

#include "arch/clock.h"
#include "arch/pages.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/isa_option.h"
#include "pow/cn/cn.h"
#include "pow/cn/cn_verify.h"
#include "pow/hex.h"

enum { OPT_ISA, OPT_COUNT };

static const cli_option_t selftest_options[OPT_COUNT] = {
    [OPT_ISA] = {"isa", CLI_OPT_STRING, "PATH", 0, 0, "test only this code path"},
};

static const cli_command_spec_t selftest_spec = {
    "selftest",
    "check every published vector on every code path",
    "[--isa PATH]",
    "Runs each shipped test vector (Monero's tests/hash files, XMRig's self-test\n"
    "values) through every instruction-set path compiled in that this CPU runs,\n"
    "and prints one row per algorithm. Exit status 1 if any hash is wrong.",
    selftest_options,
    OPT_COUNT,
};

/* Runs one variant's vectors on one path; prints any failure and returns the failures. */
static unsigned check_path(const pow_cn_algo_t *algo, pow_isa_t isa, arch_pages_t *pad,
                           unsigned *checked)
{
    pow_cn_ctx_t ctx;
    pow_cn_verify_result_t result = {0};
    if (pow_cn_ctx_init(&ctx, algo, isa, pad->ptr, pad->mapped) != 0) {
        printf("  FAIL %s on %s: cannot set up the context\n", pow_cn_algo_name(algo),
               pow_isa_name(isa));
        return 1;
    }
    int rc = pow_cn_verify(&ctx, &result);
    pow_cn_ctx_release(&ctx);
    *checked = result.checked;
    if (rc == -ENOENT) {
        printf("  FAIL %s has no vector\n", pow_cn_algo_name(algo));
        return 1;
    }
    if (result.failed > 0) {
        char got[65];
        pow_hex_encode(result.first_failure_hash, 32, got);
        printf("  FAIL %s on %s: %u of %u wrong; first: pow/cn/cn_vectors.txt line %u expected "
               "%s, got %s\n",
               pow_cn_algo_name(algo), pow_isa_name(isa), result.failed, result.checked,
               result.first_failure->line, result.first_failure->hash_hex, got);
    }
    return result.failed;
}

static int run_selftest(const cli_command_spec_t *spec, int argc, char **argv)
{
    cli_value_t v[OPT_COUNT];
    int parsed = cli_parse(spec, argc, argv, v);
    if (parsed != CLI_CONTINUE)
        return parsed;
    pow_isa_t paths[POW_ISA_COUNT];
    unsigned path_count = 0;
    int forced = cli_isa_option(spec->name, &v[OPT_ISA], pow_cn_isa_available, &paths[0]);
    if (forced < 0)
        return CLI_EXIT_USAGE;
    if (forced) {
        path_count = 1;
    } else {
        for (unsigned i = 0; i < POW_ISA_COUNT; i++) {
            if (pow_cn_isa_available((pow_isa_t)i))
                paths[path_count++] = (pow_isa_t)i;
        }
    }

    size_t memory = 0;
    for (size_t i = 0; pow_cn_algo_at(i) != NULL; i++) {
        if (pow_cn_algo_memory(pow_cn_algo_at(i)) > memory)
            memory = pow_cn_algo_memory(pow_cn_algo_at(i));
    }
    arch_pages_t pad;
    if (arch_pages_alloc(&pad, memory, 0) != 0) {
        cli_error(spec->name, "cannot allocate a %zu-byte scratchpad", memory);
        return CLI_EXIT_FAILURE;
    }

    uint64_t start = arch_clock_ns();
    printf("%-14s %7s", "algorithm", "vectors");
    for (unsigned p = 0; p < path_count; p++)
        printf("  %-9s", pow_isa_name(paths[p]));
    printf("\n");
    unsigned failures = 0, checked = 0;
    for (size_t a = 0; pow_cn_algo_at(a) != NULL; a++) {
        const pow_cn_algo_t *algo = pow_cn_algo_at(a);
        char row[160];
        int used = 0;
        for (unsigned p = 0; p < path_count; p++) {
            unsigned count = 0;
            unsigned failed = check_path(algo, paths[p], &pad, &count);
            if (p == 0)
                used = snprintf(row, sizeof(row), "%-14s %7u", pow_cn_algo_name(algo), count);
            checked += count;
            failures += failed;
            used += snprintf(row + used, sizeof(row) - (size_t)used, "  %-9s",
                             failed == 0 ? "ok" : "FAIL");
        }
        printf("%s\n", row);
        fflush(stdout);
    }
    arch_pages_free(&pad);
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
