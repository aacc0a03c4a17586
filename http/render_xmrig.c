/*
 * /1/summary in XMRig's shape (its src/core/Miner.cpp, NetworkState.cpp
 * and Api.cpp name the fields): the same names, the same units (seconds,
 * milliseconds, H/s) and null for a rate not yet known, as XMRig prints
 * it. Fields that only XMRig has (donation, its backends, MSR) are left
 * out rather than faked; "kind" is "miner" because tools check it.
 *
 * One difference is kept and documented: results.hashes_total counts the
 * hashes done here, where XMRig sums the difficulty of accepted shares.
 */
#include "config.h"

#include <jansson.h>
#include <stdlib.h>

#include "http/render.h"

double http__uptime_seconds(const http_status_t *s)
{
    return s->now_ns > s->start_ns ? (double)(s->now_ns - s->start_ns) / 1e9 : 0.0;
}

static json_t *rate_or_null(double rate)
{
    return rate >= 0 ? json_real(rate) : json_null();
}

static json_t *rate_triple(const double rate[HTTP_STATUS_WINDOWS])
{
    json_t *a = json_array();
    for (int w = 0; w < HTTP_STATUS_WINDOWS; w++)
        json_array_append_new(a, rate_or_null(rate[w]));
    return a;
}

static json_t *hashrate(const http_status_t *s)
{
    json_t *h = json_object();
    json_object_set_new(h, "total", rate_triple(s->rate));
    json_object_set_new(h, "highest", rate_or_null(s->highest));
    json_t *threads = json_array();
    for (unsigned i = 0; i < s->threads && i < HTTP_STATUS_MAX_THREADS; i++)
        json_array_append_new(threads, rate_triple(s->thread[i].rate));
    json_object_set_new(h, "threads", threads);
    return h;
}

static uint64_t connection_ms(const http_status_t *s)
{
    if (!s->has_pool || !s->connected || s->now_ns < s->connected_ns)
        return 0;
    return (s->now_ns - s->connected_ns) / 1000000u;
}

/* XMRig's avgTime: the connection's time over its accepted shares, 0 before the first. */
static uint64_t average_share_ms(const http_status_t *s)
{
    return s->accepted > 0 ? connection_ms(s) / s->accepted : 0;
}

static json_t *results(const http_status_t *s)
{
    json_t *r = json_object();
    if (s->has_server) { /* a pool: the shares its miners sent it */
        json_object_set_new(r, "diff_current", json_integer(0));
        json_object_set_new(r, "shares_good", json_integer((json_int_t)s->server_accepted));
        json_object_set_new(
            r, "shares_total",
            json_integer((json_int_t)(s->server_accepted + s->server_rejected + s->server_stale)));
        json_object_set_new(r, "avg_time", json_integer(0));
        json_object_set_new(r, "avg_time_ms", json_integer(0));
        json_object_set_new(r, "hashes_total",
                            json_integer((json_int_t)s->server_accepted_difficulty));
        return r;
    }
    json_object_set_new(r, "diff_current", json_integer((json_int_t)s->difficulty));
    json_object_set_new(r, "shares_good", json_integer((json_int_t)s->accepted));
    json_object_set_new(r, "shares_total", json_integer((json_int_t)(s->accepted + s->rejected)));
    json_object_set_new(r, "avg_time", json_integer((json_int_t)(average_share_ms(s) / 1000)));
    json_object_set_new(r, "avg_time_ms", json_integer((json_int_t)average_share_ms(s)));
    json_object_set_new(r, "hashes_total", json_integer((json_int_t)s->hashes));
    return r;
}

static json_t *connection(const http_status_t *s)
{
    json_t *c = json_object();
    uint64_t ms = connection_ms(s);
    json_object_set_new(c, "pool", s->has_pool ? json_string(s->pool) : json_null());
    json_object_set_new(c, "uptime", json_integer((json_int_t)(ms / 1000)));
    json_object_set_new(c, "uptime_ms", json_integer((json_int_t)ms));
    json_object_set_new(c, "ping",
                        json_integer(s->ping_ms >= 0 ? (json_int_t)(s->ping_ms + 0.5) : 0));
    json_object_set_new(c, "failures", json_integer((json_int_t)s->failures));
    json_object_set_new(c, "algo", json_string(s->algo));
    json_object_set_new(c, "diff", json_integer((json_int_t)s->difficulty));
    json_object_set_new(c, "accepted", json_integer((json_int_t)s->accepted));
    json_object_set_new(c, "rejected", json_integer((json_int_t)s->rejected));
    json_object_set_new(c, "avg_time", json_integer((json_int_t)(average_share_ms(s) / 1000)));
    json_object_set_new(c, "avg_time_ms", json_integer((json_int_t)average_share_ms(s)));
    return c;
}

json_t *http__cpu_json(const http_status_t *s)
{
    json_t *c = json_object();
    json_object_set_new(c, "brand", json_string(s->cpu_brand));
    json_object_set_new(c, "aes", json_boolean(s->cpu_aes));
    json_object_set_new(c, "avx2", json_boolean(s->cpu_avx2));
    json_object_set_new(c, "x64", json_boolean(s->cpu_x64));
    return c;
}

static json_t *cpu(const http_status_t *s)
{
    json_t *c = http__cpu_json(s);
    json_object_set_new(c, "64_bit", json_boolean(s->cpu_x64)); /* XMRig says it twice */
    return c;
}

char *http_render_xmrig_summary(const http_status_t *s)
{
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    json_object_set_new(o, "id", json_string(s->id));
    json_object_set_new(o, "worker_id", json_string(s->worker_id));
    json_object_set_new(o, "uptime", json_integer((json_int_t)http__uptime_seconds(s)));
    json_object_set_new(o, "restricted", json_true());
    json_object_set_new(o, "version", json_string(s->version));
    json_object_set_new(o, "kind", json_string("miner"));
    json_object_set_new(o, "ua", json_string(s->user_agent));
    json_object_set_new(o, "cpu", cpu(s));
    json_object_set_new(o, "algo", json_string(s->algo));
    json_object_set_new(o, "paused", json_boolean(s->has_load && s->intensity == 0));
    json_object_set_new(o, "hashrate", hashrate(s));
    json_object_set_new(o, "results", results(s));
    json_object_set_new(o, "connection", connection(s));
    char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    json_decref(o);
    return text;
}
