/*
 * The lab pool's Stratum server (stratum/pool_server.h).
 */
#define _GNU_SOURCE
#include "stratum/pool_server.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "arch/clock.h"
#include "pow/hex.h"
#include "stratum/job.h"
#include "stratum/line.h"
#include "stratum/message.h"
#include "stratum/pool_request.h"
#include "stratum/share_check.h"
#include "stratum/tls.h"
#include "stratum/vardiff.h"

#define CHECK_PERIOD_MS 1000
#define MAX_BANS        256
#define MAX_MINERS      4096
#define MAX_NONCES      4096 /* accepted nonces kept per job for the duplicate test */

typedef struct {
    char id[24];
    uint64_t generation; /* of its template */
    const pow_algo_t *algo;
    uint64_t height;
    uint8_t seed[32];
    uint8_t blob[STRATUM_POOL_MAX_BLOB];
    size_t blob_len;
    int nicehash; /* the nonce's top byte must be the connection's */
    uint64_t target;
    uint64_t difficulty; /* as the miner derives it from the target */
    uint32_t *nonces;    /* accepted ones */
    size_t nonce_count, nonce_cap;
} pool_job_t;

typedef struct connection connection_t;

typedef struct {
    uv_tcp_t tcp;
    stratum_pool_server_t *server;
    char address[64];
    int tls;
    const char *text;              /* as given */
    struct sockaddr_storage where; /* parsed once, at create */
} listener_t;

struct connection {
    uv_tcp_t tcp;
    stratum_pool_server_t *server;
    connection_t *prev, *next;
    uint64_t id;
    char peer[64], ip[48];
    const char *address;
    stratum_tls_t *tls; /* NULL: plain TCP */
    int tls_ready;
    stratum_line_buffer_t lines;
    int logged_in, closing;
    char session[33];
    char *login, *agent, *rigid;
    stratum_pool_miner_t *miner;
    uint32_t extra_nonce;
    int nonce_byte; /* a daemon's template: the top nonce byte it owns; -1: none */
    stratum_vardiff_t vardiff;
    pool_job_t jobs[STRATUM_POOL_JOB_HISTORY];
    unsigned job_count; /* jobs sent; the current one is jobs[(job_count - 1) % HISTORY] */
    unsigned invalid, bad_lines;
    double tokens; /* the flood bucket */
    uint64_t tokens_ms, connected_ms, last_message_ms;
    uint64_t bytes_in, bytes_out;
};

typedef struct {
    char ip[48];
    uint64_t until_ms;
} ban_t;

struct stratum_pool_server {
    uv_loop_t *loop;
    stratum_pool_server_config_t config;
    stratum_vardiff_config_t vardiff;
    listener_t listeners[STRATUM_POOL_MAX_LISTEN];
    size_t listener_count;
    uv_timer_t check_timer;
    int started, stopping;
    stratum_pool_template_t tpl;
    uint64_t next_job_number, next_connection, next_extra_nonce;
    connection_t *connections;
    stratum_share_checker_t *checker;
    ban_t bans[MAX_BANS];
    stratum_pool_miner_t *miners;
    size_t miner_count;
    uint8_t nonce_byte_used[256]; /* which top nonce bytes live connections own */
    stratum_pool_server_stats_t stats;
};

static uint64_t now_ms(void)
{
    return arch_clock_ns() / 1000000u;
}

static void emit(stratum_pool_server_t *s, stratum_pool_event_t *e)
{
    if (s->config.event != NULL)
        s->config.event(s->config.context, e);
}

static void emit_for(connection_t *c, stratum_pool_event_t *e)
{
    e->connection = c->id;
    e->peer = c->peer;
    e->address = c->address;
    emit(c->server, e);
}

/* --- addresses and bans ----------------------------------------------------- */

static int parse_address(const char *text, struct sockaddr_storage *out, char *why, size_t why_len)
{
    char host[64];
    const char *colon;
    size_t host_len;
    if (text[0] == '[') {
        const char *end = strchr(text, ']');
        if (end == NULL || end[1] != ':') {
            snprintf(why, why_len, "--listen %s: write an IPv6 address as [ADDRESS]:PORT", text);
            return -1;
        }
        host_len = (size_t)(end - text - 1);
        colon = end + 1;
        text++;
    } else {
        colon = strrchr(text, ':');
        if (colon == NULL) {
            snprintf(why, why_len, "--listen %s: give HOST:PORT, for example 127.0.0.1:3333", text);
            return -1;
        }
        host_len = (size_t)(colon - text);
    }
    if (host_len == 0 || host_len >= sizeof(host)) {
        snprintf(why, why_len, "--listen %s: the address is empty or too long", text);
        return -1;
    }
    memcpy(host, text, host_len);
    host[host_len] = '\0';
    char *end;
    errno = 0;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (colon[1] == '\0' || *end != '\0' || errno != 0 || port > 65535) {
        snprintf(why, why_len, "--listen %s: the port must be a number from 0 to 65535", text);
        return -1;
    }
    memset(out, 0, sizeof(*out));
    if (uv_ip4_addr(host, (int)port, (struct sockaddr_in *)out) != 0 &&
        uv_ip6_addr(host, (int)port, (struct sockaddr_in6 *)out) != 0) {
        snprintf(why, why_len,
                 "--listen %s: %s is not an IP address (the pool binds only addresses, never "
                 "names)",
                 text, host);
        return -1;
    }
    return 0;
}

