/*
 * --http on the commands: refused before anything starts when unsafe or
 * wrong, and, when running, the figures a client reads match the run
 * (load's schedule, mine's pool and shares). Everything on 127.0.0.1.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/support/http_get.h"
#include "tests/support/machine.h"
#include "tests/support/run_command.h"
#include "tests/support/spawn.h"
#include "tests/support/test_pool.h"

static void refused(const char *const args[], const char *said)
{
    run_result_t *r = run_minemeter(args);
    cr_assert(r->exited && r->exit_code == 2, "exit %d, stderr: %s", r->exit_code, r->err);
    cr_assert(strstr(r->err, said) != NULL, "stderr does not say \"%s\": %s", said, r->err);
    cr_assert(strstr(r->out, "preparing") == NULL && strstr(r->err, "preparing") == NULL,
              "refused only after starting: %s%s", r->out, r->err);
    run_result_free(r);
}

Test(cli_http, an_address_beyond_loopback_needs_a_token)
{
    refused(ARGS("load", "--duration", "5", "--http", "0.0.0.0:0"), "--http-token");
    refused(ARGS("mine", "--url", "127.0.0.1:1", "--user", "w", "--http", "0.0.0.0:0"),
            "--http-token");
}

Test(cli_http, bad_http_options_exit_2_with_a_sentence)
{
    refused(ARGS("load", "--duration", "5", "--http-token", "t"), "give --http too");
    refused(ARGS("load", "--duration", "5", "--http", "127.0.0.1:99999"), "0 to 65535");
    refused(ARGS("load", "--duration", "5", "--http", "lab-host:8080"), "not looked up");
    refused(ARGS("load", "--duration", "5", "--http", "0", "--http-token", ""), "empty");
}

/* GETs path until it answers 200 (the first status comes a second in); returns the JSON. */
static json_t *get_json(unsigned port, const char *path, const char *header)
{
    char url[96];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", port, path);
    http_request_t request = {.header = header};
    for (int i = 0; i < 100; i++) {
        long code = 0;
        json_t *o = http_get_json(url, &request, &code);
        if (code == 200) {
            cr_assert_not_null(o, "%s answered 200 with no JSON", path);
            return o;
        }
        cr_assert(code == 503, "%s answered %ld", path, code);
        usleep(100000);
    }
    cr_assert_fail("%s never answered 200", path);
    return NULL;
}

/*
 * GETs path every 100 ms, for at most 60 s, until the integer at part.field
 * (part NULL: the top level) reaches at_least; returns that answer's JSON.
 * The status is published once a second, so figures arrive in steps.
 */
static json_t *poll_until(unsigned port, const char *path, const char *header, const char *part,
                          const char *field, json_int_t at_least)
{
    for (int i = 0; i < 600; i++) {
        json_t *o = get_json(port, path, header);
        json_t *in = part != NULL ? json_object_get(o, part) : o;
        if (json_integer_value(json_object_get(in, field)) >= at_least)
            return o;
        json_decref(o);
        usleep(100000);
    }
    cr_assert_fail("%s never had %s.%s at %lld", path, part ? part : "", field,
                   (long long)at_least);
    return NULL;
}

static unsigned wait_for_port(spawned_t *m)
{
    cr_assert_eq(spawn_wait_output(m, "read-only API on http://127.0.0.1:", 60), 0,
                 "no API line: %s", spawn_output(m));
    char *out = spawn_output(m);
    unsigned port = http_port_in(out);
    free(out);
    cr_assert_neq(port, 0);
    return port;
}

Test(cli_http, load_serves_its_schedule_and_hashes_and_stops_serving_at_the_end, .timeout = 120)
{
    spawned_t m;
    spawn_minemeter(&m, ARGS("load", "--duration", "60", "--algo", "cn/2", "--threads", "1",
                             "--intensity", "50", "--http", "127.0.0.1:0", "--http-token",
                             "lab-token"));
    unsigned port = wait_for_port(&m);
    const char *auth = "Authorization: Bearer lab-token";
    char url[96];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/1/summary", port);
    cr_assert_eq(http_get(url, NULL, NULL), 401, "no token, no figures");
    json_t *o = poll_until(port, "/api/summary", auth, NULL, "hashes_total", 1);
    cr_assert_str_eq(json_string_value(json_object_get(o, "command")), "load");
    cr_assert_str_eq(json_string_value(json_object_get(o, "algo")), "cn/2");
    json_t *load = json_object_get(o, "load");
    cr_assert_eq(json_integer_value(json_object_get(load, "intensity")), 50);
    cr_assert_float_eq(json_real_value(json_object_get(load, "duration_s")), 60, 1e-9);
    cr_assert_gt(json_integer_value(json_object_get(json_object_get(o, "pages"), "resident_bytes")),
                 1 << 20, "the scratchpad alone is 2 MiB");
    json_t *t0 = json_array_get(json_object_get(o, "threads"), 0);
    cr_assert_gt(json_real_value(json_object_get(t0, "cpu_seconds")), 0);
    json_decref(o);
    o = get_json(port, "/1/summary", auth);
    cr_assert_str_eq(json_string_value(json_object_get(o, "kind")), "miner");
    cr_assert_gt(json_integer_value(json_object_get(json_object_get(o, "results"), "hashes_total")),
                 0);
    json_decref(o);
    cr_assert_eq(spawn_stop(&m, SIGINT, 30), 0);
    cr_assert_eq(http_get(url, NULL, NULL), -1, "the port is closed once load has ended");
    spawn_cleanup(&m);
}

