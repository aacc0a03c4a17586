/*
 * The API's three views of a status: XMRig's field names and units, nulls
 * for what is not known, and a /metrics that Prometheus's own checker
 * (promtool, from Debian's prometheus package) accepts.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http/render.h"
#include "tests/support/run_command.h"

static http_status_t *sample_status(void)
{
    http_status_t *s = calloc(1, sizeof(*s));
    cr_assert_not_null(s);
    strcpy(s->command, "mine");
    strcpy(s->id, "0123456789abcdef");
    strcpy(s->worker_id, "lab-7");
    strcpy(s->version, "0.1.0");
    strcpy(s->user_agent, "minemeter/0.1.0 (Linux x86_64)");
    strcpy(s->algo, "rx/0");
    strcpy(s->mode, "light");
    strcpy(s->code_path, "aesni");
    strcpy(s->cpu_brand, "Test CPU");
    s->cpu_aes = s->cpu_avx2 = s->cpu_x64 = 1;
    s->start_ns = 1000000000ull;
    s->now_ns = s->start_ns + 75500000000ull; /* 75.5 s */
    s->rate[0] = 812.5;
    s->rate[1] = 790.25;
    s->rate[2] = -1; /* 15 min not covered yet */
    s->highest = 830;
    s->hashes = 59000;
    s->threads = 2;
    for (unsigned i = 0; i < 2; i++) {
        s->thread[i].rate[0] = 400 + i;
        s->thread[i].rate[1] = 395;
        s->thread[i].rate[2] = -1;
        s->thread[i].hashes = 29500;
        s->thread[i].cpu_seconds = 75.0;
        s->thread[i].cpu_percent = 99.5;
        s->thread[i].pu = (int)i;
    }
    s->has_pool = 1;
    strcpy(s->pool, "127.0.0.1:3333");
    s->connected = 1;
    s->connected_ns = s->start_ns + 5500000000ull; /* up 70 s */
    s->ping_ms = 12.4;
    s->difficulty = 5000;
    s->failures = 1;
    s->accepted = 7;
    s->rejected = 1;
    s->jobs = 3;
    s->has_pages = 1;
    s->resident_bytes = 400u << 20;
    s->huge_bytes = 300u << 20;
    strcpy(s->thp_mode, "madvise");
    s->has_energy = 1;
    s->joules = 1234.5;
    s->watts = 16.25;
    s->energy_estimate = 1;
    strcpy(s->energy_source, "estimated: CCF");
    return s;
}

static json_t *parse(char *text)
{
    cr_assert_not_null(text);
    json_error_t error;
    json_t *o = json_loads(text, 0, &error);
    cr_assert_not_null(o, "not JSON: %s\n%s", error.text, text);
    free(text);
    return o;
}

Test(http_render, xmrig_summary_has_its_names_units_and_nulls)
{
    http_status_t *s = sample_status();
    json_t *o = parse(http_render_xmrig_summary(s));
    cr_assert_str_eq(json_string_value(json_object_get(o, "kind")), "miner");
    cr_assert_str_eq(json_string_value(json_object_get(o, "worker_id")), "lab-7");
    cr_assert_eq(json_integer_value(json_object_get(o, "uptime")), 75);
    json_t *total = json_object_get(json_object_get(o, "hashrate"), "total");
    cr_assert_eq(json_array_size(total), 3);
    cr_assert_float_eq(json_real_value(json_array_get(total, 0)), 812.5, 1e-9);
    cr_assert(json_is_null(json_array_get(total, 2)), "an uncovered window is null, as XMRig's");
    json_t *threads = json_object_get(json_object_get(o, "hashrate"), "threads");
    cr_assert_eq(json_array_size(threads), 2);
    cr_assert_float_eq(json_real_value(json_array_get(json_array_get(threads, 1), 0)), 401, 1e-9);
    json_t *results = json_object_get(o, "results");
    cr_assert_eq(json_integer_value(json_object_get(results, "shares_good")), 7);
    cr_assert_eq(json_integer_value(json_object_get(results, "shares_total")), 8);
    cr_assert_eq(json_integer_value(json_object_get(results, "avg_time")), 10, "70 s over 7");
    cr_assert_eq(json_integer_value(json_object_get(results, "hashes_total")), 59000);
    json_t *c = json_object_get(o, "connection");
    cr_assert_str_eq(json_string_value(json_object_get(c, "pool")), "127.0.0.1:3333");
    cr_assert_eq(json_integer_value(json_object_get(c, "uptime")), 70);
    cr_assert_eq(json_integer_value(json_object_get(c, "ping")), 12);
    cr_assert_eq(json_integer_value(json_object_get(c, "failures")), 1);
    cr_assert_eq(json_integer_value(json_object_get(c, "rejected")), 1);
    json_t *cpu = json_object_get(o, "cpu");
    cr_assert(json_is_true(json_object_get(cpu, "aes")));
    cr_assert(json_is_true(json_object_get(cpu, "x64")));
    json_decref(o);
    free(s);
}