static void name_address(const struct sockaddr_storage *a, char *out, size_t len, char *ip,
                         size_t ip_len)
{
    char host[48] = "?";
    int port = 0;
    if (a->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)a;
        uv_ip4_name(in, host, sizeof(host));
        port = ntohs(in->sin_port);
        snprintf(out, len, "%s:%d", host, port);
    } else {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)a;
        uv_ip6_name(in6, host, sizeof(host));
        port = ntohs(in6->sin6_port);
        snprintf(out, len, "[%s]:%d", host, port);
    }
    if (ip != NULL)
        snprintf(ip, ip_len, "%s", host);
}

static ban_t *find_ban(stratum_pool_server_t *s, const char *ip, uint64_t now)
{
    for (size_t i = 0; i < MAX_BANS; i++)
        if (s->bans[i].until_ms > now && strcmp(s->bans[i].ip, ip) == 0)
            return &s->bans[i];
    return NULL;
}

static void ban(stratum_pool_server_t *s, const char *ip, uint64_t now)
{
    ban_t *slot = &s->bans[0];
    for (size_t i = 0; i < MAX_BANS; i++) {
        if (s->bans[i].until_ms <= now) {
            slot = &s->bans[i];
            break;
        }
        if (s->bans[i].until_ms < slot->until_ms)
            slot = &s->bans[i]; /* full: the ban ending soonest gives way */
    }
    snprintf(slot->ip, sizeof(slot->ip), "%s", ip);
    slot->until_ms = now + (uint64_t)s->config.ban_seconds * 1000u;
    s->stats.bans++;
}

/* --- miners (logins) ------------------------------------------------------- */

/* The overflow bucket's name: logins past MAX_MINERS are counted together. */
#define OTHER_LOGINS "(logins past the first 4096)"

static stratum_pool_miner_t *miner_for(stratum_pool_server_t *s, const char *login)
{
    for (size_t i = 0; i < s->miner_count; i++)
        if (strcmp(s->miners[i].login, login) == 0)
            return &s->miners[i];
    if (s->miner_count > MAX_MINERS)
        return &s->miners[MAX_MINERS]; /* the bucket: the table stays bounded */
    if (s->miner_count == MAX_MINERS)
        login = OTHER_LOGINS;
    if (s->miner_count % 64 == 0) {
        stratum_pool_miner_t *grown = realloc(s->miners, (s->miner_count + 64) * sizeof(*grown));
        if (grown == NULL)
            return NULL;
        /* Connections point into the table: move them with it. */
        for (connection_t *c = s->connections; c != NULL; c = c->next)
            if (c->miner != NULL)
                c->miner = grown + (c->miner - s->miners);
        s->miners = grown;
    }
    stratum_pool_miner_t *m = &s->miners[s->miner_count];
    memset(m, 0, sizeof(*m));
    m->login = strdup(login);
    if (m->login == NULL)
        return NULL;
    s->miner_count++;
    return m;
}

/* --- writing ---------------------------------------------------------------- */

typedef struct {
    uv_write_t req;
    char data[];
} write_t;

static void on_closed(uv_handle_t *handle)
{
    connection_t *c = handle->data;
    stratum_tls_free(c->tls);
    stratum_line_free(&c->lines);
    for (size_t i = 0; i < STRATUM_POOL_JOB_HISTORY; i++)
        free(c->jobs[i].nonces);
    free(c->login);
    free(c->agent);
    free(c->rigid);
    free(c);
}

static void close_connection(connection_t *c, const char *reason)
{
    if (c->closing)
        return;
    c->closing = 1;
    stratum_pool_server_t *s = c->server;
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        s->connections = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    s->stats.connected--;
    if (c->nonce_byte >= 0)
        s->nonce_byte_used[c->nonce_byte] = 0;
    stratum_pool_event_t e = {.kind = STRATUM_POOL_EVENT_DISCONNECT,
                              .reason = reason,
                              .login = c->login,
                              .bytes_in = c->bytes_in,
                              .bytes_out = c->bytes_out};
    emit_for(c, &e);
    uv_read_stop((uv_stream_t *)&c->tcp);
    uv_close((uv_handle_t *)&c->tcp, on_closed);
}

static void on_written(uv_write_t *req, int status)
{
    (void)status; /* a failed write shows as an error on the read side */
    free(req);
}

