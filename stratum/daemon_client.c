/*
 * The solo-mining client's cycle, all on the caller's loop: one timer
 * starts a get_info; its answer decides between waiting (syncing),
 * retrying (unreachable) and fetching a template (a new tip); then the
 * timer is set again. Submits run beside that cycle and ask it to fetch a
 * new template as soon as the daemon has judged the block.
 */
#include "config.h"
#include "stratum/daemon_client.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "pow/hex.h"
#include "stratum/backoff.h"
#include "stratum/daemon_template.h"
#include "stratum/http.h"
#include "stratum/zmq_sub.h"
#include "stratum/log_line.h"

#define DEFAULT_POLL_MS     1000u
#define DEFAULT_TIMEOUT_MS  10000u
#define DEFAULT_RETRY_MS    1000u
#define DEFAULT_EXTRA_NONCE 8u
#define MAX_EXTRA_NONCE     255u

typedef struct {
    stratum_daemon_t *client;
    uint64_t height;
    uint64_t sent_ms;
    char pow_hash[65];
} submit_t;

struct stratum_daemon {
    uv_loop_t *loop;
    stratum_daemon_config_t config;
    stratum_http_t *http;
    uv_timer_t timer;
    char rpc_url[300];
    char name[300];
    int polling;   /* a get_info or get_block_template is in flight */
    int connected; /* the daemon answered and is ready */
    int syncing;   /* said that the daemon syncs; waiting for it */
    int refresh;   /* fetch a template at the next poll, whatever the tip */
    int stopped;   /* the address was refused: nothing more to ask */
    int closing;
    unsigned failures; /* failed polls in a row */
    unsigned handles_open;
    int have_template;
    int template_won; /* its block was submitted: later candidates are stale */
    stratum_block_template_t tpl;
    char job_id[STRATUM_MAX_JOB_ID + 1];
    uint64_t job_counter;
    stratum_daemon_stats_t stats;
    stratum_zmq_t *zmq; /* monerod's new-block notifications, when asked */
    int notified;       /* one came: the next poll goes at once */
    void (*on_closed)(void *);
    void *on_closed_arg;
};