Test(http_render, api_summary_says_what_is_unknown_and_why)
{
    http_status_t *s = sample_status();
    s->has_energy = 0;
    strcpy(s->energy_reason, "no counter here");
    s->has_pool = 0;
    s->thread[1].cpu_percent = -1;
    json_t *o = parse(http_render_api_summary(s));
    cr_assert_str_eq(json_string_value(json_object_get(o, "command")), "mine");
    cr_assert_str_eq(json_string_value(json_object_get(o, "mode")), "light");
    json_t *pages = json_object_get(o, "pages");
    cr_assert_float_eq(json_real_value(json_object_get(pages, "huge_share")), 0.75, 1e-9);
    cr_assert_str_eq(json_string_value(json_object_get(pages, "thp_mode")), "madvise");
    json_t *energy = json_object_get(o, "energy");
    cr_assert(json_is_null(json_object_get(energy, "joules")));
    cr_assert_str_eq(json_string_value(json_object_get(energy, "reason")), "no counter here");
    cr_assert(json_is_null(json_object_get(o, "pool")));
    cr_assert(json_is_null(json_object_get(o, "load")));
    json_t *t1 = json_array_get(json_object_get(o, "threads"), 1);
    cr_assert(json_is_null(json_object_get(t1, "cpu_percent")));
    cr_assert_eq(json_integer_value(json_object_get(t1, "pu")), 1);
    cr_assert(json_is_null(json_object_get(json_object_get(o, "hashrate"), "15m")));
    json_decref(o);
    free(s);
}

/* Runs promtool check metrics on text; fails the test with what it said. */
static void promtool_accepts(const char *text)
{
    cr_assert_eq(access("/usr/bin/promtool", X_OK), 0,
                 "promtool is missing: run scripts/install-deps.sh (Debian's prometheus)");
    run_result_t *r = run_command(ARGS("/usr/bin/promtool", "check", "metrics"), text, 30);
    cr_assert(r->exited && r->exit_code == 0, "promtool: %s%s\non:\n%s", r->out, r->err, text);
    run_result_free(r);
}

Test(http_render, metrics_pass_promtool_with_every_part, .timeout = 60)
{
    http_status_t *s = sample_status();
    s->has_load = 1;
    s->intensity = 40;
    strcpy(s->profile, "square:5/5");
    char *text = http_render_metrics(s);
    cr_assert_not_null(text);
    promtool_accepts(text);
    cr_assert(strstr(text, "minemeter_hashes_total 59000\n") != NULL, "%s", text);
    cr_assert(strstr(text, "minemeter_shares_total{result=\"rejected\"} 1\n") != NULL);
    cr_assert(strstr(text, "minemeter_cpu_seconds_total{thread=\"1\"} 75.000000\n") != NULL);
    cr_assert(strstr(text, "minemeter_energy_joules_total{source=\"estimated\"} 1234.500\n") !=
              NULL);
    cr_assert(strstr(text, "minemeter_load_intensity_ratio 0.40\n") != NULL);
    cr_assert(strstr(text, "minemeter_huge_pages_bytes 314572800\n") != NULL);
    cr_assert(strstr(text, "minemeter_hashrate{window=\"10s\"} 812.500\n") != NULL);
    cr_assert(strstr(text, "window=\"15m\"") == NULL, "an unknown rate is left out, not 0");
    free(text);
    free(s);
}

Test(http_render, metrics_escape_label_values_and_drop_absent_parts, .timeout = 60)
{
    http_status_t *s = sample_status();
    strcpy(s->worker_id, "a\"b\\c\nd");
    s->has_pool = 0;
    s->has_energy = 0;
    char *text = http_render_metrics(s);
    cr_assert_not_null(text);
    promtool_accepts(text);
    cr_assert(strstr(text, "worker_id=\"a\\\"b\\\\c\\nd\"") != NULL, "%s", text);
    cr_assert(strstr(text, "minemeter_shares_total") == NULL);
    cr_assert(strstr(text, "minemeter_energy_joules_total") == NULL);
    cr_assert(strstr(text, "minemeter_load_intensity_ratio") == NULL);
    free(text);
    free(s);
}
