/*
 * stratum/message.c: lines classified as responses, notifications and
 * requests; malformed ones refused; the request builders' JSON parsed back
 * field by field; the nonce's byte order; which pool errors are critical.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "stratum/message.h"

static stratum_message_t parse_ok(const char *line)
{
    stratum_message_t m;
    char why[160] = "";
    cr_assert_eq(stratum_message_parse(line, strlen(line), &m, why, sizeof(why)), 0,
                 "refused %s: %s", line, why);
    return m;
}

static void expect_refused(const char *line, const char *needle)
{
    stratum_message_t m;
    char why[160] = "";
    cr_expect_eq(stratum_message_parse(line, strlen(line), &m, why, sizeof(why)), -1, "accepted %s",
                 line);
    cr_expect(strstr(why, needle) != NULL, "reason \"%s\" does not mention \"%s\"", why, needle);
    cr_expect_null(m.root, "a refused message holds nothing");
}

Test(stratum_message, classifies_a_login_result)
{
    stratum_message_t m =
        parse_ok("{\"id\":1,\"jsonrpc\":\"2.0\",\"error\":null,\"result\":{\"id\":\"s1\",\"job\":{"
                 "\"job_id\":"
                 "\"1\"},\"status\":\"OK\",\"extensions\":[\"algo\",\"keepalive\"]}}");
    cr_expect_eq(m.kind, STRATUM_MESSAGE_RESPONSE);
    cr_expect_eq(m.id, 1);
    cr_assert_not_null(m.result);
    cr_expect_null(m.error_message);
    cr_expect_str_eq(json_string_value(json_object_get(m.result, "id")), "s1");
    stratum_message_free(&m);
    cr_expect_null(m.root);
}

Test(stratum_message, classifies_an_error_response)
{
    stratum_message_t m = parse_ok("{\"id\":4,\"jsonrpc\":\"2.0\",\"error\":{\"code\":-1,"
                                   "\"message\":\"Low difficulty share\"},\"result\":null}");
    cr_expect_eq(m.kind, STRATUM_MESSAGE_RESPONSE);
    cr_expect_eq(m.id, 4);
    cr_expect_null(m.result);
    cr_expect_eq(m.error_code, -1);
    cr_expect_str_eq(m.error_message, "Low difficulty share");
    stratum_message_free(&m);

    m = parse_ok("{\"id\":5,\"error\":{}}");
    cr_expect_eq(m.error_code, -1);
    cr_expect_str_eq(m.error_message, "unknown error");
    stratum_message_free(&m);
}

Test(stratum_message, classifies_a_job_notification)
{
    stratum_message_t m =
        parse_ok("{\"jsonrpc\":\"2.0\",\"method\":\"job\",\"params\":{\"job_id\":\"7\"}}");
    cr_expect_eq(m.kind, STRATUM_MESSAGE_NOTIFICATION);
    cr_expect_str_eq(m.method, "job");
    cr_assert_not_null(m.params);
    cr_expect_str_eq(json_string_value(json_object_get(m.params, "job_id")), "7");
    stratum_message_free(&m);

    /* Some pools put "id":null on notifications. */
    m = parse_ok("{\"id\":null,\"method\":\"job\",\"params\":{}}");
    cr_expect_eq(m.kind, STRATUM_MESSAGE_NOTIFICATION);
    stratum_message_free(&m);
}

Test(stratum_message, classifies_a_request)
{
    stratum_message_t m =
        parse_ok("{\"id\":9,\"method\":\"keepalived\",\"params\":{\"id\":\"s\"}}");
    cr_expect_eq(m.kind, STRATUM_MESSAGE_REQUEST);
    cr_expect_eq(m.id, 9);
    cr_expect_str_eq(m.method, "keepalived");
    stratum_message_free(&m);
}

