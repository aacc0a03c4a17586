/*
 * A fleet as a lab runs it: a real Prometheus (Debian's prometheus, on
 * loopback with a temporary config and data directory, stopped at the end)
 * scrapes three `load` instances found through file-based service
 * discovery, as docs/fleet.md configures it, and its PromQL sum of their
 * hash rates matches the sum of what each says in /1/summary. Every query
 * docs/fleet.md and the Grafana dashboard in contrib/ give is evaluated on
 * that live data too.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/support/http_get.h"
#include "tests/support/run_command.h"
#include "tests/support/spawn.h"

#define PROMETHEUS "/usr/bin/prometheus"
#define INSTANCES  3

/* A port free on 127.0.0.1 now (the kernel's pick, released for the server to take). */
static unsigned free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    cr_assert(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
              getsockname(fd, (struct sockaddr *)&a, &len) == 0);
    close(fd);
    return ntohs(a.sin_port);
}

/* The single value of an instant PromQL query (URL-encoded), or -1 while there is none. */
static double promql(unsigned port, const char *encoded_query)
{
    char url[512];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/api/v1/query?query=%s", port, encoded_query);
    json_t *o = http_get_json(url, NULL, NULL);
    double v = -1;
    json_t *result = json_object_get(json_object_get(o, "data"), "result");
    if (json_array_size(result) == 1) {
        const char *text = json_string_value(
            json_array_get(json_object_get(json_array_get(result, 0), "value"), 1));
        if (text != NULL)
            v = atof(text);
    }
    json_decref(o);
    return v;
}

/* Percent-encodes text for a URL's query. */
static void url_encode(const char *text, char *out, size_t len)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0' && n + 4 < len; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '_' || *p == '.' || *p == '-')
            out[n++] = (char)*p;
        else
            n += (size_t)snprintf(out + n, len - n, "%%%02X", *p);
    }
    out[n] = '\0';
}

/* Replaces every from in text with to, in place (text has room: to is never longer). */
static void replace_all(char *text, const char *from, const char *to)
{
    size_t lf = strlen(from), lt = strlen(to);
    for (char *at = strstr(text, from); at != NULL; at = strstr(at + lt, from)) {
        memmove(at + lt, at + lf, strlen(at + lf) + 1);
        memcpy(at, to, lt);
    }
}

/* Evaluates expr on the Prometheus; fails the test unless Prometheus takes it. */
static void evaluates(unsigned port, const char *where, const char *expr)
{
    char query[1024], encoded[3072], url[3300];
    snprintf(query, sizeof(query), "%s", expr);
    replace_all(query, "$__rate_interval", "1m");
    replace_all(query, "$instance", ".*");
    url_encode(query, encoded, sizeof(encoded));
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/api/v1/query?query=%s", port, encoded);
    char *body = NULL;
    long code = http_get(url, NULL, &body);
    json_t *o = json_loads(body != NULL ? body : "", 0, NULL);
    const char *status = json_string_value(json_object_get(o, "status"));
    cr_expect(code == 200 && status != NULL && strcmp(status, "success") == 0,
              "%s: Prometheus refused %s: %s", where, query, body);
    cr_log_info("%s: %s -> %zu series", where, query,
                json_array_size(json_object_get(json_object_get(o, "data"), "result")));
    json_decref(o);
    free(body);
}

/* Every ```promql block of docs/fleet.md and every query of the Grafana dashboard. */
static void documented_queries_evaluate(unsigned port)
{
    FILE *f = fopen(MINEMETER_SRCDIR "/docs/fleet.md", "r");
    cr_assert_not_null(f, "docs/fleet.md");
    char line[1024], expr[1024] = "";
    int in_block = 0, blocks = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, "```promql", 9) == 0) {
            in_block = 1;
            expr[0] = '\0';
        } else if (in_block && strncmp(line, "```", 3) == 0) {
            in_block = 0;
            evaluates(port, "docs/fleet.md", expr);
            blocks++;
        } else if (in_block) {
            line[strcspn(line, "\n")] = ' ';
            strncat(expr, line, sizeof(expr) - strlen(expr) - 1);
        }
    }
    fclose(f);
    cr_assert_geq(blocks, 10, "docs/fleet.md has only %d promql blocks", blocks);
    json_error_t error;
    json_t *dash =
        json_load_file(MINEMETER_SRCDIR "/contrib/grafana/minemeter-fleet.json", 0, &error);
    cr_assert_not_null(dash, "the Grafana dashboard is not JSON: %s", error.text);
    size_t i, j, queries = 0;
    json_t *panel, *target;
    json_array_foreach(json_object_get(dash, "panels"), i, panel)
    {
        json_array_foreach(json_object_get(panel, "targets"), j, target)
        {
            evaluates(port, "contrib/grafana/minemeter-fleet.json",
                      json_string_value(json_object_get(target, "expr")));
            queries++;
        }
    }
    cr_assert_geq(queries, 8);
    json_decref(dash);
}