static void logf_(stratum_daemon_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(stratum_daemon_t *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    stratum_log_line(c->config.events.log, c->config.events.context, fmt, ap);
    va_end(ap);
}

static unsigned poll_ms(const stratum_daemon_t *c)
{
    return c->config.poll_interval_ms != 0 ? c->config.poll_interval_ms : DEFAULT_POLL_MS;
}

static void on_timer(uv_timer_t *timer);

static void schedule(stratum_daemon_t *c, uint64_t delay_ms)
{
    if (c->notified && delay_ms > 0 && c->failures == 0) {
        delay_ms = 0; /* a new tip was announced while a poll was in flight */
        c->notified = 0;
    }
    if (!c->closing && !c->stopped)
        uv_timer_start(&c->timer, on_timer, delay_ms, 0);
}

/* monerod's ZMQ says the chain has a new tip: ask for it now rather than at the next poll. */
static void on_zmq_block(void *context, uint64_t height)
{
    stratum_daemon_t *c = context;
    logf_(c, "monerod's ZMQ: a new block at height %" PRIu64, height);
    c->notified = 1;
    if (!c->polling)
        schedule(c, 0);
}

/* --- JSON-RPC --------------------------------------------------------------------- */

typedef struct {
    json_t *root;
    const json_t *result;
    long long code;
    const char *message;
    char why[256];
} rpc_reply_t;

/* 0: a result; 1: a JSON-RPC error (code, message); -1: no usable reply (why). */
static int rpc_decode(const stratum_http_reply_t *reply, rpc_reply_t *out)
{
    memset(out, 0, sizeof(*out));
    if (!reply->ok) {
        snprintf(out->why, sizeof(out->why), "%s", reply->error);
        return -1;
    }
    if (reply->status != 200) {
        snprintf(out->why, sizeof(out->why), "HTTP status %ld", reply->status);
        return -1;
    }
    json_error_t err;
    out->root = json_loadb(reply->body, reply->body_len, 0, &err);
    if (out->root == NULL) {
        snprintf(out->why, sizeof(out->why), "the reply is not JSON (%s)", err.text);
        return -1;
    }
    const json_t *error = json_object_get(out->root, "error");
    if (error != NULL && !json_is_null(error)) {
        out->code = json_integer_value(json_object_get(error, "code"));
        out->message = json_string_value(json_object_get(error, "message"));
        if (out->message == NULL)
            out->message = "no reason given";
        return 1;
    }
    out->result = json_object_get(out->root, "result");
    if (!json_is_object(out->result)) {
        snprintf(out->why, sizeof(out->why), "the reply has no result");
        return -1;
    }
    return 0;
}

static int rpc_call(stratum_daemon_t *c, const char *method, json_t *params,
                    stratum_http_done_fn done, void *context)
{
    json_t *request = json_pack("{s:s, s:s, s:s, s:o}", "jsonrpc", "2.0", "id", "0", "method",
                                method, "params", params);
    char *body = request != NULL ? json_dumps(request, JSON_COMPACT) : NULL;
    json_decref(request);
    if (body == NULL)
        return -1;
    unsigned timeout =
        c->config.request_timeout_ms != 0 ? c->config.request_timeout_ms : DEFAULT_TIMEOUT_MS;
    int rc = stratum_http_post(c->http, c->rpc_url, body, strlen(body), timeout, done, context);
    free(body);
    return rc;
}

/* --- states ------------------------------------------------------------------------ */

static void forget_template(stratum_daemon_t *c)
{
    if (c->have_template)
        stratum_block_template_free(&c->tpl);
    c->have_template = 0;
    c->job_id[0] = '\0';
}

/* Hashing must pause: the daemon is gone or not ready. */
static void lose_daemon(stratum_daemon_t *c)
{
    forget_template(c);
    if (!c->connected)
        return;
    c->connected = 0;
    c->stats.disconnects++;
    if (c->config.events.on_connection != NULL)
        c->config.events.on_connection(c->config.events.context, 0);
}

static unsigned backoff_ms(const stratum_daemon_t *c)
{
    return stratum_backoff_ms(
        c->config.retry_pause_ms != 0 ? c->config.retry_pause_ms : DEFAULT_RETRY_MS, c->failures);
}

static void unreachable(stratum_daemon_t *c, const char *why)
{
    c->polling = 0;
    c->failures++;
    int was_connected = c->connected;
    lose_daemon(c);
    unsigned delay = backoff_ms(c);
    logf_(c, "%s unreachable: %s;%s retrying in %.1f s", c->name, why,
          was_connected ? " hashing paused," : "", delay / 1000.0);
    schedule(c, delay);
}

static void wait_for_sync(stratum_daemon_t *c, const stratum_daemon_info_t *info)
{
    c->polling = 0;
    c->failures = 0;
    lose_daemon(c);
    if (!c->syncing) {
        c->syncing = 1;
        if (info != NULL && info->target_height > info->height)
            logf_(c, "%s is syncing (height %" PRIu64 " of %" PRIu64 "); waiting for it", c->name,
                  info->height, info->target_height);
        else
            logf_(c, "%s is busy syncing; waiting for it", c->name);
    }
    schedule(c, poll_ms(c));
}

/* --- templates ---------------------------------------------------------------------- */

static void on_template(void *context, const stratum_http_reply_t *reply)
{
    stratum_daemon_t *c = context;
    if (reply->cancelled)
        return;
    rpc_reply_t r;
    int rc = rpc_decode(reply, &r);
    if (rc < 0) {
        unreachable(c, r.why);
    } else if (rc > 0) {
        switch (stratum_daemon_error_classify(r.code)) {
        case STRATUM_DAEMON_ERROR_ADDRESS:
            c->polling = 0;
            c->stopped = 1;
            c->connected = 0; /* the run ends: no pause to announce */
            forget_template(c);
            logf_(c, "%s refused the wallet address: %s", c->name, r.message);
            if (c->config.events.on_address_refused != NULL)
                c->config.events.on_address_refused(c->config.events.context,
                                                    c->config.wallet_address, r.message);
            break;
        case STRATUM_DAEMON_ERROR_BUSY:
            wait_for_sync(c, NULL);
            break;
        case STRATUM_DAEMON_ERROR_OTHER:
            c->polling = 0;
            c->failures++;
            c->stats.bad_templates++;
            logf_(c, "%s refused get_block_template: %s (code %lld); asking again", c->name,
                  r.message, r.code);
            schedule(c, backoff_ms(c));
            break;
        }
    } else {
        stratum_block_template_t tpl;
        char why[256];
        c->polling = 0;
        if (stratum_block_template_parse_as(r.result, c->config.algo, &tpl, why, sizeof(why)) !=
            0) {
            c->failures++;
            c->stats.bad_templates++;
            logf_(c, "ignoring a block template from %s: %s", c->name, why);
            schedule(c, backoff_ms(c));
        } else {
            forget_template(c);
            c->tpl = tpl;
            c->have_template = 1;
            c->template_won = 0;
            c->refresh = 0;
            snprintf(c->tpl.job.id, sizeof(c->tpl.job.id), "%" PRIu64 ".%" PRIu64, tpl.job.height,
                     ++c->job_counter);
            snprintf(c->job_id, sizeof(c->job_id), "%s", c->tpl.job.id);
            c->stats.templates++;
            if (c->config.events.on_job != NULL)
                c->config.events.on_job(c->config.events.context, &c->tpl.job);
            schedule(c, poll_ms(c));
        }
    }
    json_decref(r.root);
}

static void fetch_template(stratum_daemon_t *c)
{
    unsigned size = c->config.reserve_size != 0 ? c->config.reserve_size : DEFAULT_EXTRA_NONCE;
    if (size > MAX_EXTRA_NONCE)
        size = MAX_EXTRA_NONCE;
    /*
     * monerod takes either reserve_size (zeros to fill in later) or
     * extra_nonce (bytes to put there), not both: random bytes now give each
     * miner on one address its own block, with nothing left to fill in.
     */
    uint8_t extra[MAX_EXTRA_NONCE];
    char extra_hex[2 * MAX_EXTRA_NONCE + 1];
    if (getrandom(extra, size, 0) != (ssize_t)size) {
        for (unsigned i = 0; i < size; i++)
            extra[i] = (uint8_t)stratum_random();
    }
    pow_hex_encode(extra, size, extra_hex);
    json_t *params = json_pack("{s:s, s:s}", "wallet_address", c->config.wallet_address,
                               "extra_nonce", extra_hex);
    if (params == NULL || rpc_call(c, "get_block_template", params, on_template, c) != 0)
        unreachable(c, "cannot send get_block_template");
}

/* --- polling ---------------------------------------------------------------------- */

static int tip_moved(const stratum_daemon_t *c, const stratum_daemon_info_t *info)
{
    return !c->have_template || c->tpl.job.height != info->height ||
           memcmp(c->tpl.prev_hash, info->top_hash, 32) != 0;
}

static void on_info(void *context, const stratum_http_reply_t *reply)
{
    stratum_daemon_t *c = context;
    if (reply->cancelled)
        return;
    rpc_reply_t r;
    int rc = rpc_decode(reply, &r);
    stratum_daemon_info_t info;
    char why[256];
    if (rc < 0) {
        unreachable(c, r.why);
    } else if (rc > 0) {
        snprintf(why, sizeof(why), "get_info failed: %s (code %lld)", r.message, r.code);
        unreachable(c, why);
    } else if (stratum_daemon_info_parse(r.result, &info, why, sizeof(why)) != 0) {
        unreachable(c, why);
    } else if (info.busy || info.syncing) {
        wait_for_sync(c, &info);
    } else {
        c->failures = 0;
        if (c->syncing) {
            c->syncing = 0;
            logf_(c, "%s is synchronized", c->name);
        }
        if (!c->connected) {
            c->connected = 1;
            c->stats.connects++;
            logf_(c, "connected to %s: monerod %s, %s, height %" PRIu64, c->name, info.version,
                  info.nettype, info.height);
            if (c->config.events.on_connection != NULL)
                c->config.events.on_connection(c->config.events.context, 1);
        }
        if (c->refresh || tip_moved(c, &info)) {
            fetch_template(c);
        } else {
            c->polling = 0;
            schedule(c, poll_ms(c));
        }
    }
    json_decref(r.root);
}

static void on_timer(uv_timer_t *timer)
{
    stratum_daemon_t *c = timer->data;
    if (c->polling || c->closing || c->stopped)
        return;
    c->polling = 1;
    if (rpc_call(c, "get_info", json_object(), on_info, c) != 0)
        unreachable(c, "cannot send get_info");
}

/* --- blocks ------------------------------------------------------------------------- */

static void on_submitted(void *context, const stratum_http_reply_t *reply)
{
    submit_t *s = context;
    stratum_daemon_t *c = s->client;
    if (reply->cancelled) {
        free(s);
        return;
    }
    rpc_reply_t r;
    int rc = rpc_decode(reply, &r);
    const char *reason = NULL;
    char why[300];
    if (rc < 0) {
        snprintf(why, sizeof(why), "no verdict from the daemon (%s)", r.why);
        reason = why;
    } else if (rc > 0) {
        snprintf(why, sizeof(why), "%s (code %lld)", r.message, r.code);
        reason = why;
    } else {
        const char *status = json_string_value(json_object_get(r.result, "status"));
        if (status == NULL || strcmp(status, "OK") != 0) {
            snprintf(why, sizeof(why), "status \"%.64s\"", status != NULL ? status : "none");
            reason = why;
        }
    }
    if (reason == NULL)
        c->stats.accepted++;
    else
        c->stats.refused++;
    stratum_block_result_t result = {
        .accepted = reason == NULL,
        .reason = reason,
        .height = s->height,
        .pow_hash = s->pow_hash,
        .latency_ms = (double)(uv_now(c->loop) - s->sent_ms),
    };
    if (c->config.events.on_block_result != NULL)
        c->config.events.on_block_result(c->config.events.context, &result);
    json_decref(r.root);
    free(s);
    /* Accepted or not, mine on a fresh template: the tip moved, or this one is suspect. */
    c->refresh = 1;
    if (!c->polling && !c->closing && !c->stopped) {
        uv_timer_stop(&c->timer);
        schedule(c, 0);
    }
}

int stratum_daemon_submit(stratum_daemon_t *c, const char *job_id, uint32_t nonce,
                          const uint8_t hash[32])
{
    if (!c->have_template || c->template_won || strcmp(job_id, c->job_id) != 0) {
        c->stats.stale_dropped++;
        return -1;
    }
    if (!stratum_block_meets_difficulty(hash, c->tpl.difficulty)) {
        c->stats.below_difficulty++;
        return 1;
    }
    submit_t *s = calloc(1, sizeof(*s));
    char *block = stratum_block_template_fill(&c->tpl, nonce);
    json_t *params = block != NULL ? json_pack("[s]", block) : NULL;
    free(block);
    if (s == NULL || params == NULL) {
        free(s);
        json_decref(params);
        return -1;
    }
    s->client = c;
    s->height = c->tpl.job.height;
    s->sent_ms = uv_now(c->loop);
    pow_hex_encode(hash, 32, s->pow_hash);
    if (rpc_call(c, "submit_block", params, on_submitted, s) != 0) {
        free(s);
        return -1;
    }
    /* One block per template: a second one at this height could only be an orphan. */
    c->template_won = 1;
    c->stats.blocks_found++;
    logf_(c, "block found at height %" PRIu64 " (nonce %08" PRIx32 "): submitting it", s->height,
          nonce);
    return 0;
}

/* --- the public side ------------------------------------------------------------ */

stratum_daemon_t *stratum_daemon_create(uv_loop_t *loop, const stratum_daemon_config_t *config)
{
    if (!stratum_url_is_daemon(config->url.scheme) || config->wallet_address == NULL)
        return NULL;
    stratum_daemon_t *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    c->loop = loop;
    c->config = *config;
    const char *host = config->url.host;
    int v6 = strchr(host, ':') != NULL;
    int https = config->url.scheme == STRATUM_URL_DAEMON_HTTPS;
    snprintf(c->rpc_url, sizeof(c->rpc_url), "%s://%s%s%s:%u/json_rpc", https ? "https" : "http",
             v6 ? "[" : "", host, v6 ? "]" : "", config->url.port);
    snprintf(c->name, sizeof(c->name), "%s://%s%s%s:%u",
             stratum_url_scheme_name(config->url.scheme), v6 ? "[" : "", host, v6 ? "]" : "",
             config->url.port);
    c->http = stratum_http_create(loop, config->agent);
    char why[256];
    if (c->http != NULL && https &&
        stratum_http_set_tls(c->http, &config->tls, why, sizeof(why)) != 0) {
        stratum_http_close(c->http, NULL, NULL);
        c->http = NULL;
    }
    if (c->http == NULL) {
        free(c);
        return NULL;
    }
    if (config->zmq_endpoint != NULL) {
        c->zmq = stratum_zmq_open(loop, config->zmq_endpoint, on_zmq_block, c, why, sizeof(why));
        if (c->zmq == NULL) {
            stratum_http_close(c->http, NULL, NULL);
            free(c);
            return NULL;
        }
    }
    uv_timer_init(loop, &c->timer);
    c->timer.data = c;
    return c;
}

void stratum_daemon_start(stratum_daemon_t *c)
{
    logf_(c, "polling %s every %.1f s", c->name, poll_ms(c) / 1000.0);
    if (c->zmq != NULL)
        logf_(c, "listening to monerod's ZMQ at %s for new blocks", c->config.zmq_endpoint);
    schedule(c, 0);
}

void stratum_daemon_stats(const stratum_daemon_t *c, stratum_daemon_stats_t *out)
{
    *out = c->stats;
}

static void maybe_closed(stratum_daemon_t *c)
{
    if (--c->handles_open > 0)
        return;
    void (*done)(void *) = c->on_closed;
    void *arg = c->on_closed_arg;
    forget_template(c);
    free(c);
    if (done != NULL)
        done(arg);
}

static void on_part_closed(void *arg)
{
    maybe_closed(arg);
}

static void on_timer_closed(uv_handle_t *handle)
{
    maybe_closed(handle->data);
}

void stratum_daemon_close(stratum_daemon_t *c, void (*on_closed)(void *arg), void *arg)
{
    if (c->closing)
        return;
    c->closing = 1;
    c->on_closed = on_closed;
    c->on_closed_arg = arg;
    c->handles_open = c->zmq != NULL ? 3 : 2;
    uv_close((uv_handle_t *)&c->timer, on_timer_closed);
    stratum_http_close(c->http, on_part_closed, c);
    if (c->zmq != NULL)
        stratum_zmq_close(c->zmq, on_part_closed, c);
}