/* Queues len bytes for the wire; returns 0, or -1 with the connection closed. */
static int write_wire(connection_t *c, const void *data, size_t len)
{
    if (uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp) + len >
        (size_t)STRATUM_POOL_MAX_WRITE_KIB * 1024) {
        close_connection(c, "it stopped reading: 1 MiB of replies waiting");
        return -1;
    }
    write_t *w = malloc(sizeof(*w) + len);
    if (w == NULL) {
        close_connection(c, "out of memory");
        return -1;
    }
    memcpy(w->data, data, len);
    uv_buf_t buf = uv_buf_init(w->data, (unsigned)len);
    if (uv_write(&w->req, (uv_stream_t *)&c->tcp, &buf, 1, on_written) != 0) {
        free(w);
        close_connection(c, "the connection broke while writing");
        return -1;
    }
    c->bytes_out += len;
    return 0;
}

/* What OpenSSL has to send (handshake, records) goes out; 0, or -1 with the connection closed. */
static int flush_tls(connection_t *c)
{
    uint8_t out[16384];
    size_t n;
    while ((n = stratum_tls_take_output(c->tls, out, sizeof(out))) > 0)
        if (write_wire(c, out, n) != 0)
            return -1;
    return 0;
}

/* Sends one line (taking it); returns its bytes, or 0 when the connection was closed. */
static size_t send_line(connection_t *c, char *line)
{
    if (line == NULL) {
        close_connection(c, "out of memory");
        return 0;
    }
    if (c->closing) {
        free(line);
        return 0;
    }
    size_t len = strlen(line);
    int rc;
    if (c->tls != NULL) {
        rc = stratum_tls_write(c->tls, line, len) == 0 ? flush_tls(c) : -1;
        if (rc != 0 && !c->closing)
            close_connection(c, stratum_tls_error(c->tls));
    } else {
        rc = write_wire(c, line, len);
    }
    free(line);
    return rc == 0 ? len : 0;
}

static size_t send_json(connection_t *c, json_t *message)
{
    char *line = message != NULL ? stratum_json_line(message) : NULL;
    json_decref(message);
    return send_line(c, line);
}

static void reply_result(connection_t *c, json_int_t id, json_t *result)
{
    send_json(c,
              json_pack("{sI s:s s:n s:o}", "id", id, "jsonrpc", "2.0", "error", "result", result));
}

static void reply_error(connection_t *c, const json_int_t *id, int code, const char *message)
{
    json_t *m = json_pack("{s:s s:{s:i s:s} s:n}", "jsonrpc", "2.0", "error", "code", code,
                          "message", message, "result");
    if (m != NULL)
        json_object_set_new(m, "id", id != NULL ? json_integer(*id) : json_null());
    send_json(c, m);
}

static json_t *status_ok(const char *text)
{
    return json_pack("{s:s}", "status", text);
}

/* --- jobs ------------------------------------------------------------------- */

static pool_job_t *current_job(connection_t *c)
{
    return c->job_count == 0 ? NULL : &c->jobs[(c->job_count - 1) % STRATUM_POOL_JOB_HISTORY];
}

static pool_job_t *find_job(connection_t *c, const char *id)
{
    for (size_t i = 0; i < STRATUM_POOL_JOB_HISTORY && i < c->job_count; i++)
        if (strcmp(c->jobs[i].id, id) == 0)
            return &c->jobs[i];
    return NULL;
}

/*
 * A new job for c on the current template at its difficulty, the oldest
 * in its history giving way; returns its JSON object, or NULL.
 */
static json_t *make_job(connection_t *c)
{
    stratum_pool_server_t *s = c->server;
    const stratum_pool_template_t *tpl = &s->tpl;
    pool_job_t *j = &c->jobs[c->job_count % STRATUM_POOL_JOB_HISTORY];
    j->nonce_count = 0;
    snprintf(j->id, sizeof(j->id), "%llu", (unsigned long long)++s->next_job_number);
    j->generation = tpl->generation;
    j->algo = tpl->algo;
    j->height = tpl->height;
    memcpy(j->seed, tpl->seed, sizeof(j->seed));
    j->blob_len = tpl->blob_len;
    j->nicehash = tpl->nicehash;
    stratum_pool_template_blob(tpl, tpl->nicehash ? (uint32_t)c->nonce_byte : c->extra_nonce,
                               j->blob);
    uint64_t difficulty = c->vardiff.difficulty;
    /* A share at the block's difficulty is a block: a harder one would hide blocks. */
    if (tpl->block_difficulty != 0 && difficulty > tpl->block_difficulty)
        difficulty = tpl->block_difficulty;
    char target_hex[17];
    stratum_target_encode(difficulty, target_hex);
    if (stratum_target_decode(target_hex, &j->target) != 0)
        return NULL;
    j->difficulty = stratum_difficulty_from_target(j->target);
    c->job_count++;
    char blob_hex[2 * STRATUM_POOL_MAX_BLOB + 1], seed_hex[65];
    pow_hex_encode(j->blob, j->blob_len, blob_hex);
    json_t *o =
        json_pack("{s:s s:s s:s s:s s:I}", "blob", blob_hex, "job_id", j->id, "target", target_hex,
                  "algo", pow_algo_name(j->algo), "height", (json_int_t)j->height);
    if (o != NULL && pow_algo_needs_key(j->algo)) {
        pow_hex_encode(j->seed, sizeof(j->seed), seed_hex);
        json_object_set_new(o, "seed_hash", json_string(seed_hex));
    }
    return o;
}

