/*
 * minemeter bench --bench-size 250K --algo rx/0: XMRig's benchmark (a zero
 * blob, a zero seed, nonces 0 .. 249999, the hashes' last words XOR-ed)
 * must print XMRig's published sum for that size, 7D6054757BB08A63: 250,000
 * RandomX hashes in fast mode, every one of them right.
 *
 * Slow (minutes: the 2080 MiB dataset, then the hashes), so tagged slow and
 * left to the optimised build: under the sanitizers it would take far
 * longer and prove nothing the fast-mode vector tests do not.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "tests/support/machine.h"
#include "tests/support/run_command.h"
#include "tests/support/sanitizers.h"

Test(slow_bench_size, rx0_250k_matches_xmrigs_published_sum, .timeout = 1800)
{
#ifdef UNDER_SANITIZERS
    cr_skip_test("run in the optimised build only (250,000 hashes)");
#endif
    test_need_memory(TEST_RX_FAST_BYTES, "bench in fast mode");
    const char *const argv[] = {
        MINEMETER_BIN, "bench", "--bench-size", "250K", "--algo", "rx/0", "--threads", "2", NULL};
    run_result_t *r = run_command(argv, NULL, 1700);
    cr_expect_eq(r->exit_code, 0, "stdout: %s\nstderr: %s", r->out, r->err);
    cr_expect_not_null(strstr(r->out, "hash sum = 7D6054757BB08A63"), "%s", r->out);
    cr_expect_not_null(strstr(r->out, "MATCH"), "%s", r->out);
    cr_log_info("%s", r->out);
    run_result_free(r);
}
