/*
 * /metrics in the Prometheus text format (version 0.0.4): base units
 * (seconds, joules, watts, ratios of 0-1), counters ending in _total, one
 * HELP and TYPE per family, label values escaped. A figure not known is
 * left out, never exported as 0, so PromQL sees a gap rather than a fall.
 */
#define _GNU_SOURCE
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "http/render.h"

/* A label value with \, " and newlines escaped as the format asks. */
static void put_label_value(FILE *f, const char *v)
{
    fputc('"', f);
    for (; *v != '\0'; v++) {
        if (*v == '\\' || *v == '"')
            fprintf(f, "\\%c", *v);
        else if (*v == '\n')
            fputs("\\n", f);
        else
            fputc(*v, f);
    }
    fputc('"', f);
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
    fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The workers' hashes, rates and CPU time (every command that hashes). */
static void worker_families(FILE *f, const http_status_t *s)
{
    family(f, "minemeter_threads", "gauge", "Worker threads hashing.");
    fprintf(f, "minemeter_threads %u\n", s->threads);
    family(f, "minemeter_hashes_total", "counter", "Hashes done by all worker threads.");
    fprintf(f, "minemeter_hashes_total %" PRIu64 "\n", s->hashes);
    static const char *const windows[HTTP_STATUS_WINDOWS] = {"10s", "60s", "15m"};
    family(f, "minemeter_hashrate", "gauge",
           "Hashes per second over the window, as the miner prints it.");
    for (int w = 0; w < HTTP_STATUS_WINDOWS; w++)
        if (s->rate[w] >= 0)
            fprintf(f, "minemeter_hashrate{window=\"%s\"} %.3f\n", windows[w], s->rate[w]);
    unsigned n = s->threads < HTTP_STATUS_MAX_THREADS ? s->threads : HTTP_STATUS_MAX_THREADS;
    family(f, "minemeter_thread_hashes_total", "counter", "Hashes done by each worker thread.");
    for (unsigned i = 0; i < n; i++)
        fprintf(f, "minemeter_thread_hashes_total{thread=\"%u\"} %" PRIu64 "\n", i,
                s->thread[i].hashes);
    family(f, "minemeter_cpu_seconds_total", "counter",
           "CPU time used by each worker thread, from its thread CPU clock.");
    for (unsigned i = 0; i < n; i++)
        fprintf(f, "minemeter_cpu_seconds_total{thread=\"%u\"} %.6f\n", i,
                s->thread[i].cpu_seconds);
    family(f, "minemeter_thread_cpu_ratio", "gauge",
           "Share of one CPU each worker thread used over the last second (0-1).");
    for (unsigned i = 0; i < n; i++)
        if (s->thread[i].cpu_percent >= 0)
            fprintf(f, "minemeter_thread_cpu_ratio{thread=\"%u\"} %.4f\n", i,
                    s->thread[i].cpu_percent / 100);
}

static void pool_families(FILE *f, const http_status_t *s)
{
    family(f, "minemeter_shares_total", "counter",
           "Results the pool (or monerod, as blocks) answered, by verdict.");
    fprintf(f, "minemeter_shares_total{result=\"accepted\"} %" PRIu64 "\n", s->accepted);
    fprintf(f, "minemeter_shares_total{result=\"rejected\"} %" PRIu64 "\n", s->rejected);
    family(f, "minemeter_pool_up", "gauge", "1 while logged in to the pool (or monerod answers).");
    fputs("minemeter_pool_up{pool=", f);
    put_label_value(f, s->pool);
    fprintf(f, "} %d\n", s->connected ? 1 : 0);
    family(f, "minemeter_pool_connections_lost_total", "counter", "Connections to pools lost.");
    fprintf(f, "minemeter_pool_connections_lost_total %" PRIu64 "\n", s->failures);
    family(f, "minemeter_jobs_total", "counter", "Jobs (or block templates) received.");
    fprintf(f, "minemeter_jobs_total %" PRIu64 "\n", s->jobs);
    family(f, "minemeter_pool_difficulty", "gauge", "The current job's share difficulty.");
    fprintf(f, "minemeter_pool_difficulty %" PRIu64 "\n", s->difficulty);
    if (s->ping_ms >= 0) {
        family(f, "minemeter_pool_ping_seconds", "gauge",
               "Mean round trip of the last share replies.");
        fprintf(f, "minemeter_pool_ping_seconds %.6f\n", s->ping_ms / 1000);
    }
}

static void energy_families(FILE *f, const http_status_t *s)
{
    const char *source = s->energy_estimate ? "estimated" : "measured";
    family(f, "minemeter_energy_joules_total", "counter",
           "Energy since the start, measured or estimated as the source label says.");
    fprintf(f, "minemeter_energy_joules_total{source=\"%s\"} %.3f\n", source, s->joules);
    if (s->watts >= 0) {
        family(f, "minemeter_power_watts", "gauge", "Mean power over the last second.");
        fprintf(f, "minemeter_power_watts{source=\"%s\"} %.3f\n", source, s->watts);
    }
}

/* The lab pool's counts; its miners' hashes are not counted as hashes done (fleet sums stay right).
 */
static void server_families(FILE *f, const http_status_t *s)
{
    family(f, "minemeter_pool_server_connected", "gauge", "Miners connected to this pool now.");
    fprintf(f, "minemeter_pool_server_connected %u\n", s->server_connected);
    const struct {
        const char *name, *help;
        uint64_t value;
    } counters[] = {
        {"minemeter_pool_server_connections_total", "Connections accepted.", s->server_connections},
        {"minemeter_pool_server_logins_total", "Logins.", s->server_logins},
        {"minemeter_pool_server_jobs_sent_total", "Jobs sent.", s->server_jobs_sent},
        {"minemeter_pool_server_bad_lines_total", "Lines that were not valid requests.",
         s->server_bad_lines},
        {"minemeter_pool_server_bans_total", "Addresses banned for invalid shares.",
         s->server_bans},
        {"minemeter_pool_server_accepted_difficulty_total",
         "The hashes the accepted shares stand for (their difficulty summed).",
         s->server_accepted_difficulty},
    };
    for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
        family(f, counters[i].name, "counter", counters[i].help);
        fprintf(f, "%s %" PRIu64 "\n", counters[i].name, counters[i].value);
    }
    family(f, "minemeter_pool_server_verify_seconds_total", "counter",
           "Time spent hashing shares again to check them.");
    fprintf(f, "minemeter_pool_server_verify_seconds_total %.6f\n", s->server_verify_seconds);
    family(f, "minemeter_pool_server_shares_total", "counter",
           "Shares miners sent this pool, by verdict.");
    fprintf(f, "minemeter_pool_server_shares_total{result=\"accepted\"} %" PRIu64 "\n",
            s->server_accepted);
    fprintf(f, "minemeter_pool_server_shares_total{result=\"rejected\"} %" PRIu64 "\n",
            s->server_rejected);
    fprintf(f, "minemeter_pool_server_shares_total{result=\"stale\"} %" PRIu64 "\n",
            s->server_stale);
    family(f, "minemeter_pool_miner_shares_total", "counter",
           "Shares by login and verdict (the most active logins).");
    static const char *const verdicts[] = {"accepted", "rejected", "stale"};
    for (unsigned i = 0; i < s->miners && i < HTTP_STATUS_MAX_MINERS; i++) {
        const http_miner_status_t *m = &s->miner[i];
        const uint64_t counts[] = {m->accepted, m->rejected, m->stale};
        for (int k = 0; k < 3; k++) {
            fputs("minemeter_pool_miner_shares_total{login=", f);
            put_label_value(f, m->login);
            fprintf(f, ",result=\"%s\"} %" PRIu64 "\n", verdicts[k], counts[k]);
        }
    }
    family(f, "minemeter_pool_miner_accepted_difficulty_total", "counter",
           "The hashes each login's accepted shares stand for.");
    for (unsigned i = 0; i < s->miners && i < HTTP_STATUS_MAX_MINERS; i++) {
        fputs("minemeter_pool_miner_accepted_difficulty_total{login=", f);
        put_label_value(f, s->miner[i].login);
        fprintf(f, "} %" PRIu64 "\n", s->miner[i].accepted_difficulty);
    }
}