static void job_sent(connection_t *c, size_t bytes)
{
    if (bytes == 0)
        return;
    const pool_job_t *j = current_job(c);
    c->server->stats.jobs_sent++;
    char blob_hex[2 * STRATUM_POOL_MAX_BLOB + 1];
    pow_hex_encode(j->blob, j->blob_len, blob_hex);
    stratum_pool_event_t e = {.kind = STRATUM_POOL_EVENT_JOB,
                              .login = c->login,
                              .job_id = j->id,
                              .blob = blob_hex,
                              .height = j->height,
                              .difficulty = j->difficulty,
                              .bytes = bytes};
    emit_for(c, &e);
}

static void send_job(connection_t *c)
{
    json_t *job = make_job(c);
    if (job == NULL) {
        close_connection(c, "out of memory");
        return;
    }
    job_sent(c, send_json(c, json_pack("{s:s s:s s:o}", "jsonrpc", "2.0", "method", "job", "params",
                                       job)));
}

/* --- requests ---------------------------------------------------------------- */

static char *dup_text(const char *text)
{
    return text != NULL ? strndup(text, STRATUM_POOL_MAX_FIELD) : NULL;
}

static void login_refused(connection_t *c, json_int_t id, const char *why)
{
    stratum_pool_event_t e = {.kind = STRATUM_POOL_EVENT_LOGIN_ERROR, .reason = why};
    emit_for(c, &e);
    reply_error(c, &id, -1, why);
}

static void handle_login(connection_t *c, const stratum_pool_request_t *r)
{
    stratum_pool_server_t *s = c->server;
    json_int_t id = (json_int_t)r->id;
    if (c->logged_in) {
        login_refused(c, id, "Already logged in");
        return;
    }
    if (r->login == NULL) {
        login_refused(c, id, "Missing login");
        return;
    }
    if (!stratum_pool_request_offers(r, s->tpl.algo)) {
        char why[128];
        snprintf(why, sizeof(why), "Unsupported algorithm: this pool serves %s",
                 pow_algo_name(s->tpl.algo));
        login_refused(c, id, why);
        return;
    }
    uint8_t session[16];
    if (getrandom(session, sizeof(session), 0) != (ssize_t)sizeof(session)) {
        close_connection(c, "no randomness for a session id");
        return;
    }
    pow_hex_encode(session, sizeof(session), c->session);
    c->login = dup_text(r->login);
    c->agent = dup_text(r->agent);
    c->rigid = dup_text(r->rigid);
    c->miner = c->login != NULL ? miner_for(s, c->login) : NULL;
    if (c->miner == NULL) {
        close_connection(c, "out of memory");
        return;
    }
    c->miner->connections++;
    c->logged_in = 1;
    s->stats.logins++;
    stratum_pool_event_t e = {
        .kind = STRATUM_POOL_EVENT_LOGIN, .login = c->login, .agent = c->agent, .rigid = c->rigid};
    emit_for(c, &e);
    json_t *job = make_job(c);
    json_t *result = job == NULL ? NULL
                                 : json_pack("{s:s s:o s:[s,s] s:s}", "id", c->session, "job", job,
                                             "extensions", "algo", "keepalive", "status", "OK");
    if (result != NULL && s->tpl.nicehash)
        json_array_append_new(json_object_get(result, "extensions"), json_string("nicehash"));
    if (result == NULL) {
        close_connection(c, "out of memory");
        return;
    }
    size_t before = c->bytes_out;
    reply_result(c, id, result);
    job_sent(c, c->bytes_out - before);
}

static int authenticated(connection_t *c, const stratum_pool_request_t *r)
{
    return c->logged_in && r->session != NULL && strcmp(r->session, c->session) == 0;
}

static void handle_getjob(connection_t *c, const stratum_pool_request_t *r)
{
    json_int_t id = (json_int_t)r->id;
    if (!authenticated(c, r)) {
        reply_error(c, &id, -1, "Unauthenticated");
        return;
    }
    json_t *job = make_job(c);
    size_t before = c->bytes_out;
    if (job == NULL) {
        close_connection(c, "out of memory");
        return;
    }
    reply_result(c, id, job);
    job_sent(c, c->bytes_out - before);
}

static int nonce_seen(const pool_job_t *j, uint32_t nonce)
{
    for (size_t i = 0; i < j->nonce_count; i++)
        if (j->nonces[i] == nonce)
            return 1;
    return 0;
}

static int remember_nonce(pool_job_t *j, uint32_t nonce)
{
    if (j->nonce_count == j->nonce_cap) {
        if (j->nonce_cap >= MAX_NONCES)
            return -1;
        size_t cap = j->nonce_cap == 0 ? 16 : 2 * j->nonce_cap;
        uint32_t *grown = realloc(j->nonces, cap * sizeof(*grown));
        if (grown == NULL)
            return -1;
        j->nonces = grown;
        j->nonce_cap = cap;
    }
    j->nonces[j->nonce_count++] = nonce;
    return 0;
}