Test(stratum_message, refuses_malformed_lines)
{
    expect_refused("{\"id\":1,", "not JSON");
    expect_refused("garbage", "not JSON");
    expect_refused("[1,2]", "not a JSON object");
    expect_refused("\"job\"", "not JSON"); /* jansson wants an array or object at top level */
    expect_refused("{}", "neither id nor method");
    expect_refused("{\"id\":\"1\",\"result\":{}}", "id is not an integer");
    expect_refused("{\"id\":1.5,\"result\":{}}", "id is not an integer");
    expect_refused("{\"method\":7}", "method is not a string");
    expect_refused("{\"id\":1}", "neither result nor error");
    expect_refused("{\"id\":1,\"result\":null,\"error\":null}", "neither result nor error");
    expect_refused("{\"id\":1,\"error\":\"bad\"}", "error is not an object");
    expect_refused("{\"id\":1,\"error\":{\"code\":\"x\"}}", "code is not an integer");
    expect_refused("{\"id\":1,\"error\":{\"message\":5}}", "message is not a string");
    expect_refused("{\"method\":\"job\"}", "job notification without params");
    expect_refused("{\"method\":\"job\",\"params\":[]}", "job notification without params");
    expect_refused("{\"id\":1,\"id\":2,\"result\":{}}", "not JSON");
}

static json_t *parse_line(const char *line)
{
    cr_assert_not_null(line);
    size_t len = strlen(line);
    cr_assert_gt(len, 1);
    cr_assert_eq(line[len - 1], '\n', "a request line ends in a newline");
    cr_assert_null(memchr(line, '\n', len - 1), "a request is one line");
    json_error_t error;
    json_t *root = json_loadb(line, len - 1, 0, &error);
    cr_assert_not_null(root, "not JSON: %s", error.text);
    return root;
}

static const char *str_at(const json_t *object, const char *key)
{
    const json_t *v = json_object_get(object, key);
    cr_assert(json_is_string(v), "\"%s\" is missing or not a string", key);
    return json_string_value(v);
}

Test(stratum_message, builds_a_login_with_every_field)
{
    const char *algos[] = {"rx/0", "cn/r"};
    stratum_login_t login = {.login = "wallet",
                             .pass = "p",
                             .agent = "minemeter/0.1.0",
                             .rigid = "rig1",
                             .algos = algos,
                             .algo_count = 2};
    char *line = stratum_request_login(1, &login);
    json_t *root = parse_line(line);
    cr_expect_eq(json_integer_value(json_object_get(root, "id")), 1);
    cr_expect_str_eq(str_at(root, "jsonrpc"), "2.0");
    cr_expect_str_eq(str_at(root, "method"), "login");
    const json_t *params = json_object_get(root, "params");
    cr_expect_str_eq(str_at(params, "login"), "wallet");
    cr_expect_str_eq(str_at(params, "pass"), "p");
    cr_expect_str_eq(str_at(params, "agent"), "minemeter/0.1.0");
    cr_expect_str_eq(str_at(params, "rigid"), "rig1");
    const json_t *algo = json_object_get(params, "algo");
    cr_assert_eq(json_array_size(algo), 2);
    cr_expect_str_eq(json_string_value(json_array_get(algo, 0)), "rx/0");
    cr_expect_str_eq(json_string_value(json_array_get(algo, 1)), "cn/r");
    json_decref(root);
    free(line);
}

Test(stratum_message, login_leaves_out_what_is_not_given)
{
    stratum_login_t login = {.login = "w", .agent = "a"};
    char *line = stratum_request_login(3, &login);
    json_t *root = parse_line(line);
    const json_t *params = json_object_get(root, "params");
    cr_expect_str_eq(str_at(params, "pass"), "x");
    cr_expect_null(json_object_get(params, "rigid"));
    cr_expect_null(json_object_get(params, "algo"));
    json_decref(root);
    free(line);
}

Test(stratum_message, login_with_quotes_and_newlines_stays_one_line)
{
    stratum_login_t login = {.login = "a\"b\nc", .agent = "x\\y"};
    char *line = stratum_request_login(1, &login);
    json_t *root = parse_line(line);
    cr_expect_str_eq(str_at(json_object_get(root, "params"), "login"), "a\"b\nc");
    json_decref(root);
    free(line);
}

