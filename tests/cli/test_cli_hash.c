/*
 * minemeter hash and minemeter selftest from the outside: right hashes,
 * stdin mode, and every bad input refused with one sentence and exit 2.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "config.h"
#include "pow/algo.h"
#include "tests/support/run_command.h"

/* CNS008's own example (variant 0). */
#define THIS_IS_A_TEST "a084f01d1437a09c6985401b60d43554ae105802c5f5d8a9b3253649c0be6605\n"

Test(cli_hash, hashes_text_and_hex_input)
{
    run_result_t *r = run_minemeter(ARGS("hash", "--algo", "cn/0", "--input", "This is a test"));
    cr_expect_eq(r->exit_code, 0, "stderr: %s", r->err);
    cr_expect_str_eq(r->out, THIS_IS_A_TEST);
    run_result_free(r);

    r = run_minemeter(ARGS("hash", "--algo=cn/0", "--input-hex", "5468697320697320612074657374"));
    cr_expect_str_eq(r->out, THIS_IS_A_TEST);
    run_result_free(r);
}

Test(cli_hash, cn_r_uses_the_height)
{
    /* Monero tests-slow-4.txt, first line. */
    run_result_t *r =
        run_minemeter(ARGS("hash", "--algo", "cn/r", "--height", "1806260", "--input-hex",
                           "54686973206973206120746573742054686973206973206120746573742054686973206"
                           "97320612074657374"));
    cr_expect_eq(r->exit_code, 0, "stderr: %s", r->err);
    cr_expect_str_eq(r->out, "f759588ad57e758467295443a9bd71490abff8e9dad1b95b6bf2f5d0d78387bc\n");
    run_result_free(r);
}

Test(cli_hash, stdin_mode_prints_one_hash_per_line_in_order)
{
    /* Monero tests-slow.txt lines 1 and 3, then CNS008's "This is a test". */
    const char *in = "6465206f6d6e69627573206475626974616e64756d\n"
                     "63617665617420656d70746f72\r\n"
                     "5468697320697320612074657374\n";
    const char *argv[] = {MINEMETER_BIN, "hash", "--algo", "cn/0", "--isa", "portable", NULL};
    run_result_t *r = run_command(argv, in, 120);
    cr_expect_eq(r->exit_code, 0, "stderr: %s", r->err);
    cr_expect_str_eq(
        r->out,
        "2f8e3df40bd11f9ac90c743ca8e32bb391da4fb98612aa3b6cdc639ee00b31f5\n"
        "bbec2cacf69866a8e740380fe7b818fc78f8571221742d729d9d02d7f8989b87\n" THIS_IS_A_TEST);
    run_result_free(r);
}

Test(cli_hash, stdin_mode_stops_at_a_bad_line_with_its_number)
{
    const char *argv[] = {MINEMETER_BIN, "hash", "--algo", "cn/0", NULL};
    run_result_t *r = run_command(argv, "5468697320697320612074657374\nzz\n00\n", 60);
    cr_expect_eq(r->exit_code, 2);
    cr_expect_str_eq(r->out, THIS_IS_A_TEST);
    cr_expect_not_null(strstr(r->err, "stdin line 2"), "stderr: %s", r->err);
    run_result_free(r);
}

/* XMRig's names in any case hash as ours do; an unknown one is refused with the list. */
Test(cli_hash, xmrig_names_in_any_case_are_the_same_algorithms, .timeout = 120)
{
    static const char *const pairs[][2] = {
        {"cn/r", "CryptoNight/R"},         {"cn/0", "cryptonight"}, {"cn-heavy/0", "cn-heavy"},
        {"cn-pico", "cryptonight-turtle"}, {"rx/0", "RandomX"},
    };
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        const char *extra = strcmp(pairs[i][0], "cn/r") == 0   ? "--height"
                            : strcmp(pairs[i][0], "rx/0") == 0 ? "--key"
                                                               : NULL;
        const char *value = extra && extra[2] == 'h' ? "1806260" : "test key 000";
        run_result_t *ours = run_minemeter(
            ARGS("hash", "--algo", pairs[i][0], "--input", "This is a test", extra, value));
        run_result_t *theirs = run_minemeter(
            ARGS("hash", "--algo", pairs[i][1], "--input", "This is a test", extra, value));
        cr_expect_eq(ours->exit_code, 0, "%s: %s", pairs[i][0], ours->err);
        cr_expect_eq(theirs->exit_code, 0, "%s: %s", pairs[i][1], theirs->err);
        cr_expect_eq(strlen(ours->out), 65);
        cr_expect_str_eq(ours->out, theirs->out, "%s and %s", pairs[i][0], pairs[i][1]);
        run_result_free(ours);
        run_result_free(theirs);
    }
    run_result_t *r = run_minemeter(ARGS("hash", "--algo", "cryptonite", "--input", "x"));
    cr_expect_eq(r->exit_code, 2);
    cr_expect_not_null(strstr(r->err, "unknown algorithm 'cryptonite': minemeter has cn/0, cn/1"),
                       "%s", r->err);
    cr_expect_not_null(strstr(r->err, "rx/0, rx/2, rx/wow, rx/arq (XMRig's names"), "%s", r->err);
    run_result_free(r);
}