/* One more rejection of this kind for the login (reasons are string literals). */
static void count_reason(stratum_pool_miner_t *m, const char *reason)
{
    for (size_t i = 0; i < STRATUM_POOL_MINER_REASONS; i++) {
        if (m->reasons[i].reason == NULL)
            m->reasons[i].reason = reason;
        if (strcmp(m->reasons[i].reason, reason) == 0) {
            m->reasons[i].count++;
            return;
        }
    }
    m->other_reasons++;
}

/* The verdict on one share, sent, counted and reported. */
static void judge(connection_t *c, json_int_t id, const char *job_id, const char *nonce_text,
                  const pool_job_t *j, const char *reason, int stale, uint64_t hash_difficulty,
                  size_t bytes)
{
    stratum_pool_server_t *s = c->server;
    int accepted = reason == NULL;
    if (accepted) {
        reply_result(c, id, status_ok("OK"));
        s->stats.accepted++;
        s->stats.accepted_difficulty += j->difficulty;
        if (c->miner != NULL) {
            c->miner->accepted++;
            c->miner->accepted_difficulty += j->difficulty;
        }
    } else {
        reply_error(c, &id, -1, reason);
        if (stale) {
            s->stats.stale++;
        } else {
            s->stats.rejected++;
            c->invalid++;
        }
        if (c->miner != NULL) {
            if (stale)
                c->miner->stale++;
            else
                c->miner->rejected++;
            count_reason(c->miner, reason);
        }
    }
    stratum_pool_event_t e = {.kind = STRATUM_POOL_EVENT_SHARE,
                              .login = c->login,
                              .job_id = job_id,
                              .nonce = nonce_text,
                              .difficulty = j != NULL ? j->difficulty : 0,
                              .hash_difficulty = hash_difficulty,
                              .accepted = accepted,
                              .reason = reason,
                              .bytes = bytes};
    emit_for(c, &e);
    if (!accepted && !stale && s->config.max_invalid != 0 && c->invalid >= s->config.max_invalid) {
        char why[128];
        snprintf(why, sizeof(why), "%u invalid shares: its address is banned for %u s", c->invalid,
                 s->config.ban_seconds);
        if (s->config.ban_seconds != 0)
            ban(s, c->ip, now_ms());
        close_connection(c, why);
        return;
    }
    if (accepted && s->config.share_seconds > 0 &&
        stratum_vardiff_update(&c->vardiff, &s->vardiff, now_ms(), 1) != 0)
        send_job(c);
}

static uint64_t hash_difficulty_of(const uint8_t hash[32])
{
    uint64_t top = 0;
    for (int i = 7; i >= 0; i--)
        top = (top << 8) | hash[24 + i];
    return top == 0 ? UINT64_MAX : UINT64_MAX / top;
}

static void handle_submit(connection_t *c, const stratum_pool_request_t *r, size_t bytes)
{
    stratum_pool_server_t *s = c->server;
    json_int_t id = (json_int_t)r->id;
    const char *job_id = r->job_id, *nonce_text = r->nonce_text;
    if (!authenticated(c, r)) {
        judge(c, id, job_id, nonce_text, NULL, "Unauthenticated", 0, 0, bytes);
        return;
    }
    pool_job_t *j = job_id != NULL ? find_job(c, job_id) : NULL;
    if (j == NULL) {
        judge(c, id, job_id, nonce_text, NULL, "Invalid job id", 0, 0, bytes);
        return;
    }
    if (!r->nonce_ok) {
        judge(c, id, job_id, nonce_text, j, "Invalid nonce", 0, 0, bytes);
        return;
    }
    if (j->nicehash && (r->nonce >> 24) != (uint32_t)c->nonce_byte) {
        judge(c, id, job_id, nonce_text, j, "Invalid nonce", 0, 0, bytes);
        return;
    }
    if (!r->result_ok) {
        judge(c, id, job_id, nonce_text, j, "Invalid result", 0, 0, bytes);
        return;
    }
    uint32_t nonce = r->nonce;
    if (j->generation != s->tpl.generation) {
        judge(c, id, job_id, nonce_text, j, "Block expired", 1, 0, bytes);
        return;
    }
    if (nonce_seen(j, nonce)) {
        judge(c, id, job_id, nonce_text, j, "Duplicate share", 0, 0, bytes);
        return;
    }
    stratum_share_work_t work = {j->algo,   j->blob, j->blob_len, STRATUM_NONCE_OFFSET,
                                 j->height, j->seed, j->target};
    uint8_t hash[32];
    uint64_t t0 = arch_clock_ns();
    stratum_share_verdict_t verdict = stratum_share_check(
        s->checker, &work, nonce, r->result, r->has_commitment ? r->commitment : NULL, hash);
    s->stats.verify_seconds += (double)(arch_clock_ns() - t0) / 1e9;
    s->stats.verified++;
    const char *reason = NULL;
    uint64_t hash_difficulty = 0;
    switch (verdict) {
    case STRATUM_SHARE_GOOD:
        hash_difficulty = hash_difficulty_of(hash);
        if (remember_nonce(j, nonce) != 0)
            reason = "Too many shares for this job: ask for a new one";
        break;
    case STRATUM_SHARE_LOW_DIFFICULTY:
        hash_difficulty = hash_difficulty_of(hash);
        reason = "Low difficulty share";
        break;
    case STRATUM_SHARE_WRONG_RESULT:
    case STRATUM_SHARE_NO_COMMITMENT:
        reason = "Invalid result";
        break;
    case STRATUM_SHARE_CANNOT_HASH:
        reason = "Internal error: the pool cannot hash this share";
        break;
    }
    /* A daemon's template: every good share is offered as a block (the daemon's test decides). */
    if (reason == NULL && s->tpl.block_difficulty != 0 && s->config.candidate != NULL)
        s->config.candidate(s->config.context, &s->tpl, nonce, hash, c->id, c->login);
    judge(c, id, job_id, nonce_text, j, reason, 0, hash_difficulty, bytes);
}