Test(stratum_message, builds_a_submit_with_little_endian_nonce)
{
    uint8_t hash[32];
    for (int i = 0; i < 32; i++)
        hash[i] = (uint8_t)i;
    stratum_submit_t submit = {
        .session_id = "s1", .job_id = "j9", .nonce = 0x01020304, .result = hash};
    char *line = stratum_request_submit(2, &submit);
    json_t *root = parse_line(line);
    cr_expect_eq(json_integer_value(json_object_get(root, "id")), 2);
    cr_expect_str_eq(str_at(root, "method"), "submit");
    const json_t *params = json_object_get(root, "params");
    cr_expect_str_eq(str_at(params, "id"), "s1");
    cr_expect_str_eq(str_at(params, "job_id"), "j9");
    cr_expect_str_eq(str_at(params, "nonce"), "04030201");
    cr_expect_str_eq(str_at(params, "result"),
                     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    cr_expect_null(json_object_get(params, "algo"));
    cr_expect_null(json_object_get(params, "commitment"));
    json_decref(root);
    free(line);
}

Test(stratum_message, builds_an_rx2_submit_with_algo_and_commitment)
{
    uint8_t c[32], h[32];
    memset(c, 0xaa, sizeof(c));
    memset(h, 0x55, sizeof(h));
    stratum_submit_t submit = {.session_id = "s",
                               .job_id = "j",
                               .nonce = 0xdeadbeef,
                               .result = c,
                               .algo = "rx/2",
                               .commitment = h};
    char *line = stratum_request_submit(3, &submit);
    json_t *root = parse_line(line);
    const json_t *params = json_object_get(root, "params");
    cr_expect_str_eq(str_at(params, "nonce"), "efbeadde");
    cr_expect_str_eq(str_at(params, "algo"), "rx/2");
    cr_expect_eq(strncmp(str_at(params, "result"), "aaaa", 4), 0);
    cr_expect_eq(strncmp(str_at(params, "commitment"), "5555", 4), 0);
    cr_expect_eq(strlen(str_at(params, "commitment")), 64);
    json_decref(root);
    free(line);
}

Test(stratum_message, builds_a_keepalived)
{
    char *line = stratum_request_keepalived(12, "session");
    json_t *root = parse_line(line);
    cr_expect_eq(json_integer_value(json_object_get(root, "id")), 12);
    cr_expect_str_eq(str_at(root, "method"), "keepalived");
    cr_expect_str_eq(str_at(json_object_get(root, "params"), "id"), "session");
    json_decref(root);
    free(line);
}

Test(stratum_message, nonce_hex_round_trips_and_refuses_bad_text)
{
    char hex[9];
    stratum_nonce_to_hex(0x000000ff, hex);
    cr_expect_str_eq(hex, "ff000000");
    uint32_t nonce = 0;
    cr_expect_eq(stratum_nonce_from_hex("04030201", &nonce), 0);
    cr_expect_eq(nonce, 0x01020304);
    cr_expect_eq(stratum_nonce_from_hex("0403020", &nonce), -1);
    cr_expect_eq(stratum_nonce_from_hex("040302011", &nonce), -1);
    cr_expect_eq(stratum_nonce_from_hex("0403020g", &nonce), -1);
    cr_expect_eq(nonce, 0x01020304);
}

Test(stratum_message, knows_which_pool_errors_close_the_connection)
{
    cr_expect(stratum_error_is_critical("Unauthenticated"));
    cr_expect(stratum_error_is_critical("unauthenticated session"));
    cr_expect(stratum_error_is_critical("Invalid job id"));
    cr_expect(stratum_error_is_critical("your IP is banned"));
    cr_expect(stratum_error_is_critical("IP Address currently banned for 600 seconds"));
    cr_expect_not(stratum_error_is_critical("Low difficulty share"));
    cr_expect_not(stratum_error_is_critical("Block expired"));
    cr_expect_not(stratum_error_is_critical("Duplicate share"));
    cr_expect_not(stratum_error_is_critical(""));
    cr_expect_not(stratum_error_is_critical(NULL));
}