/* An instance's own 10 s rate from /1/summary, or -1 while it has none. */
static double summary_rate(unsigned port)
{
    char url[96];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/1/summary", port);
    json_t *o = http_get_json(url, NULL, NULL);
    json_t *v = json_array_get(json_object_get(json_object_get(o, "hashrate"), "total"), 0);
    double rate = json_is_number(v) ? json_number_value(v) : -1;
    json_decref(o);
    return rate;
}

Test(http_prometheus, sums_the_hash_rates_of_three_instances_as_they_report_them, .timeout = 240)
{
    cr_assert_eq(access(PROMETHEUS, X_OK), 0,
                 "prometheus is missing: run scripts/install-deps.sh (Debian's prometheus)");
    spawned_t load[INSTANCES];
    unsigned ports[INSTANCES];
    for (int i = 0; i < INSTANCES; i++) {
        /* Half a CPU each: the three and Prometheus share this machine's CPUs steadily. */
        spawn_minemeter(&load[i], ARGS("load", "--duration", "180", "--algo", "cn/2", "--threads",
                                       "1", "--intensity", "50", "--http", "127.0.0.1:0"));
    }
    for (int i = 0; i < INSTANCES; i++) {
        cr_assert_eq(spawn_wait_output(&load[i], "read-only API on http://127.0.0.1:", 60), 0, "%s",
                     spawn_output(&load[i]));
        char *out = spawn_output(&load[i]);
        ports[i] = http_port_in(out);
        free(out);
        cr_assert_neq(ports[i], 0);
    }

    char dir[] = "/tmp/minemeter-prometheus-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[200];
    snprintf(path, sizeof(path), "%s/targets.json", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "[{\"targets\": [");
    for (int i = 0; i < INSTANCES; i++)
        fprintf(f, "%s\"127.0.0.1:%u\"", i ? ", " : "", ports[i]);
    fprintf(f, "], \"labels\": {\"lab\": \"test\"}}]\n");
    fclose(f);
    snprintf(path, sizeof(path), "%s/prometheus.yml", dir);
    f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f,
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
            "scrape_configs:\n  - job_name: minemeter\n    file_sd_configs:\n"
            "      - files: ['%s/targets.json']\n        refresh_interval: 1s\n",
            dir);
    fclose(f);
    unsigned prom_port = free_port();
    char config_flag[240], data_flag[240], listen_flag[64];
    snprintf(config_flag, sizeof(config_flag), "--config.file=%s", path);
    snprintf(data_flag, sizeof(data_flag), "--storage.tsdb.path=%s/data", dir);
    snprintf(listen_flag, sizeof(listen_flag), "--web.listen-address=127.0.0.1:%u", prom_port);
    spawned_t prom;
    spawn_program(&prom,
                  (const char *const[]){PROMETHEUS, config_flag, data_flag, listen_flag, NULL});

    /* All three scraped, with 10 s windows covered on every instance. */
    const char *up = "count%28up%7Bjob%3D%22minemeter%22%7D%20%3D%3D%201%29";
    const char *sum = "sum%28minemeter_hashrate%7Bwindow%3D%2210s%22%7D%29";
    const char *count = "count%28minemeter_hashrate%7Bwindow%3D%2210s%22%7D%29";
    int ready = 0;
    for (int i = 0; i < 600 && !ready; i++) {
        ready = promql(prom_port, up) == INSTANCES && promql(prom_port, count) == INSTANCES;
        for (int k = 0; k < INSTANCES && ready; k++)
            ready = summary_rate(ports[k]) > 0; /* a busy machine may starve one a while */
        if (!ready)
            usleep(100000);
    }
    char *prom_out = spawn_output(&prom);
    cr_assert(ready, "Prometheus never saw the three 10 s rates, or an instance had none:\n%s",
              prom_out);
    free(prom_out);

    /* The two sides are read a moment apart: a few tries absorb a scrape falling between. */
    double best = 1e9;
    for (int attempt = 0; attempt < 5 && best > 0.05; attempt++) {
        double theirs = 0;
        for (int i = 0; i < INSTANCES; i++) {
            double r = summary_rate(ports[i]);
            cr_assert_gt(r, 0, "instance %d has no 10 s rate (%g) now", i, r);
            theirs += r;
        }
        double promql_sum = promql(prom_port, sum);
        double off = promql_sum / theirs - 1;
        cr_log_info("PromQL sum %.2f H/s, the instances' own %.2f H/s: %+.2f%%", promql_sum, theirs,
                    100 * off);
        if (off < 0)
            off = -off;
        if (off < best)
            best = off;
        if (best > 0.05)
            sleep(1);
    }
    cr_assert_lt(best, 0.05, "PromQL's sum is %.1f%% off the instances' own", 100 * best);
    documented_queries_evaluate(prom_port);

    cr_assert_eq(spawn_stop(&prom, SIGTERM, 30), 0, "Prometheus did not stop cleanly");
    spawn_cleanup(&prom);
    for (int i = 0; i < INSTANCES; i++) {
        cr_assert_eq(spawn_stop(&load[i], SIGINT, 30), 0);
        spawn_cleanup(&load[i]);
    }
    char rm[120];
    snprintf(rm, sizeof(rm), "rm -rf '%s'", dir);
    cr_assert_eq(system(rm), 0);
}