static void bad_line(connection_t *c, const char *reason, size_t bytes)
{
    stratum_pool_server_t *s = c->server;
    s->stats.bad_lines++;
    c->bad_lines++;
    stratum_pool_event_t e = {
        .kind = STRATUM_POOL_EVENT_BAD_LINE, .login = c->login, .reason = reason, .bytes = bytes};
    emit_for(c, &e);
    reply_error(c, NULL, -32700, "Malformed JSON");
    if (c->bad_lines > s->config.max_bad_lines)
        close_connection(c, "too many malformed lines");
}

static int flooding(connection_t *c, uint64_t now)
{
    double burst = 2.0 * STRATUM_POOL_FLOOD_RATE;
    c->tokens += (double)(now - c->tokens_ms) * STRATUM_POOL_FLOOD_RATE / 1000.0;
    c->tokens_ms = now;
    if (c->tokens > burst)
        c->tokens = burst;
    if (c->tokens < 1.0)
        return 1;
    c->tokens -= 1.0;
    return 0;
}

static int handle_line(const char *line, size_t len, void *context)
{
    connection_t *c = context;
    uint64_t now = now_ms();
    c->last_message_ms = now;
    if (flooding(c, now)) {
        char why[64];
        snprintf(why, sizeof(why), "flooding: more than %d lines a second",
                 STRATUM_POOL_FLOOD_RATE);
        close_connection(c, why);
        return 1;
    }
    stratum_pool_request_t r;
    char why[160];
    if (stratum_pool_request_parse(line, len, &r, why, sizeof(why)) != 0) {
        bad_line(c, why, len + 1);
        return c->closing;
    }
    json_int_t id = (json_int_t)r.id;
    switch (r.method) {
    case STRATUM_POOL_LOGIN:
        handle_login(c, &r);
        break;
    case STRATUM_POOL_GETJOB:
        handle_getjob(c, &r);
        break;
    case STRATUM_POOL_SUBMIT:
        handle_submit(c, &r, len + 1);
        break;
    case STRATUM_POOL_KEEPALIVED:
        if (authenticated(c, &r))
            reply_result(c, id, status_ok("KEEPALIVED"));
        else
            reply_error(c, &id, -1, "Unauthenticated");
        break;
    case STRATUM_POOL_OTHER:
        reply_error(c, &id, -32601, "Method not found");
        break;
    }
    stratum_pool_request_free(&r);
    return c->closing;
}

/* --- connections --------------------------------------------------------------- */

static void on_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
    (void)handle;
    static char slab[65536];
    (void)suggested;
    /* One loop thread, and each read is consumed before the next: one buffer serves all. */
    *buf = uv_buf_init(slab, sizeof(slab));
}

static void take_plaintext(connection_t *c, const char *data, size_t len)
{
    int rc = stratum_line_feed(&c->lines, data, len, handle_line, c);
    if (rc == -E2BIG)
        close_connection(c, "a line longer than 64 KiB");
    else if (rc == -ENOMEM)
        close_connection(c, "out of memory");
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    connection_t *c = stream->data;
    if (nread == 0 || c->closing)
        return;
    if (nread < 0) {
        close_connection(c, nread == UV_EOF ? "the miner closed the connection"
                                            : uv_strerror((int)nread));
        return;
    }
    c->bytes_in += (uint64_t)nread;
    if (c->tls == NULL) {
        take_plaintext(c, buf->base, (size_t)nread);
        return;
    }
    if (stratum_tls_feed(c->tls, buf->base, (size_t)nread) != 0) {
        close_connection(c, stratum_tls_error(c->tls));
        return;
    }
    if (!c->tls_ready) {
        int rc = stratum_tls_handshake(c->tls);
        if (rc < 0) {
            close_connection(c, stratum_tls_error(c->tls));
            return;
        }
        if (flush_tls(c) != 0 || rc == 0)
            return;
        c->tls_ready = 1;
    }
    char plain[16384];
    while (!c->closing) {
        ssize_t n = stratum_tls_read(c->tls, plain, sizeof(plain));
        if (n < 0) {
            close_connection(c, stratum_tls_error(c->tls));
            return;
        }
        /* What OpenSSL wrote while reading (a KeyUpdate reply, an alert) leaves now. */
        if (flush_tls(c) != 0 || n == 0)
            return;
        take_plaintext(c, plain, (size_t)n);
    }
}