Test(cli_http, mine_serves_the_pool_and_its_shares_as_xmrig_names_them, .timeout = 180)
{
    test_pool_config_t config = {.algo = "cn/2", .difficulty = 8};
    test_pool_t *pool = test_pool_start(&config);
    cr_assert_not_null(pool);
    char url[64];
    snprintf(url, sizeof(url), "stratum+tcp://127.0.0.1:%d", test_pool_port(pool));
    spawned_t m;
    spawn_minemeter(&m, ARGS("mine", "--mode", "light", "--url", url, "--user", "w", "--threads",
                             test_threads_arg(), "--http", "127.0.0.1:0"));
    unsigned port = wait_for_port(&m);
    cr_assert_eq(spawn_wait_output(&m, "share accepted (2/0)", 120), 0, "%s", spawn_output(&m));
    json_t *o = poll_until(port, "/1/summary", NULL, "results", "shares_good", 2);
    json_t *c = json_object_get(o, "connection");
    char where[64];
    snprintf(where, sizeof(where), "127.0.0.1:%d", test_pool_port(pool));
    cr_assert_str_eq(json_string_value(json_object_get(c, "pool")), where);
    cr_assert_eq(json_integer_value(json_object_get(c, "diff")), 8);
    cr_assert_eq(json_integer_value(json_object_get(c, "rejected")), 0);
    cr_assert_str_eq(json_string_value(json_object_get(o, "algo")), "cn/2");
    json_decref(o);
    o = get_json(port, "/api/summary", NULL);
    json_t *p = json_object_get(o, "pool");
    cr_assert(json_is_true(json_object_get(p, "connected")));
    cr_assert_geq(json_integer_value(json_object_get(p, "jobs")), 1);
    json_decref(o);
    cr_assert_eq(spawn_stop(&m, SIGINT, 30), 0);
    spawn_cleanup(&m);
    test_pool_stop(pool);
}

Test(cli_http, pool_serves_each_login_s_shares_and_no_hashes_of_its_own, .timeout = 180)
{
    spawned_t pool;
    spawn_minemeter(&pool, ARGS("pool", "--listen", "127.0.0.1:0", "--algo", "cn/2", "--difficulty",
                                "8", "--http", "127.0.0.1:0"));
    unsigned api = wait_for_port(&pool);
    cr_assert_eq(spawn_wait_output(&pool, "listening on stratum+tcp://127.0.0.1:", 60), 0);
    char *out = spawn_output(&pool);
    const char *needle = "listening on stratum+tcp://127.0.0.1:";
    int stratum = atoi(strstr(out, needle) + strlen(needle));
    free(out);
    char url[64];
    snprintf(url, sizeof(url), "stratum+tcp://127.0.0.1:%d", stratum);
    spawned_t miner;
    spawn_minemeter(
        &miner, ARGS("mine", "--mode", "light", "--url", url, "--user", "alice", "--threads", "1"));
    json_t *o = poll_until(api, "/api/summary", NULL, "server", "accepted", 2);
    json_t *server = json_object_get(o, "server");
    cr_assert_str_eq(json_string_value(json_object_get(o, "command")), "pool");
    json_t *alice = json_array_get(json_object_get(server, "miners"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(alice, "login")), "alice");
    cr_assert_geq(json_integer_value(json_object_get(alice, "accepted")), 2);
    cr_assert_geq(json_integer_value(json_object_get(alice, "accepted_difficulty")), 16);
    cr_assert(json_is_true(json_object_get(json_object_get(o, "hashrate"), "estimate")));
    json_decref(o);

    char metrics_url[96], *metrics = NULL;
    snprintf(metrics_url, sizeof(metrics_url), "http://127.0.0.1:%u/metrics", api);
    cr_assert_eq(http_get(metrics_url, NULL, &metrics), 200);
    cr_assert_not_null(
        strstr(metrics, "minemeter_pool_miner_shares_total{login=\"alice\",result=\"accepted\"}"),
        "%s", metrics);
    cr_assert_null(strstr(metrics, "minemeter_hashes_total"),
                   "a pool's checks are not hashes mined: fleet sums would count them twice");
    run_result_t *check = run_command(ARGS("/usr/bin/promtool", "check", "metrics"), metrics, 30);
    cr_assert(check->exited && check->exit_code == 0, "promtool: %s%s", check->out, check->err);
    run_result_free(check);
    free(metrics);
    cr_assert_eq(spawn_stop(&miner, SIGINT, 30), 0);
    spawn_cleanup(&miner);
    cr_assert_eq(spawn_stop(&pool, SIGINT, 30), 0);
    spawn_cleanup(&pool);
}

Test(cli_http, impact_serves_its_progress_window_by_window, .timeout = 180)
{
    spawned_t m;
    spawn_minemeter(&m, ARGS("impact", "--probe", "compute", "--algo", "cn-pico", "--threads", "1",
                             "--repeat", "2", "--duration", "1", "--http", "127.0.0.1:0"));
    unsigned port = wait_for_port(&m);
    json_t *o = poll_until(port, "/api/summary", NULL, "impact", "windows_done", 1);
    json_t *impact = json_object_get(o, "impact");
    cr_assert_str_eq(json_string_value(json_object_get(o, "command")), "impact");
    cr_assert_str_eq(json_string_value(json_object_get(impact, "victim")), "compute");
    cr_assert_eq(json_integer_value(json_object_get(impact, "windows_total")), 4,
                 "alone and beside cn-pico x1, twice");
    cr_assert_eq(json_integer_value(json_object_get(impact, "rounds")), 2);
    json_decref(o);
    cr_assert_eq(spawn_stop(&m, 0, 120), 0, "%s", spawn_output(&m));
    spawn_cleanup(&m);
}