Test(cli_hash, bad_arguments_exit_2_with_one_sentence)
{
    expect_usage_error(ARGS("hash", "--input", "x"), "--algo is required");
    expect_usage_error(ARGS("hash", "--algo", "cn/9", "--input", "x"), "unknown algorithm 'cn/9'");
    expect_usage_error(ARGS("hash", "--algo", "cn/0", "--input-hex", "abc"), "odd number");
    expect_usage_error(ARGS("hash", "--algo", "cn/0", "--input-hex", "zz"), "not hex");
    expect_usage_error(ARGS("hash", "--algo", "cn/0", "--input", "a", "--input-hex", "00"),
                       "not both");
    expect_usage_error(ARGS("hash", "--algo", "cn/r", "--input", "x"), "needs --height");
    expect_usage_error(ARGS("hash", "--algo", "cn/0", "--height", "5", "--input", "x"),
                       "--height is for cn/r; cn/0 takes no height");
    expect_usage_error(ARGS("hash", "--algo", "cryptonight", "--key", "k", "--input", "x"),
                       "--key is for RandomX; cn/0 takes no key");
    expect_usage_error(ARGS("hash", "--algo", "cn/r", "--height", "-3", "--input", "x"),
                       "whole number");
    expect_usage_error(ARGS("hash", "--algo", "cn/1", "--input", "too short"), "at least 43 bytes");
    expect_usage_error(ARGS("hash", "--algo", "cn/0", "--isa", "sse9", "--input", "x"),
                       "unknown --isa");
    expect_usage_error(ARGS("hash", "--algo", "cn/0", "--key", "k", "--input", "x"), "no key");
    expect_usage_error(ARGS("hash", "--algo", "rx/0", "--input", "x"), "needs --key");
    expect_usage_error(
        ARGS("hash", "--algo", "rx/0", "--key", "a", "--key-hex", "00", "--input", "x"),
        "not both");
    expect_usage_error(ARGS("hash", "--algo", "rx/0", "--key-hex", "0", "--input", "x"),
                       "odd number");
    expect_usage_error(ARGS("hash", "--algo", "rx/0", "--key",
                            "0123456789012345678901234567890123456789012345678901234567890",
                            "--input", "x"),
                       "at most 60");
}

/* tevador/RandomX src/tests/tests.cpp, hash test a (v1) and its v2 value. */
Test(cli_hash, randomx_hashes_with_a_key, .timeout = 300)
{
    run_result_t *r = run_minemeter(
        ARGS("hash", "--algo", "rx/0", "--key", "test key 000", "--input", "This is a test"));
    cr_expect_eq(r->exit_code, 0, "stderr: %s", r->err);
    cr_expect_str_eq(r->out, "639183aae1bf4c9a35884cb46b09cad9175f04efd7684e7262a0ac1c2f0b4e3f\n");
    run_result_free(r);

    const char *argv[] = {
        MINEMETER_BIN, "hash", "--algo", "rx/2", "--key-hex", "74657374206b657920303030", NULL};
    r = run_command(argv, "5468697320697320612074657374\n", 300);
    cr_expect_eq(r->exit_code, 0, "stderr: %s", r->err);
    cr_expect_str_eq(r->out, "22ec6b861b3eb23686b2efbad69513c967ecfce80983df66c9c5b4fbfb4cdb6f\n");
    run_result_free(r);
}

Test(cli_selftest, passes_every_vector_on_every_path, .timeout = 600)
{
    const char *argv[] = {MINEMETER_BIN, "selftest", NULL};
    run_result_t *r = run_command(argv, NULL, 600);
    cr_expect_eq(r->exit_code, 0, "stdout: %s\nstderr: %s", r->out, r->err);
    cr_expect_not_null(strstr(r->out, "vector checks passed"), "stdout: %s", r->out);
    cr_expect_null(strstr(r->out, "FAIL"));
    cr_expect_not_null(strstr(r->out, "cn/r "));
    cr_expect_not_null(strstr(r->out, "cn-heavy/xhv"));
    cr_expect_not_null(strstr(r->out, "rx/0 "));
    cr_expect_not_null(strstr(r->out, "rx/2 "));
    run_result_free(r);
}

Test(cli_selftest, refuses_an_unknown_path)
{
    expect_usage_error(ARGS("selftest", "--isa", "sse9"), "unknown --isa");
    /* A real path that this build or CPU lacks (armcrypto on x86-64, aesni on aarch64). */
    const pow_algo_t *first = pow_algo_at(0);
    for (unsigned i = 0; i < POW_ISA_COUNT; i++) {
        if (!pow_algo_isa_available(first, (pow_isa_t)i)) {
            expect_usage_error(ARGS("selftest", "--isa", pow_isa_name((pow_isa_t)i)),
                               "no such path");
            return;
        }
    }
    cr_skip_test("every path runs here: none to refuse");
}

Test(cli_hash, randomx_hashes_are_the_same_with_and_without_the_jit)
{
    const char *expected = "639183aae1bf4c9a35884cb46b09cad9175f04efd7684e7262a0ac1c2f0b4e3f\n";
    const char *modes[] = {"on", "off"};
    for (size_t i = 0; i < 2; i++) {
        run_result_t *r =
            run_minemeter(ARGS("hash", "--algo", "rx/0", "--key", "test key 000", "--input",
                               "This is a test", "--jit", modes[i], "--huge-pages", "off"));
        cr_expect_eq(r->exit_code, 0, "%s", r->err);
        cr_expect_str_eq(r->out, expected, "--jit %s", modes[i]);
        run_result_free(r);
    }
    expect_usage_error(ARGS("hash", "--algo", "rx/0", "--key", "k", "--input", "x", "--jit", "1"),
                       "--jit is on or off");
    expect_usage_error(
        ARGS("hash", "--algo", "rx/0", "--key", "k", "--input", "x", "--lockstep", "maybe"),
        "--lockstep is on or off");
    expect_usage_error(ARGS("hash", "--algo", "cn/0", "--input", "x", "--mode", "fast"),
                       "--mode is for RandomX");
}