static void refuse(stratum_pool_server_t *s, uv_tcp_t *tcp, const char *peer, const char *why)
{
    s->stats.refused++;
    stratum_pool_event_t e = {.kind = STRATUM_POOL_EVENT_REFUSED, .peer = peer, .reason = why};
    emit(s, &e);
    uv_close((uv_handle_t *)tcp, (uv_close_cb)free);
}

static void on_connection(uv_stream_t *listener_stream, int status)
{
    listener_t *l = listener_stream->data;
    stratum_pool_server_t *s = l->server;
    if (status != 0 || s->stopping)
        return;
    connection_t *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return;
    uv_tcp_init(s->loop, &c->tcp);
    c->tcp.data = c;
    if (uv_accept(listener_stream, (uv_stream_t *)&c->tcp) != 0) {
        uv_close((uv_handle_t *)&c->tcp, (uv_close_cb)free);
        return;
    }
    struct sockaddr_storage peer;
    int peer_len = sizeof(peer);
    uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&peer, &peer_len);
    name_address(&peer, c->peer, sizeof(c->peer), c->ip, sizeof(c->ip));
    uint64_t now = now_ms();
    if (s->stats.connected >= s->config.max_connections) {
        char why[96];
        snprintf(why, sizeof(why), "the pool is full (%u connections)", s->config.max_connections);
        refuse(s, &c->tcp, c->peer, why);
        return;
    }
    if (find_ban(s, c->ip, now) != NULL) {
        refuse(s, &c->tcp, c->peer, "its address is banned for invalid shares");
        return;
    }
    if (l->tls) {
        char why[160];
        c->tls = stratum_tls_accept(s->config.tls, why, sizeof(why));
        if (c->tls == NULL) {
            refuse(s, &c->tcp, c->peer, why);
            return;
        }
    }
    c->nonce_byte = -1;
    if (s->tpl.nicehash) {
        for (int b = 0; b < 256 && c->nonce_byte < 0; b++)
            if (!s->nonce_byte_used[b])
                c->nonce_byte = b;
        if (c->nonce_byte < 0) {
            refuse(s, &c->tcp, c->peer, "the pool is full: 256 miners already split the nonce");
            return;
        }
        s->nonce_byte_used[c->nonce_byte] = 1;
    }
    c->server = s;
    c->id = ++s->next_connection;
    c->address = l->address;
    c->extra_nonce = (uint32_t)++s->next_extra_nonce;
    c->connected_ms = c->last_message_ms = c->tokens_ms = now;
    c->tokens = 2.0 * STRATUM_POOL_FLOOD_RATE;
    stratum_line_init(&c->lines);
    stratum_vardiff_init(&c->vardiff, s->config.difficulty, now);
    c->next = s->connections;
    if (s->connections != NULL)
        s->connections->prev = c;
    s->connections = c;
    s->stats.connections++;
    s->stats.connected++;
    uv_tcp_nodelay(&c->tcp, 1);
    stratum_pool_event_t e = {.kind = STRATUM_POOL_EVENT_CONNECT, .tls = c->tls != NULL};
    emit_for(c, &e);
    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
}

static void on_check(uv_timer_t *timer)
{
    stratum_pool_server_t *s = timer->data;
    uint64_t now = now_ms();
    connection_t *next;
    for (connection_t *c = s->connections; c != NULL; c = next) {
        next = c->next;
        if (!c->logged_in && now - c->connected_ms >= s->config.login_timeout_ms) {
            close_connection(c, "no login in time");
            continue;
        }
        if (now - c->last_message_ms >= s->config.idle_timeout_ms) {
            close_connection(c, "no message in time");
            continue;
        }
        if (c->logged_in && s->config.share_seconds > 0 &&
            stratum_vardiff_update(&c->vardiff, &s->vardiff, now, 0) != 0)
            send_job(c);
    }
}

/* --- the server ----------------------------------------------------------------- */

/* Listener i's address as given: the plain ones, then the TLS ones. */
static const char *listen_text(const stratum_pool_server_config_t *config, size_t i, int *tls)
{
    *tls = i >= config->listen_count;
    return *tls ? config->listen_tls[i - config->listen_count] : config->listen[i];
}

