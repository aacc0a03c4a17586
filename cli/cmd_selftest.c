/*
 * minemeter selftest: every shipped vector on every code path this binary
 * has and this CPU runs; a pass/fail table, exit 1 on any failure.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/clock.h"
#include "arch/pages.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/isa_option.h"
#include "pow/cn/cn.h"
#include "pow/hex.h"
#include "pow/vectors.h"

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

/* Checks one vector; prints the details and returns 0 when it is wrong. */
static int check_vector(pow_cn_ctx_t *ctx, const pow_vector_t *v)
{
    size_t len = strlen(v->input_hex);
    uint8_t *input = malloc(len / 2 + 1);
    uint8_t expected[32], actual[32];
    char actual_hex[65];
    if (input == NULL || pow_hex_decode(v->input_hex, len, input, len / 2 + 1, NULL) < 0 ||
        pow_hex_decode(v->hash_hex, strlen(v->hash_hex), expected, 32, NULL) != 32) {
        printf("  vector line %u for %s is malformed\n", v->line, v->algo);
        free(input);
        return 0;
    }
    int rc = pow_cn_hash(ctx, input, len / 2, v->height, actual);
    free(input);
    if (rc == 0 && memcmp(actual, expected, 32) == 0)
        return 1;
    pow_hex_encode(actual, 32, actual_hex);
    printf("  FAIL %s (pow/cn/cn_vectors.txt line %u) on %s: expected %s, got %s\n", v->algo,
           v->line, pow_isa_name(ctx->isa), v->hash_hex, rc == 0 ? actual_hex : "an error");
    return 0;
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
        const char *name = pow_cn_algo_name(algo);
        unsigned count = 0;
        for (unsigned i = 0; i < pow_cn_vectors_count; i++)
            count += strcmp(pow_cn_vectors[i].algo, name) == 0;
        char row[160];
        int used = snprintf(row, sizeof(row), "%-14s %7u", name, count);
        for (unsigned p = 0; p < path_count; p++) {
            pow_cn_ctx_t ctx;
            unsigned passed = 0;
            if (pow_cn_ctx_init(&ctx, algo, paths[p], pad.ptr, pad.mapped) == 0) {
                for (unsigned i = 0; i < pow_cn_vectors_count; i++) {
                    if (strcmp(pow_cn_vectors[i].algo, name) == 0)
                        passed += (unsigned)check_vector(&ctx, &pow_cn_vectors[i]);
                }
            }
            checked += count;
            failures += count - passed;
            const char *verdict = count == 0 ? "NO VECTOR" : passed == count ? "ok" : "FAIL";
            if (count == 0)
                failures++;
            used += snprintf(row + used, sizeof(row) - (size_t)used, "  %-9s", verdict);
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
