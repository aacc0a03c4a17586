/*
 * libmicrohttpd does the HTTP: parsing, limits, connections. This file
 * routes a request to a renderer, checks the token and holds the latest
 * snapshot behind one mutex, taken only to copy it in or out.
 */
#include "config.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/dashboard.h"
#include "http/history.h"
#include "http/render.h"
#include "http/server.h"

enum { ROUTE_XMRIG, ROUTE_API, ROUTE_METRICS, ROUTE_HISTORY, ROUTE_COUNT };

typedef struct {
    char *text; /* a view of the snapshot of generation, or NULL */
    size_t len;
    unsigned long generation;
} rendered_t;

struct http_server {
    struct MHD_Daemon *daemon;
    unsigned port;
    char *token;       /* NULL: none */
    int loopback_only; /* bound to loopback: only loopback host names are served */
    pthread_mutex_t lock;
    http_status_t *status;   /* the latest published, under lock */
    http_history_t *history; /* a point per publish, under lock */
    int published;
    unsigned long generation;         /* publishes so far, under lock */
    rendered_t rendered[ROUTE_COUNT]; /* one per route, under lock */
    atomic_ulong requests;
};

/* Compares without an early exit, so the time taken says nothing of where a guess went wrong. */
static int same_secret(const char *given, const char *token)
{
    size_t a = strlen(given), b = strlen(token);
    unsigned char diff = (unsigned char)(a != b);
    for (size_t i = 0; i < b; i++)
        diff |= (unsigned char)(given[i < a ? i : 0] ^ token[i]);
    return diff == 0;
}

/*
 * Whether a Host header names loopback ("127.0.0.1:PORT", "localhost",
 * "[::1]:PORT"). A web page from elsewhere can point its own host name at
 * 127.0.0.1 (DNS rebinding) and have the browser read this API; its
 * requests then carry that foreign name, and are refused.
 */