int stratum_pool_server_create(stratum_pool_server_t **out, uv_loop_t *loop,
                               const stratum_pool_server_config_t *config, char *why,
                               size_t why_len)
{
    *out = NULL;
    size_t total = config->listen_count + config->listen_tls_count;
    if (total == 0 || total > STRATUM_POOL_MAX_LISTEN) {
        snprintf(why, why_len, "give 1 to %d addresses to listen on", STRATUM_POOL_MAX_LISTEN);
        return -1;
    }
    if (config->listen_tls_count > 0 && config->tls == NULL) {
        snprintf(why, why_len, "TLS listeners need a TLS context");
        return -1;
    }
    stratum_pool_server_t *s = calloc(1, sizeof(*s));
    if (s == NULL || (s->checker = stratum_share_checker_create()) == NULL) {
        free(s);
        snprintf(why, why_len, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < total; i++) {
        listener_t *l = &s->listeners[i];
        l->text = listen_text(config, i, &l->tls);
        if (parse_address(l->text, &l->where, why, why_len) != 0) {
            stratum_share_checker_destroy(s->checker);
            free(s);
            return -1;
        }
    }
    s->loop = loop;
    s->config = *config;
    if (s->config.difficulty == 0)
        s->config.difficulty = 1;
    s->vardiff.share_seconds = config->share_seconds;
    s->vardiff.min = config->min_difficulty != 0 ? config->min_difficulty : 1;
    s->vardiff.max = UINT64_MAX / 2;
    *out = s;
    return 0;
}

int stratum_pool_server_start(stratum_pool_server_t *s, const stratum_pool_template_t *tpl,
                              char *why, size_t why_len)
{
    s->tpl = *tpl;
    s->started = 1;
    uv_timer_init(s->loop, &s->check_timer);
    s->check_timer.data = s;
    uv_timer_start(&s->check_timer, on_check, CHECK_PERIOD_MS, CHECK_PERIOD_MS);
    size_t total = s->config.listen_count + s->config.listen_tls_count;
    for (size_t i = 0; i < total; i++) {
        listener_t *l = &s->listeners[i];
        struct sockaddr_storage a = l->where;
        l->server = s;
        uv_tcp_init(s->loop, &l->tcp);
        l->tcp.data = l;
        s->listener_count++;
        int rc = uv_tcp_bind(&l->tcp, (const struct sockaddr *)&a, 0);
        if (rc == 0)
            rc = uv_listen((uv_stream_t *)&l->tcp, 128, on_connection);
        if (rc != 0) {
            snprintf(why, why_len, "%s %s: %s", l->tls ? "--listen-tls" : "--listen", l->text,
                     uv_strerror(rc));
            return -1;
        }
        int len = sizeof(a);
        uv_tcp_getsockname(&l->tcp, (struct sockaddr *)&a, &len);
        name_address(&a, l->address, sizeof(l->address), NULL, 0);
    }
    /* Only once every address is bound: a pool that cannot serve all serves none. */
    for (size_t i = 0; i < s->listener_count; i++) {
        stratum_pool_event_t e = {.kind = STRATUM_POOL_EVENT_LISTEN,
                                  .address = s->listeners[i].address,
                                  .tls = s->listeners[i].tls};
        emit(s, &e);
    }
    return 0;
}

const char *stratum_pool_server_address(const stratum_pool_server_t *s, size_t i, int *tls)
{
    if (i >= s->listener_count)
        return NULL;
    if (tls != NULL)
        *tls = s->listeners[i].tls;
    return s->listeners[i].address;
}

void stratum_pool_server_set_template(stratum_pool_server_t *s, const stratum_pool_template_t *tpl)
{
    int seed_changed = memcmp(tpl->seed, s->tpl.seed, sizeof(tpl->seed)) != 0;
    s->tpl = *tpl;
    stratum_pool_event_t e = {
        .kind = STRATUM_POOL_EVENT_TEMPLATE, .height = tpl->height, .seed_changed = seed_changed};
    emit(s, &e);
    connection_t *next;
    for (connection_t *c = s->connections; c != NULL; c = next) {
        next = c->next;
        if (c->logged_in)
            send_job(c);
    }
}

void stratum_pool_server_stop(stratum_pool_server_t *s)
{
    if (s->stopping)
        return;
    s->stopping = 1;
    if (s->started)
        uv_close((uv_handle_t *)&s->check_timer, NULL);
    for (size_t i = 0; i < s->listener_count; i++)
        uv_close((uv_handle_t *)&s->listeners[i].tcp, NULL);
    while (s->connections != NULL)
        close_connection(s->connections, "the pool stopped");
}

void stratum_pool_server_stats(const stratum_pool_server_t *s, stratum_pool_server_stats_t *out)
{
    *out = s->stats;
}

size_t stratum_pool_server_miner_count(const stratum_pool_server_t *s)
{
    return s->miner_count;
}

const stratum_pool_miner_t *stratum_pool_server_miner(const stratum_pool_server_t *s, size_t i)
{
    return i < s->miner_count ? &s->miners[i] : NULL;
}

void stratum_pool_server_destroy(stratum_pool_server_t *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->miner_count; i++)
        free((char *)s->miners[i].login);
    free(s->miners);
    stratum_share_checker_destroy(s->checker);
    free(s);
}