char *http_render_metrics(const http_status_t *s)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f == NULL)
        return NULL;
    family(f, "minemeter_info", "gauge", "The running command and what it hashes (always 1).");
    const struct {
        const char *name, *value;
    } info[] = {{"command", s->command}, {"version", s->version},     {"algo", s->algo},
                {"mode", s->mode},       {"code_path", s->code_path}, {"worker_id", s->worker_id}};
    fputs("minemeter_info{", f);
    for (size_t i = 0; i < sizeof(info) / sizeof(info[0]); i++) {
        fprintf(f, "%s%s=", i ? "," : "", info[i].name);
        put_label_value(f, info[i].value);
    }
    fputs("} 1\n", f);
    family(f, "minemeter_uptime_seconds", "gauge", "Seconds since the command started.");
    fprintf(f, "minemeter_uptime_seconds %.3f\n", http__uptime_seconds(s));
    if (s->has_pages) {
        family(f, "minemeter_resident_memory_bytes", "gauge", "The process's resident memory.");
        fprintf(f, "minemeter_resident_memory_bytes %" PRIu64 "\n", s->resident_bytes);
        family(f, "minemeter_huge_pages_bytes", "gauge",
               "The part of it on huge pages (transparent and hugetlb).");
        fprintf(f, "minemeter_huge_pages_bytes %" PRIu64 "\n", s->huge_bytes);
    }
    if (s->has_server)
        server_families(f, s);
    else if (!s->has_impact) /* impact's miners live a window each, inside the protocol */
        worker_families(f, s);
    if (s->has_impact) {
        family(f, "minemeter_impact_windows_done", "gauge", "Windows of the protocol finished.");
        fprintf(f, "minemeter_impact_windows_done %u\n", s->impact_windows_done);
        family(f, "minemeter_impact_windows", "gauge", "Windows the protocol runs in all.");
        fprintf(f, "minemeter_impact_windows %u\n", s->impact_windows_total);
    }
    if (s->has_pool)
        pool_families(f, s);
    if (s->has_energy)
        energy_families(f, s);
    if (s->has_load) {
        family(f, "minemeter_load_intensity_ratio", "gauge",
               "The CPU share load asks of each worker now (0-1).");
        fprintf(f, "minemeter_load_intensity_ratio %.2f\n", s->intensity / 100.0);
    }
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}