static int loopback_host(const char *host)
{
    char name[256];
    if (host[0] == '[') {
        const char *close = strchr(host, ']');
        if (close == NULL || (size_t)(close - host) >= sizeof(name))
            return 0;
        snprintf(name, sizeof(name), "%.*s", (int)(close - host + 1), host);
        return strcmp(name, "[::1]") == 0;
    }
    size_t n = strcspn(host, ":");
    if (n >= sizeof(name))
        return 0;
    snprintf(name, sizeof(name), "%.*s", (int)n, host);
    if (strcmp(name, "localhost") == 0)
        return 1;
    unsigned a, b, c, d;
    char extra;
    return sscanf(name, "%u.%u.%u.%u%c", &a, &b, &c, &d, &extra) == 4 && a == 127 && b < 256 &&
           c < 256 && d < 256;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned code, const char *type, char *body,
                             int owned)
{
    size_t len = strlen(body);
    struct MHD_Response *r = MHD_create_response_from_buffer(
        len, body, owned ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (r == NULL) {
        if (owned)
            free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    /* The page's own inline script and style, requests to this origin only, nothing else. */
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'none'; script-src 'unsafe-inline'; style-src "
                            "'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; "
                            "form-action 'none'; frame-ancestors 'none'");
    if (code == MHD_HTTP_UNAUTHORIZED)
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
    if (code == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    enum MHD_Result ret = MHD_queue_response(c, code, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned code, const char *text)
{
    return reply(c, code, "text/plain; charset=utf-8", (char *)text, 0);
}

static const struct {
    const char *path;
    const char *type;
    char *(*render)(const http_status_t *); /* NULL: the history's */
} routes[ROUTE_COUNT] = {
    [ROUTE_XMRIG] = {"/1/summary", "application/json", http_render_xmrig_summary},
    [ROUTE_API] = {"/api/summary", "application/json", http_render_api_summary},
    [ROUTE_METRICS] = {"/metrics", "text/plain; version=0.0.4; charset=utf-8", http_render_metrics},
    [ROUTE_HISTORY] = {"/api/history", "application/json", NULL},
};

/* Renders route k from a copy of its input taken under the lock; *generation: the copy's. */
static char *render(http_server_t *s, int k, unsigned long *generation)
{
    size_t size = routes[k].render != NULL ? sizeof(http_status_t) : sizeof(http_history_t);
    void *copy = malloc(size);
    if (copy == NULL)
        return NULL;
    pthread_mutex_lock(&s->lock);
    memcpy(copy, routes[k].render != NULL ? (void *)s->status : (void *)s->history, size);
    *generation = s->generation;
    pthread_mutex_unlock(&s->lock);
    char *text = routes[k].render != NULL ? routes[k].render(copy) : http_render_history(copy);
    free(copy);
    return text;
}

/*
 * A snapshot renders to the same text however often it is asked for, so
 * each view is rendered once per publish and copied out for every later
 * request: a client polling a thousand times a second costs a copy each.
 */
static enum MHD_Result serve_route(http_server_t *s, struct MHD_Connection *c, int k)
{
    rendered_t *cached = &s->rendered[k];
    pthread_mutex_lock(&s->lock);
    int ready = s->published;
    char *body = NULL;
    if (ready && cached->text != NULL && cached->generation == s->generation &&
        (body = malloc(cached->len + 1)) != NULL)
        memcpy(body, cached->text, cached->len + 1);
    pthread_mutex_unlock(&s->lock);
    if (!ready)
        return reply_text(c, MHD_HTTP_SERVICE_UNAVAILABLE, "starting: no figures yet\n");
    if (body != NULL)
        return reply(c, MHD_HTTP_OK, routes[k].type, body, 1);
    unsigned long generation = 0;
    body = render(s, k, &generation);
    if (body == NULL)
        return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
    size_t len = strlen(body);
    char *keep = malloc(len + 1);
    if (keep != NULL) {
        memcpy(keep, body, len + 1);
        pthread_mutex_lock(&s->lock);
        if (generation == s->generation) {
            free(cached->text);
            cached->text = keep;
            cached->len = len;
            cached->generation = generation;
            keep = NULL;
        }
        pthread_mutex_unlock(&s->lock);
        free(keep);
    }
    return reply(c, MHD_HTTP_OK, routes[k].type, body, 1);
}

static enum MHD_Result serve(http_server_t *s, struct MHD_Connection *c, const char *url)
{
    for (int k = 0; k < ROUTE_COUNT; k++)
        if (strcmp(url, routes[k].path) == 0)
            return serve_route(s, c, k);
    return reply_text(c, MHD_HTTP_NOT_FOUND,
                      "not found: the paths are /, /1/summary, /api/summary, /api/history and "
                      "/metrics\n");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **request)
{
    (void)version;
    (void)upload_data;
    http_server_t *s = cls;
    static int seen;
    if (*request == NULL) {
        /* The headers are in: answer what needs no body at once. */
        *request = &seen;
        atomic_fetch_add(&s->requests, 1);
        if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
            return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "read-only: GET and HEAD only\n");
        /* A body is refused from its headers: libmicrohttpd answers best before reading it. */
        const char *length =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if ((length != NULL && strcmp(length, "0") != 0) ||
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING) !=
                NULL)
            return reply_text(c, MHD_HTTP_CONTENT_TOO_LARGE, "a GET carries no body\n");
        return MHD_YES;
    }
    if (*upload_data_size != 0) { /* not announced, so never expected: drop it */
        *upload_data_size = 0;
        return MHD_YES;
    }
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    if (s->loopback_only && host != NULL && !loopback_host(host))
        return reply_text(c, MHD_HTTP_FORBIDDEN,
                          "this API listens on loopback and answers requests for a loopback host "
                          "name only (127.0.0.1, localhost, [::1])\n");
    /* The dashboard holds no figures: it asks for them with the token from its URL's fragment. */
    if (strcmp(url, "/") == 0)
        return reply(c, MHD_HTTP_OK, "text/html; charset=utf-8", (char *)http_dashboard_html, 0);
    if (s->token != NULL) {
        const char *auth =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
        if (auth == NULL || strncmp(auth, "Bearer ", 7) != 0 || !same_secret(auth + 7, s->token))
            return reply_text(c, MHD_HTTP_UNAUTHORIZED,
                              "this API needs the header Authorization: Bearer TOKEN\n");
    }
    return serve(s, c, url);
}

int http_server_start(http_server_t **out, const http_server_config_t *config, char *why,
                      size_t why_len)
{
    *out = NULL;
    http_server_t *s = calloc(1, sizeof(*s));
    if (s == NULL || (s->status = calloc(1, sizeof(*s->status))) == NULL ||
        (s->history = calloc(1, sizeof(*s->history))) == NULL) {
        if (s != NULL) {
            free(s->status);
            free(s);
        }
        snprintf(why, why_len, "out of memory");
        return -1;
    }
    pthread_mutex_init(&s->lock, NULL);
    if (config->token != NULL && config->token[0] != '\0')
        s->token = strdup(config->token);
    const http_listen_address_t *a = config->address;
    s->loopback_only = a->loopback;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO;
    if (a->addr.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    s->daemon =
        MHD_start_daemon(flags, (uint16_t)a->port, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
                         (const struct sockaddr *)&a->addr, MHD_OPTION_CONNECTION_LIMIT,
                         (unsigned)HTTP_SERVER_MAX_CONNECTIONS, MHD_OPTION_CONNECTION_TIMEOUT,
                         (unsigned)HTTP_SERVER_TIMEOUT_S, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
                         (size_t)HTTP_SERVER_MEMORY_LIMIT, MHD_OPTION_END);
    if (s->daemon == NULL) {
        snprintf(why, why_len,
                 "could not listen on %s port %u (in use, or not an address of this machine)",
                 a->host, a->port);
        http_server_stop(s);
        return -1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info != NULL ? info->port : a->port;
    *out = s;
    return 0;
}

unsigned http_server_port(const http_server_t *server)
{
    return server->port;
}

void http_server_publish(http_server_t *s, const http_status_t *status)
{
    pthread_mutex_lock(&s->lock);
    memcpy(s->status, status, sizeof(*status));
    http_history_add(s->history, status);
    s->published = 1;
    s->generation++;
    pthread_mutex_unlock(&s->lock);
}

unsigned long http_server_requests(const http_server_t *s)
{
    return atomic_load(&s->requests);
}

void http_server_stop(http_server_t *s)
{
    if (s == NULL)
        return;
    if (s->daemon != NULL)
        MHD_stop_daemon(s->daemon);
    pthread_mutex_destroy(&s->lock);
    free(s->token);
    for (int k = 0; k < ROUTE_COUNT; k++)
        free(s->rendered[k].text);
    free(s->status);
    free(s->history);
    free(s);
}
