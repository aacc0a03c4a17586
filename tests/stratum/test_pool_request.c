/*
 * stratum/pool_request.c: what a miner sends a lab pool, parsed and typed.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "stratum/pool_request.h"

static stratum_pool_request_t parse(const char *line)
{
    stratum_pool_request_t r;
    char why[160];
    cr_assert_eq(stratum_pool_request_parse(line, strlen(line), &r, why, sizeof(why)), 0, "%s",
                 why);
    return r;
}

static void refuse(const char *line, const char *needle)
{
    stratum_pool_request_t r;
    char why[160] = "";
    cr_assert_eq(stratum_pool_request_parse(line, strlen(line), &r, why, sizeof(why)), -1, "%s",
                 line);
    cr_expect(strstr(why, needle) != NULL, "%s: %s", line, why);
}

Test(stratum_pool_request, reads_a_login_as_xmrig_sends_it)
{
    stratum_pool_request_t r = parse(
        "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"login\",\"params\":{\"login\":\"4Wallet\","
        "\"pass\":\"x\",\"agent\":\"XMRig/6.21.0\",\"rigid\":\"\",\"algo\":[\"cn/r\","
        "\"rx/0\"]}}");
    cr_assert_eq(r.method, STRATUM_POOL_LOGIN);
    cr_assert_eq(r.id, 1);
    cr_assert_str_eq(r.login, "4Wallet");
    cr_assert_str_eq(r.agent, "XMRig/6.21.0");
    cr_assert_null(r.rigid, "an empty rig id is none");
    cr_assert(stratum_pool_request_offers(&r, pow_algo_find("rx/0")));
    cr_assert(stratum_pool_request_offers(&r, pow_algo_find("cn/r")));
    cr_assert_not(stratum_pool_request_offers(&r, pow_algo_find("cn/2")));
    stratum_pool_request_free(&r);
}

Test(stratum_pool_request, a_login_without_an_algorithm_list_offers_every_algorithm)
{
    stratum_pool_request_t r =
        parse("{\"id\":7,\"method\":\"login\",\"params\":{\"login\":\"w\",\"algo\":[]}}");
    cr_assert(stratum_pool_request_offers(&r, pow_algo_find("cn/2")));
    stratum_pool_request_free(&r);
    r = parse("{\"id\":7,\"method\":\"login\",\"params\":{\"login\":\"\"}}");
    cr_assert_null(r.login, "an empty login is none");
    stratum_pool_request_free(&r);
}

Test(stratum_pool_request, decodes_a_submit_s_nonce_result_and_commitment)
{
    stratum_pool_request_t r = parse(
        "{\"id\":4,\"method\":\"submit\",\"params\":{\"id\":\"s1\",\"job_id\":\"9\",\"nonce\":"
        "\"04030201\",\"result\":\"00112233445566778899aabbccddeeff00112233445566778899aabbccdd"
        "eeff\",\"commitment\":\"ff112233445566778899aabbccddeeff00112233445566778899aabbccddee"
        "ff\"}}");
    cr_assert_eq(r.method, STRATUM_POOL_SUBMIT);
    cr_assert_str_eq(r.session, "s1");
    cr_assert_str_eq(r.job_id, "9");
    cr_assert(r.nonce_ok);
    cr_assert_eq(r.nonce, 0x01020304u, "little-endian bytes on the wire");
    cr_assert(r.result_ok);
    cr_assert_eq(r.result[1], 0x11);
    cr_assert(r.has_commitment);
    cr_assert_eq(r.commitment[0], 0xff);
    stratum_pool_request_free(&r);
}

Test(stratum_pool_request, flags_a_bad_nonce_and_a_bad_result_without_refusing_the_line)
{
    const char *bad[] = {
        "{\"id\":4,\"method\":\"submit\",\"params\":{\"nonce\":\"zz\",\"result\":\"00\"}}",
        "{\"id\":4,\"method\":\"submit\",\"params\":{\"nonce\":\"0403020\",\"result\":7}}",
        "{\"id\":4,\"method\":\"submit\",\"params\":{\"nonce\":4,\"result\":\"xy\"}}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        stratum_pool_request_t r = parse(bad[i]);
        cr_expect_not(r.nonce_ok, "%s", bad[i]);
        cr_expect_not(r.result_ok, "%s", bad[i]);
        cr_expect_null(r.job_id);
        stratum_pool_request_free(&r);
    }
}

Test(stratum_pool_request, names_methods_it_does_not_serve)
{
    stratum_pool_request_t r = parse("{\"id\":2,\"method\":\"mining.subscribe\",\"params\":{}}");
    cr_assert_eq(r.method, STRATUM_POOL_OTHER);
    stratum_pool_request_free(&r);
    r = parse("{\"id\":3,\"method\":\"keepalived\",\"params\":{\"id\":\"s\"}}");
    cr_assert_eq(r.method, STRATUM_POOL_KEEPALIVED);
    stratum_pool_request_free(&r);
}

Test(stratum_pool_request, refuses_what_is_not_a_request)
{
    refuse("{\"id\":1,\"method\":", "");
    refuse("[1,2,3]", "");
    refuse("{\"id\":\"1\",\"method\":\"login\",\"params\":{}}", "");
    refuse("{\"id\":1,\"method\":\"login\",\"params\":[\"w\"]}", "object params");
    refuse("{\"id\":1,\"result\":{}}", "not a request");
}
