/*
 * /api/summary: minemeter's own view, with what XMRig's shape has no room
 * for: each thread's rate, CPU time and CPU share, the energy with its
 * source, the pool's state and load's schedule. Unknown figures are null;
 * an absent part (no pool, not load) is null as a whole. The schema is
 * docs/http-api.md; "schema" changes when a field changes meaning.
 */
#include "config.h"

#include <jansson.h>
#include <stdlib.h>

#include "http/render.h"

static json_t *number_or_null(double v)
{
    return v >= 0 ? json_real(v) : json_null();
}

static json_t *rates(const double rate[HTTP_STATUS_WINDOWS])
{
    static const char *const names[HTTP_STATUS_WINDOWS] = {"10s", "60s", "15m"};
    json_t *o = json_object();
    for (int w = 0; w < HTTP_STATUS_WINDOWS; w++)
        json_object_set_new(o, names[w], number_or_null(rate[w]));
    return o;
}

static json_t *threads(const http_status_t *s)
{
    json_t *a = json_array();
    for (unsigned i = 0; i < s->threads && i < HTTP_STATUS_MAX_THREADS; i++) {
        const http_thread_status_t *t = &s->thread[i];
        json_t *o = json_object();
        json_object_set_new(o, "thread", json_integer(i));
        json_object_set_new(o, "pu", t->pu >= 0 ? json_integer(t->pu) : json_null());
        json_object_set_new(o, "hashes", json_integer((json_int_t)t->hashes));
        json_object_set_new(o, "hashrate", rates(t->rate));
        json_object_set_new(o, "cpu_seconds", json_real(t->cpu_seconds));
        json_object_set_new(o, "cpu_percent", number_or_null(t->cpu_percent));
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *pool(const http_status_t *s)
{
    if (!s->has_pool)
        return json_null();
    json_t *o = json_object();
    json_object_set_new(o, "url", json_string(s->pool));
    json_object_set_new(o, "solo", json_boolean(s->solo));
    json_object_set_new(o, "connected", json_boolean(s->connected));
    double up = s->connected && s->now_ns >= s->connected_ns
                    ? (double)(s->now_ns - s->connected_ns) / 1e9
                    : 0.0;
    json_object_set_new(o, "connected_s", json_real(up));
    json_object_set_new(o, "ping_ms", number_or_null(s->ping_ms));
    json_object_set_new(o, "difficulty", json_integer((json_int_t)s->difficulty));
    json_object_set_new(o, "jobs", json_integer((json_int_t)s->jobs));
    json_object_set_new(o, "accepted", json_integer((json_int_t)s->accepted));
    json_object_set_new(o, "rejected", json_integer((json_int_t)s->rejected));
    json_object_set_new(o, "connections_lost", json_integer((json_int_t)s->failures));
    return o;
}

static json_t *server(const http_status_t *s)
{
    if (!s->has_server)
        return json_null();
    json_t *o = json_object();
    json_object_set_new(o, "connected", json_integer(s->server_connected));
    json_object_set_new(o, "connections", json_integer((json_int_t)s->server_connections));
    json_object_set_new(o, "logins", json_integer((json_int_t)s->server_logins));
    json_object_set_new(o, "jobs_sent", json_integer((json_int_t)s->server_jobs_sent));
    json_object_set_new(o, "accepted", json_integer((json_int_t)s->server_accepted));
    json_object_set_new(o, "rejected", json_integer((json_int_t)s->server_rejected));
    json_object_set_new(o, "stale", json_integer((json_int_t)s->server_stale));
    json_object_set_new(o, "bad_lines", json_integer((json_int_t)s->server_bad_lines));
    json_object_set_new(o, "bans", json_integer((json_int_t)s->server_bans));
    json_object_set_new(o, "accepted_difficulty",
                        json_integer((json_int_t)s->server_accepted_difficulty));
    json_object_set_new(o, "verify_seconds", json_real(s->server_verify_seconds));
    json_t *miners = json_array();
    for (unsigned i = 0; i < s->miners && i < HTTP_STATUS_MAX_MINERS; i++) {
        const http_miner_status_t *m = &s->miner[i];
        json_t *e = json_object();
        json_object_set_new(e, "login", json_string(m->login));
        json_object_set_new(e, "connections", json_integer(m->connections));
        json_object_set_new(e, "accepted", json_integer((json_int_t)m->accepted));
        json_object_set_new(e, "rejected", json_integer((json_int_t)m->rejected));
        json_object_set_new(e, "stale", json_integer((json_int_t)m->stale));
        json_object_set_new(e, "accepted_difficulty",
                            json_integer((json_int_t)m->accepted_difficulty));
        json_array_append_new(miners, e);
    }
    json_object_set_new(o, "miners", miners);
    json_object_set_new(o, "miners_total", json_integer(s->miners_total));
    return o;
}

static json_t *impact(const http_status_t *s)
{
    if (!s->has_impact)
        return json_null();
    json_t *o = json_object();
    json_object_set_new(o, "victim", json_string(s->impact_victim));
    json_object_set_new(o, "window", json_string(s->impact_window));
    json_object_set_new(o, "round", json_integer(s->impact_round));
    json_object_set_new(o, "rounds", json_integer(s->impact_rounds));
    json_object_set_new(o, "windows_done", json_integer(s->impact_windows_done));
    json_object_set_new(o, "windows_total", json_integer(s->impact_windows_total));
    json_object_set_new(o, "last_miner_hashrate", number_or_null(s->impact_last_miner_hps));
    return o;
}

static json_t *energy(const http_status_t *s)
{
    json_t *o = json_object();
    if (!s->has_energy) {
        json_object_set_new(o, "joules", json_null());
        json_object_set_new(o, "watts", json_null());
        json_object_set_new(o, "source", json_null());
        json_object_set_new(o, "estimate", json_null());
        json_object_set_new(o, "reason", json_string(s->energy_reason));
        return o;
    }
    json_object_set_new(o, "joules", json_real(s->joules));
    json_object_set_new(o, "watts", number_or_null(s->watts));
    json_object_set_new(o, "source", json_string(s->energy_source));
    json_object_set_new(o, "estimate", json_boolean(s->energy_estimate));
    json_object_set_new(o, "reason",
                        s->energy_reason[0] ? json_string(s->energy_reason) : json_null());
    return o;
}

static json_t *load(const http_status_t *s)
{
    if (!s->has_load)
        return json_null();
    json_t *o = json_object();
    json_object_set_new(o, "profile", json_string(s->profile));
    json_object_set_new(o, "intensity", json_integer(s->intensity));
    json_object_set_new(o, "elapsed_s", json_real(s->elapsed_s));
    json_object_set_new(o, "duration_s", json_real(s->duration_s));
    return o;
}

char *http_render_api_summary(const http_status_t *s)
{
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    json_object_set_new(o, "schema", json_string("minemeter-api/1"));
    json_object_set_new(o, "command", json_string(s->command));
    json_object_set_new(o, "id", json_string(s->id));
    json_object_set_new(o, "worker_id", json_string(s->worker_id));
    json_object_set_new(o, "version", json_string(s->version));
    json_object_set_new(o, "ua", json_string(s->user_agent));
    json_object_set_new(o, "uptime_s", json_real(http__uptime_seconds(s)));
    json_object_set_new(o, "algo", json_string(s->algo));
    json_object_set_new(o, "mode", s->mode[0] ? json_string(s->mode) : json_null());
    json_object_set_new(o, "code_path", json_string(s->code_path));
    json_t *pages = json_null();
    if (s->has_pages) {
        pages = json_object();
        json_object_set_new(pages, "resident_bytes", json_integer((json_int_t)s->resident_bytes));
        json_object_set_new(pages, "huge_bytes", json_integer((json_int_t)s->huge_bytes));
        json_object_set_new(pages, "huge_share",
                            json_real(s->resident_bytes > 0
                                          ? (double)s->huge_bytes / (double)s->resident_bytes
                                          : 0.0));
        json_object_set_new(pages, "thp_mode", json_string(s->thp_mode));
    }
    json_object_set_new(o, "pages", pages);
    json_object_set_new(o, "cpu", http__cpu_json(s));
    json_t *h = rates(s->rate);
    json_object_set_new(h, "highest", number_or_null(s->highest));
    json_object_set_new(h, "estimate", json_boolean(s->has_server));
    json_object_set_new(o, "hashrate", h);
    json_object_set_new(o, "hashes_total", json_integer((json_int_t)s->hashes));
    json_object_set_new(o, "threads", threads(s));
    json_object_set_new(o, "pool", pool(s));
    json_object_set_new(o, "energy", energy(s));
    json_object_set_new(o, "load", load(s));
    json_object_set_new(o, "server", server(s));
    json_object_set_new(o, "impact", impact(s));
    char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    json_decref(o);
    return text;
}
